package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// The orders page (/orders?status=open|closed|all) and the actions on one order: cancel and
// replace. The same table, shorter, is the trade page's open orders.

// ordersPerPage is how many orders a page of the orders table shows before "Load more".
const ordersPerPage = 50

// validOrderStatus reports whether status is one of the orders page's tabs.
func validOrderStatus(status string) bool {
	return status == "open" || status == "closed" || status == "all"
}

// ordersQuery is what an orders table shows.
type ordersQuery struct {
	status string
	panel  string    // views.SectionOpenOrders or views.SectionOrders+status
	before time.Time // a later page: orders created before this
	sec    tradeSections
}

// ordersView loads a page of the account's orders with their legs nested under them, and the
// fills of those that filled.
func (s *Server) ordersView(ctx context.Context, env tradeEnv, a *models.PaperAccount, q ordersQuery) (views.TradeOrders, error) {
	out := views.TradeOrders{CSRF: env.csrf, Sections: q.sec.String(), Next: q.sec.page(), Panel: q.panel, Status: q.status,
		Compact: q.panel == views.SectionOpenOrders}
	rows, err := models.ListOrders(ctx, s.db, models.OrderQuery{AccountID: a.ID, Period: a.Period, Status: q.status,
		Until: q.before, Limit: ordersPerPage + 1})
	if err != nil {
		return out, err
	}
	more := len(rows) > ordersPerPage
	if more {
		rows = rows[:ordersPerPage]
	}
	inPage := make(map[uuid.UUID]bool, len(rows))
	var parents []uuid.UUID
	for _, o := range rows {
		inPage[o.ID] = true
		if o.ParentID == nil && o.OrderClass != "" && o.OrderClass != "simple" {
			parents = append(parents, o.ID)
		}
	}
	legs, err := models.OrderLegs(ctx, s.db, parents)
	if err != nil {
		return out, err
	}
	var notes map[uuid.UUID]models.OrderNote
	if !out.Compact {
		ids := make([]uuid.UUID, 0, len(rows))
		for _, o := range rows {
			ids = append(ids, o.ID)
		}
		if notes, err = s.trading.OrderNotes(ctx, a.ID, ids); err != nil {
			return out, err
		}
	}
	for i := range rows {
		o := &rows[i]
		if o.ParentID != nil && inPage[*o.ParentID] {
			continue // shown under its parent
		}
		row, err := s.orderRowView(ctx, env, o, !out.Compact)
		if err != nil {
			return out, err
		}
		if !out.Compact {
			n, has := notes[o.ID]
			row.NoteHref, row.HasNote = urls.Path(urls.OrderNote, o.ID.String()), has
			row.Note = strings.TrimSpace(n.Note + " " + hashTags(n.Tags))
		}
		g := views.TradeOrderGroup{Order: row}
		for j := range legs[o.ID] {
			leg, err := s.orderRowView(ctx, env, &legs[o.ID][j], !out.Compact)
			if err != nil {
				return out, err
			}
			g.Legs = append(g.Legs, leg)
		}
		out.Groups = append(out.Groups, g)
	}
	if more && !out.Compact {
		last := rows[len(rows)-1].CreatedAt.UTC().Format(time.RFC3339Nano)
		out.More = urls.Query(urls.Path(urls.Orders), "status", q.status, "before", last)
	}
	return out, nil
}

// hashTags writes tags as people type them: "#breakout #earnings".
func hashTags(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return "#" + strings.Join(tags, " #")
}

