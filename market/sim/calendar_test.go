package sim

import (
	"context"
	"testing"
	"time"
)

func TestEaster(t *testing.T) {
	t.Parallel()
	tests := []struct {
		year  int
		month time.Month
		day   int
	}{
		{2000, time.April, 23},
		{2019, time.April, 21},
		{2024, time.March, 31},
		{2025, time.April, 20},
		{2026, time.April, 5},
		{2027, time.March, 28},
		{2038, time.April, 25},
	}
	for _, tt := range tests {
		if got, want := easter(tt.year), civil(tt.year, tt.month, tt.day); !got.Equal(want) {
			t.Errorf("easter(%d) = %s, want %s", tt.year, got.Format(time.DateOnly), want.Format(time.DateOnly))
		}
	}
}

// tradingDates lists the New York dates of a year's trading days from the provider's calendar.
func tradingDates(t *testing.T, p *Provider, year int) map[string]bool {
	t.Helper()
	days, err := p.Calendar(context.Background(), et(t, year, time.January, 1, 12, 0), et(t, year, time.December, 31, 12, 0))
	if err != nil {
		t.Fatal(err)
	}
	dates := make(map[string]bool, len(days))
	for _, d := range days {
		dates[d.Date.In(newYork(t)).Format(time.DateOnly)] = true
	}
	return dates
}

func TestCalendarHolidays(t *testing.T) {
	t.Parallel()
	p := New(Options{})
	tests := []struct {
		year        int
		tradingDays int
		closed      []string // weekdays the NYSE is shut
		open        []string // days that look like holidays but trade
	}{
		{2024, 252,
			[]string{"2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25"},
			[]string{"2024-07-03", "2024-11-29", "2024-12-24", "2024-12-31"}},
		{2025, 250,
			[]string{"2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"},
			[]string{"2025-01-02", "2025-07-03", "2025-12-24", "2025-12-26"}},
		{2026, 251,
			// July 4 is a Saturday: observed on Friday July 3.
			[]string{"2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"},
			[]string{"2026-07-02", "2026-07-06", "2026-11-27", "2026-12-24"}},
		{2027, 251,
			// Juneteenth and Independence Day fall at weekends; Christmas on a Saturday moves to Friday.
			[]string{"2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24"},
			// New Year's Day 2028 is a Saturday and is not observed on the Friday before.
			[]string{"2027-12-31", "2027-07-02"}},
		{2021, 252,
			// Before Juneteenth; Christmas 2021 on a Saturday is observed on Friday December 24.
			[]string{"2021-01-01", "2021-01-18", "2021-02-15", "2021-04-02", "2021-05-31", "2021-07-05", "2021-09-06", "2021-11-25", "2021-12-24"},
			[]string{"2021-06-18", "2021-12-31"}},
	}
	for _, tt := range tests {
		t.Run(time.Date(tt.year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			t.Parallel()
			dates := tradingDates(t, p, tt.year)
			if len(dates) != tt.tradingDays {
				t.Errorf("%d trading days, want %d", len(dates), tt.tradingDays)
			}
			for _, d := range tt.closed {
				if dates[d] {
					t.Errorf("%s is listed as a trading day; the NYSE is closed", d)
				}
			}
			for _, d := range tt.open {
				if !dates[d] {
					t.Errorf("%s is missing; the NYSE trades that day", d)
				}
			}
		})
	}
}

