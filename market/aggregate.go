package market

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// VWAPScale is the number of decimal places an aggregated VWAP is rounded to: finer than any
// price increment, and fixed so that the same minutes always give the same stored value.
const VWAPScale = 6

// NormalizeMinutes prepares minute bars for merging: each Start is cut to its UTC minute, and of
// several bars for one minute the last in the slice is kept (a corrected bar replaces the first
// version; a replayed one is identical anyway). The result is sorted by Start and shares no
// backing array with bars.
func NormalizeMinutes(bars []Bar) []Bar {
	if normalized(bars) {
		return slices.Clone(bars)
	}
	out := make([]Bar, 0, len(bars))
	index := make(map[int64]int, len(bars))
	for _, b := range bars {
		b.Start = b.Start.UTC().Truncate(time.Minute)
		key := b.Start.Unix()
		if i, seen := index[key]; seen {
			out[i] = b
			continue
		}
		index[key] = len(out)
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b Bar) int { return a.Start.Compare(b.Start) })
	return out
}

// normalized reports whether bars are already whole UTC minutes in strictly increasing order,
// as bars read back from the store are, so the common case skips the map and the sort.
func normalized(bars []Bar) bool {
	for i, b := range bars {
		if b.Start.Location() != time.UTC || !b.Start.Truncate(time.Minute).Equal(b.Start) ||
			(i > 0 && !bars[i-1].Start.Before(b.Start)) {
			return false
		}
	}
	return true
}

// Merge combines the minute bars of one bucket into a candle that starts at start. Open is the
// earliest minute's open and Close the latest minute's close (by time, never by arrival), High
// and Low the extremes, Volume and TradeCount the sums, and VWAP the volume-weighted mean of the
// minutes' VWAPs, rounded to VWAPScale places. The bars are normalised first (see
// NormalizeMinutes), so the order they come in does not matter and a minute given twice counts
// once. False when there are no bars.
func Merge(start time.Time, bars []Bar) (Bar, bool) {
	return mergeSorted(start, NormalizeMinutes(bars))
}

// mergeSorted is Merge over bars already normalised.
func mergeSorted(start time.Time, bars []Bar) (Bar, bool) {
	if len(bars) == 0 {
		return Bar{}, false
	}
	first, last := bars[0], bars[len(bars)-1]
	out := Bar{
		Symbol: last.Symbol,
		Start:  start.UTC(),
		Open:   first.Open,
		High:   first.High,
		Low:    first.Low,
		Close:  last.Close,
	}
	weighted := decimal.Zero
	for _, b := range bars {
		if b.High.GreaterThan(out.High) {
			out.High = b.High
		}
		if b.Low.LessThan(out.Low) {
			out.Low = b.Low
		}
		out.Volume = out.Volume.Add(b.Volume)
		out.TradeCount += b.TradeCount
		weighted = weighted.Add(minuteVWAP(b).Mul(b.Volume))
	}
	if out.Volume.IsPositive() {
		out.VWAP = weighted.DivRound(out.Volume, VWAPScale)
	} else {
		// Nothing traded: no average exists; the close is the honest stand-in.
		out.VWAP = out.Close
	}
	return out, true
}

// minuteVWAP is a minute's VWAP, or its close when the source sent none (the simulator and some
// feeds leave it zero); a zero would drag the candle's average towards nothing.
func minuteVWAP(b Bar) decimal.Decimal {
	if b.VWAP.IsZero() {
		return b.Close
	}
	return b.VWAP
}

// Rollup aggregates minute bars into the candles of tf, using b for bucket boundaries. Minutes
// that join no candle of tf (see BucketOf) are left out. The candles come back oldest first.
// For Min1 it returns the normalised minutes themselves.
func Rollup(b *Bucketer, tf Timeframe, class AssetClass, minutes []Bar) []Bar {
	minutes = NormalizeMinutes(minutes)
	if tf == Min1 {
		return minutes
	}
	var (
		out   []Bar
		group []Bar
		cur   Bucket
		memo  dayMemo
	)
	flush := func() {
		if c, ok := mergeSorted(cur.Start, group); ok {
			out = append(out, c)
		}
		group = group[:0]
	}
	for _, m := range minutes {
		bucket, ok := BucketOf(tf, class, m.Start, b.day(class, m.Start, &memo))
		if !ok {
			continue
		}
		// Minutes are sorted and buckets never interleave, so a new start closes the group.
		if !bucket.Start.Equal(cur.Start) {
			flush()
			cur = bucket
		}
		group = append(group, m)
	}
	flush()
	return out
}
