package market_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"alpacawrapper/internal/testwait"
	"alpacawrapper/market"
)

// clockNY is the exchange's zone, for building the fixture in wall-clock time.
func clockNY(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// calendar2025 is the NYSE's 2025 calendar: weekdays less its holidays (the national day of
// mourning of 9 January included), with 13:00 closes on its three early-close days.
func calendar2025(t testing.TB) []market.CalendarDay {
	t.Helper()
	ny := clockNY(t)
	closed := map[string]bool{
		"2025-01-01": true, "2025-01-09": true, "2025-01-20": true, "2025-02-17": true, "2025-04-18": true,
		"2025-05-26": true, "2025-06-19": true, "2025-07-04": true, "2025-09-01": true, "2025-11-27": true,
		"2025-12-25": true,
	}
	early := map[string]bool{"2025-07-03": true, "2025-11-28": true, "2025-12-24": true}
	var days []market.CalendarDay
	for d := time.Date(2025, 1, 1, 0, 0, 0, 0, ny); d.Year() == 2025; d = d.AddDate(0, 0, 1) {
		key := d.Format(time.DateOnly)
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday || closed[key] {
			continue
		}
		at := func(h, m int) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, ny) }
		day := market.CalendarDay{Date: d, Open: at(9, 30), Close: at(16, 0), SessionOpen: at(4, 0), SessionClose: at(20, 0)}
		if early[key] {
			day.Close, day.SessionClose = at(13, 0), at(17, 0)
		}
		days = append(days, day)
	}
	return days
}

// clockFixtureLoader serves a fixed calendar the way the database does (days of the window only),
// counts its calls, and fails or blocks when told to.
type clockFixtureLoader struct {
	days  []market.CalendarDay
	calls atomic.Int64
	fail  atomic.Bool
	gate  chan struct{} // when set, each call waits for a receive
}

func (f *clockFixtureLoader) Days(ctx context.Context, from, to time.Time) ([]market.CalendarDay, error) {
	f.calls.Add(1)
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.fail.Load() {
		return nil, errors.New("database is down")
	}
	var out []market.CalendarDay
	for _, d := range f.days {
		if !d.Open.Before(from.Add(-24*time.Hour)) && !d.Open.After(to.Add(24*time.Hour)) {
			out = append(out, d)
		}
	}
	return out, nil
}

// clockFakeTime is a settable clock.
type clockFakeTime struct {
	mu sync.Mutex
	t  time.Time
}

func (f *clockFakeTime) Now() time.Time  { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *clockFakeTime) Set(t time.Time) { f.mu.Lock(); f.t = t; f.mu.Unlock() }

