package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
	"alpacawrapper/views"
)

// Review before sending: an account that reviews orders (on by default, a setting per account)
// gets the ticket's order back as a summary with its estimate and legs, and it is sent only by
// the review's "Send order" (confirmed=1). "Edit order" (edit=1) brings the ticket back as typed.
// A refusal is shown as the ticket with its messages before any review: there is nothing to
// review in an order that cannot be placed. The Alpaca-compatible and JSON APIs never ask.

// reviewStep reports whether this post of the ticket is answered with the review rather than
// placed: the account reviews orders and the post is not the review's "Send order".
func reviewStep(c *fiber.Ctx, a *models.PaperAccount) bool {
	return a.ReviewOrders && c.FormValue("confirmed") != "1"
}

// ticketReview answers a ticket post with the order's review, or with its refusal when the
// preview says it would be refused.
func (s *Server) ticketReview(c *fiber.Ctx, a *models.PaperAccount, in ticketInput, sec tradeSections, editable bool) error {
	ctx, u := c.UserContext(), currentUser(c)
	pv, err := s.trading.Preview(ctx, u.ID, a.ID, in.req)
	if err != nil {
		rej, ok := apperr.As(err)
		if !ok {
			return err
		}
		errs, summary := ticketRefusal(rej, sizeField(in))
		return s.ticketRefused(c, a, in, sec, editable, errs, summary)
	}
	review := &views.TicketReview{Summary: orderSummary(in.req, pv.Symbol), Preview: previewView(in, pv), Values: in.values}
	if !isHTMX(c) {
		return s.showTradePageWith(c, fiber.StatusOK, in.values["symbol"], views.Form{Values: in.values}, false, review)
	}
	v, err := s.pageValue(ctx, a)
	if err != nil {
		return err
	}
	t := s.ticketView(ctx, tradeEnvOf(c), a, v, in.values["symbol"], editable, sec.String(), views.Form{Values: in.values})
	t.Review = review
	return render(c, views.TicketPanel(t))
}

// ticketEdit answers the review's "Edit order": the ticket again, as it was typed.
func (s *Server) ticketEdit(c *fiber.Ctx, a *models.PaperAccount, in ticketInput, sec tradeSections, editable bool) error {
	f := views.Form{Values: in.values}
	if !isHTMX(c) {
		return s.showTradePage(c, fiber.StatusOK, in.values["symbol"], f, false)
	}
	ctx := c.UserContext()
	v, err := s.pageValue(ctx, a)
	if err != nil {
		return err
	}
	t := s.ticketView(ctx, tradeEnvOf(c), a, v, in.values["symbol"], editable, sec.String(), f)
	t.Editing = true
	return render(c, views.TicketPanel(t))
}

// orderSummary is an order in one line for its review: "Buy 3 AAPL · limit $180.00 · GTC",
// "Buy $500.00 of BTC/USD · market · GTC · bracket".
func orderSummary(r order.Request, symbol string) string {
	side := "Buy"
	if r.Side == fill.Sell {
		side = "Sell"
	}
	parts := []string{side + " " + views.FormatQty(r.Qty.Decimal) + " " + symbol}
	if r.Notional.Valid {
		parts[0] = side + " " + views.FormatMoney(r.Notional.Decimal) + " of " + symbol
	}
	parts = append(parts, orderTerms(r.Type, r.LimitPrice, r.StopPrice))
	if r.Type == fill.TrailingStop {
		switch {
		case r.TrailPrice.Valid:
			parts[len(parts)-1] += " " + dollars(r.TrailPrice)
		case r.TrailPercent.Valid:
			parts[len(parts)-1] += " " + r.TrailPercent.Decimal.String() + "%"
		}
	}
	parts = append(parts, strings.ToUpper(string(r.TimeInForce)))
	if r.OrderClass != "" && r.OrderClass != order.Simple {
		parts = append(parts, string(r.OrderClass))
	}
	return strings.Join(parts, " · ")
}

// orderTerms is an order's type with its prices: "market", "limit $180.00", "stop $90.00,
// limit $89.50".
func orderTerms(t fill.OrderType, limit, stop decimal.NullDecimal) string {
	switch {
	case stop.Valid && limit.Valid:
		return "stop " + dollars(stop) + ", limit " + dollars(limit)
	case stop.Valid:
		return "stop " + dollars(stop)
	case limit.Valid:
		return "limit " + dollars(limit)
	}
	return strings.ReplaceAll(string(t), "_", " ")
}

// dollars is a price as the ticket shows it: "$180.00".
func dollars(d decimal.NullDecimal) string { return "$" + views.FormatPrice(d.Decimal, decimal.Zero) }

// orderLegs lists the orders a bracket, OTO or OCO is made of, with their sides and prices; nil
// for a simple order. A bracket is its entry and two exits on the other side; an OTO its entry
// and the one exit given; an OCO is itself the exit: a take-profit limit and a stop loss on the
// order's own side, one canceling the other.
func orderLegs(r order.Request) []views.TicketLeg {
	if r.OrderClass == "" || r.OrderClass == order.Simple {
		return nil
	}
	exit := fill.Sell
	if r.Side == fill.Sell {
		exit = fill.Buy
	}
	var legs []views.TicketLeg
	if r.OrderClass == order.OCO {
		exit = r.Side
	} else {
		legs = append(legs, views.TicketLeg{Role: "Entry", Side: string(r.Side), Order: orderTerms(r.Type, r.LimitPrice, r.StopPrice)})
	}
	if r.TakeProfit != nil && r.TakeProfit.LimitPrice.Valid {
		legs = append(legs, views.TicketLeg{Role: "Take profit", Side: string(exit), Order: "limit " + dollars(r.TakeProfit.LimitPrice)})
	}
	if r.StopLoss != nil && r.StopLoss.StopPrice.Valid {
		legs = append(legs, views.TicketLeg{Role: "Stop loss", Side: string(exit), Order: orderTerms(fill.Stop, r.StopLoss.LimitPrice, r.StopLoss.StopPrice)})
	}
	return legs
}
