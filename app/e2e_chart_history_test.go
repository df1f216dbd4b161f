package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"alpacawrapper/candles"
	"alpacawrapper/market"
)

// TestBrowserChartHistory opens the chart of a symbol nobody has opened: nothing is stored, so the
// page asks for its history, shows the backfill's progress, and draws the candles once they are
// stored, without a reload.
func TestBrowserChartHistory(t *testing.T) {
	ctx := newBrowserWithin(t, 3*time.Minute)
	a := newTestApp(t, map[string]string{"HISTORY_DAYS": "3", "HISTORY_DAILY_YEARS": "1"})
	seedSimAssets(t, a)
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
	base := serveLive(t, a)
	if n := len(historyCandles(t, a, "ETH/USD", market.Hour1)); n != 0 {
		t.Fatalf("%d candles stored before the chart was opened", n)
	}

	pageErrors := collectPageErrors(t, ctx)
	t.Cleanup(func() {
		if errs := pageErrors(); len(errs) > 0 {
			t.Errorf("errors on the chart page (script exceptions, CSP violations):\n%s", strings.Join(errs, "\n"))
		}
	})
	waitFor := func(what, cond string, within time.Duration) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(within))); err != nil {
			screenshot(t, ctx, "failed-chart-history")
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
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/chart/ETH/USD?tf=1h"),
		chromedp.WaitVisible(chromedp.CSS(`#chart-canvas canvas`))); err != nil {
		t.Fatal(err)
	}
	// Loading: the progress bar and the status say so (the flag stays set once they were shown).
	waitFor("the progress shown", `document.getElementById('chart').dataset.historyShown === 'true'`, 30*time.Second)
	// Then the candles, drawn by the page itself once the backfill has stored them.
	waitFor("the history complete", `document.getElementById('chart').dataset.history === 'complete'`, 2*time.Minute)
	waitFor("the candles drawn", `+document.getElementById('chart').dataset.candlesLoaded >= 72`, 10*time.Second)
	stored := historyCandles(t, a, "ETH/USD", market.Hour1)
	if got := eval(`document.getElementById('chart').dataset.candlesLoaded`); got != strconv.Itoa(len(stored)) {
		t.Errorf("%s candles drawn, %d stored", got, len(stored))
	}
	if hidden := eval(`String(document.getElementById('chart-history').hidden)`); hidden != "true" {
		t.Errorf("the progress bar still shows once the history is complete")
	}
	if st := eval(`document.getElementById('chart-status').textContent`); st != "" {
		t.Errorf("status %q once the history is complete", st)
	}
	// The daily chart reaches back a year, from the provider's daily bars.
	resp, body := a.do(httptest.NewRequest(http.MethodGet, "/api/v1/assets/ETH%2FUSD/candles?timeframe=1D&limit=1000", nil))
	if resp.StatusCode != http.StatusOK || strings.Count(body, `"time"`) < 360 {
		t.Errorf("daily candles: %d, %d of them", resp.StatusCode, strings.Count(body, `"time"`))
	}
	screenshot(t, ctx, "chart-history-loaded")
}

// historyCandles are the candles of a symbol's timeframe stored so far, oldest first.
func historyCandles(t *testing.T, a *testApp, symbol string, tf market.Timeframe) []market.Bar {
	t.Helper()
	page, err := a.svc.Market.Candles.Query(context.Background(), candles.CandleQuery{Symbol: symbol, Timeframe: tf, Limit: candles.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return page.Candles
}
