package stats

import (
	"strings"
	"time"
)

// Range is one of the equity chart's range buttons.
type Range string

// The ranges, as the buttons and the query string spell them.
const (
	Range1D  Range = "1D"
	Range1W  Range = "1W"
	Range1M  Range = "1M"
	Range3M  Range = "3M"
	Range1Y  Range = "1Y"
	RangeAll Range = "all"
)

// DefaultRange is the range the chart opens on: a month, like Alpaca's portfolio history.
const DefaultRange = Range1M

// Ranges returns the ranges in button order.
func Ranges() []Range {
	return []Range{Range1D, Range1W, Range1M, Range3M, Range1Y, RangeAll}
}

// ParseRange reads a range from a query string, ignoring case ("1d", "ALL").
func ParseRange(s string) (Range, bool) {
	for _, r := range Ranges() {
		if strings.EqualFold(s, string(r)) {
			return r, true
		}
	}
	return "", false
}

// Since is where the range starts when it ends at now: the same wall-clock time one day, one
// week, or one, three or twelve months earlier in now's location, with month ends clamped
// (31 March minus a month is 28 or 29 February, not 3 March). It is the zero time for "all" and
// for an unknown range. 1D is the last day rather than the last session: over a weekend a
// stock-only account's 1D chart is flat, which is what happened.
func (r Range) Since(now time.Time) time.Time {
	switch r {
	case Range1D:
		return now.AddDate(0, 0, -1)
	case Range1W:
		return now.AddDate(0, 0, -7)
	case Range1M:
		return monthsBefore(now, 1)
	case Range3M:
		return monthsBefore(now, 3)
	case Range1Y:
		return monthsBefore(now, 12)
	}
	return time.Time{}
}

// monthsBefore is t moved back n calendar months, its day clamped to the target month's length.
func monthsBefore(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m-time.Month(n), 1, 0, 0, 0, 0, t.Location()) // normalises the month
	ty, tm, _ := first.Date()
	lastDay := time.Date(ty, tm+1, 0, 0, 0, 0, 0, t.Location()).Day()
	d = min(d, lastDay)
	h, mi, s := t.Clock()
	return time.Date(ty, tm, d, h, mi, s, t.Nanosecond(), t.Location())
}

// Resolution is the chart's point spacing for the range, chosen like Alpaca's portfolio
// history defaults (minutes for a day, 15 minutes under a month, days beyond) so that every
// range draws a few hundred points at most: 1D 5 minutes (288 a day around the clock), 1W 15
// minutes (672), 1M and longer one day. An unknown range gets one day.
func (r Range) Resolution() time.Duration {
	switch r {
	case Range1D:
		return 5 * time.Minute
	case Range1W:
		return 15 * time.Minute
	}
	return 24 * time.Hour
}
