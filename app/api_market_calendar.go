package app

import (
	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"context"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
)

// The market clock, calendar and feed status of the JSON API.

// apiMarketClock is GET /api/v1/market/clock: the stock market's session now, when it next opens
// and closes, and today's hours (null on weekends and holidays). Crypto trades around the clock.
func (s *Server) apiMarketClock(c *fiber.Ctx) error {
	ny, err := newYork()
	if err != nil {
		return err
	}
	st := s.market.Clock.Now()
	var today *tradingDayJSON
	if st.Day != nil {
		d := toTradingDayJSON(*st.Day, ny)
		today = &d
	}
	return c.JSON(clockJSON{
		Timestamp: st.Time.UTC(), Session: string(st.Session), IsOpen: st.IsOpen,
		NextOpen: optionalTime(st.NextOpen), NextClose: optionalTime(st.NextClose), Today: today,
		AlwaysOpen: s.market.Clock.AlwaysOpen(),
	})
}

// apiMarketCalendar is GET /api/v1/market/calendar?start=&end=: the trading days from start
// (default today) to end (default a month on), dates in New York, at most maxCalendarDays apart.
func (s *Server) apiMarketCalendar(c *fiber.Ctx) error {
	ny, err := newYork()
	if err != nil {
		return err
	}
	p := newQueryParams(c)
	start, hasStart := p.date("start", ny)
	end, hasEnd := p.date("end", ny)
	if err := p.err(); err != nil {
		return err
	}
	if !hasStart {
		y, m, d := s.market.Clock.Now().Time.In(ny).Date()
		start = time.Date(y, m, d, 0, 0, 0, 0, ny)
	}
	if !hasEnd {
		end = start.AddDate(0, 0, defaultCalendar)
	}
	switch {
	case end.Before(start):
		return apperr.Invalid(map[string]string{"end": "\"end\" must not be before \"start\"."})
	case end.After(start.AddDate(0, 0, maxCalendarDays)):
		return apperr.Invalid(map[string]string{"end": fmt.Sprintf("Ask for at most %d days at once.", maxCalendarDays)})
	}
	days, err := s.calendarDays(c.UserContext(), start, end)
	if err != nil {
		return s.marketUnavailable(c, "calendar", err)
	}
	out := make([]tradingDayJSON, len(days))
	for i, d := range days {
		out[i] = toTradingDayJSON(d, ny)
	}
	return c.JSON(calendarJSON{Start: start.Format(time.DateOnly), End: end.Format(time.DateOnly), Days: out})
}

// newYork is the exchange's time zone (the market package embeds the zone database).
func newYork() (*time.Location, error) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, fmt.Errorf("app: time zone: %w", err)
	}
	return ny, nil
}

// calendarDays reads the synced calendar and, where it holds nothing for the range (a new
// install, or dates beyond the synced window), asks the provider: the same rule the clock follows.
func (s *Server) calendarDays(ctx context.Context, from, to time.Time) ([]market.CalendarDay, error) {
	days, err := models.MarketDaysBetween(ctx, s.db, from, to)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	if len(days) > 0 {
		return days, nil
	}
	if days, err = s.market.Provider.Calendar(ctx, from, to); err != nil {
		return nil, fmt.Errorf("app: calendar from %s: %w", s.market.Provider.Name(), err)
	}
	return days, nil
}

// apiMarketStatus is GET /api/v1/market/status: where market data comes from and how its feed
// and hub are doing, for operators and the feed badge.
func (s *Server) apiMarketStatus(c *fiber.Ctx) error {
	m := s.market
	stream := m.Provider.Stream()
	st := stream.Status()
	hub := m.Hub.Stats()
	cal := m.Clock.Status()
	return c.JSON(marketStatusJSON{
		Provider: m.Provider.Name(),
		Stream: feedStatusJSON{
			Connected: st.Connected, Symbols: st.Symbols, SymbolLimit: stream.SymbolLimit(),
			LastMessageAt: optionalTime(st.LastMessageAt), Reconnects: st.Reconnects, LastError: st.LastError,
		},
		Hub: hubStatusJSON{
			Published: hub.Published, Coalesced: hub.Coalesced, Dropped: hub.Dropped, Unrouted: hub.Unrouted,
			Subscriptions: hub.Subscriptions, Symbols: hub.Symbols, Wanted: len(m.Hub.Wanted(0)),
		},
		Calendar: calendarStatusJSON{LoadedAt: optionalTime(cal.LoadedAt), Days: cal.Days, LastError: cal.LastError},
	})
}