func clockUTC(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// loaded2025Clock is a clock over the 2025 fixture, loaded as of 1 June 2025.
func loaded2025Clock(t *testing.T, opts ...market.ClockOptions) (*market.Clock, *clockFixtureLoader) {
	t.Helper()
	loader := &clockFixtureLoader{days: calendar2025(t)}
	now := clockUTC("2025-06-01T12:00:00Z")
	c := market.NewClock(loader, func() time.Time { return now }, opts...)
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c, loader
}

func TestClockSessions(t *testing.T) {
	t.Parallel()
	c, _ := loaded2025Clock(t)
	cases := []struct {
		name      string
		at        string
		session   market.Session
		nextOpen  string
		nextClose string
		day       string // the trading day's date, "" for none
	}{
		{"before pre-market", "2025-01-15T08:59:00Z", market.SessionClosed, "2025-01-15T14:30:00Z", "2025-01-15T21:00:00Z", "2025-01-15"},
		{"pre-market opens at 04:00 ET", "2025-01-15T09:00:00Z", market.SessionPre, "2025-01-15T14:30:00Z", "2025-01-15T21:00:00Z", "2025-01-15"},
		{"last pre-market minute", "2025-01-15T14:29:59Z", market.SessionPre, "2025-01-15T14:30:00Z", "2025-01-15T21:00:00Z", "2025-01-15"},
		{"regular opens at 09:30 ET", "2025-01-15T14:30:00Z", market.SessionRegular, "2025-01-16T14:30:00Z", "2025-01-15T21:00:00Z", "2025-01-15"},
		{"after-hours from 16:00 ET", "2025-01-15T21:00:00Z", market.SessionPost, "2025-01-16T14:30:00Z", "2025-01-16T21:00:00Z", "2025-01-15"},
		{"after-hours until 20:00 ET, past UTC midnight", "2025-01-16T00:59:00Z", market.SessionPost, "2025-01-16T14:30:00Z", "2025-01-16T21:00:00Z", "2025-01-15"},
		{"closed overnight", "2025-01-16T01:00:00Z", market.SessionClosed, "2025-01-16T14:30:00Z", "2025-01-16T21:00:00Z", "2025-01-15"},
		{"weekend before a long weekend's holiday", "2025-01-18T15:00:00Z", market.SessionClosed, "2025-01-21T14:30:00Z", "2025-01-21T21:00:00Z", ""},
		{"holiday (MLK day)", "2025-01-20T15:00:00Z", market.SessionClosed, "2025-01-21T14:30:00Z", "2025-01-21T21:00:00Z", ""},
		{"unscheduled closure (day of mourning)", "2025-01-09T15:00:00Z", market.SessionClosed, "2025-01-10T14:30:00Z", "2025-01-10T21:00:00Z", ""},
		{"early close: regular until 13:00 ET", "2025-11-28T17:59:00Z", market.SessionRegular, "2025-12-01T14:30:00Z", "2025-11-28T18:00:00Z", "2025-11-28"},
		{"early close: after-hours from 13:00 ET", "2025-11-28T18:00:00Z", market.SessionPost, "2025-12-01T14:30:00Z", "2025-12-01T21:00:00Z", "2025-11-28"},
		{"early close: after-hours end at 17:00 ET", "2025-11-28T22:00:00Z", market.SessionClosed, "2025-12-01T14:30:00Z", "2025-12-01T21:00:00Z", "2025-11-28"},
		{"early close in summer time", "2025-07-03T16:59:00Z", market.SessionRegular, "2025-07-07T13:30:00Z", "2025-07-03T17:00:00Z", "2025-07-03"},
		{"weekend before spring forward", "2025-03-08T12:00:00Z", market.SessionClosed, "2025-03-10T13:30:00Z", "2025-03-10T20:00:00Z", ""},
		{"Monday after spring forward: pre-market at 13:29 UTC", "2025-03-10T13:29:00Z", market.SessionPre, "2025-03-10T13:30:00Z", "2025-03-10T20:00:00Z", "2025-03-10"},
		{"Monday after spring forward: open at 13:30 UTC", "2025-03-10T13:30:00Z", market.SessionRegular, "2025-03-11T13:30:00Z", "2025-03-10T20:00:00Z", "2025-03-10"},
		{"Friday before fall back: open at 13:30 UTC", "2025-10-31T13:30:00Z", market.SessionRegular, "2025-11-03T14:30:00Z", "2025-10-31T20:00:00Z", "2025-10-31"},
		{"Monday after fall back: still pre-market at 14:00 UTC", "2025-11-03T14:00:00Z", market.SessionPre, "2025-11-03T14:30:00Z", "2025-11-03T21:00:00Z", "2025-11-03"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			at := clockUTC(tc.at)
			st := c.At(at)
			if st.Session != tc.session || c.SessionAt(at) != tc.session {
				t.Errorf("session %q (SessionAt %q), want %q", st.Session, c.SessionAt(at), tc.session)
			}
			if st.IsOpen != (tc.session == market.SessionRegular) {
				t.Errorf("IsOpen %v in session %q", st.IsOpen, st.Session)
			}
			if !st.NextOpen.Equal(clockUTC(tc.nextOpen)) {
				t.Errorf("next open %s, want %s", st.NextOpen.UTC().Format(time.RFC3339), tc.nextOpen)
			}
			if !st.NextClose.Equal(clockUTC(tc.nextClose)) {
				t.Errorf("next close %s, want %s", st.NextClose.UTC().Format(time.RFC3339), tc.nextClose)
			}
			switch {
			case tc.day == "" && st.Day != nil:
				t.Errorf("day %s, want none", st.Day.Date)
			case tc.day != "" && (st.Day == nil || st.Day.Date.Format(time.DateOnly) != tc.day):
				t.Errorf("day %v, want %s", st.Day, tc.day)
			}
		})
	}
}

func TestClockNowUsesTheInjectedTime(t *testing.T) {
	t.Parallel()
	loader := &clockFixtureLoader{days: calendar2025(t)}
	clock := &clockFakeTime{t: clockUTC("2025-01-15T15:00:00Z")}
	c := market.NewClock(loader, clock.Now)
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := c.Now()
	if !st.Time.Equal(clock.Now()) || !st.IsOpen || st.Session != market.SessionRegular {
		t.Errorf("state %+v, want open at %s", st, clock.Now())
	}
}

