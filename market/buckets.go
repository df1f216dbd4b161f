package market

import (
	"slices"
	"time"
)

// TradingCalendar tells the US equity trading day an instant falls on. market.Clock satisfies
// it; tests pass a fixture. TradingDay returns the day whose date (in America/New_York) is t's
// date there, and false when that date is not a trading day (a weekend or a holiday).
type TradingCalendar interface {
	TradingDay(t time.Time) (CalendarDay, bool)
}

// Bucket is the half-open interval [Start, End) of one candle.
type Bucket struct {
	Start time.Time
	End   time.Time
}

// Contains reports whether t falls inside the bucket.
func (b Bucket) Contains(t time.Time) bool { return !t.Before(b.Start) && t.Before(b.End) }

// Width is the length of the timeframe's buckets before any cut at a session boundary. For 1D it
// is a nominal 24 hours: the real buckets are a stock's regular session and a crypto UTC day.
// Zero for an unknown timeframe.
func (tf Timeframe) Width() time.Duration {
	switch tf {
	case Min1:
		return time.Minute
	case Min5:
		return 5 * time.Minute
	case Min15:
		return 15 * time.Minute
	case Min30:
		return 30 * time.Minute
	case Hour1:
		return time.Hour
	case Hour4:
		return 4 * time.Hour
	case Day1:
		return 24 * time.Hour
	}
	return 0
}

// BucketOf is the one definition of which candle a minute belongs to, used by live aggregation
// and backfill alike (the original system had two and they disagreed). day is the trading day of
// t's New York date, or nil when that date is not one; it is ignored for crypto.
//
// The rules:
//   - 1m: the minute itself, for every class, in or out of session.
//   - Crypto: UTC-aligned grids; 4h buckets start at 00, 04, 08 … UTC; 1D is the UTC day.
//   - Stocks, regular session [Open, Close): buckets start at the open (09:30 ET) and step by the
//     width (1h: 09:30, 10:30 … 15:30; 4h: 09:30, 13:30); the last one is cut at the close, which
//     on an early-close day is 13:00 ET. 1D is the regular session only, starting at the open.
//     Alpaca's daily bars cover the same minutes but are stamped at midnight New York time;
//     alpacawire restamps them on Alpaca's wire (alpacawire.DayStamp), and the app keeps the open.
//   - Stocks, pre-market [SessionOpen, Open): buckets end at the open and step backwards
//     (1h: 08:30, 07:30 …); the first is cut at the session open (04:00 ET).
//   - Stocks, after hours [Close, SessionClose): buckets start at the close and step forwards
//     (1h: 16:00, 17:00 …; 13:00, 14:00 … after an early close); the last is cut at the session end.
//   - Stocks outside every session (holidays, overnight prints): 1m only, false for the rest, so a
//     stray print can never make a phantom daily candle.
//
// Extended-hours minutes make intraday candles but never join 1D. Because every boundary is
// computed from the calendar's instants for that day, the UTC times of the buckets move with
// daylight saving time while their exchange times stay put.
func BucketOf(tf Timeframe, class AssetClass, t time.Time, day *CalendarDay) (Bucket, bool) {
	t = t.UTC().Truncate(time.Minute)
	if tf == Min1 {
		return Bucket{Start: t, End: t.Add(time.Minute)}, true
	}
	width := tf.Width()
	if width == 0 {
		return Bucket{}, false
	}
	if class == Crypto {
		return cryptoBucket(tf, width, t), true
	}
	if day == nil {
		return Bucket{}, false
	}
	sessionOpen, sessionClose := extendedSession(*day)
	open, closing := day.Open.UTC(), day.Close.UTC()
	switch {
	case t.Before(sessionOpen) || !t.Before(sessionClose):
		return Bucket{}, false
	case tf == Day1:
		if t.Before(open) || !t.Before(closing) {
			return Bucket{}, false
		}
		return Bucket{Start: open, End: closing}, true
	case t.Before(open): // pre-market: the grid ends at the open
		back := (open.Sub(t) - 1) / width // whole buckets between t's bucket and the open
		end := open.Add(-back * width)
		return Bucket{Start: Latest(end.Add(-width), sessionOpen), End: end}, true
	case t.Before(closing): // regular session
		start := open.Add(t.Sub(open) / width * width)
		return Bucket{Start: start, End: Earliest(start.Add(width), closing)}, true
	default: // after hours: the grid starts at the close
		start := closing.Add(t.Sub(closing) / width * width)
		return Bucket{Start: start, End: Earliest(start.Add(width), sessionClose)}, true
	}
}

