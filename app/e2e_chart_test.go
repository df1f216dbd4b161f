package app

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/shopspring/decimal"

	"alpacawrapper/internal/testwait"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// TestBrowserChart drives the chart page in Chromium against the whole app on a real port: two
// days of a crypto pair's minute bars are stored as backfill would store them, and live events
// are published into the market hub, as the feed would.
func TestBrowserChart(t *testing.T) {
	ctx := newBrowser(t)
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	end := storeTwoDaysOfBTC(t, a)
	base := serveLive(t, a)

	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			screenshot(t, ctx, "failed-chart-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			screenshot(t, ctx, "failed-chart-eval")
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	attr := func(name string) string {
		return eval(`document.getElementById('chart').getAttribute(` + jsString(name) + `) || ''`)
	}
	count := func() int {
		n, _ := strconv.Atoi(attr("data-candles-loaded"))
		return n
	}
	// waitFor polls a JavaScript condition on the page.
	waitFor := func(what, cond string, within time.Duration) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(within))); err != nil {
			screenshot(t, ctx, "failed-chart-wait")
			t.Fatalf("waiting for %s (%s): %v", what, cond, err)
		}
	}
	pageErrors := collectPageErrors(t, ctx)
	t.Cleanup(func() {
		if errs := pageErrors(); len(errs) > 0 {
			t.Errorf("errors on the chart page (script exceptions, CSP violations):\n%s", strings.Join(errs, "\n"))
		}
	})
	loaded := `+document.getElementById('chart').dataset.candlesLoaded > 0 && !document.getElementById('chart').dataset.loading`

	step("open the chart", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/chart/BTC/USD?tf=1h&ind=sma20,bb,vwap,rsi,macd"),
		chromedp.WaitVisible(chromedp.CSS(`#chart-canvas canvas`)))
	waitFor("hourly candles", loaded, 15*time.Second)
	hourly := count()
	if hourly < 48 || hourly > 50 {
		t.Errorf("%d hourly candles for two days", hourly)
	}
	if got := attr("data-last-time"); got != end.Add(-time.Minute).Truncate(time.Hour).UTC().Format(time.RFC3339) {
		t.Errorf("last hourly candle at %s", got)
	}
	if kinds := eval(`awChart.indicators().map(x => x.kind).join(',')`); kinds != "sma,bb,vwap,rsi,macd" {
		t.Errorf("indicators from the URL: %s", kinds)
	}
	if n := eval(`String(awChart.chart().panes().length)`); n != "3" {
		t.Errorf("%s panes with RSI and MACD on", n)
	}
	screenshot(t, ctx, "chart-desktop-light")

	step("switch to 1m", chromedp.Click(chromedp.CSS(`[data-chart-tf="1m"]`)))
	waitFor("minute candles", loaded+` && document.getElementById('chart').dataset.tf === '1m'`, 15*time.Second)
	minutes := count()
	if minutes != 500 || minutes == hourly {
		t.Errorf("%d minute candles after switching (hourly %d), want a full page of 500", minutes, hourly)
	}
	if u := eval(`location.search`); !strings.Contains(u, "tf=1m") {
		t.Errorf("URL state %s", u)
	}
	if p := eval(`document.querySelector('[data-chart-tf="1m"]').getAttribute('aria-pressed') + document.querySelector('[data-chart-tf="1h"]').getAttribute('aria-pressed')`); p != "truefalse" {
		t.Errorf("timeframe buttons pressed: %s", p)
	}

	// Scrolling the time scale back to the oldest candles loads the page before them.
	// The "Loading older…" note shows while the page loads (an observer records that it did).
	step("watch the note", chromedp.Evaluate[chromedp.Void](`(() => { const el = document.getElementById('chart-loading-older');
		new MutationObserver(() => { if (!el.hidden && el.offsetParent !== null) window.__sawOlder = true; }).observe(el, {attributes: true}); })()`))
	step("scroll back", chromedp.Evaluate[chromedp.Void](`awChart.chart().timeScale().scrollToPosition(-480, false)`))
	waitFor("older candles", `+document.getElementById('chart').dataset.candlesLoaded > 500`, 15*time.Second)
	waitFor("the note gone", `window.__sawOlder === true && document.getElementById('chart-loading-older').hidden`, 5*time.Second)
	if n := count(); n != 1000 {
		t.Errorf("%d candles after scrolling back once, want 1000", n)
	}
	// loadOlder itself, until the beginning of history.
	for i := 0; i < 10 && attr("data-has-older") == "true"; i++ {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`awChart.loadOlder()`, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(); n != 48*60 {
		t.Errorf("%d candles after loading all history, want %d", n, 48*60)
	}
	times := eval(`JSON.stringify(awChart.candles().map(c => c.time))`)
	if strings.Count(times, `"`)/2 != 48*60 || !strings.HasPrefix(times, `["`+end.Add(-48*time.Hour).UTC().Format(time.RFC3339)+`"`) {
		t.Errorf("candle times start %.80s", times)
	}

	// Live: a print inside the newest candle moves its close; a minute bar after it opens a new one.
	waitFor("the live subscription", `document.getElementById('chart').dataset.ws === 'subscribed'`, 15*time.Second)
	lastMinute := end.Add(-time.Minute)
	tradePrice := decimal.RequireFromString(attr("data-last-close")).Add(decimal.RequireFromString("123.45"))
	publishUntil := func(what, cond string, publish func()) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			publish()
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(500*time.Millisecond))); err == nil {
				return
			}
			if time.Now().After(deadline) {
				screenshot(t, ctx, "failed-chart-live")
				t.Fatalf("%s: the page did not show it (data-last-close %s)", what, attr("data-last-close"))
			}
		}
	}
	publishUntil("a trade", `document.getElementById('chart').dataset.lastClose === `+jsString(tradePrice.String()), func() {
		a.svc.Market.Hub.Trade(market.Trade{Symbol: "BTC/USD", ID: 1, Price: tradePrice, Size: decimal.RequireFromString("0.5"), Time: lastMinute.Add(30 * time.Second)})
	})
	if n := count(); n != 48*60 {
		t.Errorf("a trade changed the candle count to %d", n)
	}
	high := eval(`awChart.lastCandle().high`)
	if !decimal.RequireFromString(high).Equal(tradePrice) && decimal.RequireFromString(high).LessThan(tradePrice) {
		t.Errorf("high %s below the trade at %s", high, tradePrice)
	}
	barClose := tradePrice.Sub(decimal.RequireFromString("10"))
	bar := market.Bar{Symbol: "BTC/USD", Start: end, Open: tradePrice, High: tradePrice, Low: barClose, Close: barClose,
		Volume: decimal.RequireFromString("1.25"), TradeCount: 3, VWAP: tradePrice}
	publishUntil("a new minute bar", `document.getElementById('chart').dataset.lastClose === `+jsString(barClose.String()), func() {
		a.svc.Market.Hub.Bar(bar)
	})
	if n, at := count(), attr("data-last-time"); n != 48*60+1 || at != end.UTC().Format(time.RFC3339) {
		t.Errorf("after the bar: %d candles, last at %s", n, at)
	}
	step("back to now", chromedp.Evaluate[chromedp.Void](`(() => { const n = awChart.candles().length; awChart.chart().timeScale().setVisibleLogicalRange({from: n - 150, to: n + 3}); })()`))
	screenshot(t, ctx, "chart-desktop-live")

	// Export what is shown: a window of stored candles away from the live edge.
	dir := t.TempDir()
	step("show a window", chromedp.Evaluate[chromedp.Void](`(() => { const n = awChart.candles().length; awChart.chart().timeScale().setVisibleLogicalRange({from: n - 200, to: n - 141}); })()`))
	waitFor("the window", `awChart.visibleCandles().length === 60`, 5*time.Second)
	// The keyboard scrolls the focused chart: one ArrowLeft moves the window back a tenth.
	before := eval(`awChart.visibleCandles()[0]`)
	step("keyboard", chromedp.Focus(chromedp.CSS(`#chart-canvas`)), chromedp.KeyEvent(kb.ArrowLeft))
	waitFor("the keyboard scroll", `awChart.visibleCandles()[0] < `+jsString(before), 5*time.Second)
	step("and back", chromedp.KeyEvent(kb.ArrowRight))
	waitFor("the window again", `awChart.visibleCandles()[0] === `+jsString(before)+` && awChart.visibleCandles().length === 60`, 5*time.Second)
	shown := eval(`JSON.stringify(awChart.visibleCandles())`)
	step("export",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir})
			return err
		}),
		// Scrolled into view first: the wrapped toolbar can leave the button under the sticky header,
		// where a click at its centre lands on the header instead.
		chromedp.WaitEnabled(chromedp.CSS(`[data-chart-export]`)),
		chromedp.Evaluate[chromedp.Void](`(() => { const b = document.querySelector('[data-chart-export]'); b.scrollIntoView({block: 'center'}); b.click(); })()`),
	)
	rows := readDownloadedCSV(t, dir)
	if len(rows) != 61 || strings.Join(rows[0], ",") != "time,open,high,low,close,volume,trade_count,vwap" {
		t.Fatalf("CSV has %d lines, header %v", len(rows), rows[0])
	}
	if !strings.Contains(shown, `"`+rows[1][0]+`"`) || !strings.Contains(shown, `"`+rows[60][0]+`"`) ||
		!strings.HasPrefix(shown, `["`+rows[1][0]+`"`) || !strings.HasSuffix(shown, `"`+rows[60][0]+`"]`) {
		t.Errorf("CSV covers %s..%s, the chart shows %.60s…", rows[1][0], rows[60][0], shown)
	}
	// The rows are the stored candles, exactly as the API's own CSV writes them.
	resp, apiCSV := a.do(httptest.NewRequest(http.MethodGet, "/api/v1/assets/BTC/USD/candles?timeframe=1m&limit=5000&format=csv", nil))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("API CSV: %d", resp.StatusCode)
	}
	for _, r := range rows[1:] {
		if line := strings.Join(r, ","); !strings.Contains(apiCSV, line+"\n") {
			t.Fatalf("exported row %q is not in the API's CSV", line)
		}
	}

	// Screenshots: dark desktop, then a phone in light and dark.
	step("dark", chromedp.Click(chromedp.CSS(`[data-theme-toggle]`)))
	waitFor("dark", `document.documentElement.classList.contains('dark')`, 5*time.Second)
	if bg := eval(`awChart.chart().options().layout.background.color`); bg != "#0c1020" {
		t.Errorf("dark chart background %s", bg)
	}
	time.Sleep(300 * time.Millisecond) // let the colour transitions finish before the picture (cosmetic: nothing is asserted on it)
	screenshot(t, ctx, "chart-desktop-dark")
	step("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(base+"/chart/BTC/USD?tf=5m&type=area&ind=ema50,rsi"))
	waitFor("phone candles", loaded, 15*time.Second)
	if w := eval(`String(document.getElementById('chart-canvas').getBoundingClientRect().width)`); w != "390" {
		t.Errorf("chart width on a phone %s, want the full 390", w)
	}
	screenshot(t, ctx, "chart-phone-dark")
	step("phone light", chromedp.Click(chromedp.CSS(`[data-theme-toggle]`)))
	waitFor("light", `!document.documentElement.classList.contains('dark')`, 5*time.Second)
	time.Sleep(300 * time.Millisecond) // let the colour transitions finish before the picture (cosmetic: nothing is asserted on it)
	screenshot(t, ctx, "chart-phone-light")
}