func TestClockTradingDays(t *testing.T) {
	t.Parallel()
	c, _ := loaded2025Clock(t)
	ny := clockNY(t)
	dates := []struct {
		date time.Time
		want bool
	}{
		{time.Date(2025, 1, 21, 0, 0, 0, 0, ny), true},
		{time.Date(2025, 1, 21, 0, 0, 0, 0, time.UTC), true}, // a bare date names its own day
		{time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2025, 1, 9, 0, 0, 0, 0, ny), false},
		{time.Date(2025, 1, 18, 0, 0, 0, 0, ny), false},
		{time.Date(2025, 11, 28, 0, 0, 0, 0, ny), true},
	}
	for _, d := range dates {
		if got := c.IsTradingDay(d.date); got != d.want {
			t.Errorf("IsTradingDay(%s) = %v, want %v", d.date, got, d.want)
		}
	}

	// 00:30 UTC on the 16th is 19:30 on the 15th in New York: the 15th's trading day.
	day, ok := c.TradingDay(clockUTC("2025-01-16T00:30:00Z"))
	if !ok || day.Date.Format(time.DateOnly) != "2025-01-15" || !day.Close.Equal(clockUTC("2025-01-15T21:00:00Z")) {
		t.Errorf("TradingDay = %+v, %v", day, ok)
	}
	if _, ok := c.TradingDay(clockUTC("2025-01-20T15:00:00Z")); ok {
		t.Error("MLK day is not a trading day")
	}
}

func TestClockPreviousClose(t *testing.T) {
	t.Parallel()
	c, _ := loaded2025Clock(t)
	cases := []struct{ at, want string }{
		{"2025-01-15T20:00:00Z", "2025-01-14T21:00:00Z"}, // during the session: yesterday's
		{"2025-01-15T21:00:00Z", "2025-01-15T21:00:00Z"}, // at the close: today's
		{"2025-01-21T10:00:00Z", "2025-01-17T21:00:00Z"}, // across the long weekend
		{"2025-11-28T19:00:00Z", "2025-11-28T18:00:00Z"}, // after an early close
		{"2025-12-01T12:00:00Z", "2025-11-28T18:00:00Z"},
		{"2025-03-10T12:00:00Z", "2025-03-07T21:00:00Z"}, // the Friday before spring forward closed at 16:00 EST
	}
	for _, tc := range cases {
		if got := c.PreviousClose(clockUTC(tc.at)); !got.Equal(clockUTC(tc.want)) {
			t.Errorf("PreviousClose(%s) = %s, want %s", tc.at, got.UTC().Format(time.RFC3339), tc.want)
		}
	}
}

func TestClockOpenFor(t *testing.T) {
	t.Parallel()
	c, _ := loaded2025Clock(t)
	demo, _ := loaded2025Clock(t, market.ClockOptions{AlwaysOpen: true})
	saturday, pre, regular, night := clockUTC("2025-01-18T15:00:00Z"), clockUTC("2025-01-15T12:00:00Z"),
		clockUTC("2025-01-15T15:00:00Z"), clockUTC("2025-01-15T07:00:00Z")
	cases := []struct {
		name     string
		clock    *market.Clock
		class    market.AssetClass
		at       time.Time
		open     bool
		extended bool
	}{
		{"crypto trades at weekends", c, market.Crypto, saturday, true, true},
		{"stocks do not", c, market.USEquity, saturday, false, false},
		{"stocks in the regular session", c, market.USEquity, regular, true, true},
		{"stocks pre-market: extended only", c, market.USEquity, pre, false, true},
		{"stocks at 02:00 ET: neither", c, market.USEquity, night, false, false},
		{"always-open demo: stocks at weekends", demo, market.USEquity, saturday, true, true},
		{"always-open demo: stocks at night", demo, market.USEquity, night, true, true},
	}
	for _, tc := range cases {
		if got := tc.clock.OpenFor(tc.class, tc.at); got != tc.open {
			t.Errorf("%s: OpenFor = %v, want %v", tc.name, got, tc.open)
		}
		if got := tc.clock.OpenForExtended(tc.class, tc.at); got != tc.extended {
			t.Errorf("%s: OpenForExtended = %v, want %v", tc.name, got, tc.extended)
		}
	}
	st := demo.At(saturday)
	if !st.IsOpen || st.Session != market.SessionRegular || !st.NextOpen.Equal(clockUTC("2025-01-21T14:30:00Z")) {
		t.Errorf("always-open state %+v: want open, with the calendar's next open", st)
	}
}

