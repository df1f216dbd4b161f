package candles

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
)

// UpsertMinuteBars writes minute bars of one asset and recomputes every coarser candle they
// belong to, in one transaction. See UpsertMinuteBarsTx.
func (s *Store) UpsertMinuteBars(ctx context.Context, assetID int64, class market.AssetClass, bars []market.Bar, source Source) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.UpsertMinuteBarsTx(ctx, tx, assetID, class, bars, source)
	})
}

// UpsertMinuteBarsTx is UpsertMinuteBars inside the caller's transaction, so that a backfill can
// record its progress in the same commit as the bars.
//
// Each bar is stored as the 1-minute row of its minute (Start cut to the minute), replacing any
// row already there: the same minute written twice is one row, and of two bars for one minute
// in a call the later wins. Then each coarser bucket that holds one of these minutes is
// recomputed from all of its stored minutes and upserted whole. Writers of one asset are
// serialised for the transaction, so two concurrent writes cannot each miss the other's minutes.
func (s *Store) UpsertMinuteBarsTx(ctx context.Context, tx *gorm.DB, assetID int64, class market.AssetClass, bars []market.Bar, source Source) error {
	_, err := s.RebuildMinuteBarsTx(ctx, tx, assetID, class, bars, source)
	return err
}

// RebuildMinuteBarsTx is UpsertMinuteBarsTx that also reports how many candles it wrote: the
// minutes and every coarser candle rebuilt from them (an operator's data refresh shows it).
func (s *Store) RebuildMinuteBarsTx(ctx context.Context, tx *gorm.DB, assetID int64, class market.AssetClass, bars []market.Bar, source Source) (int, error) {
	minutes := market.NormalizeMinutes(bars)
	minutes = slices.DeleteFunc(minutes, func(b market.Bar) bool { return b.Start.Unix() <= 0 })
	if len(minutes) == 0 {
		return 0, nil
	}
	if err := models.LockAssetCandles(ctx, tx, assetID); err != nil {
		return 0, fmt.Errorf("candles: %w", err)
	}
	rows := make([]models.Candle, 0, len(minutes))
	starts := make([]time.Time, 0, len(minutes))
	for _, m := range minutes {
		rows = append(rows, toRow(assetID, market.Min1, m, source))
		starts = append(starts, m.Start)
	}
	if err := models.UpsertCandles(ctx, tx, rows); err != nil {
		return 0, fmt.Errorf("candles: %w", err)
	}
	written := len(rows)

	affected := s.buckets.Cover(class, starts)
	var spans []market.Bucket
	for _, buckets := range affected {
		spans = append(spans, buckets...)
	}
	var stored []market.Bar
	for _, span := range mergeSpans(spans) {
		got, err := models.MinuteCandles(ctx, tx, assetID, span.Start, span.End)
		if err != nil {
			return 0, fmt.Errorf("candles: %w", err)
		}
		for _, c := range got {
			stored = append(stored, toBar(c, ""))
		}
	}

	rows = rows[:0]
	for tf, buckets := range affected {
		want := make(map[int64]bool, len(buckets))
		for _, b := range buckets {
			want[b.Start.UnixMicro()] = true
		}
		// Only the affected buckets are complete in what was read (a span also holds the edges
		// of neighbouring ones), so only their minutes are merged and only they are written.
		for _, c := range market.Rollup(s.buckets, tf, class, within(stored, buckets)) {
			if want[c.Start.UnixMicro()] {
				rows = append(rows, toRow(assetID, tf, c, source))
			}
		}
	}
	if err := models.UpsertCandles(ctx, tx, rows); err != nil {
		return 0, fmt.Errorf("candles: %w", err)
	}
	return written + len(rows), nil
}

// within returns the minutes that fall inside one of the buckets. Both are sorted by start and
// the buckets do not overlap, so one pass over each suffices.
func within(minutes []market.Bar, buckets []market.Bucket) []market.Bar {
	var out []market.Bar
	i := 0
	for _, m := range minutes {
		for i < len(buckets) && !m.Start.Before(buckets[i].End) {
			i++
		}
		if i == len(buckets) {
			break
		}
		if buckets[i].Contains(m.Start) {
			out = append(out, m)
		}
	}
	return out
}

// mergeSpans joins overlapping or touching intervals, so the minutes under many buckets are read
// in a few range scans (usually one: every bucket of a minute nests inside its 4h or 1D one).
func mergeSpans(spans []market.Bucket) []market.Bucket {
	slices.SortFunc(spans, func(a, b market.Bucket) int { return a.Start.Compare(b.Start) })
	var out []market.Bucket
	for _, s := range spans {
		if n := len(out); n > 0 && !s.Start.After(out[n-1].End) {
			if s.End.After(out[n-1].End) {
				out[n-1].End = s.End
			}
			continue
		}
		out = append(out, s)
	}
	return out
}
