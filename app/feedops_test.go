package app

import (
	"context"
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
	"alpacawrapper/market/alpacafake"
	"alpacawrapper/market/sim"
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

// fakeAlpacaApp is the app on the real SDK against the fake Alpaca server, with the catalogue
// seeded from it.
func fakeAlpacaApp(t *testing.T) (*testApp, *alpacafake.Server) {
	t.Helper()
	const key, secret = "PKTESTFEEDOPS0000000", "feedops-secret"
	fake := alpacafake.New(alpacafake.Options{KeyID: key, SecretKey: secret, Data: sim.New(sim.Options{Seed: 7})})
	if err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	a := newTestAppWith(t, testAppOptions{configuredProvider: true, vars: map[string]string{
		"ALPACA_API_KEY_ID": key, "ALPACA_API_SECRET_KEY": secret,
		"ALPACA_TRADING_URL": fake.URL(), "ALPACA_DATA_URL": fake.URL(),
		"ALPACA_STREAM_URL": fake.URL() + "/v2", "ALPACA_CRYPTO_STREAM_URL": fake.URL() + "/v1beta3/crypto",
	}})
	seedSimAssets(t, a)
	return a, fake
}

// snapshotCalls is how many snapshot and latest-quote requests the fake has answered.
func snapshotCalls(fake *alpacafake.Server) int {
	return fake.Requests("/v2/stocks/snapshots") + fake.Requests("/v1beta3/crypto/us/snapshots") +
		fake.Requests("/v2/stocks/quotes/latest") + fake.Requests("/v1beta3/crypto/us/latest/quotes")
}

// Item 7: page and public API traffic is served from the stream and a short cache, and what does
// reach the provider is capped by the app-wide budget above the trading reserve, so guests can
// neither spend the operator's quota nor starve order placement's quote look-ups.
func TestPageTrafficCannotSpendTheQuotaOrStarveTrading(t *testing.T) {
	t.Parallel()
	a, fake := fakeAlpacaApp(t)

	// The same page and quotes, over and over: one provider call each, then the cache.
	before := snapshotCalls(fake)
	for range 50 {
		if resp, body := a.browser().get("/instruments/AAPL"); resp.StatusCode != http.StatusOK {
			t.Fatalf("/instruments/AAPL: %d %s", resp.StatusCode, body)
		}
		a.mustGet("/api/v1/quotes?symbols=AAPL,MSFT")
		a.mustGet("/api/v1/assets/AAPL")
	}
	if n := snapshotCalls(fake) - before; n > 4 {
		t.Errorf("150 page and API views made %d provider calls, want a handful", n)
	}

	// Every instrument in turn (each a cold look-up): the pages lane stops at its share of the
	// budget, and the pages still answer.
	var assets []string
	for _, asset := range seedSimAssets(t, a) {
		if asset.Active && asset.Class == market.USEquity {
			assets = append(assets, asset.Symbol)
		}
	}
	before = snapshotCalls(fake)
	for _, sym := range assets {
		if resp, body := a.browser().get("/instruments/" + sym); resp.StatusCode != http.StatusOK {
			t.Fatalf("/instruments/%s: %d %s", sym, resp.StatusCode, body)
		}
	}
	st := a.svc.Market.Budget.Stats()
	if n := snapshotCalls(fake) - before; len(assets) > 40 && (n >= len(assets) || st.Refused == 0) {
		t.Errorf("%d instrument pages made %d provider calls (%d refused), want the pages' share only", len(assets), n, st.Refused)
	}
	// Order placement's look-ups still get through, from the reserve.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	quotes, err := a.svc.Market.Trading.LatestQuotes(ctx, []string{assets[len(assets)-1]})
	if err != nil || len(quotes) != 1 {
		t.Fatalf("trading's quote look-up after the pages' share was spent: %v %v", quotes, err)
	}
}

// Item 16: a slow provider (8 s per REST call) does not make pages wait: they answer within the
// short page budget, with the last known price where there is one.
func TestSlowProviderDoesNotSlowPages(t *testing.T) {
	t.Parallel()
	a, fake := fakeAlpacaApp(t)
	// Cached values expire at once, so every view below needs the provider again.
	a.svc.Market.Pages = market.NewLastKnown(a.svc.Market.Budget.Lane(market.LanePages), a.svc.Market.Hub,
		market.LastKnownOptions{TTL: time.Millisecond})
	_, warm := a.browser().get("/instruments/AAPL")
	if !strings.Contains(warm, `id="`+"quote-AAPL") && !strings.Contains(warm, "AAPL") {
		t.Fatalf("warm-up page: %s", warm)
	}
	known := a.mustGet("/api/v1/quotes?symbols=AAPL")["quotes"].(map[string]any)["AAPL"].(map[string]any)["bid_price"]

	fake.SetLatency(8 * time.Second)
	t.Cleanup(func() { fake.SetLatency(0) })
	start := time.Now()
	resp, body := a.browser().get("/instruments/AAPL")
	if took := time.Since(start); resp.StatusCode != http.StatusOK || took > 2*time.Second {
		t.Fatalf("/instruments/AAPL with an 8 s provider: %d in %v", resp.StatusCode, took)
	}
	if strings.Contains(body, "Live prices are unavailable") {
		t.Errorf("the page lost its last known price")
	}
	start = time.Now()
	out := a.mustGet("/api/v1/quotes?symbols=AAPL")
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("/api/v1/quotes with an 8 s provider took %v", took)
	}
	if q := out["quotes"].(map[string]any)["AAPL"].(map[string]any); q["bid_price"] != known {
		t.Errorf("quote %v, want the last known bid %v", q, known)
	}
	// Never looked up before: the page still answers at once, saying prices are unavailable.
	start = time.Now()
	resp, body = a.browser().get("/instruments/MSFT")
	if took := time.Since(start); resp.StatusCode != http.StatusOK || took > 2*time.Second {
		t.Fatalf("/instruments/MSFT with an 8 s provider: %d in %v", resp.StatusCode, took)
	}
	if !strings.Contains(body, "Live prices are unavailable") {
		t.Errorf("a page with nothing known does not say so")
	}
}

