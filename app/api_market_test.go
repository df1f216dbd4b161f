package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/internal/testwait"
	"alpacawrapper/market"
	"alpacawrapper/market/sim"
	"alpacawrapper/models"
	"alpacawrapper/ratelimit"
)

// seedSimAssets copies the app's provider catalogue into the assets table, as a sync would.
func seedSimAssets(t *testing.T, a *testApp) []market.Asset {
	t.Helper()
	ctx := context.Background()
	assets, err := a.svc.Market.Provider.Assets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpsertAssets(ctx, a.db.Gorm, assets, time.Now()); err != nil {
		t.Fatal(err)
	}
	return assets
}

// get sends a GET with optional headers (name, value, …) and decodes a JSON answer.
func (a *testApp) get(path string, headers ...string) (*http.Response, string, map[string]any) {
	a.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, body := a.do(req)
	out := map[string]any{}
	_ = json.Unmarshal([]byte(body), &out)
	return resp, body, out
}

// mustGet fails the test unless the GET answers 200.
func (a *testApp) mustGet(path string) map[string]any {
	a.t.Helper()
	resp, body, out := a.get(path)
	if resp.StatusCode != http.StatusOK {
		a.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return out
}

func symbolsOf(t *testing.T, list map[string]any) []string {
	t.Helper()
	assets, _ := list["assets"].([]any)
	out := make([]string, len(assets))
	for i, raw := range assets {
		out[i] = raw.(map[string]any)["symbol"].(string)
	}
	return out
}

func TestAPIAssetSearch(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	catalogue := seedSimAssets(t, a)
	active, crypto := 0, 0
	for _, as := range catalogue {
		if as.Active {
			active++
			if as.Class == market.Crypto {
				crypto++
			}
		}
	}

	t.Run("lists active assets by symbol with facets, without credentials", func(t *testing.T) {
		out := a.mustGet("/api/v1/assets?limit=5")
		syms := symbolsOf(t, out)
		if len(syms) != 5 || !slices.IsSorted(syms) || out["total"].(float64) != float64(active) {
			t.Fatalf("symbols %v, total %v (want %d active)", syms, out["total"], active)
		}
		facets := out["facets"].(map[string]any)
		if c := facets["class"].(map[string]any); c["crypto"].(float64) != float64(crypto) || c["us_equity"].(float64) != float64(active-crypto) {
			t.Errorf("class facet %v", c)
		}
		if e := facets["exchange"].(map[string]any); e["CRYPTO"].(float64) != float64(crypto) || e["NASDAQ"] == nil {
			t.Errorf("exchange facet %v", e)
		}
	})
	t.Run("ranks the exact symbol, then prefixes, then names", func(t *testing.T) {
		syms := symbolsOf(t, a.mustGet("/api/v1/assets?q=aapl"))
		if len(syms) == 0 || syms[0] != "AAPL" {
			t.Errorf("q=aapl: %v", syms)
		}
		syms = symbolsOf(t, a.mustGet("/api/v1/assets?q=apple"))
		if len(syms) == 0 || syms[0] != "AAPL" {
			t.Errorf("q=apple: %v", syms)
		}
		syms = symbolsOf(t, a.mustGet("/api/v1/assets?q=bitcoin"))
		if len(syms) == 0 || syms[0] != "BTC/USD" {
			t.Errorf("q=bitcoin: %v", syms)
		}
	})
	t.Run("filters, with each facet ignoring its own filter", func(t *testing.T) {
		out := a.mustGet("/api/v1/assets?class=crypto&limit=100")
		if syms := symbolsOf(t, out); len(syms) != crypto || !slices.Contains(syms, "BTC/USD") {
			t.Errorf("crypto: %v", syms)
		}
		classes := out["facets"].(map[string]any)["class"].(map[string]any)
		if classes["us_equity"].(float64) != float64(active-crypto) {
			t.Errorf("class facet under class=crypto: %v", classes)
		}
		btc := out["assets"].([]any)[slices.Index(symbolsOf(t, out), "BTC/USD")].(map[string]any)
		if btc["min_order_size"] != "0.0001" || btc["price_increment"] != "1" || btc["margin_requirement"] != "100" ||
			btc["class"] != "crypto" || btc["exchange"] != "CRYPTO" || btc["fractionable"] != true {
			t.Errorf("BTC/USD as listed: %v", btc)
		}

		syms := symbolsOf(t, a.mustGet("/api/v1/assets?fractionable=false&class=us_equity&limit=100"))
		if !slices.Contains(syms, "BRK.A") || slices.Contains(syms, "AAPL") {
			t.Errorf("fractionable=false: %v", syms)
		}
		syms = symbolsOf(t, a.mustGet("/api/v1/assets?exchange=arca&shortable=true&limit=100"))
		if !slices.Contains(syms, "SOXL") || slices.Contains(syms, "AAPL") {
			t.Errorf("exchange=arca: %v", syms)
		}
		out = a.mustGet("/api/v1/assets?include_inactive=true&q=TWTR")
		if syms := symbolsOf(t, out); len(syms) != 1 || syms[0] != "TWTR" || out["assets"].([]any)[0].(map[string]any)["active"] != false {
			t.Errorf("inactive TWTR: %v", out)
		}
		if syms := symbolsOf(t, a.mustGet("/api/v1/assets?q=TWTR")); len(syms) != 0 {
			t.Errorf("delisted asset listed by default: %v", syms)
		}
	})
	t.Run("pages", func(t *testing.T) {
		first := symbolsOf(t, a.mustGet("/api/v1/assets?limit=3"))
		second := symbolsOf(t, a.mustGet("/api/v1/assets?limit=3&offset=3"))
		if len(second) != 3 || second[0] <= first[2] {
			t.Errorf("pages %v then %v", first, second)
		}
	})
	t.Run("bad parameters are a 422 naming each", func(t *testing.T) {
		for query, fields := range map[string][]string{
			"tradable=maybe":                  {"tradable"},
			"limit=0":                         {"limit"},
			"limit=abc&offset=-1":             {"limit", "offset"},
			"limit=1001":                      {"limit"},
			"class=options":                   {"class"},
			"include_inactive=2&shortable=no": {"include_inactive", "shortable"},
		} {
			resp, body, out := a.get("/api/v1/assets?" + query)
			errs, _ := out["errors"].(map[string]any)
			if resp.StatusCode != http.StatusUnprocessableEntity || len(errs) != len(fields) ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s: %d %s", query, resp.StatusCode, body)
				continue
			}
			for _, f := range fields {
				if errs[f] == nil {
					t.Errorf("%s: %s not named: %v", query, f, errs)
				}
			}
		}
	})
}

