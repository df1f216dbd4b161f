package app

import (
	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/urls"
	"alpacawrapper/views"
	"context"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// The order ticket (on the trade, instrument and chart pages) and its preview.

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

// ticketPanel is GET /trade/ticket?symbol=&sections=&ticket=: the ticket alone, for htmx (the
// instrument and chart pages load it, the trade page reloads it when the symbol changes). A
// browser opening the address itself is sent to the trade page.
func (s *Server) ticketPanel(c *fiber.Ctx) error {
	symbol := c.Query("symbol")
	if !isHTMX(c) {
		return c.Redirect(urls.Query(urls.Path(urls.Trade), "symbol", symbol), fiber.StatusSeeOther)
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
	touched := touchedFields(c.FormValue("touched"), c.Request().PostArgs().Has("touched"))
	if p.Prompt != "" || p.Refusal != "" {
		return render(c, views.TicketPreview(previewForTouched(p, touched)))
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
		return render(c, views.TicketPreview(previewForTouched(p, touched)))
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
	p.Legs = orderLegs(in.req)
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
