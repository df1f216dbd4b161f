package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAdminDataRefresh: an administrator starts a data refresh of two assets from the
// market page and watches its progress bar go from 0 to 100% on the refresh's page, without a
// reload, as the simulated provider's bars are fetched and the candles rebuilt.
func TestBrowserAdminDataRefresh(t *testing.T) {
	ctx := newBrowserWithin(t, 3*time.Minute)
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	base := serveLive(t, a)
	loginAdminInBrowser(t, ctx, a, base)
	pageErrors := collectPageErrors(t, ctx)
	t.Cleanup(func() {
		if errs := pageErrors(); len(errs) > 0 {
			t.Errorf("errors on the market pages (script exceptions, CSP violations):\n%s", strings.Join(errs, "\n"))
		}
	})
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	waitFor := func(what, cond string, within time.Duration) {
		t.Helper()
		if err := waitJSWithin(ctx, cond, within); err != nil {
			screenshot(t, ctx, "failed-admin-refresh")
			t.Fatalf("waiting for %s (%s): %v", what, cond, err)
		}
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}

	// The workers are not running yet, so the page first shows the refresh waiting at 0%.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/market"),
		chromedp.WaitVisible(css(`[data-testid="refresh-form"]`)),
		chromedp.SendKeys(css(`#symbols`), "BTC/USD ETH/USD"),
		chromedp.SetValue(css(`#days`), "3"),
		chromedp.Click(css(`[data-testid="submit-refresh"]`)),
		chromedp.WaitVisible(css(`[data-testid="admin-refresh-page"]`))); err != nil {
		screenshot(t, ctx, "failed-admin-refresh-start")
		t.Fatalf("start the refresh: %v", err)
	}
	if got := eval(`String(document.querySelector('[data-testid="refresh-progress"]').value)`); got != "0" {
		t.Errorf("the new refresh's bar shows %s", got)
	}
	if got := eval(`[...document.querySelectorAll('[data-testid="refresh-item"]')].map(e => e.dataset.symbol + ':' + e.dataset.status).join(' ')`); got != "BTC/USD:pending ETH/USD:pending" {
		t.Errorf("the assets: %s", got)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`window.__noReload = true`)); err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithCancel(context.Background())
	if err := a.svc.River.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		stop, stopCancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer stopCancel()
		_ = a.svc.River.Stop(stop)
	})
	waitFor("the bar at 100%", `document.querySelector('[data-testid="refresh-progress"]').value === 100 && window.__noReload === true`, 2*time.Minute)
	if got := eval(`document.getElementById('refresh-live').dataset.status`); got != "done" {
		t.Errorf("the refresh is %s at 100%%", got)
	}
	if got := eval(`[...document.querySelectorAll('[data-testid="refresh-item"]')].map(e => e.dataset.symbol + ':' + e.dataset.status).join(' ')`); got != "BTC/USD:done ETH/USD:done" {
		t.Errorf("the assets: %s", got)
	}
	if got := eval(`[...document.querySelectorAll('[data-testid="refresh-item-built"]')].every(e => +e.textContent > 0) ? 'built' : 'empty'`); got != "built" {
		t.Error("an asset shows no candles built")
	}
	if got := eval(`String(!!document.querySelector('[data-testid="submit-refresh-cancel"]'))`); got != "false" {
		t.Error("the finished refresh still offers to cancel")
	}
}

