package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
)

// TestBrowserPortfolio drives the account pages in Chromium against the whole app on a real port:
// a person with ten days of equity history, a fill and an open position opens the portfolio,
// sees the equity chart drawn and switches its range without a reload, opens a fill's receipt
// from the activity page, and the accounts page. Every page is photographed at desktop and
// phone widths, light and dark; a script error or a CSP violation anywhere fails the test.
func TestBrowserPortfolio(t *testing.T) {
	ctx := newBrowser(t)
	a := newPaperApp(t)
	ada, _, acct := a.trader("ada@example.com")
	seedEquity(t, a, acct.ID, tenDays)
	a.clock.Advance(10 * 24 * time.Hour)
	a.market(ada, acct.ID, fill.Buy, "0.02")
	sell := a.market(ada, acct.ID, fill.Sell, "0.01")
	if _, err := a.svc.Trading.OpenAccount(context.Background(), a.db.Gorm, ada.ID, trading.NewAccount{
		Name: "Harsh test", StartingCash: decimal.NewFromInt(25_000),
		Settings: trading.Settings{Commission: "per_share", RegulatoryFees: true, Realism: "harsh"}}); err != nil {
		t.Fatal(err)
	}
	base := serveLive(t, a)

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			screenshot(t, ctx, "failed-portfolio-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			screenshot(t, ctx, "failed-portfolio-eval")
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	waitFor := func(what, cond string) {
		t.Helper()
		if err := waitJS(ctx, cond); err != nil {
			screenshot(t, ctx, "failed-portfolio-wait")
			t.Fatalf("waiting for %s (%s): %v", what, cond, err)
		}
	}
	themed := func(name string) {
		t.Helper()
		screenshotsAt(t, ctx, name+"-light")
		step("dark", chromedp.Click(css(`[data-testid="theme-toggle"]`)))
		waitFor("dark", `document.documentElement.classList.contains('dark')`)
		time.Sleep(300 * time.Millisecond) // let the colour transitions finish (cosmetic: only a screenshot follows)
		screenshotsAt(t, ctx, name+"-dark")
		step("light", chromedp.Click(css(`[data-testid="theme-toggle"]`)))
		waitFor("light", `!document.documentElement.classList.contains('dark')`)
	}
	pageErrors := collectPageErrors(t, ctx)
	t.Cleanup(func() {
		if errs := pageErrors(); len(errs) > 0 {
			t.Errorf("errors on the account pages (script exceptions, CSP violations):\n%s", strings.Join(errs, "\n"))
		}
	})

	step("log in",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/login?next=%2Fportfolio"),
		chromedp.WaitVisible(css(`#login-form`)),
		chromedp.SendKeys(css(`#login-form input[name="email"]`), "ada@example.com"),
		chromedp.SendKeys(css(`#login-form input[name="password"]`), goodPassword),
		chromedp.Click(css(`[data-testid="submit-login"]`)),
		chromedp.WaitVisible(css(`#portfolio-chart canvas`)))

	chart := `document.getElementById('portfolio-chart')`
	waitFor("the equity curve", chart+`.dataset.points === '7' && window.awPortfolio && awPortfolio.points().length === 7`)
	if w := eval(`String(document.querySelector('#portfolio-chart canvas').width)`); w == "0" {
		t.Error("the chart's canvas has no width")
	}
	if got := eval(`awPortfolio.series().options().baseValue.price + ' ' + awPortfolio.points()[0].value`); got != "100000 100000" {
		t.Errorf("baseline and first point: %s, want the period's starting cash", got)
	}
	themed("portfolio")

	// A range button fetches that range and redraws in place: no navigation happens.
	step("mark the page", void(chromedp.Evaluate[any](`window.__noReload = true`)))
	step("one week", chromedp.Click(css(`[data-testid="range-1W"]`)))
	waitFor("the week", chart+`.dataset.range === '1W' && !`+chart+`.dataset.loading && window.__noReload === true`)
	if got := eval(`location.search + ' ' + awPortfolio.points().length + ' ' + awPortfolio.series().options().baseValue.price`); got != "?range=1W 4 99000" {
		t.Errorf("after choosing 1W: %s, want ?range=1W with 4 points from 99000", got)
	}
	if cur := eval(`Array.from(document.querySelectorAll('a[data-range][aria-current="true"]')).map(a => a.dataset.range).join()`); cur != "1W" {
		t.Errorf("current range buttons: %s", cur)
	}
	if txt := eval(`document.getElementById('portfolio-range-label').textContent`); txt != "past week" {
		t.Errorf("range label %q", txt)
	}
	step("one day", chromedp.Click(css(`[data-testid="range-1D"]`)))
	waitFor("the day", chart+`.dataset.range === '1D' && `+chart+`.dataset.points === '3' && window.__noReload === true`)
	screenshot(t, ctx, "portfolio-1d-desktop-light")

	// The receipt, from the activity page.
	step("activity", chromedp.Navigate(base+"/activity"), chromedp.WaitVisible(css(`[data-testid="activity-list"]`)))
	themed("activity")
	step("open a receipt", chromedp.Click(css(`[data-testid="activity-fill"] [data-testid="receipt-link"]`)),
		chromedp.WaitVisible(css(`[data-testid="receipt-scale"] svg`)))
	if id := eval(`document.querySelector('[data-testid="receipt-page"]').dataset.fillId`); id != firstFillOf(t, a, sell).ID.String() {
		t.Errorf("the newest fill's receipt link opened %s", id)
	}
	if rule := eval(`document.querySelector('[data-testid="receipt-rule"]').dataset.rule`); rule != "market_at_bid" {
		t.Errorf("the sale's rule is %s", rule)
	}
	themed("receipt")

	step("accounts", chromedp.Navigate(base+"/accounts"), chromedp.WaitVisible(css(`[data-testid="open-account-form"]`)))
	if n := eval(`String(document.querySelectorAll('[data-testid="account-row"]').length)`); n != "2" {
		t.Errorf("%s accounts listed", n)
	}
	themed("accounts")
	step("settings", chromedp.Click(css(`[data-testid="account-row"] [data-testid="account-settings-link"]`)),
		chromedp.WaitVisible(css(`[data-testid="account-reset-form"]`)))
	themed("account-settings")
}
