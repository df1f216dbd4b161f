package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
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

// tradeSections are the live parts of the page a request or a connection came from. Only these
// are rendered as out-of-band swaps: htmx logs an error for a swap whose target is missing.
type tradeSections struct {
	figures, positions, openOrders bool
	orders                         string // the orders page's tab ("open", "closed", "all"); "" when not shown
}

// parseTradeSections reads a comma-separated list of views.Section* names; unknown names are
// ignored.
func parseTradeSections(raw string) tradeSections {
	var t tradeSections
	for _, p := range strings.Split(raw, ",") {
		p = strings.TrimSpace(p)
		switch {
		case p == views.SectionFigures:
			t.figures = true
		case p == views.SectionPositions:
			t.positions = true
		case p == views.SectionOpenOrders:
			t.openOrders = true
		case strings.HasPrefix(p, views.SectionOrders) && validOrderStatus(strings.TrimPrefix(p, views.SectionOrders)):
			t.orders = strings.TrimPrefix(p, views.SectionOrders)
		}
	}
	return t
}

// String is the list again, for the forms and the live connection of the page.
func (t tradeSections) String() string {
	var out []string
	if t.figures {
		out = append(out, views.SectionFigures)
	}
	if t.positions {
		out = append(out, views.SectionPositions)
	}
	if t.openOrders {
		out = append(out, views.SectionOpenOrders)
	}
	if t.orders != "" {
		out = append(out, views.SectionOrders+t.orders)
	}
	return strings.Join(out, ",")
}

// any reports whether the page has a live section at all.
func (t tradeSections) any() bool { return t.figures || t.positions || t.openOrders || t.orders != "" }

// hasOrdersTable reports whether an orders table is among the sections (it then carries every
// change to an order row).
func (t tradeSections) hasOrdersTable() bool { return t.openOrders || t.orders != "" }

// page is where a plain (no JavaScript) post from these sections goes back to.
func (t tradeSections) page() string {
	switch {
	case t.orders != "":
		return "/orders?status=" + t.orders
	case t.openOrders:
		return "/trade"
	case t.positions:
		return "/portfolio"
	}
	return "/trade"
}

// tradeEnv is what rendering the sections needs from the request or the live connection: forms
// carry the session's CSRF token, and times are shown in the person's zone.
type tradeEnv struct {
	userID int64
	csrf   string
	loc    *time.Location
}

// tradeEnvOf is the request's tradeEnv.
func tradeEnvOf(c *fiber.Ctx) tradeEnv {
	u := currentUser(c)
	return tradeEnv{userID: u.ID, csrf: csrfOf(c), loc: userLocation(u)}
}

// writeTradeSections renders the sections as out-of-band swaps from one valuation of the account.
// It returns the valuation (zero when no section needed it).
func (s *Server) writeTradeSections(ctx context.Context, w io.Writer, env tradeEnv, a *models.PaperAccount, sec tradeSections) (trading.Valuation, error) {
	var v trading.Valuation
	if sec.figures || sec.positions {
		var err error
		if v, err = s.pageValue(ctx, a); err != nil {
			return v, err
		}
	}
	if sec.figures {
		if err := views.AccountFiguresOOB(figuresOf(v)).Render(ctx, w); err != nil {
			return v, err
		}
	}
	if sec.positions {
		if err := views.PositionsPanel(positionsView(env, sec, v), true).Render(ctx, w); err != nil {
			return v, err
		}
	}
	if sec.openOrders {
		o, err := s.ordersView(ctx, env, a, ordersQuery{status: "open", panel: views.SectionOpenOrders, sec: sec})
		if err != nil {
			return v, err
		}
		if err := views.OrdersPanel(o, true).Render(ctx, w); err != nil {
			return v, err
		}
	}
	if sec.orders != "" {
		o, err := s.ordersView(ctx, env, a, ordersQuery{status: sec.orders, panel: views.SectionOrders + sec.orders, sec: sec})
		if err != nil {
			return v, err
		}
		if err := views.OrdersPanel(o, true).Render(ctx, w); err != nil {
			return v, err
		}
	}
	return v, nil
}