// storeTwoDaysOfBTC stores the simulator's last two days of BTC/USD minute bars as backfill would
// store them, and returns the end of that span (the test clock's minute).
func storeTwoDaysOfBTC(t *testing.T, a *testApp) time.Time {
	t.Helper()
	bg := context.Background()
	end := a.clock.Now().Truncate(time.Minute)
	bars, err := a.svc.Market.Provider.Bars(bg, market.BarsRequest{Symbol: "BTC/USD", Timeframe: market.Min1, Start: end.Add(-48 * time.Hour), End: end})
	if err != nil || len(bars) != 48*60 {
		t.Fatalf("sim bars: %d, %v", len(bars), err)
	}
	btc, err := models.AssetBySymbol(bg, a.db.Gorm, "BTC/USD")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.svc.Market.Candles.UpsertMinuteBars(bg, btc.ID, market.Crypto, bars, "backfill"); err != nil {
		t.Fatal(err)
	}
	return end
}

// readDownloadedCSV waits for the one download in dir to finish and parses it.
func readDownloadedCSV(t *testing.T, dir string) [][]string {
	t.Helper()
	var rows [][]string
	testwait.Until(t, 10*time.Second, "a finished CSV download", func() bool {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".crdownload") {
				continue
			}
			f, err := os.Open(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			rows, err = csv.NewReader(f).ReadAll()
			f.Close()
			if err == nil && len(rows) > 0 {
				return true
			}
		}
		return false
	})
	return rows
}

// collectPageErrors records, from now on, uncaught script exceptions and error-level console and
// browser log entries (a blocked inline style is one) of the tab; the function returned lists them.
func collectPageErrors(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var (
		mu   sync.Mutex
		errs []string
	)
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				msg = string(e.Entry.Source) + ": " + e.Entry.Text + " " + e.Entry.URL
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				msg = "console.error"
			}
		}
		if msg != "" {
			mu.Lock()
			errs = append(errs, msg)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}
