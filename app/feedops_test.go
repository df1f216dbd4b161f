package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"gorm.io/gorm"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/market"
)

// Tests of issue 10's market-data hardening: what guests can make the app do to the database and
// to the provider's quota, and how the app behaves when the database or the feed fails.

// countAssetQueries counts, from now on, the statements the app runs against the assets table.
func countAssetQueries(t *testing.T, db *gorm.DB) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	count := func(tx *gorm.DB) {
		if strings.Contains(tx.Statement.SQL.String(), "assets") {
			n.Add(1)
		}
	}
	name := fmt.Sprintf("test:count_assets_%p", &n)
	if err := db.Callback().Query().After("gorm:query").Register(name, count); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Raw().After("gorm:raw").Register(name, count); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Row().After("gorm:row").Register(name, count); err != nil {
		t.Fatal(err)
	}
	return &n
}

// Item 6: a WebSocket subscribe is checked against the in-memory catalogue only, however many
// unknown symbols it names.
func TestWSSubscribeUnknownSymbolsCostsNoQueries(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	c := w.mustDial("/ws/market")
	send(t, c, `{"type":"subscribe","symbols":["`+w.stocks[0]+`"]}`)
	expect(t, c, "subscribed") // the catalogue is loaded

	queries := countAssetQueries(t, w.db.Gorm)
	unknown := make([]string, 50)
	for i := range unknown {
		unknown[i] = fmt.Sprintf("NOPE%d", i)
	}
	raw, _ := json.Marshal(map[string]any{"type": "subscribe", "symbols": unknown})
	send(t, c, string(raw))
	if m := expect(t, c, "error"); !strings.Contains(m.Message, "Unknown symbols: NOPE0") {
		t.Errorf("error %q, want the unknown symbols named", m.Message)
	}
	// A pair typed without its slash is found in memory too.
	if len(w.cryptos) > 0 {
		bare := strings.ReplaceAll(w.cryptos[0], "/", "")
		send(t, c, `{"type":"subscribe","symbols":["`+strings.ToLower(bare)+`"]}`)
		if m := expect(t, c, "subscribed"); !strings.Contains(strings.Join(m.Symbols, ","), w.cryptos[0]) {
			t.Errorf("subscribed %v, want %s among them", m.Symbols, w.cryptos[0])
		}
	}
	if n := queries.Load(); n != 0 {
		t.Errorf("subscribing to 50 unknown symbols ran %d queries on assets, want 0", n)
	}
}

// Item 6: one connection cannot make the server act on an unbounded stream of messages.
func TestWSMessagesRateLimitedPerConnection(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	c := w.mustDial("/ws/market")
	const sent = 100
	for range sent {
		send(t, c, `{"type":"ping"}`)
	}
	// The allowance refills with time: wait, then a subscribe that must be acted on marks the end
	// of the replies to the burst (replies are written in order).
	time.Sleep(time.Second) // the refill is the behaviour under test, not synchronisation
	send(t, c, `{"type":"subscribe","symbols":["`+w.stocks[0]+`"]}`)
	pongs, refused := 0, 0
	for done := false; !done; {
		msgs, err := readMsgs(t, c, 3*time.Second)
		if err != nil {
			t.Fatalf("reading replies: %v (%d pongs, %d refusals so far)", err, pongs, refused)
		}
		for _, m := range msgs {
			switch {
			case m.Type == "pong":
				pongs++
			case m.Type == "error" && strings.Contains(m.Message, "too many messages"):
				refused++
			case m.Type == "subscribed":
				done = true
			}
		}
	}
	// The burst allowance, plus what refills while the 100 messages are written.
	if pongs > 40 || refused == 0 {
		t.Errorf("%d messages in a burst: %d answered, %d refused; want at most the allowance answered", sent, pongs, refused)
	}
}