// Without a calendar (before the first load, or beyond what was loaded) the clock assumes a
// standard week, daylight saving included.
func TestClockStandardWeekFallback(t *testing.T) {
	t.Parallel()
	loader := &clockFixtureLoader{}
	loader.fail.Store(true)
	c := market.NewClock(loader, func() time.Time { return clockUTC("2030-03-09T12:00:00Z") })
	if err := c.Refresh(context.Background()); err == nil {
		t.Fatal("a failing loader must be reported")
	}
	st := c.At(clockUTC("2030-03-09T12:00:00Z")) // a Saturday; summer time starts on Sunday 10 March
	if st.Session != market.SessionClosed || !st.NextOpen.Equal(clockUTC("2030-03-11T13:30:00Z")) {
		t.Errorf("state %+v, want closed until Monday 13:30 UTC", st)
	}
	if got := c.SessionAt(clockUTC("2030-03-08T14:45:00Z")); got != market.SessionRegular {
		t.Errorf("Friday 09:45 EST: %s", got)
	}
	if c.Status().LastError == "" {
		t.Error("status must carry the load error")
	}

	// Past the loaded calendar's last day the standard week applies too.
	loaded, _ := loaded2025Clock(t)
	if got := loaded.SessionAt(clockUTC("2026-01-19T15:00:00Z")); got != market.SessionRegular {
		t.Errorf("beyond the fixture (MLK day 2026, which the fixture does not know): %s", got)
	}
}

func TestClockKeepsItsCalendarWhenARefreshFails(t *testing.T) {
	t.Parallel()
	c, loader := loaded2025Clock(t)
	loader.fail.Store(true)
	if err := c.Refresh(context.Background()); err == nil {
		t.Fatal("want the load error")
	}
	// The standard week would call MLK day open: the loaded copy must still answer.
	if got := c.SessionAt(clockUTC("2025-01-20T15:00:00Z")); got != market.SessionClosed {
		t.Errorf("MLK day after a failed refresh: %s", got)
	}
	st := c.Status()
	if st.Days != len(loader.days) || st.LastError == "" || st.First.Format(time.DateOnly) != "2025-01-02" {
		t.Errorf("status %+v", st)
	}
}

func TestClockRefreshesInTheBackgroundWithoutWaiting(t *testing.T) {
	t.Parallel()
	loader := &clockFixtureLoader{days: calendar2025(t)}
	clock := &clockFakeTime{t: clockUTC("2025-01-15T15:00:00Z")}
	c := market.NewClock(loader, clock.Now)
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.Now(); loader.calls.Load() != 1 {
		t.Fatalf("a fresh calendar was reloaded: %d loads", loader.calls.Load())
	}

	// Two hours on, the copy is stale. The loader now blocks, as a slow database would: the
	// question must still be answered at once, from the old copy.
	loader.gate = make(chan struct{})
	clock.Set(clockUTC("2025-01-15T17:00:00Z"))
	done := make(chan market.ClockState, 1)
	go func() { done <- c.Now() }()
	select {
	case st := <-done:
		if !st.IsOpen {
			t.Errorf("state %+v", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Now waited for the calendar load")
	}
	testwait.Until(t, 5*time.Second, "a background reload to start", func() bool { return loader.calls.Load() >= 2 })
	for range 10 {
		c.Now()
	}
	if n := loader.calls.Load(); n != 2 {
		t.Errorf("loads = %d, want one background reload in flight, not one per question", n)
	}
	loader.gate <- struct{}{}
	testwait.Until(t, 5*time.Second, "the background reload to land", func() bool { return c.Status().LoadedAt.Equal(clock.Now()) })
}

func TestClockIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	c, _ := loaded2025Clock(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				if i == 0 && j%20 == 0 {
					_ = c.Refresh(context.Background())
				}
				if st := c.At(clockUTC("2025-01-20T15:00:00Z")); st.IsOpen {
					t.Error("MLK day open")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// calendarOnlyProvider is a market.Provider with a calendar and nothing else.
type calendarOnlyProvider struct {
	market.Provider
	days []market.CalendarDay
}

func (s calendarOnlyProvider) Calendar(_ context.Context, start, end time.Time) ([]market.CalendarDay, error) {
	var out []market.CalendarDay
	for _, d := range s.days {
		if !d.Open.Before(start) && d.Open.Before(end) {
			out = append(out, d)
		}
	}
	return out, nil
}

func TestProviderCalendarFeedsTheClock(t *testing.T) {
	t.Parallel()
	p := calendarOnlyProvider{days: calendar2025(t)}
	c := market.NewClock(market.ProviderCalendar{Provider: p}, func() time.Time { return clockUTC("2025-01-17T22:00:00Z") })
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := c.Now(); st.Session != market.SessionPost || !st.NextOpen.Equal(clockUTC("2025-01-21T14:30:00Z")) {
		t.Errorf("state %+v, want after-hours with Tuesday's open next", st)
	}
}
