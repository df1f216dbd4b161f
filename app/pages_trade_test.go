package app

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/shopspring/decimal"

	"alpacawrapper/market/sim"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fees"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
	"alpacawrapper/views"
)

// tradePages is a test app whose simulated stock market is always open (so market orders fill at
// once), with its catalogue synced and two people, each with the $100,000 account sign-up opens.
type tradePages struct {
	*testApp
	alice, bob *models.User
}

func newTradePages(t *testing.T) *tradePages {
	t.Helper()
	a := newTestAppWith(t, testAppOptions{
		vars:     map[string]string{"SIM_ALWAYS_OPEN": "true"},
		provider: sim.New(sim.Options{Seed: 7, AlwaysOpen: true}),
	})
	seedSimAssets(t, a)
	return &tradePages{testApp: a, alice: a.createUser("alice@example.com", goodPassword), bob: a.createUser("bob@example.com", goodPassword)}
}

// as is a browser logged in as u, holding the CSRF token of the trade page.
func (p *tradePages) as(u *models.User, htmx bool) *browser {
	p.t.Helper()
	b := p.browser()
	b.login(u.Email, goodPassword)
	if resp, body := b.get("/trade"); resp.StatusCode != http.StatusOK {
		p.t.Fatalf("GET /trade: %d\n%s", resp.StatusCode, body)
	}
	b.htmx = htmx
	return b
}

// account is u's (only) paper account.
func (p *tradePages) account(u *models.User) *models.PaperAccount {
	p.t.Helper()
	accts, err := p.svc.Trading.Accounts(context.Background(), u.ID)
	if err != nil || len(accts) == 0 {
		p.t.Fatalf("accounts of %s: %v (%d)", u.Email, err, len(accts))
	}
	return &accts[0]
}

// orders are u's orders, newest first.
func (p *tradePages) orders(u *models.User) []models.Order {
	p.t.Helper()
	a := p.account(u)
	out, err := models.ListOrders(context.Background(), p.db.Gorm, models.OrderQuery{AccountID: a.ID, Period: a.Period, Limit: 500})
	if err != nil {
		p.t.Fatal(err)
	}
	return out
}

// tradeTicket is the trade page's ticket form: a market buy of 3 AAPL, changed by pairs of name, value.
// It is the review's "Send order" (confirmed=1): the review step has tests of its own.
func tradeTicket(pairs ...string) url.Values {
	f := url.Values{"symbol": {"AAPL"}, "side": {"buy"}, "type": {"market"}, "size_by": {"qty"}, "qty": {"3"},
		"time_in_force": {"day"}, "order_class": {"simple"}, "ticket": {"trade"}, "sections": {"figures,positions,open-orders"},
		"confirmed": {"1"}}
	for i := 0; i+1 < len(pairs); i += 2 {
		f.Set(pairs[i], pairs[i+1])
	}
	return f
}

// htmlText is an HTML body with its entities decoded, for comparing messages.
func htmlText(body string) string { return html.UnescapeString(body) }