func TestAPIAssetDetailAndQuotes(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	seedSimAssets(t, a)

	t.Run("a stock with its snapshot and day change", func(t *testing.T) {
		out := a.mustGet("/api/v1/assets/aapl")
		if out["symbol"] != "AAPL" || out["name"] != "Apple Inc. Common Stock" || out["margin_requirement"] != "30" {
			t.Fatalf("asset %v", out)
		}
		snap, ok := out["snapshot"].(map[string]any)
		if !ok {
			t.Fatalf("no snapshot: %v", out)
		}
		quote := snap["latest_quote"].(map[string]any)
		bid, ask := decimal.RequireFromString(quote["bid_price"].(string)), decimal.RequireFromString(quote["ask_price"].(string))
		if !bid.IsPositive() || ask.LessThan(bid) {
			t.Errorf("quote %v", quote)
		}
		price := decimal.RequireFromString(snap["price"].(string))
		prev := decimal.RequireFromString(snap["prev_close"].(string))
		change := decimal.RequireFromString(snap["change"].(string))
		if !price.Sub(prev).Equal(change) || snap["prev_close"] != snap["prev_daily_bar"].(map[string]any)["close"] {
			t.Errorf("price %s prev %s change %s", price, prev, change)
		}
		pct := change.Mul(decimal.NewFromInt(100)).Div(prev).StringFixed(2)
		if snap["change_percent"] != pct {
			t.Errorf("change_percent %v, want %s", snap["change_percent"], pct)
		}
	})
	t.Run("a crypto pair by any spelling", func(t *testing.T) {
		for _, path := range []string{"BTC/USD", "BTC%2FUSD", "btc%2fusd", "BTCUSD", "btcusd"} {
			out := a.mustGet("/api/v1/assets/" + path)
			if out["symbol"] != "BTC/USD" || out["snapshot"] == nil {
				t.Errorf("%s: %v", path, out)
			}
		}
	})
	t.Run("an unknown asset is a 404 problem", func(t *testing.T) {
		for _, path := range []string{"NOPE", "NOPE/USD", "%20", strings.Repeat("A", 40)} {
			resp, body, out := a.get("/api/v1/assets/" + path)
			if resp.StatusCode != http.StatusNotFound || out["code"] != "asset_not_found" {
				t.Errorf("%s: %d %s", path, resp.StatusCode, body)
			}
		}
	})
	t.Run("latest quotes keyed by symbol", func(t *testing.T) {
		out := a.mustGet("/api/v1/quotes?symbols=aapl,%20BTCUSD,MSFT,AAPL")
		quotes := out["quotes"].(map[string]any)
		if len(quotes) != 3 {
			t.Fatalf("quotes %v", quotes)
		}
		for _, sym := range []string{"AAPL", "BTC/USD", "MSFT"} {
			q, _ := quotes[sym].(map[string]any)
			if q == nil || q["symbol"] != sym {
				t.Errorf("%s: %v", sym, q)
				continue
			}
			if _, err := decimal.NewFromString(q["ask_price"].(string)); err != nil {
				t.Errorf("%s ask_price is not a decimal string: %v", sym, q["ask_price"])
			}
		}
	})
	t.Run("bad quote requests are a 422", func(t *testing.T) {
		many := make([]string, 101)
		for i := range many {
			many[i] = fmt.Sprintf("S%d", i)
		}
		for _, query := range []string{"", "symbols=", "symbols=,,", "symbols=AAPL,NOPE", "symbols=" + strings.Join(many, ","), "symbols=A%20B"} {
			resp, body, out := a.get("/api/v1/quotes?" + query)
			if resp.StatusCode != http.StatusUnprocessableEntity || out["errors"].(map[string]any)["symbols"] == nil {
				t.Errorf("%q: %d %s", query, resp.StatusCode, body)
			}
		}
	})
}

