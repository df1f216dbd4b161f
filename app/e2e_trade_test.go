package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// TestBrowserTrade drives the order ticket in Chromium against the whole app with its feed
// running on a simulated market that is always open: a market buy fills and its position appears
// without a reload, a limit far below the market rests and is canceled from the open orders, and
// an order placed elsewhere (the API) reaches the page over /ws/trading.
func TestBrowserTrade(t *testing.T) {
	ctx := newBrowserWithin(t, 3*time.Minute) // the review step adds round trips
	app := startLiveApp(t, liveOptions{feed: true, vars: map[string]string{"SIM_ALWAYS_OPEN": "true", "SIM_TICK_INTERVAL": "200ms"}})
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			screenshot(t, ctx, "failed-trade-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	waitFor := func(what, cond string) {
		t.Helper()
		if err := waitJS(ctx, cond); err != nil {
			screenshot(t, ctx, "failed-trade-wait")
			t.Fatalf("waiting for %s (%s): %v", what, cond, err)
		}
	}
	// setSelect chooses an option as a person would, so that the change event runs.
	setSelect := func(id, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(() => { const el = document.getElementById(` + jsString(id) + `);
			el.value = ` + jsString(value) + `; el.dispatchEvent(new Event('change', {bubbles: true})); })()`)
	}
	pageErrors := collectPageErrors(t, ctx)
	// The text of console errors, which collectPageErrors only counts, to say what went wrong.
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventConsoleAPICalled); ok && e.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			t.Logf("console.error: %s", strings.Join(parts, " "))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if errs := pageErrors(); len(errs) > 0 {
			t.Errorf("errors on the trading pages (script exceptions, CSP violations, failed requests):\n%s", strings.Join(errs, "\n"))
		}
	})
	const noReload = `window.__noReload === true`

	email := newPersonFor(t, app)
	step("log in",
		chromedp.Navigate(app.base+"/login?next=%2Ftrade%3Fsymbol%3DAAPL"),
		chromedp.WaitVisible(css(`#login-form`)),
		chromedp.SendKeys(css(`#login-form input[name="email"]`), email),
		chromedp.SendKeys(css(`#login-form input[name="password"]`), goodPassword),
		chromedp.Click(css(`[data-testid="submit-login"]`)),
		chromedp.WaitVisible(css(`[data-testid="ticket-form"]`)))
	waitFor("the live connection", `document.body.dataset.tradingLive === '1'`)
	if hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-tk-types="limit stop_limit"]').hidden`)); !hidden {
		t.Error("the limit price shows for a market order")
	}

	// (a) A market buy from the ticket: the estimate, then the fill and the position, live.
	step("type a quantity",
		void(chromedp.Evaluate[any](`window.__noReload = true`)),
		chromedp.SendKeys(css(`#tk-qty`), "3"))
	waitFor("the estimate", `!!document.querySelector('[data-testid="preview-outcome"][data-outcome="fills"]')`)
	if label, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-tk-submit-label]').textContent`)); label != "Buy AAPL" {
		t.Errorf("the submit button says %q", label)
	}
	screenshotsAt(t, ctx, "trade-ticket-preview")
	step("review the market buy", chromedp.Click(css(`[data-testid="ticket-submit"]`)))
	// The account reviews orders (the default): the review's heading takes the focus, and
	// nothing is placed until "Send order".
	waitFor("the review", `document.activeElement && document.activeElement.id === 'tk-review-title'`)
	if summary, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="review-summary"]').textContent.trim()`)); summary != "Buy 3 AAPL · market · DAY" {
		t.Errorf("the review's summary reads %q", summary)
	}
	screenshotsAt(t, ctx, "trade-review")
	step("send the market buy", chromedp.Click(css(`[data-testid="review-send"]`)))
	waitFor("the fill message", `(document.querySelector('[data-testid="ticket-placed"]') || {}).textContent?.includes('Bought 3 AAPL at $')`)
	waitFor("the position", `!!document.querySelector('#positions-panel [data-testid="position-row"][data-symbol="AAPL"]') && `+noReload)
	if qty, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-symbol="AAPL"] [data-testid="position-qty"]').textContent.trim()`)); qty != "3" {
		t.Errorf("the AAPL position shows %q shares", qty)
	}
	screenshotsAt(t, ctx, "trade-filled")

	// (b) A limit far below the market rests in the open orders; cancel takes it away.
	step("a limit order",
		setSelect("tk-type", "limit"),
		chromedp.WaitVisible(css(`#tk-limit_price`)),
		chromedp.SendKeys(css(`#tk-qty`), "2"),
		chromedp.SendKeys(css(`#tk-limit_price`), "1.00"),
		setSelect("tk-time_in_force", "gtc"))
	waitFor("the resting estimate", `!!document.querySelector('[data-testid="preview-outcome"][data-outcome="rests"]')`)
	step("review the limit buy", chromedp.Click(css(`[data-testid="ticket-submit"]`)))
	// "Edit order" goes back to the ticket as typed, with the focus on its button.
	step("edit it", chromedp.Click(css(`[data-testid="review-edit"]`)))
	waitFor("the ticket as typed", `document.activeElement && document.activeElement.id === 'tk-submit' && document.getElementById('tk-limit_price').value === '1.00'`)
	step("review it again", chromedp.Click(css(`[data-testid="ticket-submit"]`)))
	step("place the limit buy", chromedp.Click(css(`[data-testid="review-send"]`)))
	waitFor("the resting message", `(document.querySelector('[data-testid="ticket-placed"]') || {}).textContent?.includes('Order resting')`)
	waitFor("the open order", `!!document.querySelector('#open-orders-panel [data-testid="order-row"][data-status="new"]') && `+noReload)
	screenshotsAt(t, ctx, "trade-resting")
	// A click from script: the sticky header can cover the button where DevTools would click.
	step("cancel it", chromedp.Evaluate[chromedp.Void](`document.querySelector('#open-orders-panel [data-testid="cancel-order"]').click()`))
	waitFor("the order gone", `document.querySelectorAll('#open-orders-panel [data-testid="order-row"]').length === 0 && `+noReload)
	waitFor("the cancel notice", `document.getElementById('flashes').textContent.includes('Canceled: buy 2 AAPL limit $1.00')`)

	// (c) An order placed elsewhere reaches the page over the WebSocket.
	person, err := models.UserByEmail(context.Background(), app.svc.DB, email)
	if err != nil {
		t.Fatal(err)
	}
	accts, err := app.svc.Trading.Accounts(context.Background(), person.ID)
	if err != nil || len(accts) == 0 {
		t.Fatalf("accounts: %v", err)
	}
	if _, err := app.svc.Trading.PlaceOrder(context.Background(), person.ID, accts[0].ID, order.Request{Symbol: "MSFT", Side: fill.Buy,
		Type: fill.Market, TimeInForce: fill.Day, Qty: decimal.NullDecimal{Decimal: decimal.NewFromInt(1), Valid: true}}, trading.SourceAPI); err != nil {
		t.Fatal(err)
	}
	waitFor("the MSFT position from the API", `!!document.querySelector('#positions-panel [data-symbol="MSFT"]') && `+noReload)
	waitFor("the fill notice", `document.getElementById('flashes').textContent.includes('Filled: buy 1 MSFT @')`)

	// (d) A replace form someone is typing in survives live updates of the table around it.
	place := func(r order.Request) {
		t.Helper()
		if _, err := app.svc.Trading.PlaceOrder(context.Background(), person.ID, accts[0].ID, r, trading.SourceAPI); err != nil {
			t.Fatal(err)
		}
	}
	one := decimal.NullDecimal{Decimal: decimal.NewFromInt(1), Valid: true}
	place(order.Request{Symbol: "AAPL", Side: fill.Buy, Type: fill.Limit, TimeInForce: fill.GTC, Qty: one,
		LimitPrice: decimal.NullDecimal{Decimal: decimal.NewFromInt(1), Valid: true}})
	waitFor("the API's resting order", `!!document.querySelector('#open-orders-panel [data-testid="order-row"][data-status="new"]')`)
	step("open its replace form", chromedp.Evaluate[chromedp.Void](`(() => {
		const d = document.querySelector('#open-orders-panel details[data-testid="replace"]');
		d.open = true;
		d.querySelector('[data-testid="replace-limit_price"]').value = '2.00';
	})()`))
	place(order.Request{Symbol: "MSFT", Side: fill.Buy, Type: fill.Market, TimeInForce: fill.Day, Qty: one})
	waitFor("the second MSFT fill", `(document.querySelector('#positions-panel [data-symbol="MSFT"] [data-testid="position-qty"]') || {}).textContent?.trim() === '2'`)
	waitFor("the replace form still open with what was typed", `(() => {
		const d = document.querySelector('#open-orders-panel details[data-testid="replace"]');
		return !!d && d.open && d.querySelector('[data-testid="replace-limit_price"]').value === '2.00';
	})()`)
	step("replace it", chromedp.Evaluate[chromedp.Void](`document.querySelector('#open-orders-panel [data-testid="replace-submit"]').click()`))
	waitFor("the replaced order at its new limit", `document.getElementById('open-orders-panel').textContent.includes('2.00') && `+noReload)

	step("dark mode", chromedp.Click(css(`[data-testid="theme-toggle"]`)), chromedp.Sleep(200*time.Millisecond))
	screenshotsAt(t, ctx, "trade-dark")
	step("orders page (dark)", chromedp.Navigate(app.base+"/orders?status=all"), chromedp.WaitVisible(css(`#orders-panel [data-testid="orders-table"]`)))
	waitFor("the orders page live", `document.body.dataset.tradingLive === '1'`)
	screenshotsAt(t, ctx, "orders-all-dark")
	step("light mode", chromedp.Click(css(`[data-testid="theme-toggle"]`)), chromedp.Sleep(200*time.Millisecond))
	screenshotsAt(t, ctx, "orders-all")
	step("instrument ticket", chromedp.Navigate(app.base+"/instruments/AAPL"), chromedp.WaitVisible(css(`[data-testid="ticket-form"]`)))
	waitFor("the embedded ticket's fields", `document.querySelector('[data-tk-types="limit stop_limit"]').hidden === true`)
	screenshotsAt(t, ctx, "instrument-ticket")
}
