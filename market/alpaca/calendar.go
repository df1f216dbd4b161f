package alpaca

import (
	"context"
	"fmt"
	"time"
	_ "time/tzdata" // the calendar is in exchange time wherever the binary runs

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"

	"alpacawrapper/market"
)

// Calendar lists the trading days from start to end. Alpaca sends dates and wall-clock times in
// New York; SDK v3.9.1 drops the session_open/session_close fields of newer responses, so the
// extended session is the fixed 04:00 to 20:00 ET (17:00 after an early close).
func (p *Provider) Calendar(ctx context.Context, start, end time.Time) ([]market.CalendarDay, error) {
	ny := p.ny
	raw, err := p.tradingClient(ctx).GetCalendar(alpaca.GetCalendarRequest{
		Start: start.In(ny),
		End:   end.In(ny),
	})
	if err != nil {
		return nil, fmt.Errorf("alpaca: calendar: %w", err)
	}
	days := make([]market.CalendarDay, 0, len(raw))
	for _, d := range raw {
		day, err := calendarDayFromSDK(d, ny)
		if err != nil {
			return nil, err
		}
		days = append(days, day)
	}
	return days, nil
}

// calendarDayFromSDK turns Alpaca's {"date":"2024-11-29","open":"09:30","close":"13:00"} into
// UTC instants.
func calendarDayFromSDK(d alpaca.CalendarDay, ny *time.Location) (market.CalendarDay, error) {
	date, err := time.ParseInLocation("2006-01-02", d.Date, ny)
	if err != nil {
		return market.CalendarDay{}, fmt.Errorf("alpaca: calendar date %q: %w", d.Date, err)
	}
	open, err := wallClock(date, d.Open, ny)
	if err != nil {
		return market.CalendarDay{}, err
	}
	closeAt, err := wallClock(date, d.Close, ny)
	if err != nil {
		return market.CalendarDay{}, err
	}
	sessionClose := at(date, 20, 0, ny)
	if closeAt.Before(at(date, 16, 0, ny)) {
		// After an early close the after-hours session ends at 17:00.
		sessionClose = at(date, 17, 0, ny)
	}
	return market.CalendarDay{
		Date:         date,
		Open:         open.UTC(),
		Close:        closeAt.UTC(),
		SessionOpen:  at(date, 4, 0, ny).UTC(),
		SessionClose: sessionClose.UTC(),
	}, nil
}

// wallClock places "15:04" (or "1504", as the session fields are written) on date in New York.
func wallClock(date time.Time, hhmm string, ny *time.Location) (time.Time, error) {
	for _, layout := range []string{"15:04", "1504"} {
		if t, err := time.Parse(layout, hhmm); err == nil {
			return at(date, t.Hour(), t.Minute(), ny), nil
		}
	}
	return time.Time{}, fmt.Errorf("alpaca: calendar time %q on %s: not HH:MM", hhmm, date.Format(time.DateOnly))
}

// at builds a wall-clock time on date's day in loc; time.Date resolves the day's UTC offset,
// so daylight-saving days come out right.
func at(date time.Time, hour, minute int, loc *time.Location) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), hour, minute, 0, 0, loc)
}

func newYork() (*time.Location, error) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, fmt.Errorf("alpaca: load America/New_York: %w", err)
	}
	return ny, nil
}