func TestAPICandles(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	ctx := context.Background()
	// Three hours of the sim's minute bars for a pair that trades around the clock, written
	// through the same path as backfill and the live aggregator.
	end := a.clock.Now().Truncate(time.Hour)
	bars, err := a.svc.Market.Provider.Bars(ctx, market.BarsRequest{Symbol: "BTC/USD", Timeframe: market.Min1, Start: end.Add(-3 * time.Hour), End: end})
	if err != nil || len(bars) != 180 {
		t.Fatalf("sim bars: %d, %v", len(bars), err)
	}
	btc, err := models.AssetBySymbol(ctx, a.db.Gorm, "BTC/USD")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.svc.Market.Candles.UpsertMinuteBars(ctx, btc.ID, market.Crypto, bars, "backfill"); err != nil {
		t.Fatal(err)
	}

	t.Run("pages backwards with cursors to the beginning", func(t *testing.T) {
		var times []time.Time
		path := "/api/v1/assets/BTC/USD/candles?timeframe=1m&limit=50"
		pages := 0
		for {
			out := a.mustGet(path)
			pages++
			if out["symbol"] != "BTC/USD" || out["timeframe"] != "1m" || out["prev_cursor"] == nil {
				t.Fatalf("page %d: %v", pages, out)
			}
			var page []time.Time
			for _, raw := range out["candles"].([]any) {
				c := raw.(map[string]any)
				ts, _ := time.Parse(time.RFC3339, c["time"].(string))
				page = append(page, ts)
				if _, err := decimal.NewFromString(c["close"].(string)); err != nil {
					t.Fatalf("close %v", c["close"])
				}
			}
			times = append(page, times...)
			next, _ := out["next_cursor"].(string)
			if next == "" {
				break
			}
			path = "/api/v1/assets/BTCUSD/candles?timeframe=1m&limit=50&before=" + next
		}
		if pages != 4 || len(times) != 180 || !times[0].Equal(bars[0].Start) || !times[179].Equal(bars[179].Start) {
			t.Fatalf("%d pages, %d candles from %v to %v", pages, len(times), times[0], times[len(times)-1])
		}
		for i := 1; i < len(times); i++ {
			if times[i].Sub(times[i-1]) != time.Minute {
				t.Fatalf("gap or repeat at %v", times[i])
			}
		}
	})
	t.Run("coarser timeframes are rolled up from the minutes", func(t *testing.T) {
		out := a.mustGet("/api/v1/assets/BTC%2FUSD/candles?timeframe=1h")
		candles := out["candles"].([]any)
		if len(candles) != 3 {
			t.Fatalf("1h candles: %v", out)
		}
		last := candles[2].(map[string]any)
		if last["close"] != bars[179].Close.String() || last["open"] != bars[120].Open.String() {
			t.Errorf("last hour %v; minutes open %s close %s", last, bars[120].Open, bars[179].Close)
		}
	})
	t.Run("exports the page shown as CSV", func(t *testing.T) {
		for _, c := range []struct{ query, accept string }{{"&format=csv", ""}, {"", "text/csv"}} {
			resp, body, _ := a.get("/api/v1/assets/BTC/USD/candles?timeframe=1m&limit=10"+c.query, "Accept", c.accept)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
				resp.Header.Get("Content-Disposition") != `attachment; filename="BTC-USD-1m.csv"` {
				t.Fatalf("%+v: %d %v\n%s", c, resp.StatusCode, resp.Header, body)
			}
			rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil || len(rows) != 11 {
				t.Fatalf("csv: %d rows, %v", len(rows), err)
			}
			if strings.Join(rows[0], ",") != "time,open,high,low,close,volume,trade_count,vwap" {
				t.Errorf("header %v", rows[0])
			}
			lastBar := bars[179]
			if want := []string{lastBar.Start.UTC().Format(time.RFC3339), lastBar.Open.String(), lastBar.High.String(),
				lastBar.Low.String(), lastBar.Close.String(), lastBar.Volume.String()}; !slices.Equal(rows[10][:6], want) {
				t.Errorf("last row %v, want %v", rows[10], want)
			}
		}
		resp, _, _ := a.get("/api/v1/assets/AAPL/candles?timeframe=1h&format=csv")
		if resp.Header.Get("Content-Disposition") != `attachment; filename="AAPL-1h.csv"` {
			t.Errorf("stock file name: %v", resp.Header)
		}
	})
	t.Run("bad parameters are a 422, an unknown asset a 404", func(t *testing.T) {
		for query, field := range map[string]string{
			"timeframe=2m": "timeframe", "limit=0": "limit", "limit=5001": "limit", "format=xml": "format",
			"timeframe=1m&before=garbage": "before", "timeframe=1m&after=%25%25": "after",
		} {
			resp, body, out := a.get("/api/v1/assets/BTC/USD/candles?" + query)
			if resp.StatusCode != http.StatusUnprocessableEntity || out["errors"].(map[string]any)[field] == nil {
				t.Errorf("%s: %d %s", query, resp.StatusCode, body)
			}
		}
		// A cursor of one timeframe is refused by another.
		first := a.mustGet("/api/v1/assets/BTC/USD/candles?timeframe=1m&limit=5")
		if resp, body, _ := a.get("/api/v1/assets/BTC/USD/candles?timeframe=5m&before=" + first["next_cursor"].(string)); resp.StatusCode != 422 {
			t.Errorf("cursor of 1m used on 5m: %d %s", resp.StatusCode, body)
		}
		if resp, _, _ := a.get("/api/v1/assets/NOPE/candles"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown asset: %d", resp.StatusCode)
		}
	})
}

