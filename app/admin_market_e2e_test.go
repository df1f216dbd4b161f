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