// cryptoBucket aligns to UTC. Go's zero time is a UTC midnight and every width divides a day, so
// Truncate lands on UTC-aligned boundaries.
func cryptoBucket(tf Timeframe, width time.Duration, t time.Time) Bucket {
	if tf == Day1 {
		start := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return Bucket{Start: start, End: start.AddDate(0, 0, 1)}
	}
	start := t.Truncate(width)
	return Bucket{Start: start, End: start.Add(width)}
}

// extendedSession returns the day's extended session, filling in Alpaca's usual hours when a
// calendar source leaves them out: 04:00 ET (5½ hours before a 09:30 open; no clock change
// happens between those hours) until four hours after the close.
func extendedSession(day CalendarDay) (time.Time, time.Time) {
	open, closing := day.SessionOpen.UTC(), day.SessionClose.UTC()
	if day.SessionOpen.IsZero() {
		open = day.Open.Add(-5*time.Hour - 30*time.Minute).UTC()
	}
	if day.SessionClose.IsZero() {
		closing = day.Close.Add(4 * time.Hour).UTC()
	}
	return Earliest(open, day.Open.UTC()), Latest(closing, day.Close.UTC())
}

// Bucketer pairs BucketOf with a calendar, for callers that have instants rather than days.
type Bucketer struct {
	cal TradingCalendar
}

// NewBucketer returns a Bucketer reading trading days from cal.
func NewBucketer(cal TradingCalendar) *Bucketer { return &Bucketer{cal: cal} }

// Bucket returns the bucket of tf that t belongs to for an asset of class; see BucketOf.
func (b *Bucketer) Bucket(tf Timeframe, class AssetClass, t time.Time) (Bucket, bool) {
	if tf == Min1 {
		return BucketOf(tf, class, t, nil)
	}
	return BucketOf(tf, class, t, b.day(class, t, nil))
}

// BucketStart is the start of the bucket of tf that t belongs to, and false when t joins no
// candle of that timeframe (see BucketOf).
func (b *Bucketer) BucketStart(tf Timeframe, class AssetClass, t time.Time) (time.Time, bool) {
	bucket, ok := b.Bucket(tf, class, t)
	return bucket.Start, ok
}

// Cover returns, for each timeframe coarser than a minute, the distinct buckets that the given
// instants fall in, oldest first: the candles a write of those minutes changes. Timeframes none of
// them joins are absent.
func (b *Bucketer) Cover(class AssetClass, times []time.Time) map[Timeframe][]Bucket {
	sorted := slices.Clone(times)
	slices.SortFunc(sorted, time.Time.Compare)
	out := make(map[Timeframe][]Bucket)
	var memo dayMemo
	for _, t := range sorted {
		day := b.day(class, t, &memo)
		for _, tf := range Timeframes()[1:] {
			bucket, ok := BucketOf(tf, class, t, day)
			if !ok {
				continue
			}
			if have := out[tf]; len(have) > 0 && have[len(have)-1].Start.Equal(bucket.Start) {
				continue // sorted input: a repeat can only be of the last bucket
			}
			out[tf] = append(out[tf], bucket)
		}
	}
	return out
}

// dayMemo remembers the last trading day looked up, so a run over thousands of sorted minutes
// asks the calendar about once per day rather than once per minute.
type dayMemo struct {
	day        CalendarDay
	from, till time.Time // the day's extended session
	ok         bool
}

// day is the trading day of t's New York date, or nil for crypto (which needs none) and for
// dates that are not trading days.
func (b *Bucketer) day(class AssetClass, t time.Time, memo *dayMemo) *CalendarDay {
	if class == Crypto {
		return nil
	}
	if memo != nil && memo.ok && !t.Before(memo.from) && t.Before(memo.till) {
		day := memo.day
		return &day
	}
	day, ok := b.cal.TradingDay(t)
	if !ok {
		return nil
	}
	if memo != nil {
		memo.day, memo.ok = day, true
		memo.from, memo.till = extendedSession(day)
	}
	return &day
}

// Calendar is the calendar the Bucketer reads.
func (b *Bucketer) Calendar() TradingCalendar { return b.cal }