// orderRowView formats one order; withFills links its fills' receipts.
func (s *Server) orderRowView(ctx context.Context, env tradeEnv, o *models.Order, withFills bool) (views.TradeOrderRow, error) {
	price := func(d decimal.Decimal) string { return views.FormatPrice(d, decimal.Zero) }
	r := views.TradeOrderRow{
		ID: o.ID.String(), Submitted: o.SubmittedAt.In(env.loc).Format("Jan 2 15:04:05 MST"),
		SubmittedISO: o.SubmittedAt.UTC().Format(time.RFC3339), Symbol: o.Symbol, Side: o.Side,
		Type: strings.ReplaceAll(o.Type, "_", " "), TIF: o.TimeInForce, Status: o.Status, Reason: o.Reason,
		Open: o.IsOpen(), Filled: views.FormatQty(o.FilledQty),
	}
	if o.ExtendedHours {
		r.TIF += " · ext"
	}
	if o.ParentID == nil && o.OrderClass != "" && o.OrderClass != "simple" {
		r.Class = o.OrderClass
	}
	if o.Leg != nil {
		r.Leg = strings.ReplaceAll(*o.Leg, "_", " ")
	}
	switch {
	case o.Qty.Valid:
		r.Size = views.FormatQty(o.Qty.Decimal)
	case o.Notional.Valid:
		r.Size = views.FormatMoney(o.Notional.Decimal)
	}
	var prices []string
	if o.LimitPrice.Valid {
		prices = append(prices, "limit "+price(o.LimitPrice.Decimal))
	}
	if o.StopPrice.Valid {
		prices = append(prices, "stop "+price(o.StopPrice.Decimal))
	}
	if o.TrailPrice.Valid {
		prices = append(prices, "trail $"+price(o.TrailPrice.Decimal))
	}
	if o.TrailPercent.Valid {
		prices = append(prices, "trail "+o.TrailPercent.Decimal.String()+"%")
	}
	r.Prices = strings.Join(prices, " · ")
	if trading.ProtectedBuyStop(o) {
		r.Explain = "Placed as a stop: Alpaca's buy-stop protection made it a stop-limit with a limit of $" +
			price(o.LimitPrice.Decimal) + ", so it cannot fill far above the stop."
	}
	if o.FilledAvgPrice.Valid {
		r.AvgFill = price(o.FilledAvgPrice.Decimal)
	}
	if withFills && o.FilledQty.IsPositive() {
		fills, err := models.FillsOfOrder(ctx, s.db, o.ID)
		if err != nil {
			return r, err
		}
		for _, f := range fills {
			r.Fills = append(r.Fills, views.FillLink{ID: f.ID.String(), Label: views.FormatQty(f.Qty) + " @ " + price(f.Price)})
		}
	}
	// Simple orders are replaced whole; a bracket's or OCO's exits only at new prices (their
	// quantity follows the entry), held or working, as the trading service allows.
	exit := (o.Leg != nil || (o.OrderClass == "oco" && o.ParentID == nil)) && o.OrderClass != "oto"
	simple := o.Status != models.OrderHeld && o.ParentID == nil && (o.OrderClass == "" || o.OrderClass == "simple")
	r.Replaceable = o.IsOpen() && o.Qty.Valid && (simple || exit)
	if r.Replaceable {
		r.Replace = views.ReplaceForm{Exit: exit,
			Qty: views.FormatQty(o.LeavesQty()), TIF: o.TimeInForce, Crypto: o.AssetClass == string(market.Crypto),
			HasLimit: o.Type == string(fill.Limit) || o.Type == string(fill.StopLimit),
			HasStop:  o.Type == string(fill.Stop) || o.Type == string(fill.StopLimit),
			HasTrail: o.Type == string(fill.TrailingStop),
		}
		if o.LimitPrice.Valid {
			r.Replace.Limit = o.LimitPrice.Decimal.String()
		}
		if o.StopPrice.Valid && !r.Replace.HasTrail {
			r.Replace.Stop = o.StopPrice.Decimal.String()
		}
		r.Replace.TrailUnit = "$"
		if o.TrailPercent.Valid {
			r.Replace.Trail, r.Replace.TrailUnit = o.TrailPercent.Decimal.String(), "%"
		} else if o.TrailPrice.Valid {
			r.Replace.Trail = o.TrailPrice.Decimal.String()
		}
	}
	return r, nil
}

// ordersPage is GET /orders?status=open|closed|all&before=: one tab of the orders, newest first.
// The newest page stays live; an older page (before=) does not, since a live update would bring
// back the newest. For htmx, a later page is just its rows, for the "Load more" button.
func (s *Server) ordersPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	status := c.Query("status")
	if !validOrderStatus(status) {
		status = "open"
	}
	var before time.Time
	if raw := c.Query("before"); raw != "" {
		if t, err := time.Parse(time.RFC3339Nano, raw); err == nil {
			before = t
		}
	}
	a, err := s.currentAccount(c)
	if err != nil {
		return err
	}
	// The rows of a later page loaded into the newest one act for the page they join.
	live := tradeSections{figures: true, orders: status}
	if isHTMX(c) && !before.IsZero() {
		o, err := s.ordersView(ctx, tradeEnvOf(c), a, ordersQuery{status: status, panel: views.SectionOrders + status, before: before, sec: live})
		if err != nil {
			return err
		}
		return render(c, views.OrdersMore(o))
	}
	sec := live
	if !before.IsZero() {
		sec = tradeSections{figures: true}
	}
	o, err := s.ordersView(ctx, tradeEnvOf(c), a, ordersQuery{status: status, panel: views.SectionOrders + status, before: before, sec: sec})
	if err != nil {
		return err
	}
	o.Next = urls.Query(urls.Path(urls.Orders), "status", status)
	v, err := s.pageValue(ctx, a)
	if err != nil {
		return err
	}
	h, err := s.tradingHeader(c, a, v)
	if err != nil {
		return err
	}
	return render(c, views.OrdersPage(s.page(c, "Orders"), h, views.OrdersPageView{Orders: o, Sections: sec.String()}))
}

// orderIDParam is the :id of an order route; anything that is not a UUID is a missing order.
func orderIDParam(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, trading.ErrOrderNotFound
	}
	return id, nil
}

