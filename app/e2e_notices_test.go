package app

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// TestBrowserFillNoticeElsewhere: a person reading /markets (a page with no trading panel) is
// told of a fill at once, by exactly one notice, placed at the bottom of the window where it
// covers none of the page's figures.
func TestBrowserFillNoticeElsewhere(t *testing.T) {
	h := newSymbolsHarness(t)
	app, ctx, step, waitFor := h.app, h.ctx, h.step, h.waitFor
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	email := newPersonFor(t, app)
	step("log in on markets",
		chromedp.Navigate(app.base+"/login?next=%2Fmarkets"),
		chromedp.WaitVisible(css(`#login-form`)),
		chromedp.SendKeys(css(`#login-form input[name="email"]`), email),
		chromedp.SendKeys(css(`#login-form input[name="password"]`), goodPassword),
		chromedp.Click(css(`[data-testid="submit-login"]`)),
		chromedp.WaitVisible(css(`[data-testid="user-menu"]`)))
	waitFor("the notices' connection", `document.body.dataset.noticesLive === '1' &&
		document.querySelectorAll('[ws-connect^="/ws/trading"]').length === 1`)

	// A fill from elsewhere (a bot through the API).
	ctxb := context.Background()
	person, err := models.UserByEmail(ctxb, app.svc.DB, email)
	if err != nil {
		t.Fatal(err)
	}
	accts, err := app.svc.Trading.Accounts(ctxb, person.ID)
	if err != nil || len(accts) == 0 {
		t.Fatalf("accounts: %v", err)
	}
	o, err := app.svc.Trading.PlaceOrder(ctxb, person.ID, accts[0].ID, order.Request{Symbol: "AAPL", Side: fill.Buy, Type: fill.Market,
		TimeInForce: fill.Day, Qty: decimal.NullDecimal{Decimal: decimal.NewFromInt(2), Valid: true}}, trading.SourceAPI)
	if err != nil {
		t.Fatal(err)
	}
	key := orderNoticeKey(o.ID)
	waitFor("the fill notice", `Array.from(document.querySelectorAll('#flashes [data-flash]')).some(e => e.textContent.includes('Filled: buy 2 AAPL @'))`)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#flashes [data-toast-key=`+jsString(key)+`]').length`))
	if err != nil || n != 1 {
		t.Errorf("%d notices of the fill (%v), want 1", n, err)
	}
	// At the bottom of the window, clear of the header and the page's top figures.
	if low, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const r = document.querySelector('#flashes [data-flash]').getBoundingClientRect();
		return r.top > window.innerHeight / 2 && r.bottom <= window.innerHeight; })()`)); !low {
		t.Error("the notice is not at the bottom of the window")
	}
	screenshot(t, ctx, "fill-notice-markets")
}
