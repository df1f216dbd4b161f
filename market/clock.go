package market

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // market time is America/New_York whatever zone files the host has
)

// Session is a part of the US equity trading day.
type Session string

// The sessions of a trading day, in exchange time: pre-market 04:00–09:30, regular 09:30–16:00
// (13:00 on early-close days), after-hours until 20:00 (17:00 after an early close); closed
// otherwise, and all day on weekends and holidays.
const (
	SessionPre     Session = "pre"
	SessionRegular Session = "regular"
	SessionPost    Session = "post"
	SessionClosed  Session = "closed"
)

// CalendarLoader lists the trading days whose New York date is from from's to to's, inclusive.
// The clock calls it in the background only, never while answering a question.
type CalendarLoader interface {
	Days(ctx context.Context, from, to time.Time) ([]CalendarDay, error)
}

// CalendarFunc adapts a function, such as a closure over models.MarketDaysBetween, to a
// CalendarLoader.
type CalendarFunc func(ctx context.Context, from, to time.Time) ([]CalendarDay, error)

// Days calls f.
func (f CalendarFunc) Days(ctx context.Context, from, to time.Time) ([]CalendarDay, error) {
	return f(ctx, from, to)
}

// ProviderCalendar reads the calendar straight from a provider, for a process without the synced
// copy in the database (tools, tests).
type ProviderCalendar struct {
	Provider Provider
}

// Days asks the provider for its calendar.
func (p ProviderCalendar) Days(ctx context.Context, from, to time.Time) ([]CalendarDay, error) {
	return p.Provider.Calendar(ctx, from, to)
}

// ClockOptions tune a Clock. The zero value is the real market with the documented defaults.
type ClockOptions struct {
	// AlwaysOpen keeps stocks in their regular session at every instant: the simulated market's
	// demo setting, so paper trading works at night and at weekends. NextOpen, NextClose, Day and
	// PreviousClose still follow the calendar, so daily rhythms (day orders, daily candles) keep
	// their times.
	AlwaysOpen bool
	// RefreshEvery is how old the in-memory calendar may grow before it is reloaded. Default 1h.
	RefreshEvery time.Duration
	// RetryEvery is the pause after a failed or empty load before the next try. Default 1m.
	RetryEvery time.Duration
	// DaysBack and DaysAhead bound the window loaded around today. Default 400 each: a year of
	// history for previous closes and candle days, a year ahead for order expiries.
	DaysBack, DaysAhead int
	// Logger receives background load failures. Default slog.Default().
	Logger *slog.Logger
}

// ClockState is the market's state at an instant.
type ClockState struct {
	Time      time.Time    // the instant, UTC
	Session   Session      // the stock market's session
	IsOpen    bool         // stocks are in their regular session
	NextOpen  time.Time    // the first regular open after Time
	NextClose time.Time    // the first regular close after Time
	Day       *CalendarDay // Time's trading day in New York; nil on weekends and holidays
}

// ClockStatus describes the clock's copy of the calendar, for health pages.
type ClockStatus struct {
	LoadedAt  time.Time // zero: never loaded
	First     time.Time // first trading day held (zero when none)
	Last      time.Time // last trading day held
	Days      int
	LastError string // of the latest load attempt; empty when it succeeded
}

// Clock answers "is the market open?" and its relatives for everything else: the matcher, order
// validation, candle aggregation, the pages. It keeps the trading calendar around today in memory
// and reloads it in the background when it grows stale, so no question ever waits on the
// database. Where it holds no calendar (before the first load, or beyond the loaded window) it
// assumes a standard week: weekdays open with regular hours, no holidays.
//
// A Clock is safe for concurrent use.
type Clock struct {
	loader CalendarLoader
	now    func() time.Time
	opts   ClockOptions
	ny     *time.Location

	cal     atomic.Pointer[clockCalendar]
	loading atomic.Bool // a background load is under way

	mu      sync.Mutex // guards lastTry and lastErr
	lastTry time.Time
	lastErr error
}

// clockCalendar is one immutable load of the calendar; a refresh swaps in a new one.
type clockCalendar struct {
	days        map[clockDate]CalendarDay
	first, last clockDate // dates held; first > last when the load was empty
	loadedAt    time.Time
	until       time.Time // the end of the window asked for: past it, reload
}

// clockDate is a New York calendar date as yyyymmdd, which orders like the dates themselves.
type clockDate int

