package stats_test

import (
	"testing"
	"time"

	"alpacawrapper/trading/stats"
)

func TestParseRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want stats.Range
		ok   bool
	}{
		{"1D", stats.Range1D, true}, {"1d", stats.Range1D, true}, {"1W", stats.Range1W, true},
		{"1M", stats.Range1M, true}, {"3m", stats.Range3M, true}, {"1Y", stats.Range1Y, true},
		{"all", stats.RangeAll, true}, {"ALL", stats.RangeAll, true},
		{"", "", false}, {"5D", "", false}, {"1M ", "", false},
	} {
		got, ok := stats.ParseRange(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRange(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if len(stats.Ranges()) != 6 || stats.Ranges()[0] != stats.Range1D || stats.Ranges()[5] != stats.RangeAll {
		t.Errorf("Ranges() = %v", stats.Ranges())
	}
}

func TestRangeSince(t *testing.T) {
	t.Parallel()
	ny := newYork(t)
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 30, 0, 0, ny) }
	for _, tc := range []struct {
		r         stats.Range
		now, want time.Time
	}{
		{stats.Range1D, at(2026, time.March, 10, 10), at(2026, time.March, 9, 10)},
		// Across the spring-forward night (2026-03-08) the same wall-clock time is 23 hours back.
		{stats.Range1D, at(2026, time.March, 8, 10), at(2026, time.March, 7, 10)},
		{stats.Range1W, at(2026, time.March, 10, 10), at(2026, time.March, 3, 10)},
		{stats.Range1M, at(2026, time.March, 10, 10), at(2026, time.February, 10, 10)},
		{stats.Range1M, at(2026, time.March, 31, 10), at(2026, time.February, 28, 10)},
		{stats.Range1M, at(2026, time.January, 15, 10), at(2025, time.December, 15, 10)},
		{stats.Range3M, at(2026, time.May, 31, 10), at(2026, time.February, 28, 10)},
		{stats.Range1Y, at(2028, time.February, 29, 10), at(2027, time.February, 28, 10)},
		{stats.Range1Y, at(2026, time.November, 26, 10), at(2025, time.November, 26, 10)},
		{stats.RangeAll, at(2026, time.March, 10, 10), time.Time{}},
		{stats.Range("bogus"), at(2026, time.March, 10, 10), time.Time{}},
	} {
		if got := tc.r.Since(tc.now); !got.Equal(tc.want) {
			t.Errorf("%s.Since(%s) = %s, want %s", tc.r, tc.now, got, tc.want)
		}
	}
	if d := at(2026, time.March, 8, 10).Sub(stats.Range1D.Since(at(2026, time.March, 8, 10))); d != 23*time.Hour {
		t.Errorf("1D across the DST change spans %s, want 23h", d)
	}
}

func TestRangeResolution(t *testing.T) {
	t.Parallel()
	for r, want := range map[stats.Range]time.Duration{
		stats.Range1D: 5 * time.Minute, stats.Range1W: 15 * time.Minute, stats.Range1M: 24 * time.Hour,
		stats.Range3M: 24 * time.Hour, stats.Range1Y: 24 * time.Hour, stats.RangeAll: 24 * time.Hour,
	} {
		if got := r.Resolution(); got != want {
			t.Errorf("%s.Resolution() = %s, want %s", r, got, want)
		}
	}
}
