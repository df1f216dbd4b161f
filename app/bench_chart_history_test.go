package app

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"alpacawrapper/market"
	"alpacawrapper/models"
)

// TestChartFirstDrawBench measures the chart's first candles for a symbol with a year of
// 1-minute history against one with 30 days (the old default), in one run: the time from
// navigation to the first candles drawn, and the bytes of the candles request. Run with
//
//	CHART_BENCH=1 APP_ENV=test go run . devdb run -- go test -count=1 -run TestChartFirstDrawBench -v ./app/
//
// It is a test rather than a Go benchmark because it needs a browser; docs/BENCHMARKS.md has the
// numbers.
func TestChartFirstDrawBench(t *testing.T) {
	if os.Getenv("CHART_BENCH") == "" {
		t.Skip("set CHART_BENCH=1 to measure the chart's first draw")
	}
	ctx := newBrowserWithin(t, 20*time.Minute)
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	bg := context.Background()
	end := a.clock.Now().Truncate(time.Minute)
	load := func(symbol string, days int) int {
		asset, err := models.AssetBySymbol(bg, a.db.Gorm, symbol)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		// A chunk at a time, as the backfill writes them.
		for to := end; to.After(end.AddDate(0, 0, -days)); to = to.AddDate(0, 0, -10) {
			from := to.AddDate(0, 0, -10)
			if lim := end.AddDate(0, 0, -days); from.Before(lim) {
				from = lim
			}
			bars, err := a.svc.Market.Provider.Bars(bg, market.BarsRequest{Symbol: symbol, Timeframe: market.Min1, Start: from, End: to})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.svc.Market.Candles.UpsertMinuteBars(bg, asset.ID, asset.Class, bars, "backfill"); err != nil {
				t.Fatal(err)
			}
			n += len(bars)
		}
		return n
	}
	started := time.Now()
	year := load("AAPL", 365)
	t.Logf("AAPL: %d minute bars (a year) stored in %s", year, time.Since(started).Round(time.Second))
	month := load("MSFT", 30)
	t.Logf("MSFT: %d minute bars (30 days)", month)
	base := serveLive(t, a)

	type result struct {
		DrawMS   float64 `json:"draw"`
		Transfer int     `json:"transfer"`
		Body     int     `json:"body"`
		Decoded  int     `json:"decoded"`
		Candles  int     `json:"candles"`
	}
	measure := func(path string) result {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900), chromedp.Navigate(base+path)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`+document.getElementById('chart').dataset.candlesLoaded > 0 && !document.getElementById('chart').dataset.loading`,
			chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(5*time.Millisecond))); err != nil {
			t.Fatal(err)
		}
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify((() => {
			const r = performance.getEntriesByType('resource').find(e => e.name.includes('/candles?'));
			return {draw: performance.now(), transfer: r.transferSize, body: r.encodedBodySize, decoded: r.decodedBodySize,
				candles: +document.getElementById('chart').dataset.candlesLoaded};
		})())`))
		if err != nil {
			t.Fatal(err)
		}
		var out result
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tf := range []string{"1h", "1m", "1D"} {
		for _, sym := range []string{"AAPL", "MSFT"} {
			var runs []result
			for range 5 {
				runs = append(runs, measure("/chart/"+sym+"?tf="+tf))
			}
			best, sum := runs[0], 0.0
			for _, r := range runs {
				sum += r.DrawMS
				if r.DrawMS < best.DrawMS {
					best = r
				}
			}
			t.Logf("%s %s: first draw best %.0f ms, mean %.0f ms over %d loads; candles request %d B transferred (%d B body, %d B decoded), %d candles",
				sym, tf, best.DrawMS, sum/float64(len(runs)), len(runs), best.Transfer, best.Body, best.Decoded, best.Candles)
		}
	}
}
