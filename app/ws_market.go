package app

import (
	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/live"
)

// wsMarket is GET /ws/market: the JSON protocol for charts and programs (subscribe and unsubscribe
// by symbol with one timeframe per connection; quote, trade and bar messages). The protocol is
// documented in live/market.go. A connection starts with no symbols.
func (s *Server) wsMarket(c *fiber.Ctx) error {
	if err := s.wsAdmit(c); err != nil {
		return err
	}
	return s.live.market(c)
}

func (s *Server) serveMarket(conn *websocket.Conn) {
	p := live.NewMarketProtocol(s.market.Candles.Bucketer(), s.liveResolver())
	s.serveLive(conn, p, live.SessionConfig{})
}