// orderGroupOOB renders an order's row group as an out-of-band swap, for pages whose sections do
// not include its table (an older page of the orders).
func (s *Server) orderGroupOOB(ctx context.Context, w io.Writer, env tradeEnv, a *models.PaperAccount, id uuid.UUID, t views.TradeOrders, replace *views.ReplaceForm) error {
	o, err := models.OrderOf(ctx, s.db, a.ID, id)
	if err != nil {
		return err
	}
	row, err := s.orderRowView(ctx, env, o, !t.Compact)
	if err != nil {
		return err
	}
	if replace != nil && row.Replaceable {
		row.Replace.Open, row.Replace.Form = true, replace.Form
	}
	g := views.TradeOrderGroup{Order: row}
	legs, err := models.OrderLegs(ctx, s.db, []uuid.UUID{o.ID})
	if err != nil {
		return err
	}
	for i := range legs[o.ID] {
		leg, err := s.orderRowView(ctx, env, &legs[o.ID][i], !t.Compact)
		if err != nil {
			return err
		}
		g.Legs = append(g.Legs, leg)
	}
	return views.OrderGroup(t, g, true).Render(ctx, w)
}

// orderFormTable is the table an order action's form sits in, read from the form, so that a row
// rendered again has the columns of its table.
func orderFormTable(c *fiber.Ctx, env tradeEnv, sec tradeSections, next string) views.TradeOrders {
	panel := c.FormValue("panel")
	return views.TradeOrders{CSRF: env.csrf, Sections: sec.String(), Next: next, Panel: panel, Compact: panel == views.SectionOpenOrders}
}

// cancelOrder is POST /orders/:id/cancel: cancels an open order (and the rest of its group).
func (s *Server) cancelOrder(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	id, err := orderIDParam(c)
	if err != nil {
		return err
	}
	a, err := s.currentAccount(c)
	if err != nil {
		return err
	}
	sec := parseTradeSections(c.FormValue("sections"))
	next := localPath(c.FormValue("next"), urls.Path(urls.Orders))
	o, err := s.trading.CancelOrder(ctx, u.ID, a.ID, id)
	if err != nil {
		return s.tradeActionRefused(c, err, "The order was not canceled: ", next)
	}
	msg := "Canceled: " + describeOrder(o) + "."
	if !isHTMX(c) {
		s.flash(c, string(views.FlashSuccess), msg)
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	var extra func(io.Writer) error
	if !sec.hasOrdersTable() {
		env := tradeEnvOf(c)
		extra = func(w io.Writer) error {
			return s.orderGroupOOB(ctx, w, env, a, id, orderFormTable(c, env, sec, next), nil)
		}
	}
	return s.sectionsAnswer(c, a, sec, views.Flash{Kind: views.FlashSuccess, Message: msg}, extra)
}

// replaceOrder is POST /orders/:id/replace (qty, limit_price, stop_price, trail, time_in_force;
// empty fields keep the order's): replaces an open simple order with a new one, as Alpaca's
// PATCH does. A refusal comes back in the row's form, under its fields (422).
func (s *Server) replaceOrder(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	id, err := orderIDParam(c)
	if err != nil {
		return err
	}
	a, err := s.currentAccount(c)
	if err != nil {
		return err
	}
	sec := parseTradeSections(c.FormValue("sections"))
	next := localPath(c.FormValue("next"), urls.Path(urls.Orders))
	in := parseReplace(formOf(c))
	err = in.fields.Err()
	var placed *models.Order
	if err == nil {
		placed, err = s.trading.ReplaceOrder(ctx, u.ID, a.ID, id, in.req, trading.SourceWeb)
	}
	if err != nil {
		rej, ok := apperr.As(err)
		if !ok || rej.Kind == apperr.KindNotFound || !isHTMX(c) {
			return s.tradeActionRefused(c, err, "The order was not replaced: ", next)
		}
		f := replaceRefusal(rej)
		f.Values = in.values
		env := tradeEnvOf(c)
		var buf strings.Builder
		if err := s.orderGroupOOB(ctx, &buf, env, a, id, orderFormTable(c, env, sec, next), &views.ReplaceForm{Form: f}); err != nil {
			return err
		}
		c.Status(fiber.StatusUnprocessableEntity)
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.SendString(buf.String())
	}
	msg := fmt.Sprintf("Replaced: %s.", describeOrder(placed))
	if !isHTMX(c) {
		s.flash(c, string(views.FlashSuccess), msg)
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	var extra func(io.Writer) error
	if !sec.hasOrdersTable() {
		env := tradeEnvOf(c)
		extra = func(w io.Writer) error {
			return s.orderGroupOOB(ctx, w, env, a, id, orderFormTable(c, env, sec, next), nil)
		}
	}
	return s.sectionsAnswer(c, a, sec, views.Flash{Kind: views.FlashSuccess, Message: msg}, extra)
}
