package sim

import (
	"time"
	_ "time/tzdata" // market time must resolve in distroless images, which ship no zoneinfo

	"alpacawrapper/market"
)

// The calendar is computed from the NYSE's published rules rather than stored, so it covers any
// year. Dates are civil dates held as UTC midnights (time.Date(y, m, d, 0, 0, 0, 0, time.UTC));
// exchange hours are placed on them in America/New_York, so daylight saving moves the UTC
// instants while the wall-clock hours stay put.

// firstCalendarYear and lastCalendarYear bound what the simulated calendar answers for; the
// rules (MLK Day from 1998, Juneteenth from 2022) are only right from the 1990s on anyway.
const (
	firstCalendarYear = 1990
	lastCalendarYear  = 2099
)

// nyseCalendar places the NYSE's trading days and hours in New York time.
type nyseCalendar struct {
	ny *time.Location
}

// civil is a date as the UTC midnight that starts it.
func civil(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// dayNumber counts days since 1970-01-01 for a civil date; it indexes the price path's days.
func dayNumber(date time.Time) int { return int(date.Unix() / 86400) }

// dayDate is the civil date of a day number.
func dayDate(n int) time.Time { return time.Unix(int64(n)*86400, 0).UTC() }

// easter is Easter Sunday of year y in the Gregorian calendar (the anonymous algorithm, also
// known as Meeus/Jones/Butcher).
func easter(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return civil(y, time.Month(month), day)
}

// nthWeekday is the n-th wd of the month (n counts from 1).
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) time.Time {
	first := civil(y, m, 1)
	offset := (int(wd) - int(first.Weekday()) + 7) % 7
	return first.AddDate(0, 0, offset+7*(n-1))
}

// lastWeekday is the last wd of the month.
func lastWeekday(y int, m time.Month, wd time.Weekday) time.Time {
	last := civil(y, m+1, 0)
	offset := (int(last.Weekday()) - int(wd) + 7) % 7
	return last.AddDate(0, 0, -offset)
}

// observed moves a fixed-date holiday off the weekend: Saturday to Friday, Sunday to Monday.
func observed(d time.Time) time.Time {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, -1)
	case time.Sunday:
		return d.AddDate(0, 0, 1)
	}
	return d
}

// specialClosures are the unscheduled full-day closures since 2000 (national days of mourning,
// the September 11 attacks, Hurricane Sandy), which no rule predicts.
func specialClosures() []time.Time {
	return []time.Time{
		civil(2001, time.September, 11), civil(2001, time.September, 12),
		civil(2001, time.September, 13), civil(2001, time.September, 14),
		civil(2004, time.June, 11),
		civil(2007, time.January, 2),
		civil(2012, time.October, 29), civil(2012, time.October, 30),
		civil(2018, time.December, 5),
		civil(2025, time.January, 9),
	}
}

// holidays lists the weekdays of year y on which the NYSE is closed.
func holidays(y int) []time.Time {
	days := make([]time.Time, 0, 12)
	// New Year's Day moves to Monday from a Sunday, but from a Saturday it is not observed at
	// all: NYSE rule 7.2 keeps the last trading day of the year open.
	if ny := civil(y, time.January, 1); ny.Weekday() != time.Saturday {
		days = append(days, observed(ny))
	}
	if y >= 1998 {
		days = append(days, nthWeekday(y, time.January, time.Monday, 3)) // Martin Luther King Jr. Day
	}
	days = append(days,
		nthWeekday(y, time.February, time.Monday, 3), // Washington's Birthday
		easter(y).AddDate(0, 0, -2),                  // Good Friday
		lastWeekday(y, time.May, time.Monday),        // Memorial Day
	)
	if y >= 2022 {
		days = append(days, observed(civil(y, time.June, 19))) // Juneteenth
	}
	days = append(days,
		observed(civil(y, time.July, 4)),               // Independence Day
		nthWeekday(y, time.September, time.Monday, 1),  // Labor Day
		nthWeekday(y, time.November, time.Thursday, 4), // Thanksgiving Day
		observed(civil(y, time.December, 25)),          // Christmas Day
	)
	for _, d := range specialClosures() {
		if d.Year() == y {
			days = append(days, d)
		}
	}
	return days
}

// isTradingDate reports whether the NYSE trades on a civil date.
func isTradingDate(date time.Time) bool {
	if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	for _, h := range holidays(date.Year()) {
		if h.Equal(date) {
			return false
		}
	}
	return true
}

// isEarlyClose reports whether a trading date closes at 13:00: the eve of Independence Day
// (July 3, when that is a trading day: if July 4 falls on a weekend the holiday is observed
// instead and there is no early close), the day after Thanksgiving, and Christmas Eve.
func isEarlyClose(date time.Time) bool {
	_, m, d := date.Date()
	switch {
	case m == time.July && d == 3, m == time.December && d == 24:
		return true
	case m == time.November:
		return date.Equal(nthWeekday(date.Year(), time.November, time.Thursday, 4).AddDate(0, 0, 1))
	}
	return false
}

// at is the instant of a wall-clock time on a civil date in New York, in UTC.
func (c nyseCalendar) at(date time.Time, hour, minute int) time.Time {
	y, m, d := date.Date()
	return time.Date(y, m, d, hour, minute, 0, 0, c.ny).UTC()
}

// tradingDay returns the hours of a civil date, and false when the NYSE does not trade on it.
func (c nyseCalendar) tradingDay(date time.Time) (market.CalendarDay, bool) {
	if y := date.Year(); y < firstCalendarYear || y > lastCalendarYear || !isTradingDate(date) {
		return market.CalendarDay{}, false
	}
	day := market.CalendarDay{
		Date:         c.at(date, 0, 0),
		Open:         c.at(date, 9, 30),
		Close:        c.at(date, 16, 0),
		SessionOpen:  c.at(date, 4, 0),
		SessionClose: c.at(date, 20, 0),
	}
	if isEarlyClose(date) {
		day.Close = c.at(date, 13, 0)
		day.SessionClose = c.at(date, 17, 0)
	}
	return day, true
}

// wholeDay is a day of the always-open demo market: every session spans the New York day.
func (c nyseCalendar) wholeDay(date time.Time) (market.CalendarDay, bool) {
	if y := date.Year(); y < firstCalendarYear || y > lastCalendarYear {
		return market.CalendarDay{}, false
	}
	start, end := c.at(date, 0, 0), c.at(date.AddDate(0, 0, 1), 0, 0)
	return market.CalendarDay{Date: start, Open: start, Close: end, SessionOpen: start, SessionClose: end}, true
}

// date is the civil date of t in New York.
func (c nyseCalendar) date(t time.Time) time.Time {
	y, m, d := t.In(c.ny).Date()
	return civil(y, m, d)
}
