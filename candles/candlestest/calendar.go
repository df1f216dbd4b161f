// Package candlestest holds fixtures for tests of candles and of the jobs that feed them: a
// trading calendar with the 2026 NYSE holidays and early closes, and a market.Provider that
// serves a fixed set of minute bars.
package candlestest

import (
	"fmt"
	"time"
	_ "time/tzdata" // tests must not depend on the machine's zoneinfo

	"alpacawrapper/market"
)

// Calendar is a trading calendar: weekdays that are not holidays, open 09:30–16:00 ET (13:00 on
// early-close days), extended session 04:00–20:00 ET (17:00 after an early close).
type Calendar struct {
	loc         *time.Location
	holidays    map[string]bool
	earlyCloses map[string]bool
}

// NewCalendar returns the calendar with the 2026 NYSE holidays and early closes.
func NewCalendar() *Calendar {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(fmt.Sprintf("candlestest: tzdata is embedded, yet: %v", err))
	}
	set := func(dates ...string) map[string]bool {
		m := make(map[string]bool, len(dates))
		for _, d := range dates {
			m[d] = true
		}
		return m
	}
	return &Calendar{
		loc: loc,
		holidays: set("2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25",
			"2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"),
		earlyCloses: set("2026-11-27", "2026-12-24"),
	}
}

// Location is America/New_York.
func (c *Calendar) Location() *time.Location { return c.loc }

// TradingDay returns the trading day of t's New York date, if that date is one.
func (c *Calendar) TradingDay(t time.Time) (market.CalendarDay, bool) {
	ny := t.In(c.loc)
	key := ny.Format(time.DateOnly)
	if ny.Weekday() == time.Saturday || ny.Weekday() == time.Sunday || c.holidays[key] {
		return market.CalendarDay{}, false
	}
	at := func(hour, minute int) time.Time {
		return time.Date(ny.Year(), ny.Month(), ny.Day(), hour, minute, 0, 0, c.loc).UTC()
	}
	day := market.CalendarDay{
		Date:         time.Date(ny.Year(), ny.Month(), ny.Day(), 0, 0, 0, 0, c.loc),
		Open:         at(9, 30),
		Close:        at(16, 0),
		SessionOpen:  at(4, 0),
		SessionClose: at(20, 0),
	}
	if c.earlyCloses[key] {
		day.Close, day.SessionClose = at(13, 0), at(17, 0)
	}
	return day, true
}

// At is the UTC instant of a New York wall-clock time, "2006-01-02 15:04".
func (c *Calendar) At(wall string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", wall, c.loc)
	if err != nil {
		panic(fmt.Sprintf("candlestest: bad wall time %q: %v", wall, err))
	}
	return t.UTC()
}