func TestAPIMarketClockCalendarStatus(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)

	t.Run("clock", func(t *testing.T) {
		out := a.mustGet("/api/v1/market/clock")
		session := out["session"].(string)
		if !slices.Contains([]string{"pre", "regular", "post", "closed"}, session) || (out["is_open"] == true) != (session == "regular") {
			t.Errorf("clock %v", out)
		}
		nextOpen, err1 := time.Parse(time.RFC3339, out["next_open"].(string))
		nextClose, err2 := time.Parse(time.RFC3339, out["next_close"].(string))
		if err1 != nil || err2 != nil || !nextOpen.After(a.clock.Now()) || !nextClose.After(a.clock.Now()) {
			t.Errorf("next open %v, next close %v", out["next_open"], out["next_close"])
		}
		if today, ok := out["today"].(map[string]any); ok && today["date"] == nil {
			t.Errorf("today %v", today)
		}
	})
	t.Run("calendar", func(t *testing.T) {
		out := a.mustGet("/api/v1/market/calendar?start=2025-01-01&end=2025-01-31")
		days := out["days"].([]any)
		// January 2025: 23 weekdays less New Year's Day, the national day of mourning for
		// President Carter (January 9) and Martin Luther King Jr. Day.
		var dates []string
		for _, raw := range days {
			dates = append(dates, raw.(map[string]any)["date"].(string))
		}
		if len(dates) < 20 || len(dates) > 21 || dates[0] != "2025-01-02" || slices.Contains(dates, "2025-01-20") ||
			slices.Contains(dates, "2025-01-04") {
			t.Errorf("January 2025: %v", dates)
		}
		first := days[0].(map[string]any)
		if first["open"] != "2025-01-02T14:30:00Z" || first["close"] != "2025-01-02T21:00:00Z" {
			t.Errorf("first day %v", first)
		}
		if got := a.mustGet("/api/v1/market/calendar"); len(got["days"].([]any)) < 15 {
			t.Errorf("default month ahead: %v", got)
		}
	})
	t.Run("bad calendar ranges are a 422", func(t *testing.T) {
		for query, field := range map[string]string{
			"start=yesterday": "start", "start=2025-02-01&end=2025-01-01": "end", "start=2024-01-01&end=2025-12-31": "end",
			"end=2025-13-01": "end",
		} {
			resp, body, out := a.get("/api/v1/market/calendar?" + query)
			if resp.StatusCode != http.StatusUnprocessableEntity || out["errors"].(map[string]any)[field] == nil {
				t.Errorf("%s: %d %s", query, resp.StatusCode, body)
			}
		}
	})
	t.Run("status", func(t *testing.T) {
		out := a.mustGet("/api/v1/market/status")
		stream, _ := out["stream"].(map[string]any)
		hub, _ := out["hub"].(map[string]any)
		if out["provider"] != "simulated" || stream == nil || stream["connected"] != false || hub == nil || hub["subscriptions"] == nil {
			t.Errorf("status %v", out)
		}
	})
}