// figuresOf is the account strip's numbers.
func figuresOf(v trading.Valuation) views.AccountFigures {
	day := v.DayPL()
	return views.AccountFigures{
		Equity: views.FormatMoney(v.Equity), BuyingPower: views.FormatMoney(v.BuyingPower), Cash: views.FormatMoney(v.Cash),
		DayPL: views.FormatSignedMoney(day), DayUp: day.Round(2).IsPositive(), DayDown: day.Round(2).IsNegative(),
	}
}

var hundredPct = decimal.NewFromInt(100)

// positionsView is the positions table of a valuation, with totals.
func positionsView(env tradeEnv, sec tradeSections, v trading.Valuation) views.TradePositions {
	out := views.TradePositions{CSRF: env.csrf, Sections: sec.String(), Next: sec.page()}
	var value, basis, pl, today decimal.Decimal
	for _, p := range v.Positions {
		qty := p.Qty.Abs()
		row := views.TradePositionRow{
			Symbol: p.Symbol, Side: p.Side, Qty: views.FormatQty(qty),
			AvgEntry: views.FormatPrice(p.AvgEntryPrice, decimal.Zero), Price: views.FormatPrice(p.CurrentPrice, decimal.Zero),
			Priced: p.Priced, MarketValue: views.FormatMoney(p.MarketValue), CostBasis: views.FormatMoney(p.CostBasis),
			UnrealizedPL: views.FormatSignedMoney(p.UnrealizedPL), PLPC: views.FormatPercent(p.UnrealizedPLPC.Mul(hundredPct)),
			Up: p.UnrealizedPL.Round(2).IsPositive(), Down: p.UnrealizedPL.Round(2).IsNegative(),
			CloseConfirm: closeQuestion(p),
		}
		if p.LastdayPrice.IsPositive() {
			// The position's own change today, in dollars and percent (the stock's day change would
			// disagree with the dollars for a position opened today).
			row.Today, row.TodayPct = views.FormatSignedMoney(p.UnrealizedIntradayPL), views.FormatPercent(p.UnrealizedIntradayPLPC.Mul(hundredPct))
			row.TodayUp, row.TodayDown = p.UnrealizedIntradayPL.Round(2).IsPositive(), p.UnrealizedIntradayPL.Round(2).IsNegative()
			today = today.Add(p.UnrealizedIntradayPL)
		}
		out.Rows = append(out.Rows, row)
		value, basis, pl = value.Add(p.MarketValue), basis.Add(p.CostBasis), pl.Add(p.UnrealizedPL)
	}
	out.Today = views.FormatSignedMoney(today)
	out.TodayUp, out.TodayDown = today.Round(2).IsPositive(), today.Round(2).IsNegative()
	out.MarketValue, out.CostBasis, out.UnrealizedPL = views.FormatMoney(value), views.FormatMoney(basis), views.FormatSignedMoney(pl)
	pct := decimal.Zero
	if !basis.IsZero() {
		pct = pl.Div(basis.Abs()).Mul(hundredPct)
	}
	out.UnrealizedPLPC = views.FormatPercent(pct)
	out.Up, out.Down = pl.Round(2).IsPositive(), pl.Round(2).IsNegative()
	return out
}

// closeQuestion is what the Close button asks before closing a position at market.
func closeQuestion(p trading.PositionValue) string {
	if p.Side == "short" {
		return fmt.Sprintf("Buy back %s %s at market to close the short position?", views.FormatQty(p.Qty.Abs()), p.Symbol)
	}
	return fmt.Sprintf("Sell %s %s at market to close the position?", views.FormatQty(p.Qty), p.Symbol)
}

