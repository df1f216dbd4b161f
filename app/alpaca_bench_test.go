package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// loadResult is what a closed-loop load run measured.
type loadResult struct {
	n    int64
	rate float64
	p99  time.Duration
}

func (r loadResult) String() string {
	return fmt.Sprintf("%d requests, %.0f/s, p99 %s", r.n, r.rate, r.p99.Round(10*time.Microsecond))
}

// closedLoop runs workers goroutines calling do back to back for d.
func closedLoop(t *testing.T, workers int, d time.Duration, do func(w int) error) loadResult {
	t.Helper()
	var n atomic.Int64
	lat := make([][]time.Duration, workers)
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if err := do(w); err != nil {
					failed.Store(err)
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	el := time.Since(start)
	return loadResult{n: n.Load(), rate: float64(n.Load()) / el.Seconds(), p99: all[len(all)*99/100]}
}

// TestAlpacaAPIThroughput measures the two benchmarks of issue 12 beside their baselines, in one
// run: GET /v2/account with key authentication against a bare Fiber handler (64 connections), and
// market orders through POST /v2/orders from 32 SDK clients against the same orders placed by
// calling the service directly. Run with ALPACA_BENCH=1 (make bench-api); the numbers go in
// docs/BENCHMARKS.md.
func TestAlpacaAPIThroughput(t *testing.T) {
	if os.Getenv("ALPACA_BENCH") == "" {
		t.Skip("set ALPACA_BENCH=1 to run")
	}
	b := newBotApp(t, nil)
	d := 5 * time.Second

	// Baseline: a bare Fiber handler on its own port.
	bare := fiber.New(fiber.Config{DisableStartupMessage: true})
	bare.Get("/v2/account", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ACTIVE"}) })
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = bare.Listener(ln) }()
	defer bare.Shutdown()
	httpc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	get := func(url string, key botKey) func(int) error {
		return func(int) error {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header.Set("APCA-API-KEY-ID", key.KeyID)
			req.Header.Set("APCA-API-SECRET-KEY", key.Secret)
			resp, err := httpc.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		}
	}
	baseline := closedLoop(t, 64, d, get("http://"+ln.Addr().String()+"/v2/account", b.aliceKey))
	account := closedLoop(t, 64, d, get(b.url+"/v2/account", b.aliceKey))
	t.Logf("GET /v2/account, 64 connections: bare Fiber %s; with key auth %s (%.1f%%)", baseline, account, 100*account.rate/baseline.rate)

	// Orders: 32 accounts (one per client), market buys of 1 share, through the SDK and directly.
	const clients = 32
	var keys []botKey
	var users []int64
	for i := range clients {
		u := b.createUser(fmt.Sprintf("bench%d@example.com", i), goodPassword)
		users = append(users, u.ID)
		keys = append(keys, b.newKey(u, 0))
	}
	sdk := make([]*alpaca.Client, clients)
	for i, k := range keys {
		sdk[i] = alpaca.NewClient(alpaca.ClientOpts{APIKey: k.KeyID, APISecret: k.Secret, BaseURL: b.url, RetryLimit: -1})
	}
	one := dec("1")
	viaAPI := closedLoop(t, clients, d, func(w int) error {
		_, err := sdk[w].PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: one, Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day})
		return err
	})
	ctx := context.Background()
	direct := closedLoop(t, clients, d, func(w int) error {
		_, err := b.svc.Trading.PlaceOrder(ctx, users[w], keys[w].AccountID, order.Request{Symbol: "AAPL",
			Qty: decimal.NullDecimal{Decimal: decimal.NewFromInt(1), Valid: true}, Side: fill.Buy, Type: fill.Market, TimeInForce: fill.Day}, trading.SourceAPI)
		return err
	})
	t.Logf("market orders, 32 clients: service directly %s; POST /v2/orders via the Go SDK %s (%.1f%%)", direct, viaAPI, 100*viaAPI.rate/direct.rate)
}
