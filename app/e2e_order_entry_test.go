package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// TestBrowserOrderEntry drives the trade page in Chromium for what the server cannot show alone:
// the submit button disabled with its reason while the preview refuses; a refused order's
// message scrolled to and focused; the positions table's Close in view at 1024 px; and the
// app's own dialog (not the browser's confirm()) asking before a position is closed.
func TestBrowserOrderEntry(t *testing.T) {
	// The machine running the suite may be busy: the deadline is generous, so a slow answer is
	// not mistaken for a missing one.
	ctx := newBrowserWithin(t, 5*time.Minute)
	app := startLiveApp(t, liveOptions{feed: true, vars: map[string]string{"SIM_ALWAYS_OPEN": "true", "SIM_TICK_INTERVAL": "200ms"}})
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			screenshot(t, ctx, "failed-order-entry-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	waitFor := func(what, cond string) {
		t.Helper()
		if err := waitJSWithin(ctx, cond, 45*time.Second); err != nil {
			screenshot(t, ctx, "failed-order-entry-wait")
			for _, line := range strings.Split(app.logs.String(), "\n") {
				if strings.Contains(line, "level=ERROR") || strings.Contains(line, "level=WARN") {
					t.Log(line)
				}
			}
			t.Fatalf("waiting for %s (%s): %v", what, cond, err)
		}
	}
	pageErrors := collectPageErrors(t, ctx)
	t.Cleanup(func() {
		var errs []string
		for _, e := range pageErrors() {
			// The refused order's 422 is the answer this test asks for.
			if !strings.Contains(e, "status of 422") && e != "console.error" {
				errs = append(errs, e)
			}
		}
		if len(errs) > 0 {
			t.Errorf("errors on the page (script exceptions, CSP violations, failed requests):\n%s", strings.Join(errs, "\n"))
		}
	})

	email := newPersonFor(t, app)
	person, err := models.UserByEmail(context.Background(), app.svc.DB, email)
	if err != nil {
		t.Fatal(err)
	}
	accts, err := app.svc.Trading.Accounts(context.Background(), person.ID)
	if err != nil || len(accts) == 0 {
		t.Fatalf("accounts: %v", err)
	}
	// Positions with long symbols and large figures, so the table is as wide as it gets.
	for _, sym := range []string{"AAPL", "BTC/USD"} {
		qty := decimal.NewFromInt(120)
		if sym == "BTC/USD" {
			qty = decimal.RequireFromString("0.5")
		}
		if _, err := app.svc.Trading.PlaceOrder(context.Background(), person.ID, accts[0].ID, order.Request{Symbol: sym, Side: fill.Buy,
			Type: fill.Market, TimeInForce: fill.GTC, Qty: decimal.NullDecimal{Decimal: qty, Valid: true}}, trading.SourceAPI); err != nil {
			t.Fatal(err)
		}
	}

	step("log in at 1024 px",
		chromedp.EmulateViewport(1024, 768),
		chromedp.Navigate(app.base+"/login?next=%2Ftrade%3Fsymbol%3DMSFT"),
		chromedp.WaitVisible(css(`#login-form`)),
		chromedp.SendKeys(css(`#login-form input[name="email"]`), email),
		chromedp.SendKeys(css(`#login-form input[name="password"]`), goodPassword),
		chromedp.Click(css(`[data-testid="submit-login"]`)),
		chromedp.WaitVisible(css(`[data-testid="ticket-form"]`)))
	waitFor("the positions", `document.querySelectorAll('#positions-panel [data-testid="position-row"]').length === 2`)

	// (a) Close is in view at 1024 px: inside the viewport and not clipped by the table's
	// scrolling box.
	const closeInView = `(() => {
		const btns = document.querySelectorAll('#positions-panel [data-testid="close-position"]');
		return btns.length === 2 && Array.from(btns).every(b => {
			const r = b.getBoundingClientRect();
			const box = b.closest('.table-scroll') || document.documentElement;
			const c = box.getBoundingClientRect();
			return r.width > 0 && r.left >= Math.max(0, c.left) - 1 && r.right <= Math.min(window.innerWidth, c.right) + 1;
		});
	})()`
	waitFor("Close in view at 1024 px", closeInView)
	screenshot(t, ctx, "order-entry-positions-1024")

	// (b) An order the preview refuses: the button is disabled and says why.
	step("a quantity beyond the buying power", chromedp.SendKeys(css(`#tk-qty`), "9000000"))
	waitFor("the refusal in the preview", `!!document.querySelector('[data-testid="preview-refusal"]')`)
	waitFor("the disabled button with its reason", `document.getElementById('tk-submit').disabled &&
		!document.getElementById('tk-submit-reason').hidden && document.getElementById('tk-submit-reason').textContent.includes('refused')`)

	// (c) Sent anyway (as when the click beats the preview's answer): the refusal comes back
	// scrolled into view and focused.
	step("scroll away and send", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.body.scrollHeight);
		htmx.trigger(document.getElementById('tk-form'), 'submit')`))
	waitFor("the refused order's message focused", `document.activeElement && document.activeElement.id === 'tk-form-error'`)
	waitFor("the message in view", `(() => { const r = document.getElementById('tk-form-error').getBoundingClientRect();
		return r.top >= 0 && r.bottom <= window.innerHeight; })()`)
	screenshot(t, ctx, "order-entry-refused")

	// (d) Closing a position asks in the app's dialog; Cancel keeps it, and focus returns.
	step("close AAPL", chromedp.Evaluate[chromedp.Void](`(() => { const b = document.querySelector('[data-symbol="AAPL"] [data-testid="close-position"]');
		b.scrollIntoView({block: 'center'}); b.focus(); b.click(); })()`))
	waitFor("the dialog open and focused", `document.getElementById('confirm-dialog').open &&
		document.getElementById('confirm-dialog').contains(document.activeElement)`)
	if msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('confirm-dialog').textContent.replace(/\s+/g, ' ').trim()`)); !strings.Contains(msg, "Sell 120 AAPL at market to close the position?") || !strings.Contains(msg, "Close AAPL") {
		t.Errorf("the dialog reads %q", msg)
	}
	screenshot(t, ctx, "order-entry-close-dialog")
	step("cancel", chromedp.Click(css(`[data-testid="confirm-cancel"]`)), chromedp.Sleep(500*time.Millisecond))
	waitFor("the dialog closed, focus back on Close", `!document.getElementById('confirm-dialog').open &&
		document.activeElement === document.querySelector('[data-symbol="AAPL"] [data-testid="close-position"]')`)
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#positions-panel [data-testid="position-row"]').length`)); n != 2 {
		t.Fatalf("%d positions after Cancel, want 2", n)
	}
	step("close AAPL again", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-symbol="AAPL"] [data-testid="close-position"]').click()`))
	waitFor("the dialog again", `document.getElementById('confirm-dialog').open`)
	step("confirm", chromedp.Click(css(`[data-testid="confirm-ok"]`)))
	waitFor("the position closed", `!document.querySelector('#positions-panel [data-symbol="AAPL"]') && !!document.querySelector('#positions-panel [data-symbol="BTC/USD"]')`)

	// Dark mode at the phone width, for the screenshots.
	step("dark", chromedp.Click(css(`[data-testid="theme-toggle"]`)), chromedp.Sleep(200*time.Millisecond))
	screenshotsAt(t, ctx, "order-entry-dark")
}