func TestAPIAdminSyncAssets(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	if _, _, err := a.svc.Accounts.CreateAdmin(context.Background(), "root@example.com", "Root Operator", goodPassword); err != nil {
		t.Fatal(err)
	}
	user, _ := a.tokens("ada@example.com", goodPassword)
	root, _ := a.tokens("root@example.com", goodPassword)
	jobsOfKind := func() int {
		var n int
		if err := a.db.Gorm.Raw("SELECT count(*) FROM river_job WHERE kind = 'sync_assets'").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}

	if resp, out := a.api(http.MethodPost, "/api/v1/admin/sync/assets", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("guest: %d %v", resp.StatusCode, out)
	}
	if resp, out := a.api(http.MethodPost, "/api/v1/admin/sync/assets", nil, "Authorization", "Bearer "+user); resp.StatusCode != http.StatusNotFound {
		t.Errorf("non-admin: %d %v", resp.StatusCode, out)
	}
	if n := jobsOfKind(); n != 0 {
		t.Fatalf("%d sync jobs before an admin asked", n)
	}
	resp, out := a.api(http.MethodPost, "/api/v1/admin/sync/assets", nil, "Authorization", "Bearer "+root)
	if resp.StatusCode != http.StatusAccepted || out["status"] != "queued" || jobsOfKind() != 1 {
		t.Fatalf("admin: %d %v, %d jobs", resp.StatusCode, out, jobsOfKind())
	}
	// Pressing again while it waits is absorbed by the queued job.
	if resp, _ := a.api(http.MethodPost, "/api/v1/admin/sync/assets", nil, "Authorization", "Bearer "+root); resp.StatusCode != http.StatusAccepted || jobsOfKind() != 1 {
		t.Errorf("second press: %d, %d jobs", resp.StatusCode, jobsOfKind())
	}
	// Every admin action leaves a trace, through the API as on the pages: one entry per press, the
	// absorbed one saying so; the refused non-admin's press wrote none.
	var entries []struct {
		ActorEmail string
		After      string
	}
	if err := a.db.Gorm.Raw(`SELECT actor_email, after::text AS after FROM audit_entries
		WHERE action = 'market.sync_assets' ORDER BY id`).Scan(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].ActorEmail != "root@example.com" ||
		!strings.Contains(entries[0].After, `"queued": true`) || !strings.Contains(entries[1].After, `"queued": false`) {
		t.Errorf("audit entries = %+v", entries)
	}
}