// Item 15: the public market-data GETs are limited in memory, so quotes the app holds keep
// answering while the database is away.
func TestPublicQuotesAnswerDuringDatabaseOutage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, map[string]string{"RATE_LIMIT_PUBLIC": "20/1m"})
	seedSimAssets(t, a)
	const sym = "AAPL"
	a.svc.Market.Hub.Quote(quoteAt(sym, 123.45))
	eventually(t, 5*time.Second, "the hub's quote is known", func() bool {
		out := a.mustGet("/api/v1/quotes?symbols=" + sym)
		q, _ := out["quotes"].(map[string]any)[sym].(map[string]any)
		return q != nil && q["bid_price"] == "123.45"
	})

	dbtest.TakeDown(t, a.db)
	resp, body, out := a.get("/api/v1/quotes?symbols=" + strings.ToLower(sym))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("quotes during the outage: %d %s", resp.StatusCode, body)
	}
	if q, _ := out["quotes"].(map[string]any)[sym].(map[string]any); q == nil || q["bid_price"] != "123.45" {
		t.Errorf("quotes during the outage: %s", body)
	}
	// The limit still holds (RATE_LIMIT_PUBLIC), counted in memory.
	var last *http.Response
	for range 20 {
		last, _, _ = a.get("/api/v1/market/clock")
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Errorf("past RATE_LIMIT_PUBLIC during the outage: %d", last.StatusCode)
	}
}

// Item 8: the event stream counts against the live connection allowance per client IP.
func TestStreamConnectionsPerIPLimited(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	url := "http://" + w.host + "/api/v1/stream?symbols=" + w.stocks[0]
	var streams []*sseClient
	for range wsMaxConnsGuest - 1 {
		streams = append(streams, openStream(t, url, ""))
	}
	// A WebSocket takes a slot of the same allowance.
	c := w.mustDial("/ws/market")
	send(t, c, `{"type":"ping"}`)
	expect(t, c, "pong")

	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("stream %d from one address: %d, want 429", wsMaxConnsGuest+1, resp.StatusCode)
	}
	// Closing one gives its slot back, once the server notices at its next write.
	streams[0].close()
	bid := 100.0
	eventually(t, 5*time.Second, "a closed stream's slot is free again", func() bool {
		bid += 0.01
		w.svc.Market.Hub.Quote(quoteAt(w.stocks[0], bid))
		return w.srv.live.conns.Open("127.0.0.1") < wsMaxConnsGuest
	})
	openStream(t, url, "")
}

// Item 8: however many guests ask for a symbol, it never ranks above what a signed-in person
// watches or a resting order needs, so guests cannot push those out of the feed's limited slots.
func TestGuestDemandNeverPushesOutSignedInSymbols(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	hub := w.svc.Market.Hub
	guestSym, userSym, orderSym := w.stocks[0], w.stocks[1], w.stocks[2]

	// Guests: event streams and a quote widget socket, all on one symbol.
	for range 3 {
		openStream(t, "http://"+w.host+"/api/v1/stream?symbols="+guestSym, "")
	}
	w.mustDial("/ws/quotes?symbols=" + guestSym)

	// A signed-in person's quote widgets (their session cookie on the socket).
	w.createUser("ada@example.com", "correct horse battery")
	b := w.browser()
	b.login("ada@example.com", "correct horse battery")
	var cookies []string
	for k, v := range b.cookies {
		cookies = append(cookies, k+"="+v)
	}
	_, _, err := w.dial("/ws/quotes?symbols="+userSym, func(o *websocket.DialOptions) {
		o.HTTPHeader.Set("Cookie", strings.Join(cookies, "; "))
	})
	if err != nil {
		t.Fatal(err)
	}
	// A resting order's symbol, as the matcher holds it.
	release := hub.AddDemand(orderSym, market.PriorityOrders)
	defer release()

	eventually(t, 5*time.Second, "every symbol is wanted", func() bool { return len(hub.Wanted(0)) >= 3 })
	if got := hub.Wanted(2); len(got) != 2 || got[0] != orderSym || got[1] != userSym {
		t.Errorf("with two slots the feed follows %v, want [%s %s] (the order's, the person's), not the guests' %s",
			got, orderSym, userSym, guestSym)
	}
	if got := hub.Wanted(3); len(got) != 3 || got[2] != guestSym {
		t.Errorf("with room to spare the feed follows %v, want the guests' %s too", got, guestSym)
	}
}