func TestTradeTicketPlacesAMarketOrderThatFills(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, true)

	resp, body := b.post("/orders", tradeTicket())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /orders: %d\n%s", resp.StatusCode, body)
	}
	orders := p.orders(p.alice)
	if len(orders) != 1 || orders[0].Status != models.OrderFilled || !orders[0].FilledQty.Equal(decimal.NewFromInt(3)) {
		t.Fatalf("orders after a market buy: %+v", orders)
	}
	avg := "$" + views.FormatPrice(orders[0].FilledAvgPrice.Decimal, decimal.Zero)
	for _, want := range []string{`data-testid="ticket-placed"`, "Filled", "Bought 3 AAPL at " + avg,
		`id="positions-panel" hx-swap-oob="true"`, `data-testid="position-row" data-symbol="AAPL"`,
		`id="open-orders-panel" hx-swap-oob="true"`, `id="acct-equity" hx-swap-oob="true"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the answer lacks %q", want)
		}
	}
	// The figures and the ticket's footer show the account after the fill, not the row the
	// handler read before placing.
	acct, _ := models.PaperAccountsOf(context.Background(), p.db.Gorm, p.alice.ID)
	after, _ := p.svc.Trading.Value(context.Background(), p.db.Gorm, &acct[0])
	cash := views.FormatMoney(after.Cash)
	if !strings.Contains(body, `id="acct-cash" hx-swap-oob="true"`) || !strings.Contains(body, ">"+cash+"<") || after.Cash.Equal(decimal.NewFromInt(100000)) {
		t.Errorf("the answer does not show the cash after the fill, %s", cash)
	}
	// The ticket comes back empty for the next order.
	if qty := regexp.MustCompile(`<input id="tk-qty"[^>]*>`).FindString(body); qty == "" || strings.Contains(qty, "value=") {
		t.Errorf("the ticket's quantity after the order was placed: %q", qty)
	}

	b.htmx = false
	_, page := b.get("/orders?status=all")
	for _, want := range []string{`data-order-id="` + orders[0].ID.String() + `"`, ">filled<", avg[1:], `href="/fills/`} {
		if !strings.Contains(page, want) {
			t.Errorf("/orders?status=all lacks %q", want)
		}
	}
	if _, open := b.get("/orders"); strings.Contains(open, orders[0].ID.String()) {
		t.Error("a filled order is listed among the open orders")
	}

	// Without JavaScript the ticket posts and lands on the orders page with a flash.
	resp, _ = b.post("/orders", tradeTicket("qty", "2"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders?status=all" {
		t.Fatalf("plain POST /orders: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page := b.get("/orders?status=all"); !strings.Contains(page, "Filled: Bought 2 AAPL at $") {
		t.Error("no flash after a plain order")
	}
	a := p.account(p.alice)
	pos, err := models.PositionsOf(context.Background(), p.db.Gorm, a.ID, a.Period)
	if err != nil || len(pos) != 1 || !pos[0].Qty.Equal(decimal.NewFromInt(5)) {
		t.Fatalf("position after two buys: %+v %v", pos, err)
	}
}

func TestTradeTicketRefusesBadOrdersInline(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, true)
	cases := []struct {
		name  string
		form  url.Values
		field string // the error slot that carries the message; "" for the summary only
		want  string
	}{
		{"quantity not a number", tradeTicket("qty", "ten"), "qty", "Quantity must be a number, such as 10 or 187.50."},
		{"zero quantity", tradeTicket("qty", "0"), "qty", "Quantity must be > 0."},
		{"no size", tradeTicket("qty", ""), "qty", "Quantity or notional is required."},
		{"limit without a price", tradeTicket("type", "limit"), "limit_price", "Limit price is required for limit and stop-limit orders."},
		{"price off the tick", tradeTicket("type", "limit", "limit_price", "10.001"), "limit_price", "Sub-penny increment does not fulfill minimum pricing criteria."},
		{"stop without a price", tradeTicket("type", "stop"), "stop_price", "Stop price is required for stop and stop-limit orders."},
		{"two trails", tradeTicket("type", "trailing_stop", "trail_price", "1", "trail_percent", "2"), "trail_price", "Trailing stop orders need exactly one of trail price or trail percent."},
		{"bracket without take profit", tradeTicket("type", "limit", "limit_price", "100", "order_class", "bracket", "sl_stop_price", "90"), "tp_limit_price", "Bracket orders require take-profit limit price."},
		{"unknown symbol", tradeTicket("symbol", "ZZZZZ"), "symbol", `Asset "ZZZZZ" not found.`},
		{"crypto for the day", tradeTicket("symbol", "BTC/USD", "qty", "0.01"), "time_in_force", "Crypto orders must use time in force gtc or ioc."},
		{"beyond buying power", tradeTicket("qty", "100000"), "", "The order was not placed: Insufficient buying power."},
	}
	for _, tc := range cases {
		resp, body := b.post("/orders", tc.form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tc.name, resp.StatusCode)
			continue
		}
		got := htmlText(body)
		slot := `data-testid="error-` + tc.field + `">` + tc.want + `</p>`
		if tc.field == "" {
			slot = tc.want
		}
		if !strings.Contains(got, slot) {
			t.Errorf("%s: the ticket lacks %q", tc.name, slot)
		}
		if !strings.Contains(got, `data-testid="form-error"`) {
			t.Errorf("%s: no summary above the ticket", tc.name)
		}
	}
	if n := len(p.orders(p.alice)); n != 0 {
		t.Fatalf("refused orders wrote %d order rows", n)
	}

	// Without JavaScript the refusal is the trade page with the ticket as typed.
	b.htmx = false
	resp, body := b.post("/orders", tradeTicket("qty", "0", "symbol", "MSFT"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(htmlText(body), "Quantity must be > 0.") ||
		!strings.Contains(body, `data-testid="trading-shell"`) || !strings.Contains(body, `value="MSFT"`) {
		t.Fatalf("plain refused order: %d", resp.StatusCode)
	}
}

func TestTradePreviewShowsFeesAndBuyingPowerAfter(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	ctx := context.Background()
	a := p.account(p.alice)
	st := trading.DefaultSettings()
	st.Commission, st.RegulatoryFees = fees.PerShare, true
	if _, err := p.svc.Trading.UpdateSettings(ctx, p.alice.ID, a.ID, a.Name, st); err != nil {
		t.Fatal(err)
	}
	b := p.as(p.alice, true)

	for _, side := range []fill.Side{fill.Buy, fill.Sell} {
		resp, body := b.post("/trade/preview", tradeTicket("side", string(side), "qty", "10"))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("preview %s: %d\n%s", side, resp.StatusCode, body)
		}
		want, err := p.svc.Trading.Preview(ctx, p.alice.ID, a.ID, order.Request{Symbol: "AAPL", Side: side, Type: fill.Market,
			TimeInForce: fill.Day, Qty: decimal.NullDecimal{Decimal: decimal.NewFromInt(10), Valid: true}})
		if err != nil {
			t.Fatal(err)
		}
		if !want.Fees.Commission.IsPositive() || side == fill.Sell && !want.Fees.SEC.Add(want.Fees.TAF).IsPositive() {
			t.Fatalf("the test needs fees to show: %+v", want.Fees)
		}
		got := htmlText(body)
		for _, s := range []string{
			`data-testid="preview-commission">` + views.FormatMoney(want.Fees.Commission) + "<",
			`data-testid="preview-sec">` + views.FormatMoney(want.Fees.SEC) + "<",
			`data-testid="preview-taf">` + views.FormatMoney(want.Fees.TAF) + "<",
			`data-testid="preview-buying-power">` + views.FormatMoney(want.BuyingPowerBefore) + " → " + views.FormatMoney(want.BuyingPowerAfter) + "<",
			`data-outcome="fills"`, "Fills: realistic",
		} {
			if !strings.Contains(got, s) {
				t.Errorf("preview %s lacks %q", side, s)
			}
		}
		if side == fill.Buy && !want.BuyingPowerAfter.LessThan(want.BuyingPowerBefore) {
			t.Errorf("a buy leaves buying power at %s (before %s)", want.BuyingPowerAfter, want.BuyingPowerBefore)
		}
	}

	// A refusal is part of the estimate (200), and each field's slot comes with it.
	resp, body := b.post("/trade/preview", tradeTicket("qty", "0"))
	got := htmlText(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(got, `data-testid="preview-refusal"`) ||
		!strings.Contains(got, `id="tk-qty-error" class="field-error" data-testid="error-qty" hx-swap-oob="true">Quantity must be > 0.</p>`) ||
		!strings.Contains(got, `id="tk-limit_price-error"`) {
		t.Fatalf("refused preview: %d\n%s", resp.StatusCode, body)
	}
	// Nothing to estimate yet: a prompt, and no messages.
	if _, body := b.post("/trade/preview", tradeTicket("qty", "")); !strings.Contains(body, `data-testid="preview-prompt"`) || strings.Contains(body, "Qty or notional") {
		t.Error("an empty ticket is not answered with a prompt")
	}
	if n := len(p.orders(p.alice)); n != 0 {
		t.Fatalf("previews wrote %d orders", n)
	}
}

func TestTradeOrderActionsOnAnotherPersonsOrderAreNotFound(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	ctx := context.Background()
	bobs := p.account(p.bob)
	o, err := p.svc.Trading.PlaceOrder(ctx, p.bob.ID, bobs.ID, order.Request{Symbol: "AAPL", Side: fill.Buy, Type: fill.Limit,
		TimeInForce: fill.GTC, Qty: decimal.NullDecimal{Decimal: decimal.NewFromInt(1), Valid: true},
		LimitPrice: decimal.NullDecimal{Decimal: decimal.NewFromInt(1), Valid: true}}, trading.SourceAPI)
	if err != nil || o.Status != models.OrderNew {
		t.Fatalf("bob's resting order: %v %+v", err, o)
	}
	for _, htmx := range []bool{false, true} {
		b := p.as(p.alice, htmx)
		for _, path := range []string{"/orders/" + o.ID.String() + "/cancel", "/orders/" + o.ID.String() + "/replace", "/orders/not-a-uuid/cancel"} {
			resp, _ := b.post(path, url.Values{"qty": {"5"}, "sections": {"orders-open"}})
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("alice POST %s (htmx %v): %d, want 404", path, htmx, resp.StatusCode)
			}
		}
	}
	after, err := models.OrderOf(ctx, p.db.Gorm, bobs.ID, o.ID)
	if err != nil || after.Status != models.OrderNew || !after.Qty.Decimal.Equal(decimal.NewFromInt(1)) {
		t.Fatalf("bob's order changed: %+v %v", after, err)
	}
}

