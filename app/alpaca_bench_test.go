package app

import (
	"context"
	"fmt"
	"io"
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
	"gorm.io/gorm"

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

// pacedLoop offers rate requests/s for d, spread over workers goroutines (each sends at its own
// fixed schedule), and times each request from when it was due, not from when it was sent, so a
// slow answer that delays the next request counts against the next one too (no coordinated
// omission). It is the latency a server gives at that offered load.
func pacedLoop(t *testing.T, workers int, rate float64, d time.Duration, do func(w int) error) loadResult {
	t.Helper()
	interval := time.Duration(float64(workers) / rate * float64(time.Second))
	lat := make([][]time.Duration, workers)
	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Staggered starts, so the workers' requests interleave evenly.
			due := start.Add(time.Duration(w) * interval / time.Duration(workers))
			for due.Before(start.Add(d)) {
				if wait := time.Until(due); wait > 0 {
					time.Sleep(wait) // pacing the offered load, not synchronisation
				}
				if err := do(w); err != nil {
					failed.Store(err)
					return
				}
				lat[w] = append(lat[w], time.Since(due))
				due = due.Add(interval)
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
	return loadResult{n: int64(len(all)), rate: float64(len(all)) / time.Since(start).Seconds(), p99: all[len(all)*99/100]}
}

// countStatements counts, from now on, every SQL statement run through db (GORM's query, raw,
// row, create, update and delete callbacks); the returned function stops counting.
func countStatements(t *testing.T, db *gorm.DB) (n *atomic.Int64, stop func()) {
	t.Helper()
	n = &atomic.Int64{}
	var on atomic.Bool
	on.Store(true)
	count := func(*gorm.DB) {
		if on.Load() {
			n.Add(1)
		}
	}
	name := fmt.Sprintf("test:count_statements_%p", n)
	cb := db.Callback()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register(name, count),
		cb.Raw().After("gorm:raw").Register(name, count),
		cb.Row().After("gorm:row").Register(name, count),
		cb.Create().After("gorm:create").Register(name, count),
		cb.Update().After("gorm:update").Register(name, count),
		cb.Delete().After("gorm:delete").Register(name, count),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return n, func() { on.Store(false) }
}

// benchParts is which parts of TestAlpacaAPIThroughput run: ALPACA_BENCH=account or =orders runs
// one, anything else both.
func benchParts() (account, orders bool) {
	switch os.Getenv("ALPACA_BENCH") {
	case "account":
		return true, false
	case "orders":
		return false, true
	}
	return true, true
}

// TestAlpacaAPIThroughput measures the two benchmarks of issue 12 beside their baselines, in one
// run: GET /v2/account with key authentication against a bare Fiber handler (64 keep-alive
// connections), and market orders through POST /v2/orders from 32 SDK clients against the same
// orders placed by calling the service directly. Run with ALPACA_BENCH=1 (or =account, =orders
// for one part); the numbers and the command go in docs/BENCHMARKS.md.
//
// GET /v2/account is measured three ways: the statements one request runs; a closed loop (64
// connections sending back to back: the most requests/s, with a p99 that Little's law ties to
// that rate, 64 / rate on average); and a paced loop offering 8% of the bare handler's rate (the
// target) over the same 64 connections, whose p99 is the latency at the rate the target asks for.
func TestAlpacaAPIThroughput(t *testing.T) {
	if os.Getenv("ALPACA_BENCH") == "" {
		t.Skip("set ALPACA_BENCH=1 to run")
	}
	doAccount, doOrders := benchParts()
	b := newBotApp(t, nil)
	d := 5 * time.Second

	if doAccount {
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
				// Read to the end, as an SDK does decoding it: an unread body closes the
				// connection, and every request would pay for a new one.
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					return fmt.Errorf("status %d", resp.StatusCode)
				}
				return nil
			}
		}
		bareGet, accountGet := get("http://"+ln.Addr().String()+"/v2/account", b.aliceKey), get(b.url+"/v2/account", b.aliceKey)
		// A position and an open order, so the valuation has something to value.
		placeAccountFixtures(t, b)
		for range 20 { // warm: the key is remembered once the key-change watch listens
			if err := accountGet(0); err != nil {
				t.Fatal(err)
			}
		}
		n, stop := countStatements(t, b.db.Gorm)
		const serial = 200
		for range serial {
			if err := accountGet(0); err != nil {
				t.Fatal(err)
			}
		}
		stop()
		t.Logf("GET /v2/account: %.2f SQL statements per request (%d requests one after another)", float64(n.Load())/serial, serial)

		baseline := closedLoop(t, 64, d, bareGet)
		account := closedLoop(t, 64, d, accountGet)
		t.Logf("GET /v2/account, 64 connections, closed loop: bare Fiber %s; with key auth %s (%.1f%%)", baseline, account, 100*account.rate/baseline.rate)
		target := 0.08 * baseline.rate
		pacedBare := pacedLoop(t, 64, target, d, bareGet)
		paced := pacedLoop(t, 64, target, d, accountGet)
		t.Logf("GET /v2/account, 64 connections, paced at 8%% of the bare handler's rate (%.0f/s): bare Fiber %s; with key auth %s", target, pacedBare, paced)
	}
	if !doOrders {
		return
	}
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

// placeAccountFixtures gives alice's account a filled position and a resting limit order.
func placeAccountFixtures(t *testing.T, b *botApp) {
	t.Helper()
	ctx := context.Background()
	one := decimal.NullDecimal{Decimal: decimal.NewFromInt(1), Valid: true}
	if _, err := b.svc.Trading.PlaceOrder(ctx, b.alice.ID, b.aliceKey.AccountID, order.Request{Symbol: "AAPL", Qty: one,
		Side: fill.Buy, Type: fill.Market, TimeInForce: fill.Day}, trading.SourceAPI); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Trading.PlaceOrder(ctx, b.alice.ID, b.aliceKey.AccountID, order.Request{Symbol: "AAPL", Qty: one,
		Side: fill.Buy, Type: fill.Limit, LimitPrice: decimal.NullDecimal{Decimal: decimal.NewFromInt(1), Valid: true},
		TimeInForce: fill.GTC}, trading.SourceAPI); err != nil {
		t.Fatal(err)
	}
}