// TestBrowserAdminDisablesUser: a person has the trading page open, its WebSocket connected; an
// administrator, in another browser context, disables them from the users page. The person's
// WebSocket is closed at once and is refused when it tries again, and their browser session no
// longer opens a page.
func TestBrowserAdminDisablesUser(t *testing.T) {
	ctx := newBrowserWithin(t, 3*time.Minute)
	// The app without its feed: the trading page's WebSocket carries trade updates, which need
	// none. (startLiveApp's pool timed out at login on the shared machine; this harness does not.)
	a := newTestApp(t, map[string]string{"SIM_ALWAYS_OPEN": "true"})
	seedSimAssets(t, a)
	base := serveLive(t, a)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	waitFor := func(ctx context.Context, what, cond string) {
		t.Helper()
		if err := waitJSWithin(ctx, cond, 30*time.Second); err != nil {
			screenshot(t, ctx, "failed-admin-disable")
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + '\n' + document.body.innerText.slice(0, 600)`))
			t.Log(body)
			for _, l := range strings.Split(a.logs.String(), "\n") {
				if strings.Contains(l, "level=ERROR") || strings.Contains(l, "level=WARN") {
					t.Log(l)
				}
			}
			t.Fatalf("waiting for %s (%s): %v", what, cond, err)
		}
	}
	eval := func(ctx context.Context, expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}

	const email = "grace@example.com"
	a.createUser(email, goodPassword)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login?next=%2Ftrade%3Fsymbol%3DAAPL"),
		chromedp.WaitVisible(css(`#login-form`)),
		chromedp.SendKeys(css(`#login-form input[name="email"]`), email),
		chromedp.SendKeys(css(`#login-form input[name="password"]`), goodPassword),
		chromedp.Click(css(`[data-testid="submit-login"]`))); err != nil {
		t.Fatalf("the person logs in: %v", err)
	}
	waitFor(ctx, "the trading page", `!!document.querySelector('[data-testid="ticket-form"]')`)
	waitFor(ctx, "the live connection", `document.body.dataset.tradingLive === '1'`)
	// Count the WebSocket's openings from here on: a reconnection after the disable would add one.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`window.__wsOpens = 0;
		document.addEventListener('htmx:wsOpen', () => { window.__wsOpens++; });`)); err != nil {
		t.Fatal(err)
	}

	// The administrator, in a browser context of their own (their own cookies).
	adminCtx, cancelAdmin := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelAdmin)
	loginAdminInBrowser(t, adminCtx, a, base)
	if err := chromedp.Do(adminCtx,
		chromedp.Navigate(base+"/admin/users?q=grace"),
		chromedp.WaitVisible(css(`[data-testid="admin-disable-form"]`)),
		// htmx asks for confirmation first, in the app's own dialog; it is accepted as a person would.
		chromedp.Click(css(`[data-testid="submit-admin-disable"]`)),
		chromedp.WaitVisible(css(`[data-testid="confirm-ok"]`)),
		chromedp.Click(css(`[data-testid="confirm-ok"]`))); err != nil {
		t.Fatalf("the administrator disables the account: %v", err)
	}
	waitFor(adminCtx, "the disable's confirmation", `document.body.innerText.includes('is disabled and has been signed out everywhere')`)

	// The person's open WebSocket is closed at once, and stays closed: its reconnections are refused.
	waitFor(ctx, "the live connection closed", `document.body.dataset.tradingLive !== '1'`)
	time.Sleep(3 * time.Second)
	if got := eval(ctx, `String(window.__wsOpens) + ':' + String(document.body.dataset.tradingLive === '1')`); got != "0:false" {
		t.Errorf("after the disable the WebSocket reopened (openings:live = %s)", got)
	}
	// A new WebSocket from the page, with the same session cookie, is refused too.
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Promise(resolve => {
		const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws/trading');
		ws.onopen = () => { ws.close(); resolve('opened'); };
		ws.onclose = () => resolve('refused');
	})`, chromedp.EvalAwaitPromise))
	if err != nil || got != "refused" {
		t.Errorf("a new WebSocket after the disable: %s %v", got, err)
	}
	// And the browser session opens no page: it is sent to log in.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/trade?symbol=AAPL"), chromedp.WaitVisible(css(`#login-form`))); err != nil {
		screenshot(t, ctx, "failed-admin-disable-session")
		t.Fatalf("the disabled person's session still opens the trading page: %v", err)
	}
}
