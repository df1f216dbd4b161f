package app

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/jobs"
	"alpacawrapper/market"
	"alpacawrapper/market/alpacafake"
	"alpacawrapper/market/sim"
)

// Both ways the app gets market data, end to end through the real wiring (NewServices choosing
// the provider from configuration, River working the sync job, runFeed, the HTTP API on a socket):
// the built-in simulated market, and Alpaca through the official SDK against the in-repo fake.

// startWorkers runs the River client's workers until the test ends.
func startWorkers(t *testing.T, a *testApp) {
	t.Helper()
	if err := a.svc.River.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.svc.River.Stop(ctx); err != nil {
			_ = a.svc.River.StopAndCancel(context.Background())
		}
	})
}

// waitForCatalogue waits until a sync has filled the assets table, and returns how many active
// assets it holds.
func waitForCatalogue(t *testing.T, a *testApp) int {
	t.Helper()
	var total int
	eventually(t, 15*time.Second, "the asset sync fills the catalogue", func() bool {
		_, _, out := a.get("/api/v1/assets?limit=1")
		n, _ := out["total"].(float64)
		total = int(n)
		return total > 100
	})
	return total
}

func TestSimulatedMarketEndToEnd(t *testing.T) {
	t.Parallel()
	// No ALPACA_* variables: configuration picks the simulated market, on the real clock.
	a := newTestAppWith(t, testAppOptions{configuredProvider: true, vars: map[string]string{"SIM_TICK_INTERVAL": "50ms"}})
	if out := a.mustGet("/api/v1/market/status"); out["provider"] != "simulated" {
		t.Fatalf("provider %v", out["provider"])
	}
	startWorkers(t, a)

	// An operator asks for a sync; the worker fills the catalogue from the simulator.
	if _, _, err := a.svc.Accounts.CreateAdmin(context.Background(), "root@example.com", "Root Operator", goodPassword); err != nil {
		t.Fatal(err)
	}
	root, _ := a.tokens("root@example.com", goodPassword)
	if resp, out := a.api(http.MethodPost, "/api/v1/admin/sync/assets", nil, "Authorization", "Bearer "+root); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("sync: %d %v", resp.StatusCode, out)
	}
	waitForCatalogue(t, a)

	base := serveLive(t, a)
	startFeed(t, a)
	client := openStream(t, base+"/api/v1/stream?symbols=BTC/USD", "")
	quote := client.waitFor(t, "quote", "BTC/USD", 10*time.Second)
	if bid, err := decimal.NewFromString(quote["bid_price"].(string)); err != nil || !bid.IsPositive() {
		t.Errorf("live quote %v", quote)
	}

	// A live minute bar reaches both the stream's reader and the candle aggregator, which writes
	// it as a 1-minute candle and rolls it up. The simulator publishes bars only at minute
	// boundaries, so this one is published into the hub as the feed would. It is the last minute of
	// an hour well in the past: the simulator's own bars for that hour (back-filled by the gap job)
	// come before it, so the hour's close is this bar's whatever else is stored.
	minute := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour - time.Minute)
	d := decimal.RequireFromString
	a.svc.Market.Hub.Bar(market.Bar{Symbol: "BTC/USD", Start: minute, Open: d("100.5"), High: d("102"), Low: d("99.75"),
		Close: d("101.25"), Volume: d("3.5"), TradeCount: 7, VWAP: d("100.9")})
	if bar := client.waitFor(t, "bar", "BTC/USD", 5*time.Second); bar["close"] != "101.25" || bar["time"] != minute.Format(time.RFC3339) {
		t.Errorf("streamed bar %v", bar)
	}
	candleAt := func(timeframe string, at time.Time) map[string]any {
		out := a.mustGet("/api/v1/assets/BTC/USD/candles?timeframe=" + timeframe + "&limit=5000")
		for _, raw := range out["candles"].([]any) {
			if c := raw.(map[string]any); c["time"] == at.Format(time.RFC3339) {
				return c
			}
		}
		return nil
	}
	var candle map[string]any
	eventually(t, 10*time.Second, "the live bar becomes a candle", func() bool {
		candle = candleAt("1m", minute)
		return candle != nil
	})
	if candle["open"] != "100.5" || candle["high"] != "102" || candle["low"] != "99.75" || candle["close"] != "101.25" ||
		candle["volume"] != "3.5" || candle["trade_count"] != float64(7) || candle["vwap"] != "100.9" {
		t.Errorf("1m candle %v", candle)
	}
	if hour := candleAt("1h", minute.Truncate(time.Hour)); hour == nil || hour["close"] != "101.25" {
		t.Errorf("1h candle holding the minute: %v", hour)
	}
}

func TestAlpacaMarketEndToEnd(t *testing.T) {
	t.Parallel()
	const key, secret = "PKTESTENDTOEND000000", "end-to-end-secret"
	fake := alpacafake.New(alpacafake.Options{KeyID: key, SecretKey: secret, Data: sim.New(sim.Options{Seed: 7}),
		AutoPublish: 100 * time.Millisecond})
	if err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	a := newTestAppWith(t, testAppOptions{configuredProvider: true, vars: map[string]string{
		"ALPACA_API_KEY_ID": key, "ALPACA_API_SECRET_KEY": secret,
		"ALPACA_TRADING_URL": fake.URL(), "ALPACA_DATA_URL": fake.URL(),
		"ALPACA_STREAM_URL": fake.URL() + "/v2", "ALPACA_CRYPTO_STREAM_URL": fake.URL() + "/v1beta3/crypto",
	}})
	if out := a.mustGet("/api/v1/market/status"); out["provider"] != "alpaca" {
		t.Fatalf("provider %v", out["provider"])
	}

	// The catalogue comes through the SDK's assets call.
	startWorkers(t, a)
	if err := jobs.EnqueueSyncAssets(context.Background(), a.svc.River); err != nil {
		t.Fatal(err)
	}
	waitForCatalogue(t, a)
	if fake.Requests("/v2/assets") == 0 {
		t.Error("the sync did not ask the fake for assets")
	}

	// Snapshots and latest quotes come through the SDK's market-data calls.
	if out := a.mustGet("/api/v1/assets/BTCUSD"); out["symbol"] != "BTC/USD" || out["snapshot"] == nil {
		t.Errorf("asset detail through the SDK: %v", out)
	}
	quotes := a.mustGet("/api/v1/quotes?symbols=AAPL,BTC/USD")["quotes"].(map[string]any)
	if quotes["BTC/USD"] == nil || quotes["AAPL"] == nil {
		t.Errorf("latest quotes through the SDK: %v", quotes)
	}

	// Live quotes: the stream client's demand reaches the fake as a subscription, and the quotes
	// the fake publishes for it reach the client.
	base := serveLive(t, a)
	startFeed(t, a)
	client := openStream(t, base+"/api/v1/stream?symbols=BTC/USD", "")
	quote := client.waitFor(t, "quote", "BTC/USD", 15*time.Second)
	if bid, err := decimal.NewFromString(quote["bid_price"].(string)); err != nil || !bid.IsPositive() {
		t.Errorf("live quote %v", quote)
	}
	if _, subscribed, _ := fake.Subscriptions("us"); !slices.Contains(subscribed, "BTC/USD") {
		t.Errorf("the fake's crypto quote subscriptions: %v", subscribed)
	}
	stream := a.mustGet("/api/v1/market/status")["stream"].(map[string]any)
	if stream["connected"] != true || stream["symbols"].(float64) < 1 || stream["last_message_at"] == nil {
		t.Errorf("stream status %v", stream)
	}
}