// ticketView builds the ticket for symbol ("" for none yet) with the account's buying power.
func (s *Server) ticketView(ctx context.Context, env tradeEnv, a *models.PaperAccount, v trading.Valuation, symbol string, editable bool, sections string, f views.Form) views.TicketView {
	t := views.TicketView{CSRF: env.csrf, Editable: editable, Sections: sections, Form: f, Realism: a.Realism,
		BuyingPower: views.FormatMoney(v.BuyingPower)}
	symbol = strings.TrimSpace(symbol)
	if symbol == "" {
		return t
	}
	asset, err := models.WatchableAssetBySymbol(ctx, s.db, symbol)
	if err != nil {
		t.Symbol = strings.ToUpper(symbol)
		t.Form = withError(t.Form, "symbol", fmt.Sprintf("There is no instrument %s. Check the symbol, such as AAPL or BTC/USD.", t.Symbol))
		return t
	}
	t.Symbol, t.Name, t.Crypto = asset.Symbol, asset.Name, asset.Class == market.Crypto
	t.Known = asset.Tradable && asset.Active
	if !t.Known {
		t.Form = withError(t.Form, "symbol", asset.Symbol+" cannot be traded at the moment.")
	}
	if asset.Class == market.Crypto {
		t.BuyingPower = views.FormatMoney(v.NonMarginableBuyingPower)
	}
	if quotes, _ := s.trading.Quotes().Latest(ctx, []string{asset.Symbol}); len(quotes) > 0 {
		q := quotes[asset.Symbol]
		inc := increment(asset)
		if q.BidPrice.IsPositive() {
			t.Bid = views.FormatPrice(q.BidPrice, inc)
		}
		if q.AskPrice.IsPositive() {
			t.Ask = views.FormatPrice(q.AskPrice, inc)
		}
	}
	return t
}

// increment is an asset's price increment for display (zero for stocks: cents).
func increment(a *models.Asset) decimal.Decimal {
	if a.Class == market.Crypto && a.PriceIncrement.Valid {
		return a.PriceIncrement.Decimal
	}
	return decimal.Zero
}

// withError adds a field's message to a form, keeping one already there.
func withError(f views.Form, field, msg string) views.Form {
	errs := map[string]string{}
	for k, v := range f.Errors {
		errs[k] = v
	}
	if _, ok := errs[field]; !ok {
		errs[field] = msg
	}
	f.Errors = errs
	return f
}

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

// ticketPanel is GET /trade/ticket?symbol=&sections=&ticket=: the ticket alone, for htmx (the
// instrument and chart pages load it, the trade page reloads it when the symbol changes). A
// browser opening the address itself is sent to the trade page.
func (s *Server) ticketPanel(c *fiber.Ctx) error {
	symbol := c.Query("symbol")
	if !isHTMX(c) {
		return c.Redirect("/trade?symbol="+url.QueryEscape(symbol), fiber.StatusSeeOther)
	}
	a, v, err := s.accountAndValue(c)
	if err != nil {
		return err
	}
	sections := parseTradeSections(c.Query("sections")).String()
	t := s.ticketView(c.UserContext(), tradeEnvOf(c), a, v, symbol, c.Query("ticket") == ticketModeTrade, sections, views.Form{})
	return render(c, views.TicketPanel(t))
}

// canonicalSymbol turns what the person typed (btcusd) into the catalogue's symbol (BTC/USD); an
// unknown symbol stays as typed, for the trading service to refuse.
func (s *Server) canonicalSymbol(ctx context.Context, symbol string) string {
	if symbol == "" {
		return ""
	}
	if a, err := models.WatchableAssetBySymbol(ctx, s.db, symbol); err == nil {
		return a.Symbol
	}
	return symbol
}

// sizeField is the ticket field holding the order's size.
func sizeField(in ticketInput) string {
	if in.req.Notional.Valid {
		return "notional"
	}
	return "qty"
}

// previewOrder is POST /trade/preview (the ticket's fields): what the order would cost and do,
// rendered under the ticket, with each field's message swapped into its slot. A refusal is part
// of the estimate, so it is answered with 200.
func (s *Server) previewOrder(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	a, err := s.currentAccount(c)
	if err != nil {
		return err
	}
	in := parseTicket(formOf(c))
	p := views.TicketPreviewView{Errors: map[string]string{}}
	switch {
	case in.values["symbol"] == "":
		p.Prompt = "Choose a symbol to trade."
	case in.values["qty"] == "" && in.values["notional"] == "":
		p.Prompt = "Enter a quantity or an amount to see the estimated cost, fees and buying power after the order."
	case len(in.fields) > 0:
		p.Errors = in.fields
		p.Refusal = "Check the highlighted fields."
	}
	if p.Prompt != "" || p.Refusal != "" {
		return render(c, views.TicketPreview(p))
	}
	in.req.Symbol = s.canonicalSymbol(ctx, in.req.Symbol)
	pv, err := s.trading.Preview(ctx, u.ID, a.ID, in.req)
	if err != nil {
		rej, ok := apperr.As(err)
		if !ok {
			return err
		}
		errs, _ := ticketRefusal(rej, sizeField(in))
		p.Errors, p.Refusal = errs, sentence(rej.Message)
		return render(c, views.TicketPreview(p))
	}
	return render(c, views.TicketPreview(previewView(in, pv)))
}