// NewClock returns a clock reading the calendar through loader and the time through now
// (time.Now when nil). It holds no calendar until Refresh succeeds or a first question starts a
// background load: call Refresh at start-up to begin with the real calendar. At most one
// ClockOptions is used.
func NewClock(loader CalendarLoader, now func() time.Time, opts ...ClockOptions) *Clock {
	var o ClockOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.RefreshEvery <= 0 {
		o.RefreshEvery = time.Hour
	}
	if o.RetryEvery <= 0 {
		o.RetryEvery = time.Minute
	}
	if o.DaysBack <= 0 {
		o.DaysBack = 400
	}
	if o.DaysAhead <= 0 {
		o.DaysAhead = 400
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic("market: America/New_York missing from the embedded zone database: " + err.Error()) // a build defect
	}
	return &Clock{loader: loader, now: now, opts: o, ny: ny}
}

// Refresh loads the calendar window around now and swaps it in. Questions keep being answered
// from the previous copy while it runs.
func (c *Clock) Refresh(ctx context.Context) error {
	now := c.now()
	c.mu.Lock()
	c.lastTry = now
	c.mu.Unlock()
	until := now.AddDate(0, 0, c.opts.DaysAhead)
	days, err := c.loader.Days(ctx, now.AddDate(0, 0, -c.opts.DaysBack), until)
	if err == nil {
		c.cal.Store(c.build(days, now, until))
	}
	c.mu.Lock()
	c.lastErr = err
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("market: clock: load calendar: %w", err)
	}
	return nil
}

// build indexes a load by New York date. Missing extended-session bounds get the exchange's
// standard ones, so a provider that reports only the regular session still yields sessions.
func (c *Clock) build(days []CalendarDay, now, until time.Time) *clockCalendar {
	cal := &clockCalendar{days: make(map[clockDate]CalendarDay, len(days)), first: 1, last: 0, loadedAt: now, until: until}
	for _, d := range days {
		if d.Open.IsZero() || d.Close.IsZero() {
			continue
		}
		// Keyed by the open's date rather than Date's, which a careless provider might give as
		// midnight UTC, the evening before in New York.
		key := c.dateOf(d.Open)
		y, m, dd := d.Open.In(c.ny).Date()
		d.Date = time.Date(y, m, dd, 0, 0, 0, 0, c.ny)
		d.Open, d.Close = d.Open.UTC(), d.Close.UTC()
		if d.SessionOpen.IsZero() {
			d.SessionOpen = time.Date(y, m, dd, 4, 0, 0, 0, c.ny)
		}
		if d.SessionClose.IsZero() {
			d.SessionClose = d.Close.Add(4 * time.Hour) // 20:00, or 17:00 after a 13:00 close
		}
		d.SessionOpen, d.SessionClose = d.SessionOpen.UTC(), d.SessionClose.UTC()
		cal.days[key] = d
		if len(cal.days) == 1 || key < cal.first {
			cal.first = key
		}
		if len(cal.days) == 1 || key > cal.last {
			cal.last = key
		}
	}
	return cal
}

// maybeRefresh starts a background load when the calendar is stale, missing or empty, unless one
// is running or the last try was too recent. It never waits for the load.
func (c *Clock) maybeRefresh(now time.Time) {
	cal := c.cal.Load()
	if cal != nil && now.Before(cal.until) {
		age := now.Sub(cal.loadedAt)
		if age < c.opts.RefreshEvery && (cal.first <= cal.last || age < c.opts.RetryEvery) {
			return
		}
	}
	c.mu.Lock()
	recent := !c.lastTry.IsZero() && !now.Before(c.lastTry) && now.Sub(c.lastTry) < c.opts.RetryEvery
	c.mu.Unlock()
	if recent || !c.loading.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer c.loading.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.Refresh(ctx); err != nil {
			c.opts.Logger.Warn("market clock: calendar refresh failed; answering from the previous copy", "err", err)
		}
	}()
}

// Now is the market's state at this moment.
func (c *Clock) Now() ClockState { return c.At(c.now()) }

// At is the market's state at instant t.
func (c *Clock) At(t time.Time) ClockState {
	c.maybeRefresh(c.now())
	st := ClockState{Time: t.UTC(), Session: c.sessionAt(t)}
	st.IsOpen = st.Session == SessionRegular
	if d, ok := c.day(c.dateOf(t)); ok {
		st.Day = &d
	}
	st.NextOpen = c.next(t, func(d CalendarDay) time.Time { return d.Open })
	st.NextClose = c.next(t, func(d CalendarDay) time.Time { return d.Close })
	return st
}

// SessionAt is the stock market's session at t (always regular with AlwaysOpen).
func (c *Clock) SessionAt(t time.Time) Session {
	c.maybeRefresh(c.now())
	return c.sessionAt(t)
}

func (c *Clock) sessionAt(t time.Time) Session {
	if c.opts.AlwaysOpen {
		return SessionRegular
	}
	d, ok := c.day(c.dateOf(t))
	switch {
	case !ok || t.Before(d.SessionOpen):
		return SessionClosed
	case t.Before(d.Open):
		return SessionPre
	case t.Before(d.Close):
		return SessionRegular
	case t.Before(d.SessionClose):
		return SessionPost
	default:
		return SessionClosed
	}
}

