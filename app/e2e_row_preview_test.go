package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"alpacawrapper/market"
	"alpacawrapper/models"
)

// TestBrowserRowPreview selects rows of the markets page and of a watchlist page, by click and by
// keyboard, and sees each symbol's small daily chart drawn from its stored daily candles.
func TestBrowserRowPreview(t *testing.T) {
	ctx := newBrowserWithin(t, 3*time.Minute)
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	bg := context.Background()
	if _, err := a.svc.Watchlists.SeedStarterLists(bg); err != nil {
		t.Fatal(err)
	}
	base := serveLive(t, a)

	pageErrors := collectPageErrors(t, ctx)
	t.Cleanup(func() {
		if errs := pageErrors(); len(errs) > 0 {
			t.Errorf("errors on the page (script exceptions, CSP violations):\n%s", strings.Join(errs, "\n"))
		}
	})
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			screenshot(t, ctx, "failed-row-preview-"+name)
			t.Fatalf("%s: %v", name, err)
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
	waitFor := func(what, cond string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			screenshot(t, ctx, "failed-row-preview-wait")
			t.Fatalf("waiting for %s (%s): %v", what, cond, err)
		}
	}
	shows := func(symbol string) string {
		p := `document.getElementById('row-preview')`
		return p + `.dataset.state === 'ready' && ` + p + `.dataset.symbol === ` + jsString(symbol) +
			` && +` + p + `.dataset.points >= 2 && document.querySelector('[data-preview-chart] canvas') !== null` +
			` && document.querySelector('tr.quote-row[aria-current="true"]').dataset.symbol === ` + jsString(symbol)
	}

	step("open markets", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/markets"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="row-preview-note"]`)))
	symbols := strings.Split(eval(`Array.from(document.querySelectorAll('tr.quote-row')).slice(0, 3).map(r => r.dataset.symbol).join(',')`), ",")
	if len(symbols) < 3 {
		t.Fatalf("rows %v", symbols)
	}
	// Four days of minutes each: their daily candles are what the preview draws.
	end := a.clock.Now().Truncate(time.Minute)
	for _, s := range symbols {
		asset, err := models.AssetBySymbol(bg, a.db.Gorm, s)
		if err != nil {
			t.Fatal(err)
		}
		bars, err := a.svc.Market.Provider.Bars(bg, market.BarsRequest{Symbol: s, Timeframe: market.Min1, Start: end.Add(-6 * 24 * time.Hour), End: end})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.svc.Market.Candles.UpsertMinuteBars(bg, asset.ID, asset.Class, bars, "backfill"); err != nil {
			t.Fatal(err)
		}
	}
	if got := eval(`String(document.querySelector('[data-preview-chart]').offsetParent === null)`); got != "true" {
		t.Errorf("the chart shows before a row is selected")
	}

	// A click on a row (not on its link).
	step("click a row", chromedp.Click(chromedp.CSS(`tr.quote-row[data-symbol="`+symbols[0]+`"] td:last-child`)))
	waitFor("the first row's chart", shows(symbols[0]))
	if href := eval(`document.querySelector('[data-preview-link]').getAttribute('href')`); href != "/chart/"+symbols[0]+"?tf=1D" {
		t.Errorf("preview link %s", href)
	}
	screenshot(t, ctx, "row-preview-markets")

	// The keyboard: the selected row has focus; ArrowDown moves to the next row and selects it.
	step("focus the row", chromedp.Focus(chromedp.CSS(`tr.quote-row[data-symbol="`+symbols[0]+`"]`)))
	step("arrow down", chromedp.KeyEvent(kb.ArrowDown))
	waitFor("the second row's chart", shows(symbols[1]))
	if f := eval(`document.activeElement.dataset.symbol || ''`); f != symbols[1] {
		t.Errorf("focus on %q after ArrowDown, want %s", f, symbols[1])
	}

	// A watchlist's page: Tab from the first row's link reaches the next row, which is then shown.
	list, err := models.DefaultGlobalWatchlist(bg, a.db.Gorm)
	if err != nil {
		t.Fatal(err)
	}
	step("open the list", chromedp.Navigate(base+fmt.Sprintf("/watchlists/%d", list.ID)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="row-preview-note"]`)))
	step("tab to a row", chromedp.Focus(chromedp.CSS(`tr.quote-row[data-symbol="`+symbols[0]+`"] a`)), chromedp.KeyEvent(kb.Tab))
	waitFor("the second row's chart", shows(symbols[1]))
	step("arrow down", chromedp.KeyEvent(kb.ArrowDown))
	waitFor("the third row's chart", shows(symbols[2]))
	step("and back up", chromedp.KeyEvent(kb.ArrowUp))
	waitFor("the second row's chart again", shows(symbols[1]))
	screenshot(t, ctx, "row-preview-watchlist")
}