func TestTradeCancelAndReplaceRestingOrders(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, true)
	const sections = "figures,orders-open"

	// A limit far below the market rests.
	resp, body := b.post("/orders", tradeTicket("type", "limit", "limit_price", "1.00", "qty", "2", "time_in_force", "gtc"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Order resting") {
		t.Fatalf("resting limit: %d\n%s", resp.StatusCode, body)
	}
	resting := p.orders(p.alice)[0]
	if resting.Status != models.OrderNew {
		t.Fatalf("the limit order is %s", resting.Status)
	}
	if _, page := b.get("/orders?status=open"); !strings.Contains(page, `data-order-id="`+resting.ID.String()+`" data-status="new"`) {
		t.Fatal("the resting order is not among the open orders")
	}

	// Replace with a bad quantity: the row's form comes back with the message under the field.
	resp, body = b.post("/orders/"+resting.ID.String()+"/replace", url.Values{"qty": {"0"}, "sections": {sections}, "panel": {"orders-open"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(htmlText(body), `data-testid="replace-error-qty">Quantity must be > 0.</p>`) ||
		!strings.Contains(body, `<tbody id="order-`+resting.ID.String()+`" hx-swap-oob="true"`) {
		t.Fatalf("refused replace: %d\n%s", resp.StatusCode, body)
	}
	// Replace the limit price: the old order ends as replaced, the new one is open.
	resp, body = b.post("/orders/"+resting.ID.String()+"/replace", url.Values{"limit_price": {"2"}, "qty": {"2"}, "sections": {sections}, "panel": {"orders-open"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Replaced: buy 2 AAPL limit $2.00.") {
		t.Fatalf("replace: %d\n%s", resp.StatusCode, body)
	}
	orders := p.orders(p.alice)
	replacement := orders[0]
	if replacement.Replaces == nil || *replacement.Replaces != resting.ID || replacement.Status != models.OrderNew || orders[1].Status != models.OrderReplaced {
		t.Fatalf("after replace: %+v", orders)
	}
	if !strings.Contains(body, `id="orders-panel" hx-swap-oob="true"`) || !strings.Contains(body, `data-order-id="`+replacement.ID.String()+`"`) ||
		strings.Contains(body, `data-order-id="`+resting.ID.String()+`"`) {
		t.Error("the open orders after a replace do not show the new order alone")
	}

	// Cancel it: gone from the open orders.
	resp, body = b.post("/orders/"+replacement.ID.String()+"/cancel", url.Values{"sections": {sections}})
	if resp.StatusCode != http.StatusOK || strings.Contains(body, `data-order-id="`+replacement.ID.String()+`"`) || !strings.Contains(body, "Canceled: buy 2 AAPL limit $2.00.") {
		t.Fatalf("cancel: %d\n%s", resp.StatusCode, body)
	}
	if o, _ := models.OrderOf(context.Background(), p.db.Gorm, p.account(p.alice).ID, replacement.ID); o.Status != models.OrderCanceled {
		t.Fatalf("the canceled order is %s", o.Status)
	}
	// Canceling it again is refused clearly, never a 500.
	resp, body = b.post("/orders/"+replacement.ID.String()+"/cancel", url.Values{"sections": {sections}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(htmlText(body), `The order was not canceled: Order is already in "canceled" state.`) {
		t.Fatalf("second cancel: %d\n%s", resp.StatusCode, body)
	}
}

func TestTradeCancelOfAFilledOrderIsRefused(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, true)
	if resp, body := b.post("/orders", tradeTicket()); resp.StatusCode != http.StatusOK {
		t.Fatalf("market buy: %d\n%s", resp.StatusCode, body)
	}
	filled := p.orders(p.alice)[0]
	resp, body := b.post("/orders/"+filled.ID.String()+"/cancel", url.Values{"sections": {"orders-all"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get(hxRetarget) != "#flashes" ||
		!strings.Contains(htmlText(body), `Order is already in "filled" state.`) {
		t.Fatalf("htmx cancel of a filled order: %d %q\n%s", resp.StatusCode, resp.Header.Get(hxRetarget), body)
	}
	b.htmx = false
	resp, _ = b.post("/orders/"+filled.ID.String()+"/cancel", url.Values{"next": {"/orders?status=all"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders?status=all" {
		t.Fatalf("plain cancel of a filled order: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page := b.get("/orders?status=all"); !strings.Contains(htmlText(page), `The order was not canceled: Order is already in "filled" state.`) {
		t.Error("no flash after a refused plain cancel")
	}
}

func TestTradeClosePosition(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, true)
	if resp, body := b.post("/orders", tradeTicket("symbol", "msft", "qty", "4")); resp.StatusCode != http.StatusOK {
		t.Fatalf("market buy: %d\n%s", resp.StatusCode, body)
	}
	resp, body := b.post("/positions/close", url.Values{"symbol": {"MSFT"}, "sections": {"figures,positions,open-orders"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Filled: Sold 4 MSFT at $") ||
		!strings.Contains(body, `id="positions-panel" hx-swap-oob="true" data-testid="positions-panel" data-count="0"`) {
		t.Fatalf("close: %d\n%s", resp.StatusCode, body)
	}
	a := p.account(p.alice)
	if pos, _ := models.PositionsOf(context.Background(), p.db.Gorm, a.ID, a.Period); len(pos) != 0 {
		t.Fatalf("positions after closing: %+v", pos)
	}
	// Closing what is not held is a 404, not a 500.
	if resp, _ := b.post("/positions/close", url.Values{"symbol": {"MSFT"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("closing a flat position: %d", resp.StatusCode)
	}
}

func TestTradePagesRender(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, false)
	_, page := b.get("/trade?symbol=aapl")
	for _, want := range []string{`data-testid="ticket-form"`, `<h2 id="ticket-title" class="card-title">Trade AAPL</h2>`,
		`ws-connect="/ws/trading?sections=figures%2Cpositions%2Copen-orders"`, `id="positions-panel"`, `id="open-orders-panel"`,
		`src="/static/js/trading.js?v=`, `id="acct-equity"`} {
		if !strings.Contains(page, want) {
			t.Errorf("/trade lacks %q", want)
		}
	}
	b.htmx = true
	_, frag := b.get("/trade/ticket?symbol=btcusd&ticket=trade&sections=figures,positions,open-orders")
	if !strings.Contains(frag, `data-symbol="BTC/USD"`) || strings.Contains(frag, `value="day"`) || !strings.Contains(frag, `value="gtc" selected`) ||
		!strings.Contains(frag, `name="sections" value="figures,positions,open-orders"`) || strings.Contains(frag, "<html") {
		t.Errorf("the crypto ticket fragment:\n%s", frag)
	}
	b.htmx = false
	if _, inst := b.get("/instruments/AAPL"); !strings.Contains(inst, `hx-get="/trade/ticket?symbol=AAPL"`) || !strings.Contains(inst, `ws-connect="/ws/trading"`) {
		t.Error("the instrument page has no ticket for a signed-in person")
	}
	if _, chart := b.get("/chart/AAPL"); !strings.Contains(chart, `hx-get="/trade/ticket?symbol=AAPL"`) {
		t.Error("the chart page has no ticket for a signed-in person")
	}
	if _, guest := p.browser().get("/instruments/AAPL"); !strings.Contains(guest, `data-testid="login-to-trade"`) || strings.Contains(guest, "/ws/trading") {
		t.Error("a guest's instrument page does not invite them to log in to trade")
	}
	if resp, _ := p.browser().get("/trade"); resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Errorf("a guest opening /trade: %d", resp.StatusCode)
	}
	if _, orders := b.get("/orders?status=closed"); !strings.Contains(orders, `ws-connect="/ws/trading?sections=figures%2Corders-closed"`) ||
		!strings.Contains(orders, `data-testid="orders-tab-closed" aria-current="page"`) {
		t.Error("the orders page's closed tab is not live or not marked")
	}
}

func TestTradeLiveUpdates(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	host := strings.TrimPrefix(serveLive(t, p.testApp), "http://")
	b := p.as(p.alice, false)
	var cookies []string
	for k, v := range b.cookies {
		cookies = append(cookies, k+"="+v)
	}
	dial := func(path, origin string) (*websocket.Conn, *http.Response, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, resp, err := websocket.Dial(ctx, "ws://"+host+path, &websocket.DialOptions{HTTPHeader: http.Header{
			"Origin": {origin}, "Cookie": {strings.Join(cookies, "; ")}}})
		if c != nil {
			c.SetReadLimit(1 << 22)
			t.Cleanup(func() { _ = c.CloseNow() })
		}
		return c, resp, err
	}
	if _, resp, err := dial("/ws/trading", "https://evil.example"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-site page connected: %v", err)
	}
	page, _, err := dial("/ws/trading?sections=figures,positions,open-orders", "http://"+host)
	if err != nil {
		t.Fatal(err)
	}
	notices, _, err := dial("/ws/trading", "http://"+host)
	if err != nil {
		t.Fatal(err)
	}
	// The first frame says the connection listens: whatever commits after it must reach it.
	for _, c := range []*websocket.Conn{page, notices} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, hello, err := c.Read(ctx)
		cancel()
		if err != nil || string(hello) != wsTradingHello {
			t.Fatalf("first frame = %q, %v; want the hello", hello, err)
		}
	}

	a := p.account(p.alice)
	if _, err := p.svc.Trading.PlaceOrder(context.Background(), p.alice.ID, a.ID, order.Request{Symbol: "MSFT", Side: fill.Buy,
		Type: fill.Market, TimeInForce: fill.Day, Qty: decimal.NullDecimal{Decimal: decimal.NewFromInt(1), Valid: true}}, trading.SourceAPI); err != nil {
		t.Fatal(err)
	}
	read := func(c *websocket.Conn, until func(string) bool) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var all strings.Builder
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				t.Fatalf("no frame with what was expected: %v\nreceived:\n%s", err, all.String())
			}
			all.Write(msg)
			if until(all.String()) {
				return all.String()
			}
		}
	}
	got := read(page, func(s string) bool {
		return strings.Contains(s, `data-testid="position-row" data-symbol="MSFT"`) && strings.Contains(s, "Filled: buy 1 MSFT @ ")
	})
	for _, want := range []string{`id="acct-equity" hx-swap-oob="true"`, `id="open-orders-panel" hx-swap-oob="true"`, `id="flashes" hx-swap-oob="afterbegin"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the trade page's frames lack %q", want)
		}
	}
	got = read(notices, func(s string) bool { return strings.Contains(s, "Filled: buy 1 MSFT @ ") })
	if strings.Contains(got, "positions-panel") || strings.Contains(got, "acct-equity") {
		t.Error("a page without sections was sent sections it does not have")
	}
}

func TestTradeOrdersPageLoadsMore(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	ctx := context.Background()
	a := p.account(p.alice)
	for i := 0; i < ordersPerPage+2; i++ {
		p.clock.Advance(time.Millisecond) // distinct creation times, as people place orders
		if _, err := p.svc.Trading.PlaceOrder(ctx, p.alice.ID, a.ID, order.Request{Symbol: "AAPL", Side: fill.Buy, Type: fill.Limit,
			TimeInForce: fill.GTC, Qty: decimal.NullDecimal{Decimal: decimal.NewFromInt(1), Valid: true},
			LimitPrice: decimal.NullDecimal{Decimal: decimal.NewFromInt(int64(1 + i)), Valid: true}}, trading.SourceAPI); err != nil {
			t.Fatal(err)
		}
	}
	b := p.as(p.alice, false)
	_, page := b.get("/orders?status=open")
	if n := strings.Count(page, `data-testid="order-row"`); n != ordersPerPage {
		t.Fatalf("the first page shows %d orders", n)
	}
	more := regexp.MustCompile(`hx-get="([^"]+)"[^>]*data-testid="orders-more"`).FindStringSubmatch(page)
	if len(more) < 2 || more[1] == "" {
		t.Fatal("no Load more button on a full page")
	}
	b.htmx = true
	_, rest := b.get(html.UnescapeString(more[1]))
	if n := strings.Count(rest, `data-testid="order-row"`); n != 2 || strings.Contains(rest, "orders-more") || strings.Contains(rest, "<html") {
		t.Fatalf("the next page shows %d orders:\n%s", n, rest)
	}
	// The two oldest orders (limits 1 and 2) are the ones left for the second page.
	for _, limit := range []string{"limit 1.00", "limit 2.00"} {
		if !strings.Contains(rest, limit) || strings.Contains(page, ">"+limit+"<") {
			t.Errorf("%s is not on the second page alone", limit)
		}
	}
}