func TestAPIMarketRateLimit(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.srv.publicRule = ratelimit.Rule{Limit: 3, Window: time.Minute}
	for i := range 3 {
		if resp, body, _ := a.get("/api/v1/market/clock"); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i+1, resp.StatusCode, body)
		}
	}
	// Every public endpoint draws on the same allowance.
	for _, path := range []string{"/api/v1/market/clock", "/api/v1/assets", "/api/v1/stream?symbols=BTC/USD"} {
		resp, body, out := a.get(path)
		if resp.StatusCode != http.StatusTooManyRequests || out["code"] != "rate_limited" || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s past the limit: %d %s", path, resp.StatusCode, body)
		}
	}
}

// serveLive serves the app on a real port, for clients that need a socket (event streams), and
// returns its base URL.
func serveLive(t *testing.T, a *testApp) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

// startFeed runs the feed role until the test ends, and waits for it to stop.
func startFeed(t *testing.T, a *testApp) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); runFeed(ctx, a.svc, a.srv.log) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("the feed did not stop")
		}
	})
}

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	name string
	data map[string]any
}

// sseClient reads an event stream over a real connection.
type sseClient struct {
	resp   *http.Response
	events chan sseEvent
}

// openStream connects to an event stream. acceptEncoding "" lets the client ask for gzip, as Go
// does by default; "identity" reads it plain, as curl does.
func openStream(t *testing.T, url, acceptEncoding string) *sseClient {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		t.Fatalf("stream: %d %v", resp.StatusCode, resp.Header)
	}
	c := &sseClient{resp: resp, events: make(chan sseEvent, 1024)}
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = map[string]any{}
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data)
			case line == "" && ev.name != "":
				select {
				case c.events <- ev:
				default: // the test has seen enough
				}
				ev = sseEvent{}
			}
		}
	}()
	t.Cleanup(c.close)
	return c
}

func (c *sseClient) close() { _ = c.resp.Body.Close() }

// waitFor returns the first event of the kind for the symbol, failing the test after within.
func (c *sseClient) waitFor(t *testing.T, name, symbol string, within time.Duration) map[string]any {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				t.Fatalf("the stream ended before a %s of %s", name, symbol)
			}
			if ev.name == name && ev.data["symbol"] == symbol {
				return ev.data
			}
		case <-deadline:
			t.Fatalf("no %s of %s within %v", name, symbol, within)
		}
	}
}

// eventually polls cond until it holds, failing the test after within.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, within, what, cond)
}