// Item 16: a refused feed (402) is reported by /readyz, with the error, without failing
// readiness: the pages serve without the feed.
func TestReadyzReportsFeedHealth(t *testing.T) {
	t.Parallel()
	a, fake := fakeAlpacaApp(t)
	fake.RejectAuth(402, 1000)
	base := serveLive(t, a)
	startFeed(t, a)
	openStream(t, base+"/api/v1/stream?symbols=BTC/USD", "")
	eventually(t, 10*time.Second, "/readyz shows the refused feed", func() bool {
		resp, _, out := a.get("/readyz")
		feed, _ := out["feed"].(map[string]any)
		return resp.StatusCode == http.StatusOK && feed != nil && feed["status"] == "down" &&
			strings.Contains(fmt.Sprint(feed["last_error"]), "402")
	})
}

// Item 16: the feed counts as stale when it would be reconnected for silence, not a fixed minute.
func TestFeedStaleAtItsSilenceTimeout(t *testing.T) {
	t.Parallel()
	now := time.Now()
	st := market.StreamStatus{Connected: true, Symbols: 1, LastMessageAt: now.Add(-45 * time.Second), SilenceTimeout: 30 * time.Second}
	if v := feedStatusView("alpaca", st, now); v.Healthy {
		t.Errorf("45 s silent against a 30 s silence timeout: %+v, want stale", v)
	}
	st.LastMessageAt = now.Add(-10 * time.Second)
	if v := feedStatusView("alpaca", st, now); !v.Healthy {
		t.Errorf("10 s silent: %+v, want healthy", v)
	}
}
