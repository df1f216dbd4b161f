package app

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestChartPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	guest := func(path string) (*http.Response, string) {
		t.Helper()
		return a.do(httptest.NewRequest(http.MethodGet, path, nil))
	}
	attr := func(body, name string) string {
		m := regexp.MustCompile(`<div id="chart"[^>]*\s` + name + `="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			return "<missing>"
		}
		return m[1]
	}

	tests := []struct {
		name, path                     string
		symbol, tz, tf, typ, ind, csvs string
	}{
		{"stock", "/chart/AAPL", "AAPL", "America/New_York", "1h", "candles", "", "/api/v1/assets/AAPL/candles"},
		{"stock in lower case", "/chart/aapl", "AAPL", "America/New_York", "1h", "candles", "", "/api/v1/assets/AAPL/candles"},
		{"crypto pair with its slash", "/chart/BTC/USD", "BTC/USD", "UTC", "1h", "candles", "", "/api/v1/assets/BTC%2FUSD/candles"},
		{"crypto pair escaped", "/chart/BTC%2FUSD", "BTC/USD", "UTC", "1h", "candles", "", "/api/v1/assets/BTC%2FUSD/candles"},
		{"crypto pair without slash", "/chart/btcusd", "BTC/USD", "UTC", "1h", "candles", "", "/api/v1/assets/BTC%2FUSD/candles"},
		{"state from the URL", "/chart/AAPL?tf=5m&type=line&ind=sma20,rsi", "AAPL", "America/New_York", "5m", "line", "sma20,rsi", "/api/v1/assets/AAPL/candles"},
		{"invalid state falls back", "/chart/AAPL?tf=7m&type=pie", "AAPL", "America/New_York", "1h", "candles", "", "/api/v1/assets/AAPL/candles"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := guest(tc.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			for name, want := range map[string]string{"data-symbol": tc.symbol, "data-tz": tc.tz, "data-tf": tc.tf,
				"data-type": tc.typ, "data-ind": tc.ind, "data-candles-url": tc.csvs} {
				if got := attr(body, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			// The chosen timeframe and type are the pressed buttons, and only they.
			for _, sel := range []string{`data-chart-tf="` + tc.tf + `" aria-pressed="true"`, `data-chart-type="` + tc.typ + `" aria-pressed="true"`} {
				if !strings.Contains(body, sel) {
					t.Errorf("missing %s", sel)
				}
			}
			// The theme toggle starts unpressed; the volume toggle starts pressed (no vol=0 here),
			// and chart.js presses the preset that matches.
			if n := strings.Count(body, `aria-pressed="true"`); n != 3 {
				t.Errorf("%d pressed buttons, want 3", n)
			}
			// The page's own scripts, deferred, versioned, and no inline script or style.
			for _, js := range []string{"lightweight-charts.standalone.production.js", "indicators.js", "chart-indicators.js", "chart.js"} {
				if !regexp.MustCompile(`<script src="/static/js/` + regexp.QuoteMeta(js) + `\?v=[0-9a-f]+" defer></script>`).MatchString(body) {
					t.Errorf("no deferred script tag for %s", js)
				}
			}
			if regexp.MustCompile(`<script(\s[^>]*)?>[^<]`).MatchString(body) || strings.Contains(body, " style=") {
				t.Error("inline script or style on the chart page")
			}
			if want := `href="/instruments/` + tc.symbol + `" class="link text-sm" data-testid="chart-detail-link"`; !strings.Contains(body, want) {
				t.Errorf("no link to the instrument page (%s)", want)
			}
			for _, want := range []string{"Charts by", "TradingView Lightweight Charts", `id="chart-loading-older"`, `data-chart-export`, `<title>` + tc.symbol + " chart"} {
				if !strings.Contains(body, want) {
					t.Errorf("missing %q", want)
				}
			}
			// The candles URL the page gives its script answers.
			if resp, body := guest(tc.csvs + "?timeframe=" + tc.tf); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"symbol":"`+tc.symbol+`"`) {
				t.Errorf("candles URL: %d %s", resp.StatusCode, body)
			}
		})
	}

	t.Run("price precision follows the price increment", func(t *testing.T) {
		for path, want := range map[string]string{"/chart/BTC/USD": "0", "/chart/ETH/USD": "1", "/chart/LTC/USD": "3",
			"/chart/DOGE/USD": "5", "/chart/AAPL": "2"} {
			if _, body := guest(path); attr(body, "data-precision") != want {
				t.Errorf("%s: precision %q, want %s", path, attr(body, "data-precision"), want)
			}
		}
	})

	t.Run("only the chart page loads the chart scripts", func(t *testing.T) {
		_, body := guest("/")
		if strings.Contains(body, "lightweight-charts") || strings.Contains(body, "chart.js") {
			t.Error("the home page loads the chart scripts")
		}
	})

	for _, path := range []string{"/chart/NOSUCH", "/chart/ZZZ/USD", "/chart/", "/chart/A%20B"} {
		t.Run("unknown "+path, func(t *testing.T) {
			resp, body := guest(path)
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || strings.Contains(body, `id="chart"`) {
				t.Errorf("want an HTML error page, got %s", resp.Header.Get("Content-Type"))
			}
		})
	}

	t.Run("signed in", func(t *testing.T) {
		a.createUser("chart@example.com", "correct horse battery")
		b := a.browser()
		b.login("chart@example.com", "correct horse battery")
		resp, body := b.get("/chart/AAPL")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-symbol="AAPL"`) {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}
