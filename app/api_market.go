package app

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/ratelimit"
)

// The market-data endpoints of the JSON API: the asset catalogue, snapshots, latest quotes,
// candles, the market clock and calendar, and the feed's health (the live stream is in
// api_market_stream.go).
//
// Market data is public: guests may read it without credentials, as they may see prices on the
// pages. What protects the service is a per-IP rate limit instead (limitPublic).
//
// Prices, sizes, volumes and percentages are JSON strings holding the exact decimal ("187.42"),
// as Alpaca's trading API writes them: a JSON number is a float to most clients, and money must
// never pass through one. Times are RFC 3339 in UTC.

// Bounds of the market-data endpoints.
const (
	maxQuoteSymbols  = 100 // per /quotes request: a large watchlist in one call, and one bounded provider call
	maxCalendarDays  = 400 // span of one /market/calendar request: a year and some
	defaultCalendar  = 30  // days listed when no end is given
	maxSymbolRunes   = 24  // longer than any Alpaca symbol (options aside)
	percentPrecision = 2   // decimal places of change_percent
)

// limitPublic counts the request against the client's IP for the public endpoints, in this
// process's memory (RATE_LIMIT_PUBLIC): no database write per request, and quotes held in memory
// keep answering while the database is away. A limiter that cannot decide lets the request
// through: the limit only stops runaway scripts, and refusing everyone would be worse.
func (s *Server) limitPublic(c *fiber.Ctx) error {
	err := s.publicLimiter.Allow(s.publicRule, ratelimit.IPKey("market", clientIPOf(c)))
	if _, refused := apperr.As(err); refused {
		return err
	}
	if err != nil {
		s.log.WarnContext(c.UserContext(), "public rate limit not applied", slog.String("request_id", requestID(c)), slog.Any("error", err))
	}
	return c.Next()
}

// marketUnavailable logs why the provider (or the database behind it) failed and tells the client
// to try again: a 503, since nothing is wrong with the request and retrying later may well work.
func (s *Server) marketUnavailable(c *fiber.Ctx, what string, err error) error {
	s.log.ErrorContext(c.UserContext(), "market data unavailable", slog.String("what", what),
		slog.String("provider", s.market.Provider.Name()), slog.String("request_id", requestID(c)), slog.Any("error", err))
	return fiber.NewError(fiber.StatusServiceUnavailable, "Market data is unavailable right now; please try again shortly.")
}
