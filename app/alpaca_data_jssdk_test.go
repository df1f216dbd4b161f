package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// TestJavaScriptSDK runs scripts/jssdk-check.mjs: Alpaca's official JavaScript SDK, as pinned in
// package.json and installed by `npm ci`, against a test server of this app (account, an order,
// bars over several pages, daily bars, the latest quote, a snapshot, historical trades and quotes
// on the single- and multi-symbol paths with pages and both directions, crypto data and its trades
// and quotes without keys, quotes and trades on the msgpack stock stream, which this test feeds
// through the hub, FAKEPACA on the test stream, and trade updates on the /stream WebSocket).
func TestJavaScriptSDK(t *testing.T) {
	// CI installs Node and runs `npm ci` first, so there a missing SDK is a failure; elsewhere (a
	// checkout whose node_modules predates the SDK) it is a skip that says what to run.
	missing := t.Skipf
	if os.Getenv("CI") != "" {
		missing = t.Fatalf
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
		return
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "@alpacahq", "alpaca-trade-api", "package.json")); err != nil {
		missing("the JavaScript SDK is not installed (run `npm ci`): %v", err)
		return
	}
	b := newBotApp(t, nil)

	// Feed the hub while the script runs: the stream gets what the hub has for what it follows.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for n := int64(1); ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			now := time.Now().UTC()
			b.svc.Market.Hub.Quote(market.Quote{Symbol: "AAPL", BidPrice: decimal.NewFromInt(187), AskPrice: decimal.RequireFromString("187.05"),
				BidSize: decimal.NewFromInt(100), AskSize: decimal.NewFromInt(100), Time: now})
			b.svc.Market.Hub.Trade(market.Trade{Symbol: "AAPL", ID: n, Price: decimal.RequireFromString("187.02"), Size: decimal.NewFromInt(5), Exchange: "V", Time: now})
		}
	}()

	cmd := exec.CommandContext(ctx, node, filepath.Join("scripts", "jssdk-check.mjs"))
	cmd.Dir = root
	ws := strings.Replace(b.url, "http://", "ws://", 1)
	cmd.Env = append(os.Environ(),
		"ALPACA_BASE_URL="+b.url,
		"ALPACA_STREAM_URL="+ws+"/v2/iex",
		"ALPACA_KEY_ID="+b.aliceKey.KeyID,
		"ALPACA_SECRET_KEY="+b.aliceKey.Secret,
	)
	// Trade updates are checked once the app serves the /stream WebSocket (it comes with the
	// trade-events work; until then the rest is checked alone).
	wants := []string{"ok account", "ok order", "ok bars", "ok daily bars", "ok latest quote", "ok snapshot",
		"ok crypto quote without keys", "ok stream"}
	if resp, _ := b.do(httptest.NewRequest(http.MethodGet, "/stream", nil)); resp.StatusCode != http.StatusNotFound {
		cmd.Env = append(cmd.Env, "ALPACA_TRADING_STREAM_URL="+ws+"/stream")
		wants = append(wants, "ok trade updates")
	}
	out, err := cmd.CombinedOutput()
	cancel()
	<-fed
	t.Logf("jssdk-check:\n%s", out)
	if err != nil {
		t.Fatalf("jssdk-check failed: %v", err)
	}
	for _, want := range wants {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in the output", want)
		}
	}
}