func TestAPIMarketStream(t *testing.T) {
	t.Parallel()
	// The simulator on the real clock, so prices move; BTC/USD trades around the clock.
	a := newTestAppWith(t, testAppOptions{provider: sim.New(sim.Options{Seed: 7, TickInterval: 50 * time.Millisecond})})
	// A short grace period, so a released symbol leaves the feed's wanted list within the test.
	old := a.svc.Market.Hub
	a.svc.Market.Hub = market.NewHub(market.HubOptions{Grace: 100 * time.Millisecond})
	old.Close()
	t.Cleanup(a.svc.Market.Hub.Close)
	seedSimAssets(t, a)
	base := serveLive(t, a)
	startFeed(t, a)
	hub := a.svc.Market.Hub
	// The feed's own subscribers: the candle aggregator and the matcher.
	const feedSubscribers = 2
	eventually(t, 5*time.Second, "the candle aggregator and the matcher subscribe", func() bool { return hub.Stats().Subscriptions == feedSubscribers })

	t.Run("bad requests are refused before streaming", func(t *testing.T) {
		for _, query := range []string{"", "symbols=NOPE", "symbols=BTC/USD&types=candles"} {
			resp, body, _ := a.get("/api/v1/stream?" + query)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%q: %d %s", query, resp.StatusCode, body)
			}
		}
		var symbols []string
		assets, _ := a.svc.Market.Provider.Assets(context.Background())
		for _, as := range assets {
			if as.Active && len(symbols) < 51 {
				symbols = append(symbols, as.Symbol)
			}
		}
		resp, body, out := a.get("/api/v1/stream?symbols=" + strings.Join(symbols, ","))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(out["detail"].(string), "at most 50") {
			t.Errorf("51 symbols: %d %s", resp.StatusCode, body)
		}
	})

	for _, encoding := range []string{"", "identity"} {
		t.Run("live quotes, released on disconnect, encoding "+encoding, func(t *testing.T) {
			client := openStream(t, base+"/api/v1/stream?symbols=btcusd,ETH/USD", encoding)
			quote := client.waitFor(t, "quote", "BTC/USD", 10*time.Second)
			bid, err := decimal.NewFromString(quote["bid_price"].(string))
			if err != nil || !bid.IsPositive() {
				t.Errorf("quote %v", quote)
			}
			if wanted := hub.Wanted(0); !slices.Contains(wanted, "BTC/USD") || !slices.Contains(wanted, "ETH/USD") {
				t.Errorf("wanted upstream while streaming: %v", wanted)
			}
			if st := a.svc.Market.Provider.Stream().Status(); st.Symbols != 2 {
				eventually(t, 5*time.Second, "the feed follows the stream's symbols", func() bool {
					return a.svc.Market.Provider.Stream().Status().Symbols == 2
				})
			}
			client.close()
			eventually(t, 5*time.Second, "the subscription is released", func() bool {
				return hub.Stats().Subscriptions == feedSubscribers && !slices.Contains(hub.Wanted(0), "BTC/USD")
			})
			eventually(t, 5*time.Second, "the feed stops following", func() bool {
				return a.svc.Market.Provider.Stream().Status().Symbols == 0
			})
		})
	}
}

// failingQuotes is the harness's simulator with its live-data calls failing, as a provider does
// during an outage.
type failingQuotes struct{ market.Provider }

func (failingQuotes) LatestQuotes(context.Context, []string) (map[string]market.Quote, error) {
	return nil, errors.New("upstream: 503 service unavailable")
}

func (failingQuotes) Snapshots(context.Context, []string) (map[string]market.Snapshot, error) {
	return nil, errors.New("upstream: 503 service unavailable")
}

func TestAPIMarketProviderOutage(t *testing.T) {
	t.Parallel()
	a := newTestAppWith(t, testAppOptions{provider: failingQuotes{sim.New(sim.Options{Seed: 7})}})
	seedSimAssets(t, a)

	// The catalogue is ours, so the asset still answers; the snapshot says why it is missing.
	out := a.mustGet("/api/v1/assets/AAPL")
	if out["symbol"] != "AAPL" || out["snapshot"] != nil || out["snapshot_error"] == nil {
		t.Errorf("asset during an outage: %v", out)
	}
	resp, body, problem := a.get("/api/v1/quotes?symbols=AAPL")
	if resp.StatusCode != http.StatusServiceUnavailable || problem["detail"] == nil {
		t.Errorf("quotes during an outage: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(a.logs.String(), "upstream: 503 service unavailable") {
		t.Error("the provider's error was not logged")
	}
}