func TestCalendarHours(t *testing.T) {
	t.Parallel()
	p := New(Options{})
	utc := func(s string) time.Time {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	tests := []struct {
		name                                       string
		date                                       time.Time
		open, close, sessionOpen, sessionClose, at string
	}{
		{"winter day", civil(2026, time.March, 6),
			"2026-03-06T14:30:00Z", "2026-03-06T21:00:00Z", "2026-03-06T09:00:00Z", "2026-03-07T01:00:00Z", "2026-03-06T05:00:00Z"},
		{"first day of summer time", civil(2026, time.March, 9),
			"2026-03-09T13:30:00Z", "2026-03-09T20:00:00Z", "2026-03-09T08:00:00Z", "2026-03-10T00:00:00Z", "2026-03-09T04:00:00Z"},
		{"last day of summer time", civil(2026, time.October, 30),
			"2026-10-30T13:30:00Z", "2026-10-30T20:00:00Z", "2026-10-30T08:00:00Z", "2026-10-31T00:00:00Z", "2026-10-30T04:00:00Z"},
		{"first day of winter time", civil(2026, time.November, 2),
			"2026-11-02T14:30:00Z", "2026-11-02T21:00:00Z", "2026-11-02T09:00:00Z", "2026-11-03T01:00:00Z", "2026-11-02T05:00:00Z"},
		{"day after Thanksgiving closes early", civil(2026, time.November, 27),
			"2026-11-27T14:30:00Z", "2026-11-27T18:00:00Z", "2026-11-27T09:00:00Z", "2026-11-27T22:00:00Z", "2026-11-27T05:00:00Z"},
		{"Christmas Eve closes early", civil(2026, time.December, 24),
			"2026-12-24T14:30:00Z", "2026-12-24T18:00:00Z", "2026-12-24T09:00:00Z", "2026-12-24T22:00:00Z", "2026-12-24T05:00:00Z"},
		{"July 3 closes early in summer time", civil(2024, time.July, 3),
			"2024-07-03T13:30:00Z", "2024-07-03T17:00:00Z", "2024-07-03T08:00:00Z", "2024-07-03T21:00:00Z", "2024-07-03T04:00:00Z"},
		{"July 2 2026 is a full day", civil(2026, time.July, 2),
			"2026-07-02T13:30:00Z", "2026-07-02T20:00:00Z", "2026-07-02T08:00:00Z", "2026-07-03T00:00:00Z", "2026-07-02T04:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Ask with instants late in the New York day, which are already the next UTC day.
			from := et(t, tt.date.Year(), tt.date.Month(), tt.date.Day(), 22, 0)
			days, err := p.Calendar(context.Background(), from, from)
			if err != nil {
				t.Fatal(err)
			}
			if len(days) != 1 {
				t.Fatalf("got %d days, want 1", len(days))
			}
			d := days[0]
			for name, pair := range map[string][2]time.Time{
				"Date": {d.Date, utc(tt.at)}, "Open": {d.Open, utc(tt.open)}, "Close": {d.Close, utc(tt.close)},
				"SessionOpen": {d.SessionOpen, utc(tt.sessionOpen)}, "SessionClose": {d.SessionClose, utc(tt.sessionClose)},
			} {
				if !pair[0].Equal(pair[1]) || pair[0].Location() != time.UTC {
					t.Errorf("%s = %s, want %s in UTC", name, pair[0], pair[1])
				}
			}
		})
	}
}

func TestCalendarRange(t *testing.T) {
	t.Parallel()
	p := New(Options{})
	ctx := context.Background()

	t.Run("both ends are included by New York date", func(t *testing.T) {
		t.Parallel()
		days, err := p.Calendar(ctx, et(t, 2026, time.March, 6, 23, 0), et(t, 2026, time.March, 9, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 2 || !days[0].Open.Equal(et(t, 2026, time.March, 6, 9, 30)) || !days[1].Open.Equal(et(t, 2026, time.March, 9, 9, 30)) {
			t.Fatalf("got %v, want March 6 and March 9", days)
		}
	})
	t.Run("an end before the start lists nothing", func(t *testing.T) {
		t.Parallel()
		days, err := p.Calendar(ctx, et(t, 2026, time.March, 9, 12, 0), et(t, 2026, time.March, 6, 12, 0))
		if err != nil || len(days) != 0 {
			t.Fatalf("got %v, %v; want nothing", days, err)
		}
	})
	t.Run("a cancelled context fails", func(t *testing.T) {
		t.Parallel()
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := p.Calendar(cancelled, et(t, 2026, time.March, 6, 12, 0), et(t, 2026, time.March, 9, 12, 0)); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestCalendarAlwaysOpen(t *testing.T) {
	t.Parallel()
	p := New(Options{AlwaysOpen: true})
	// The weekend of the spring clock change: Saturday, then a 23-hour Sunday.
	days, err := p.Calendar(context.Background(), et(t, 2026, time.March, 7, 12, 0), et(t, 2026, time.March, 8, 12, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 2 {
		t.Fatalf("got %d days, want Saturday and Sunday", len(days))
	}
	for i, want := range []time.Duration{24 * time.Hour, 23 * time.Hour} {
		d := days[i]
		if !d.Open.Equal(d.Date) || !d.SessionOpen.Equal(d.Date) || !d.Close.Equal(d.SessionClose) || d.Close.Sub(d.Open) != want {
			t.Errorf("day %d: %+v, want one %s session from midnight", i, d, want)
		}
	}
}