// previewView formats the trading service's estimate.
func previewView(in ticketInput, pv trading.Preview) views.TicketPreviewView {
	money := views.FormatMoney
	p := views.TicketPreviewView{
		Symbol: pv.Symbol, Side: string(pv.Side), Qty: views.FormatQty(pv.Qty), QtyEst: !in.req.Qty.Valid,
		Price: views.FormatPrice(pv.Price, decimal.Zero), Value: money(pv.Value),
		Commission: money(pv.Fees.Commission), SEC: money(pv.Fees.SEC), TAF: money(pv.Fees.TAF), Fees: money(pv.Fees.Total()),
		Total: money(pv.Total), BuyingPowerBefore: money(pv.BuyingPowerBefore), BuyingPowerAfter: money(pv.BuyingPowerAfter),
		Realism: pv.Realism, Schedule: pv.Schedule,
	}
	if !pv.Price.IsPositive() {
		p.Price = ""
	}
	if pv.HasQuote {
		if pv.Quote.BidPrice.IsPositive() {
			p.Bid = views.FormatPrice(pv.Quote.BidPrice, decimal.Zero)
		}
		if pv.Quote.AskPrice.IsPositive() {
			p.Ask = views.FormatPrice(pv.Quote.AskPrice, decimal.Zero)
		}
	}
	p.OutcomeKind, p.Outcome = outcome(in, pv)
	return p
}

// outcome says what the order would do now: fill, rest, wait for its stop, or queue for the open.
func outcome(in ticketInput, pv trading.Preview) (kind, text string) {
	r := in.req
	side := "ask"
	if r.Side == fill.Sell {
		side = "bid"
	}
	price := func(d decimal.NullDecimal) string { return "$" + views.FormatPrice(d.Decimal, decimal.Zero) }
	switch {
	case pv.Queued:
		return "queued", "The market is closed: the order is accepted now and works from the next open."
	case !pv.HasQuote:
		return "waits", "There is no quote yet: the order waits for one."
	case pv.Marketable:
		return "fills", fmt.Sprintf("Fills now at about $%s, the latest %s.", views.FormatPrice(pv.Price, decimal.Zero), side)
	case r.Type == fill.Limit && r.Side == fill.Buy:
		return "rests", fmt.Sprintf("Rests until the ask falls to %s.", price(r.LimitPrice))
	case r.Type == fill.Limit:
		return "rests", fmt.Sprintf("Rests until the bid rises to %s.", price(r.LimitPrice))
	case r.Type == fill.TrailingStop:
		return "waits", "Follows the price and triggers when it turns against you by the trail."
	case r.StopPrice.Valid:
		return "waits", fmt.Sprintf("Waits for the price to reach the stop at %s.", price(r.StopPrice))
	}
	return "waits", "Waits until it can fill."
}

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
		return c.Redirect("/orders?status=all", fiber.StatusSeeOther)
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
	next := localPath(c.FormValue("next"), "/trade")
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
	return s.sectionsAnswer(c, a, sec, views.Flash{Kind: placed.Kind, Message: msg}, nil)
}

// sectionsAnswer answers a successful htmx action of the trade pages: the page's sections, the
// extra fragments (rows the sections do not cover) and a flash. A page that named no sections
// is reloaded instead.
func (s *Server) sectionsAnswer(c *fiber.Ctx, a *models.PaperAccount, sec tradeSections, flash views.Flash, extra func(w io.Writer) error) error {
	if !sec.any() && extra == nil {
		c.Set("HX-Refresh", "true")
		return c.SendStatus(fiber.StatusNoContent)
	}
	ctx := c.UserContext()
	var buf bytes.Buffer
	if _, err := s.writeTradeSections(ctx, &buf, tradeEnvOf(c), a, sec); err != nil {
		return err
	}
	if extra != nil {
		if err := extra(&buf); err != nil {
			return err
		}
	}
	if err := views.FlashOOB([]views.Flash{flash}).Render(ctx, &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
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