// OpenFor reports whether an order for an asset of the class may fill at t in the regular
// session: crypto always, stocks during the regular session (or always, with AlwaysOpen).
func (c *Clock) OpenFor(class AssetClass, t time.Time) bool {
	return class == Crypto || c.SessionAt(t) == SessionRegular
}

// OpenForExtended is OpenFor for extended-hours orders: stocks also in the pre-market and
// after-hours sessions.
func (c *Clock) OpenForExtended(class AssetClass, t time.Time) bool {
	return class == Crypto || c.SessionAt(t) != SessionClosed
}

// IsTradingDay reports whether the stock market trades on date, read as the calendar date it
// names in its own location (a CalendarDay's Date, or midnight UTC of a date both work).
func (c *Clock) IsTradingDay(date time.Time) bool {
	c.maybeRefresh(c.now())
	y, m, d := date.Date()
	_, ok := c.day(clockDate(y*10000 + int(m)*100 + d))
	return ok
}

// TradingDay is the trading day that instant t falls on in New York, if the market trades that day.
func (c *Clock) TradingDay(t time.Time) (CalendarDay, bool) {
	c.maybeRefresh(c.now())
	return c.day(c.dateOf(t))
}

// PreviousClose is the latest regular-session close at or before t: the reference for "change
// since yesterday". Zero if none is found within a month.
func (c *Clock) PreviousClose(t time.Time) time.Time {
	c.maybeRefresh(c.now())
	date := c.dateOf(t)
	for range clockSearchDays {
		if d, ok := c.day(date); ok && !d.Close.After(t) {
			return d.Close
		}
		date = c.addDays(date, -1)
	}
	return time.Time{}
}

// AlwaysOpen reports whether the clock runs the simulated market's always-open setting.
func (c *Clock) AlwaysOpen() bool { return c.opts.AlwaysOpen }

// Status describes the calendar copy and the last load, for health pages.
func (c *Clock) Status() ClockStatus {
	var st ClockStatus
	if cal := c.cal.Load(); cal != nil {
		st.LoadedAt, st.Days = cal.loadedAt, len(cal.days)
		if cal.first <= cal.last {
			st.First, st.Last = cal.days[cal.first].Date, cal.days[cal.last].Date
		}
	}
	c.mu.Lock()
	if c.lastErr != nil {
		st.LastError = c.lastErr.Error()
	}
	c.mu.Unlock()
	return st
}

// clockSearchDays bounds the walk to the next or previous trading day; the longest closure in
// the exchange's history short of wartime is a few days.
const clockSearchDays = 31

// next is the first of the day's instants chosen by pick that falls after t.
func (c *Clock) next(t time.Time, pick func(CalendarDay) time.Time) time.Time {
	date := c.dateOf(t)
	for range clockSearchDays {
		if d, ok := c.day(date); ok && pick(d).After(t) {
			return pick(d)
		}
		date = c.addDays(date, 1)
	}
	return time.Time{}
}

// day is the trading day on date: from the loaded calendar where it covers the date (a missing
// date there is a holiday), from the standard week elsewhere.
func (c *Clock) day(date clockDate) (CalendarDay, bool) {
	if cal := c.cal.Load(); cal != nil && date >= cal.first && date <= cal.last {
		d, ok := cal.days[date]
		return d, ok
	}
	return c.standardDay(date)
}

// standardDay is date in a week without holidays: weekdays trade 04:00–09:30–16:00–20:00 New York time.
func (c *Clock) standardDay(date clockDate) (CalendarDay, bool) {
	y, m, d := int(date)/10000, time.Month(int(date)/100%100), int(date)%100
	midnight := time.Date(y, m, d, 0, 0, 0, 0, c.ny)
	if wd := midnight.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return CalendarDay{}, false
	}
	at := func(hour, minute int) time.Time { return time.Date(y, m, d, hour, minute, 0, 0, c.ny).UTC() }
	return CalendarDay{Date: midnight, Open: at(9, 30), Close: at(16, 0), SessionOpen: at(4, 0), SessionClose: at(20, 0)}, true
}

// dateOf is instant t's date in New York.
func (c *Clock) dateOf(t time.Time) clockDate {
	y, m, d := t.In(c.ny).Date()
	return clockDate(y*10000 + int(m)*100 + d)
}

func (c *Clock) addDays(date clockDate, n int) clockDate {
	y, m, d := time.Date(int(date)/10000, time.Month(int(date)/100%100), int(date)%100+n, 0, 0, 0, 0, time.UTC).Date()
	return clockDate(y*10000 + int(m)*100 + d)
}
