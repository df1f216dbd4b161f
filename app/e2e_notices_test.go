package app

import (
	"context"
	"strings"
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

	// The tab is in the background and the person turned desktop notifications on: the browser's
	// Notification is replaced by a recorder (headless Chromium shows none), and the page is told
	// it is hidden, as a switched-away tab is.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		window.__shown = [];
		window.Notification = class { constructor(title, opts) { window.__shown.push({ title, body: opts.body, tag: opts.tag }); } };
		window.Notification.permission = 'granted';
		localStorage.setItem('notify', '1');
		window.__hidden = true;
		Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => window.__hidden ? 'hidden' : 'visible' });
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}

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

	// In the background the title counted it and the browser was asked to show it, once.
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title`))
	if err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]struct{ Title, Body, Tag string }](`window.__shown`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(title, "(1) ") {
		t.Errorf("title while hidden = %q, want it to count one unseen notice", title)
	}
	if len(shown) != 1 || !strings.Contains(shown[0].Body, "Filled: buy 2 AAPL @") || shown[0].Tag != key {
		t.Errorf("desktop notifications = %+v, want one for the fill", shown)
	}
	// Coming back to the tab clears the count.
	waitFor("the title without its count", `(() => { window.__hidden = false; document.dispatchEvent(new Event('visibilitychange'));
		return !document.title.startsWith('('); })()`)
}
