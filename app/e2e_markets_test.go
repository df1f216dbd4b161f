package app

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"alpacawrapper/auth"
)

// screenshotsAt saves the current page at desktop and phone widths.
func screenshotsAt(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, size := range []struct {
		suffix string
		w, h   int64
		mobile bool
	}{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}} {
		opts := []chromedp.EmulateViewportOption{}
		if size.mobile {
			opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h, opts...), chromedp.Sleep(300*time.Millisecond)); err != nil {
			t.Logf("viewport %s: %v", size.suffix, err)
			continue
		}
		screenshot(t, ctx, name+"-"+size.suffix)
	}
	_ = chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900))
}

// liveText is the text of a page's live numbers, to see them change.
const liveText = `Array.from(document.querySelectorAll('[data-live]')).map(e => e.id + '=' + e.textContent).join('|')`

func TestBrowserMarketPages(t *testing.T) {
	ctx := newBrowser(t)
	app := startLiveApp(t, liveOptions{feed: true, vars: map[string]string{"SIM_TICK_INTERVAL": "100ms"}})
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			screenshot(t, ctx, "failed-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}

	// (a) A guest opens the home page of a fresh install (nothing set up but the starter lists
	// the first catalogue sync makes) and sees prices change live, without reloading.
	step("guest opens the home page",
		chromedp.Navigate(app.base+"/"),
		chromedp.WaitVisible(css(`[data-testid="landing-live"]`)),
		chromedp.WaitVisible(css(`#q-BTC-USD-last`)),
		// A marker that a reload would wipe out.
		void(chromedp.Evaluate[any](`window.__noReload = true`)))
	before, err := chromedp.Run(ctx, chromedp.Evaluate[string](liveText))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](liveText+` !== `+jsString(before)+` && window.__noReload === true`,
		chromedp.WithPollingTimeout(2*time.Second))); err != nil {
		screenshot(t, ctx, "failed-markets-live")
		t.Fatalf("no quote changed within 2 s (waits on /ws/quotes): %v", err)
	}
	t.Logf("first live change after %v", time.Since(start).Round(time.Millisecond))
	screenshotsAt(t, ctx, "home-guest")
	step("guest opens markets", chromedp.Navigate(app.base+"/markets"), chromedp.WaitVisible(css(`#q-BTC-USD-last`)))
	screenshotsAt(t, ctx, "markets-guest")

	step("guest searches", chromedp.Navigate(app.base+"/instruments?class=us_equity&tradable=true"), chromedp.WaitVisible(css(`[data-testid="results-table"]`)))
	screenshotsAt(t, ctx, "instruments-search")
	step("live search",
		chromedp.Navigate(app.base+"/instruments"),
		chromedp.WaitVisible(css(`#q`)),
		chromedp.SendKeys(css(`#q`), "doge"),
		void(chromedp.Poll[bool](`location.search.includes('q=doge') && !!document.querySelector('[data-symbol="DOGE/USD"]')`, chromedp.WithPollingTimeout(5*time.Second))))
	step("keyboard shortcut",
		chromedp.Navigate(app.base+"/markets"),
		chromedp.WaitVisible(css(`#header-search`)),
		void(chromedp.Evaluate[any](`document.activeElement && document.activeElement.blur()`)),
		chromedp.KeyEvent("/"),
		void(chromedp.Poll[bool](`document.activeElement && document.activeElement.id === 'header-search'`, chromedp.WithPollingTimeout(2*time.Second))),
		// DevTools types the "/" as its own char event, which the page's preventDefault on
		// keydown cannot stop as a real keyboard's is; clear it.
		void(chromedp.Evaluate[any](`document.getElementById('header-search').value = ''`)),
		chromedp.KeyEvent("sol\r"))
	if err := waitJS(ctx, `location.pathname === '/instruments' && location.search === '?q=sol' && !!document.querySelector('[data-symbol="SOL/USD"]')`); err != nil {
		screenshot(t, ctx, "failed-header-search")
		t.Fatalf("Enter in the header search: %v", err)
	}

	step("guest instrument", chromedp.Navigate(app.base+"/instruments/BTC/USD"), chromedp.WaitVisible(css(`[data-testid="login-to-add"]`)))
	screenshotsAt(t, ctx, "instrument-guest")

	// (b) A person adds a symbol to a new list from the instrument page, then another on the
	// list's page, and sees it appear (and move) without a reload.
	ppl := newPersonFor(t, app)
	step("log in",
		chromedp.Navigate(app.base+"/login?next=%2Finstruments%2FETH%2FUSD"),
		chromedp.WaitVisible(css(`#login-form`)),
		chromedp.SendKeys(css(`#login-form input[name="email"]`), ppl),
		chromedp.SendKeys(css(`#login-form input[name="password"]`), goodPassword),
		chromedp.Click(css(`[data-testid="submit-login"]`)),
		chromedp.WaitVisible(css(`[data-testid="watch-form"]`)),
		chromedp.WaitVisible(css(`form[data-ticket]`)))
	step("add from the instrument page",
		void(chromedp.Evaluate[any](`window.__noReload = true`)),
		void(chromedp.Evaluate[any](`document.querySelector('#watchlist').value = 'new'`)),
		chromedp.SendKeys(css(`#watch-form-name, [data-testid="watch-form"] input[name="name"]`), "My coins"),
		chromedp.Click(css(`[data-testid="watch-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="watch-added"]`)),
		void(chromedp.Poll[bool](`window.__noReload === true`, chromedp.WithPollingTimeout(time.Second))))
	screenshotsAt(t, ctx, "instrument-added")

	step("open the list", chromedp.Click(css(`[data-testid="watch-added"] a`)), chromedp.WaitVisible(css(`[data-testid="watchlist-row"][data-symbol="ETH/USD"]`)))
	step("add on the list page",
		void(chromedp.Evaluate[any](`window.__noReload = true`)),
		chromedp.SendKeys(css(`#symbol`), "solusd"),
		// The box suggests symbols as it is typed into (its list covers the button): take the
		// first suggestion by keyboard, which puts the catalogue's symbol in the box.
		void(chromedp.Poll[bool](`!document.getElementById('symbol-list').hidden &&
			document.querySelector('#symbol-list [role="option"]').dataset.symbol === 'SOL/USD'`, chromedp.WithPollingTimeout(5*time.Second))),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.KeyEvent(kb.Enter),
		void(chromedp.Poll[bool](`document.getElementById('symbol').value === 'SOL/USD' && document.getElementById('symbol-list').hidden`,
			chromedp.WithPollingTimeout(2*time.Second))),
		chromedp.Click(css(`[data-testid="add-symbol-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="watchlist-row"][data-symbol="SOL/USD"]`)),
		void(chromedp.Poll[bool](`window.__noReload === true`, chromedp.WithPollingTimeout(time.Second))))
	before, _ = chromedp.Run(ctx, chromedp.Evaluate[string](liveText))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](liveText+` !== `+jsString(before), chromedp.WithPollingTimeout(3*time.Second))); err != nil {
		t.Errorf("the list's prices did not change live after adding: %v", err)
	}
	step("move SOL up",
		chromedp.Click(css(`[data-symbol="SOL/USD"] [data-testid="move-up"]`)),
		void(chromedp.Poll[bool](`document.querySelector('[data-testid="watchlist-row"]').dataset.symbol === 'SOL/USD' && window.__noReload === true`,
			chromedp.WithPollingTimeout(3*time.Second))))
	screenshotsAt(t, ctx, "watchlist-user")

	step("my markets", chromedp.Navigate(app.base+"/markets"), chromedp.WaitVisible(css(`#q-SOL-USD-last`)))
	screenshotsAt(t, ctx, "markets-user")
	step("my lists", chromedp.Navigate(app.base+"/watchlists"), chromedp.WaitVisible(css(`[data-testid="own-lists"]`)))
	screenshotsAt(t, ctx, "watchlists-user")
	step("dark mode", chromedp.Navigate(app.base+"/markets"), chromedp.WaitVisible(css(`#q-SOL-USD-last`)),
		chromedp.Click(css(`[data-testid="theme-toggle"]`)), chromedp.Sleep(200*time.Millisecond))
	screenshotsAt(t, ctx, "markets-dark")
	_ = chromedp.Do(ctx, chromedp.Click(css(`[data-testid="theme-toggle"]`)))
}

// waitJS waits until expr is true, across navigations, as waitText does for text.
func waitJS(ctx context.Context, expr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond) // a navigation interrupted the poll: retry it; the loop ends on the expression holding
	}
}

// void runs an action for its effect only.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// newPersonFor signs up a person (logging in does not wait for the address to be confirmed) and returns their e-mail address.
func newPersonFor(t *testing.T, app *liveApp) string {
	t.Helper()
	const email = "grace@example.com"
	ctx := context.Background()
	err := app.svc.Accounts.SignUp(ctx, auth.SignUpInput{Name: "Grace Hopper", Email: email, Password: goodPassword,
		PasswordConfirm: goodPassword, AcceptTerms: true})
	if err != nil {
		t.Fatal(err)
	}
	return email
}
