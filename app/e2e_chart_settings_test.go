package app

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"alpacawrapper/models"
)

// TestBrowserChartSettings sets up indicators as a person would, in the settings dialog opened by
// its key: two SMAs with different periods and an RSI with its period and levels edited. They are
// drawn, survive a reload (the URL) and start the person's next chart (remembered on the server).
// Then the conveniences by keyboard alone: volume, fullscreen, pause, hidden controls, the help;
// and no script error or CSP violation throughout.
func TestBrowserChartSettings(t *testing.T) {
	ctx := newBrowser(t)
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	storeTwoDaysOfBTC(t, a)
	bg := context.Background()
	const email = "settings@example.com"
	u := a.createUser(email, goodPassword)
	base := serveLive(t, a)

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			screenshot(t, ctx, "failed-chart-settings-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			screenshot(t, ctx, "failed-chart-settings-eval")
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	waitFor := func(what, cond string, within time.Duration) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(within))); err != nil {
			screenshot(t, ctx, "failed-chart-settings-wait")
			t.Fatalf("waiting for %s (%s): %v", what, cond, err)
		}
	}
	key := func(name, k string) {
		t.Helper()
		step("key "+name, chromedp.KeyEvent(k))
	}
	// edit types a new value into a field of the n-th indicator's settings and leaves the field,
	// as a person would (the change applies when the field is left).
	edit := func(n int, field, value string) {
		t.Helper()
		sel := `#chart-ind-dialog [data-ind-list] > li:nth-child(` + string(rune('0'+n)) + `) ` + field
		step("edit "+field, chromedp.Focus(css(sel)),
			chromedp.Evaluate[chromedp.Void](`document.activeElement.select()`),
			chromedp.SendKeys(css(sel), value), chromedp.KeyEvent(kb.Tab))
	}
	addKind := func(kind string) {
		t.Helper()
		step("add "+kind, chromedp.Evaluate[chromedp.Void](`(() => { const el = document.getElementById('chart-ind-kind');
			el.value = `+jsString(kind)+`; el.dispatchEvent(new Event('change', {bubbles: true})); })()`),
			chromedp.Click(css(`[data-testid="chart-ind-add"]`)))
	}
	axeSrc, err := os.ReadFile(axeScript)
	if err != nil {
		t.Fatalf("axe-core is not installed (npm ci): %v", err)
	}
	// axeCheck runs axe-core on the page as it is and fails on any critical or serious finding.
	axeCheck := func(where string) {
		t.Helper()
		if eval(`String(!!window.axe)`) != "true" {
			step("load axe", void(chromedp.Evaluate[any](string(axeSrc))))
		}
		out, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("axe on %s: %v", where, err)
		}
		var found []axeFinding
		if err := json.Unmarshal([]byte(out), &found); err != nil {
			t.Fatalf("axe's answer on %s: %v", where, err)
		}
		for _, f := range found {
			t.Errorf("axe, %s: %s (%s) %s\n    %s", where, f.ID, f.Impact, f.Help, strings.Join(f.Nodes, "\n    "))
		}
	}
	pageErrors := collectPageErrors(t, ctx)
	t.Cleanup(func() {
		if errs := pageErrors(); len(errs) > 0 {
			t.Errorf("errors on the chart page (script exceptions, CSP violations):\n%s", strings.Join(errs, "\n"))
		}
	})
	loaded := `+document.getElementById('chart').dataset.candlesLoaded > 0 && !document.getElementById('chart').dataset.loading`
	// drawn is the indicators as the chart has them, one after another: kind, the period, the
	// levels, whether each output has series and a last value.
	drawn := `awChart.indicators().map(x => [x.kind, x.params.period, (x.levels || []).join('/'), x.series > 0,
		Object.values(x.last).length > 0 && Object.values(x.last).every(Number.isFinite)].join(' ')).join(' | ')`
	const want = "sma 20  true true | sma 50  true true | rsi 21 25/75 true true"

	step("log in", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/login?next=%2Fchart%2FBTC%2FUSD%3Ftf%3D15m"),
		chromedp.WaitVisible(css(`#login-form`)),
		chromedp.SendKeys(css(`#login-form input[name="email"]`), email),
		chromedp.SendKeys(css(`#login-form input[name="password"]`), goodPassword),
		chromedp.Click(css(`[data-testid="submit-login"]`)),
		chromedp.WaitVisible(css(`#chart-canvas canvas`)))
	waitFor("15-minute candles (192: enough for SMA 50)", loaded, 15*time.Second)

	// The settings dialog, opened by its key.
	step("blur", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
	key("i", "i")
	waitFor("the dialog", `document.getElementById('chart-ind-dialog').open && document.activeElement.id === 'chart-ind-kind'`, 5*time.Second)
	addKind("sma")
	addKind("sma")
	edit(2, `input[data-key="period"]`, "50")
	addKind("rsi")
	edit(3, `input[data-key="period"]`, "21")
	edit(3, `input[data-field="levels"]`, "25, 75")
	// A value out of range is refused beside its field and changes nothing.
	edit(1, `input[data-key="period"]`, "1")
	if msg := eval(`document.querySelector('#chart-ind-dialog [data-ind-list] > li:nth-child(1) .field-error').textContent`); !strings.Contains(msg, "Period must be") {
		t.Errorf("refusal of period 1: %q", msg)
	}
	edit(1, `input[data-key="period"]`, "20")
	screenshot(t, ctx, "chart-settings-dialog")
	// axe finds no serious violation in the dialog, light on a desktop and dark on a phone.
	axeCheck("the settings dialog, light, 1280")
	theme := func(name string) {
		t.Helper()
		if err := applyTheme(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	theme("dark")
	step("phone", emulate(axePhone), chromedp.Sleep(200*time.Millisecond))
	axeCheck("the settings dialog, dark, 390")
	screenshot(t, ctx, "chart-settings-dialog-phone-dark")
	if w := eval(`String(document.getElementById('chart-ind-dialog').getBoundingClientRect().right <= 390)`); w != "true" {
		t.Error("the settings dialog is wider than the phone")
	}
	key("Escape", kb.Escape)
	waitFor("the dialog closed", `!document.getElementById('chart-ind-dialog').open`, 5*time.Second)
	axeCheck("the chart, dark, 390")
	screenshot(t, ctx, "chart-settings-phone-dark")
	theme("light")
	step("desktop", chromedp.EmulateViewport(1280, 900), chromedp.Sleep(200*time.Millisecond))
	axeCheck("the chart, light, 1280")
	waitFor("the dialog closed", `!document.getElementById('chart-ind-dialog').open`, 5*time.Second)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](drawn+` === `+jsString(want), chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("the indicators drawn:\n%s\nwant\n%s", eval(drawn), want)
	}
	if n := eval(`String(awChart.chart().panes().length)`); n != "2" {
		t.Errorf("%s panes, want the price's and the RSI's", n)
	}
	waitFor("the indicators remembered", `document.getElementById('chart').dataset.saved === 'ok'`, 5*time.Second)
	inURL := eval(`new URLSearchParams(location.search).get('ind')`)
	saved, err := models.ChartIndicatorsOf(bg, a.db.Gorm, u.ID)
	if err != nil || saved != inURL || inURL == "" {
		t.Errorf("saved %q (%v), URL ind=%q", saved, err, inURL)
	}
	screenshot(t, ctx, "chart-settings-drawn")

	step("reload", chromedp.Reload(), chromedp.WaitVisible(css(`#chart-canvas canvas`)))
	waitFor("candles after the reload", loaded, 15*time.Second)
	if got := eval(drawn); got != want {
		t.Errorf("after a reload:\n%s\nwant\n%s", got, want)
	}
	step("another chart", chromedp.Navigate(base+"/chart/BTC/USD?tf=15m"), chromedp.WaitVisible(css(`#chart-canvas canvas`)))
	waitFor("candles", loaded, 15*time.Second)
	if got := eval(drawn); got != want {
		t.Errorf("a chart opened without ind= (remembered):\n%s\nwant\n%s", got, want)
	}

	// The conveniences, by keyboard.
	attr := func(name string) string { return eval(`document.getElementById('chart').dataset.` + name + ` || ''`) }
	step("blur", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
	key("v", "v")
	if v, s := attr("volume"), eval(`String(awChart.volumeSeries() === null)`); v != "off" || s != "true" {
		t.Errorf("after v: volume %s, series gone %s", v, s)
	}
	if q := eval(`new URLSearchParams(location.search).get('vol') || ''`); q != "0" {
		t.Errorf("vol=%q in the URL", q)
	}
	key("v", "v")
	if v, s := attr("volume"), eval(`String(awChart.volumeSeries() !== null)`); v != "on" || s != "true" {
		t.Errorf("after v again: volume %s, series back %s", v, s)
	}
	key("f", "f")
	waitFor("fullscreen", `['native', 'window'].includes(document.getElementById('chart').dataset.fullscreen)`, 5*time.Second)
	waitFor("the chart filling the screen", `document.getElementById('chart-shell').getBoundingClientRect().height >= window.innerHeight - 2`, 5*time.Second)
	screenshot(t, ctx, "chart-settings-fullscreen")
	key("f", "f")
	waitFor("fullscreen left", `document.getElementById('chart').dataset.fullscreen === ''`, 5*time.Second)
	// Where the Fullscreen API is missing (or refused), the chart fills the window instead, and
	// Esc gives the page back.
	step("no Fullscreen API", chromedp.Evaluate[chromedp.Void](`document.getElementById('chart-shell').requestFullscreen = undefined`))
	key("f", "f")
	if m := attr("fullscreen"); m != "window" {
		t.Errorf("fullscreen without the API: %q, want window", m)
	}
	waitFor("the chart filling the window", `document.getElementById('chart-shell').getBoundingClientRect().height >= window.innerHeight - 2`, 5*time.Second)
	key("Escape", kb.Escape)
	if m := attr("fullscreen"); m != "" {
		t.Errorf("after Esc: fullscreen %q", m)
	}
	key("Space", " ")
	if p, f := attr("paused"), eval(`document.getElementById('chart-feed').textContent`); p != "true" || f != "paused" {
		t.Errorf("after Space: paused %s, feed %q", p, f)
	}
	key("Space", " ")
	if p := attr("paused"); p != "false" {
		t.Errorf("after Space again: paused %s", p)
	}
	key("c", "c")
	if c, h := attr("controls"), eval(`String(document.getElementById('chart-controls').hidden)`); c != "hidden" || h != "true" {
		t.Errorf("after c: controls %s, hidden %s", c, h)
	}
	key("Escape", kb.Escape)
	if c := attr("controls"); c != "shown" {
		t.Errorf("after Esc: controls %s", c)
	}
	key("?", "?")
	waitFor("the shortcuts", `document.getElementById('chart-keys').open`, 5*time.Second)
	key("Escape", kb.Escape)
	waitFor("the shortcuts closed", `!document.getElementById('chart-keys').open`, 5*time.Second)
	if title := eval(`document.title`); !strings.HasPrefix(title, "BTC/USD ") {
		t.Errorf("tab title %q does not lead with the price", title)
	}

	// The presets: Baseline draws a baseline series without volume; Classic brings candles back.
	step("the Baseline preset", chromedp.Click(css(`[data-chart-preset="baseline"]`)))
	if got := eval(`[document.getElementById('chart').dataset.type, document.getElementById('chart').dataset.volume,
		awChart.series().seriesType(), document.querySelector('[data-chart-preset="baseline"]').getAttribute('aria-pressed')].join(' ')`); got != "baseline off Baseline true" {
		t.Errorf("after the Baseline preset: %s", got)
	}
	step("the Classic preset", chromedp.Click(css(`[data-chart-preset="classic"]`)))
	if got := eval(`[awChart.series().seriesType(), document.getElementById('chart').dataset.volume].join(' ')`); got != "Candlestick on" {
		t.Errorf("after the Classic preset: %s", got)
	}

	// Ctrl+K opens the symbol search from anywhere, even while typing in another field.
	field := `#ticket input:not([type="hidden"])`
	step("type in the ticket", chromedp.WaitVisible(css(field)), chromedp.Focus(css(field)))
	step("Ctrl+K", chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	waitFor("the symbol search focused", `document.activeElement && document.activeElement.hasAttribute('data-symbol-search')`, 5*time.Second)
}
