package app

import (
	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
	"alpacawrapper/urls"
	"alpacawrapper/views"
	"bytes"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// The trade pages' actions: placing an order and closing a position, and how their outcomes and
// refusals are answered.

// placeOrder is POST /orders (the ticket): places the order. htmx gets the ticket back empty with
// what happened (filled at $X, resting, queued) and the page's sections; a plain post is sent to
// the orders page with a flash. A refusal comes back as the ticket with each message under its
// field and a summary (422).
func (s *Server) placeOrder(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	a, err := s.currentAccount(c)
	if err != nil {
		return err
	}
	in := parseTicket(formOf(c))
	in.req.Symbol = s.canonicalSymbol(ctx, in.req.Symbol)
	sec := parseTradeSections(c.FormValue("sections"))
	editable := c.FormValue("ticket") == ticketModeTrade
	if err := in.fields.Err(); err != nil {
		return s.ticketRefused(c, a, in, sec, editable, in.fields, "The order was not placed: check the highlighted fields.")
	}
	if c.FormValue("edit") == "1" {
		return s.ticketEdit(c, a, in, sec, editable)
	}
	if reviewStep(c, a) {
		return s.ticketReview(c, a, in, sec, editable)
	}
	o, err := s.trading.PlaceOrder(ctx, u.ID, a.ID, in.req, trading.SourceWeb)
	if err != nil {
		rej, ok := apperr.As(err)
		if !ok {
			return err
		}
		errs, summary := ticketRefusal(rej, sizeField(in))
		return s.ticketRefused(c, a, in, sec, editable, errs, summary)
	}
	placed := placedMessage(o)
	if !isHTMX(c) {
		s.flash(c, string(placed.Kind), placed.Title+": "+placed.Message)
		return c.Redirect(urls.Query(urls.Path(urls.Orders), "status", "all"), fiber.StatusSeeOther)
	}
	var buf bytes.Buffer
	env := tradeEnvOf(c)
	v, err := s.writeTradeSections(ctx, &buf, env, a, sec)
	if err != nil {
		return err
	}
	if !sec.figures && !sec.positions {
		if v, err = s.pageValue(ctx, a); err != nil {
			return err
		}
	}
	// A fresh ticket for the same instrument, keeping the side and type chosen.
	fresh := views.Form{Values: map[string]string{"side": in.values["side"], "type": in.values["type"],
		"time_in_force": in.values["time_in_force"], "size_by": in.values["size_by"]}}
	t := s.ticketView(ctx, env, a, v, o.Symbol, editable, sec.String(), fresh)
	t.Placed = &placed
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	if err := views.TicketPanel(t).Render(ctx, c.Response().BodyWriter()); err != nil {
		return err
	}
	_, err = c.Write(buf.Bytes())
	return err
}

// ticketRefused answers a refused order: the ticket with the messages and what was typed, alone
// for htmx, else on the trade page. It is 422 either way: the form is what has to change.
func (s *Server) ticketRefused(c *fiber.Ctx, a *models.PaperAccount, in ticketInput, sec tradeSections, editable bool, errs map[string]string, summary string) error {
	f := views.Form{Values: in.values, Errors: errs, Error: summary}
	if !isHTMX(c) {
		return s.showTradePage(c, fiber.StatusUnprocessableEntity, in.values["symbol"], f, false)
	}
	v, err := s.pageValue(c.UserContext(), a)
	if err != nil {
		return err
	}
	t := s.ticketView(c.UserContext(), tradeEnvOf(c), a, v, in.values["symbol"], editable, sec.String(), f)
	c.Status(fiber.StatusUnprocessableEntity)
	return render(c, views.TicketPanel(t))
}

// describeOrder is an order in a few words: "buy 10 AAPL limit $150.00", "buy $500.00 of AAPL".
func describeOrder(o *models.Order) string {
	var b strings.Builder
	b.WriteString(o.Side)
	if o.Notional.Valid && !o.Qty.Valid {
		b.WriteString(" " + views.FormatMoney(o.Notional.Decimal) + " of " + o.Symbol)
	} else {
		b.WriteString(" " + views.FormatQty(o.Qty.Decimal) + " " + o.Symbol)
	}
	if o.Type != string(fill.Market) {
		b.WriteString(" " + strings.ReplaceAll(o.Type, "_", " "))
	}
	if o.LimitPrice.Valid {
		b.WriteString(" $" + views.FormatPrice(o.LimitPrice.Decimal, decimal.Zero))
	}
	if o.StopPrice.Valid {
		b.WriteString(" stop $" + views.FormatPrice(o.StopPrice.Decimal, decimal.Zero))
	}
	return b.String()
}

// placedMessage says what became of an order just placed.
func placedMessage(o *models.Order) views.PlacedOrder {
	p := views.PlacedOrder{OrderID: o.ID.String()}
	verb := "Bought"
	if o.Side == string(fill.Sell) {
		verb = "Sold"
	}
	avg := ""
	if o.FilledAvgPrice.Valid {
		avg = "$" + views.FormatPrice(o.FilledAvgPrice.Decimal, decimal.Zero)
	}
	desc := describeOrder(o)
	switch o.Status {
	case models.OrderFilled:
		p.Kind, p.Title = views.FlashSuccess, "Filled"
		p.Message = fmt.Sprintf("%s %s %s at %s.", verb, views.FormatQty(o.FilledQty), o.Symbol, avg)
	case models.OrderPartiallyFilled:
		p.Kind, p.Title = views.FlashSuccess, "Partially filled"
		p.Message = fmt.Sprintf("%s %s %s at %s; the rest of the order is working.", verb, views.FormatQty(o.FilledQty), o.Symbol, avg)
	case models.OrderNew, models.OrderHeld:
		p.Kind, p.Title = views.FlashInfo, "Order resting"
		p.Message = sentence(desc) + " is working and fills when the price allows."
	case models.OrderAccepted:
		p.Kind, p.Title = views.FlashInfo, "Order queued"
		p.Message = sentence(desc) + " is queued until the market opens."
	default:
		p.Kind, p.Title = views.FlashWarning, "Not filled"
		p.Message = sentence(desc) + " was " + o.Status + "."
		if o.Reason != "" {
			p.Message += " " + sentence(o.Reason)
		}
	}
	return p
}

// closePosition is POST /positions/close (symbol, optional qty): closes all or part of a position
// with a market order. htmx gets the page's sections and a flash; a plain post goes back to next.
func (s *Server) closePosition(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	a, err := s.currentAccount(c)
	if err != nil {
		return err
	}
	sec := parseTradeSections(c.FormValue("sections"))
	next := localPath(c.FormValue("next"), urls.Path(urls.Trade))
	symbol := s.canonicalSymbol(ctx, strings.TrimSpace(c.FormValue("symbol")))
	qty, qtyMsg := typedAmount("qty", c.FormValue("qty"), order.Quantity)
	if qtyMsg != "" {
		return apperr.Invalid(map[string]string{"qty": qtyMsg})
	}
	o, err := s.trading.ClosePosition(ctx, u.ID, a.ID, symbol, qty, decimal.NullDecimal{}, trading.SourceWeb)
	if err != nil {
		return s.tradeActionRefused(c, err, "The position was not closed: ", next)
	}
	placed := placedMessage(o)
	msg := placed.Title + ": " + placed.Message
	if !isHTMX(c) {
		s.flash(c, string(placed.Kind), msg)
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	return s.sectionsAnswer(c, a, sec, views.Flash{Kind: placed.Kind, Message: msg, Key: orderNoticeKey(o.ID)}, nil)
}

// tradeActionRefused answers a refused action on an order or a position. Something that does not
// exist (or is not theirs) is a 404 as usual; a plain post goes back with the reason in a flash;
// htmx gets the reason as an alert through the central error handler (422 for a refusal of the
// request itself, never a 500).
func (s *Server) tradeActionRefused(c *fiber.Ctx, err error, prefix, next string) error {
	rej, ok := apperr.As(err)
	if !ok || rej.Kind == apperr.KindNotFound {
		return err
	}
	msg := prefix + sentence(rej.Message)
	if !isHTMX(c) {
		s.flash(c, string(views.FlashError), msg)
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	out := *rej
	out.Message, out.Fields = msg, nil
	if out.Kind == apperr.KindForbidden {
		out.Kind = apperr.KindInvalid // the person may do this; the order's state does not allow it
	}
	return &out
}
