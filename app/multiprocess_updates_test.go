package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/coder/websocket"
	"github.com/shopspring/decimal"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/market/sim"
)

// TestTradeUpdatesReachClientsOfAnotherProcess is issue 15's item 3 with real processes: two
// web-only processes of the built binary on one PostgreSQL. Orders placed through the first reach
// an SSE client (/v2/events/trades, the Go SDK), a /stream client and a /ws/trading page connected
// to the second: every event of the log, in its order, once, and each well before the 5 s poll
// (so by the notification, not the poll that covers a lost one).
func TestTradeUpdatesReachClientsOfAnotherProcess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	db, err := database.Open(ctx, database.Options{URL: url, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	// The test's own app on the same database makes the person, her key and her browser session.
	a := newTestAppWith(t, testAppOptions{db: db, vars: map[string]string{"SIM_ALWAYS_OPEN": "true"},
		provider: sim.New(sim.Options{Seed: 7, AlwaysOpen: true})})
	seedSimAssets(t, a)
	alice := a.createUser("alice@example.com", goodPassword)
	key, err := a.svc.APIKeys.CreateFor(ctx, alice.ID, 0, "bot")
	if err != nil {
		t.Fatal(err)
	}
	accts, err := a.svc.Trading.Accounts(ctx, alice.ID)
	if err != nil || len(accts) == 0 {
		t.Fatalf("accounts: %v", err)
	}
	account := accts[0].ID
	b := a.browser()
	b.login("alice@example.com", goodPassword)

	env := []string{"APP_ENV=test", "DATABASE_URL=" + url, "ROLES=web", "SIM_ALWAYS_OPEN=true",
		"RATE_LIMIT_BOT_API=100000/1m", "LOG_LEVEL=info", "MIGRATE_ON_START=false"}
	placer := startBinProc(t, "web-1", true, env, "serve")
	watcher := startBinProc(t, "web-2", true, env, "serve")

	client := func(p *binProc) *alpaca.Client {
		return alpaca.NewClient(alpaca.ClientOpts{APIKey: key.KeyID, APISecret: key.Secret, BaseURL: p.url, RetryLimit: -1,
			HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	}

	// The browser's trading page on the watcher: the hello says it listens.
	var cookies []string
	for k, v := range b.cookies {
		cookies = append(cookies, k+"="+v)
	}
	dialCtx, cancelDial := context.WithTimeout(ctx, 10*time.Second)
	defer cancelDial()
	page, _, err := websocket.Dial(dialCtx, "ws://"+watcher.host()+"/ws/trading", &websocket.DialOptions{HTTPHeader: http.Header{
		"Origin": {watcher.url}, "Cookie": {strings.Join(cookies, "; ")}}})
	if err != nil {
		t.Fatal(err)
	}
	page.SetReadLimit(1 << 22)
	t.Cleanup(func() { _ = page.CloseNow() })
	if _, hello, err := page.Read(dialCtx); err != nil || string(hello) != wsTradingHello {
		t.Fatalf("/ws/trading first frame %q, %v", hello, err)
	}

	// A bot's /stream on the watcher: listening once it says so.
	stream, _, err := websocket.Dial(dialCtx, "ws://"+watcher.host()+"/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stream.CloseNow() })
	sc := &streamClient{t: t, c: stream}
	sc.send(websocket.MessageText, fmt.Sprintf(`{"action":"authenticate","data":{"key_id":%q,"secret_key":%q}}`, key.KeyID, key.Secret))
	if m := sc.read(); data(m)["status"] != "authorized" {
		t.Fatalf("/stream authorization: %v", m)
	}
	sc.send(websocket.MessageText, `{"action":"listen","data":{"streams":["trade_updates"]}}`)
	if m := sc.read(); m["stream"] != "listening" {
		t.Fatalf("/stream listen: %v", m)
	}

	// The SDK's SSE stream on the watcher, from the start of the log (since_id=0), so nothing
	// depends on when its request arrives; what follows the first events arrives live.
	sseCtx, stopSSE := context.WithCancel(ctx)
	defer stopSSE()
	sse := make(chan alpaca.TradeUpdate, 1000)
	go func() {
		_ = client(watcher).StreamTradeUpdates(sseCtx, func(tu alpaca.TradeUpdate) { sse <- tu },
			alpaca.StreamTradeUpdatesRequest{SinceID: "0"})
	}()

	// received collects the event ids of a client with the time each arrived.
	type arrival struct {
		id int64
		at time.Time
	}
	var mu sync.Mutex
	got := map[string][]arrival{}
	note := func(who string, id int64) {
		mu.Lock()
		got[who] = append(got[who], arrival{id, time.Now()})
		mu.Unlock()
	}
	go func() {
		for tu := range sse {
			id, _ := strconv.ParseInt(tu.EventID, 10, 64)
			note("sse", id)
		}
	}()
	go func() {
		for {
			_, msg, err := stream.Read(context.Background())
			if err != nil {
				return
			}
			var m struct {
				Data struct {
					EventID string `json:"event_id"`
				} `json:"data"`
			}
			if json.Unmarshal(msg, &m) == nil && m.Data.EventID != "" {
				id, _ := strconv.ParseInt(m.Data.EventID, 10, 64)
				note("stream", id)
			}
		}
	}()

	// Phase 1, one order at a time: the trading page on the watcher shows each fill, in order,
	// before the next is placed.
	buy := func(qty int) *alpaca.Order {
		t.Helper()
		q := decimal.NewFromInt(int64(qty))
		o, err := client(placer).PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: &q, Side: alpaca.Buy,
			Type: alpaca.Market, TimeInForce: alpaca.Day})
		if err != nil {
			t.Errorf("place %d AAPL on %s: %v", qty, placer.name, err)
			return nil
		}
		return o
	}
	readPage := func(want string) time.Duration {
		t.Helper()
		start := time.Now()
		rctx, cancel := context.WithTimeout(ctx, 4*time.Second) // under the 5 s poll
		defer cancel()
		var all strings.Builder
		for !strings.Contains(all.String(), want) {
			_, msg, err := page.Read(rctx)
			if err != nil {
				t.Fatalf("the trading page on %s did not show %q within 4s: %v\nreceived: %s", watcher.name, want, err, all.String())
			}
			all.Write(msg)
		}
		if n := strings.Count(all.String(), "Filled: "); n != 1 {
			t.Errorf("%d fill notices for one order: %s", n, all.String())
		}
		return time.Since(start)
	}
	var pageLag []time.Duration
	for qty := 1; qty <= 5; qty++ {
		if buy(qty) == nil {
			t.FailNow()
		}
		pageLag = append(pageLag, readPage(fmt.Sprintf("Filled: buy %d AAPL @ ", qty)))
	}

	// Phase 2, a burst from four goroutines at once: order between commits is the log's.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				buy(10 + g*5 + i)
			}
		}()
	}
	wg.Wait()
	burstEnd := time.Now()

	// The log itself is the truth: every client must have received exactly its ids, in order.
	var want []int64
	if err := db.Gorm.Raw(`SELECT id FROM trade_events WHERE account_id = ? AND order_id IS NOT NULL ORDER BY id`, account).
		Scan(&want).Error; err != nil {
		t.Fatal(err)
	}
	if len(want) < 2*25 {
		t.Fatalf("the log holds %d events for 25 market orders", len(want))
	}
	deadline := time.Now().Add(4 * time.Second)
	for {
		mu.Lock()
		done := len(got["sse"]) >= len(want) && len(got["stream"]) >= len(want)
		mu.Unlock()
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // collecting what other goroutines read; the deadline bounds it
	}
	mu.Lock()
	defer mu.Unlock()
	for _, who := range []string{"sse", "stream"} {
		ids := make([]int64, len(got[who]))
		var last time.Time
		for i, a := range got[who] {
			ids[i] = a.id
			if a.at.After(last) {
				last = a.at
			}
		}
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("%s on %s received %d events %v,\nthe log holds %d: %v", who, watcher.name, len(ids), ids, len(want), want)
		}
		t.Logf("%s: %d events, the last %s after the burst's last order was acknowledged", who, len(ids), last.Sub(burstEnd).Round(time.Millisecond))
	}
	t.Logf("/ws/trading fill notices on the other process after placement: %v", pageLag)
}
