package app

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/views"
)

// The trade page (/trade) and the order ticket it shares with the instrument and chart pages.
// Every action calls one method of the trading service with the signed-in person and their
// current account (the service checks ownership again under its lock). Forms work as plain posts
// (a redirect with a flash) and with htmx: the answer then carries the parts of the page that the
// action changed as out-of-band swaps, chosen by the "sections" the page sent (see tradeSections).

// ticketModeTrade marks the trade page's ticket, whose symbol can be typed; elsewhere the ticket
// trades the page's instrument.
const ticketModeTrade = "trade"

// tradeSectionsOfPage are the trade page's live sections.
func tradeSectionsOfPage() tradeSections {
	return tradeSections{figures: true, positions: true, openOrders: true}
}

// tradePageView builds the trade page around a ticket.
func (s *Server) tradePageView(ctx context.Context, env tradeEnv, a *models.PaperAccount, v trading.Valuation, t views.TicketView) (views.TradePageView, error) {
	sec := tradeSectionsOfPage()
	o, err := s.ordersView(ctx, env, a, ordersQuery{status: "open", panel: views.SectionOpenOrders, sec: sec})
	if err != nil {
		return views.TradePageView{}, err
	}
	return views.TradePageView{Ticket: t, Positions: positionsView(env, sec, v), OpenOrders: o, Sections: sec.String()}, nil
}

// tradePage is GET /trade?symbol=: the ticket (for the symbol asked for, else the first position
// held), the positions and the open orders.
func (s *Server) tradePage(c *fiber.Ctx) error {
	return s.showTradePage(c, fiber.StatusOK, c.Query("symbol"), views.Form{}, true)
}

// showTradePage renders the trade page with the ticket in a given state.
func (s *Server) showTradePage(c *fiber.Ctx, status int, symbol string, f views.Form, pickDefault bool) error {
	return s.showTradePageWith(c, status, symbol, f, pickDefault, nil)
}

// showTradePageWith renders the trade page with the ticket in a given state, showing review
// (when not nil) for the order's last look before it is sent.
func (s *Server) showTradePageWith(c *fiber.Ctx, status int, symbol string, f views.Form, pickDefault bool, review *views.TicketReview) error {
	ctx := c.UserContext()
	a, v, err := s.accountAndValue(c)
	if err != nil {
		return err
	}
	h, err := s.tradingHeader(c, a, v)
	if err != nil {
		return err
	}
	if symbol == "" && pickDefault && len(v.Positions) > 0 {
		symbol = v.Positions[0].Symbol
	}
	env := tradeEnvOf(c)
	t := s.ticketView(ctx, env, a, v, symbol, true, tradeSectionsOfPage().String(), f)
	t.Review = review
	pv, err := s.tradePageView(ctx, env, a, v, t)
	if err != nil {
		return err
	}
	title := "Trade"
	if t.Known {
		title = "Trade " + t.Symbol
	}
	c.Status(status)
	return render(c, views.TradePage(s.page(c, title), h, pv))
}
