package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/shopspring/decimal"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"alpacawrapper/internal/testwait"
	"alpacawrapper/live"
	"alpacawrapper/market"
)

// wsApp is the app serving on a loopback port, with its catalogue seeded from the simulator, so
// that real WebSocket clients can connect. Tests publish into the hub themselves; no feed runs.
type wsApp struct {
	*testApp
	host    string
	stocks  []string // stock symbols of the catalogue
	cryptos []string
}

// startWSApp serves the app; opts, when given, replace the live sessions' options.
func startWSApp(t *testing.T, opts *live.Options) *wsApp {
	t.Helper()
	a := newTestApp(t, nil)
	if opts != nil {
		a.srv.live.manager = live.NewManager(a.svc.Market.Hub, *opts)
	}
	w := &wsApp{testApp: a}
	for _, asset := range seedSimAssets(t, a) {
		if !asset.Active || !asset.Tradable {
			continue
		}
		if asset.Class == market.Crypto {
			w.cryptos = append(w.cryptos, asset.Symbol)
		} else {
			w.stocks = append(w.stocks, asset.Symbol)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.host = ln.Addr().String()
	go func() { _ = a.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = a.srv.Shutdown(ctx)
	})
	return w
}

// dial opens a WebSocket to path as a page of this site would (Origin set to the host).
func (w *wsApp) dial(path string, opts ...func(*websocket.DialOptions)) (*websocket.Conn, *http.Response, error) {
	o := &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"http://" + w.host}}}
	for _, f := range opts {
		f(o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws://"+w.host+path, o)
	if c != nil {
		c.SetReadLimit(1 << 22)
		w.t.Cleanup(func() { _ = c.CloseNow() })
	}
	return c, resp, err
}

func (w *wsApp) mustDial(path string) *websocket.Conn {
	w.t.Helper()
	c, _, err := w.dial(path)
	if err != nil {
		w.t.Fatalf("dial %s: %v", path, err)
	}
	return c
}

// send writes one JSON text message.
func send(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("write %s: %v", msg, err)
	}
}

// wsMsg is any server message of /ws/market.
type wsMsg struct {
	Type      string    `json:"type"`
	Message   string    `json:"message"`
	Symbol    string    `json:"symbol"`
	Symbols   []string  `json:"symbols"`
	Timeframe string    `json:"timeframe"`
	Bucket    time.Time `json:"bucket"`
	Bid       string    `json:"bid"`
	Ask       string    `json:"ask"`
	Close     string    `json:"close"`
	Time      time.Time `json:"time"`
}

// readMsgs reads one frame: a JSON array of messages or a single one.
func readMsgs(t *testing.T, c *websocket.Conn, within time.Duration) ([]wsMsg, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		return nil, err
	}
	var many []wsMsg
	if len(data) > 0 && data[0] == '[' {
		if err := json.Unmarshal(data, &many); err != nil {
			t.Fatalf("frame is not JSON: %v: %s", err, data)
		}
		return many, nil
	}
	var one wsMsg
	if err := json.Unmarshal(data, &one); err != nil {
		t.Fatalf("frame is not JSON: %v: %s", err, data)
	}
	return []wsMsg{one}, nil
}

// expect reads until a message of kind arrives and returns it.
func expect(t *testing.T, c *websocket.Conn, kind string) wsMsg {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		msgs, err := readMsgs(t, c, time.Until(deadline))
		if err != nil {
			t.Fatalf("waiting for %s: %v", kind, err)
		}
		for _, m := range msgs {
			if m.Type == kind {
				return m
			}
		}
	}
	t.Fatalf("no %s message", kind)
	return wsMsg{}
}

func quoteAt(symbol string, bid float64) market.Quote {
	b := decimal.NewFromFloat(bid)
	return market.Quote{Symbol: symbol, BidPrice: b, AskPrice: b.Add(decimal.NewFromFloat(0.02)),
		BidSize: decimal.NewFromInt(100), AskSize: decimal.NewFromInt(200), Time: time.Now().UTC()}
}

func TestWSOriginRefusedBeforeUpgrade(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	for _, path := range []string{"/ws/market", "/ws/quotes?symbols=" + w.stocks[0]} {
		_, resp, err := w.dial(path, func(o *websocket.DialOptions) { o.HTTPHeader.Set("Origin", "http://evil.example") })
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s from another origin: err=%v resp=%v, want 403", path, err, resp)
		}
	}
	// The configured public origin is accepted.
	_, _, err := w.dial("/ws/market", func(o *websocket.DialOptions) { o.HTTPHeader.Set("Origin", "http://app.test") })
	if err != nil {
		t.Errorf("BASE_URL origin refused: %v", err)
	}
}

func TestWSSymbolLimit(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	many := make([]string, live.DefaultMaxSymbols+1)
	for i := range many {
		many[i] = fmt.Sprintf("S%d", i)
	}
	_, resp, err := w.dial("/ws/quotes?symbols=" + strings.Join(many, ","))
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusBadRequest {
		t.Errorf("/ws/quotes with %d symbols: err=%v resp=%v, want a 4xx refusal", len(many), err, resp)
	}

	c := w.mustDial("/ws/market")
	raw, _ := json.Marshal(map[string]any{"type": "subscribe", "symbols": many})
	send(t, c, string(raw))
	if m := expect(t, c, "error"); !strings.Contains(m.Message, "at most 50") {
		t.Errorf("error = %q, want the limit named", m.Message)
	}
	// Cumulative subscriptions count too.
	if len(w.stocks) > live.DefaultMaxSymbols {
		first, _ := json.Marshal(map[string]any{"type": "subscribe", "symbols": w.stocks[:live.DefaultMaxSymbols]})
		send(t, c, string(first))
		if m := expect(t, c, "subscribed"); len(m.Symbols) != live.DefaultMaxSymbols {
			t.Fatalf("subscribed %d symbols, want %d", len(m.Symbols), live.DefaultMaxSymbols)
		}
		send(t, c, `{"type":"subscribe","symbols":["`+w.stocks[live.DefaultMaxSymbols]+`"]}`)
		if m := expect(t, c, "error"); !strings.Contains(m.Message, "at most 50") {
			t.Errorf("error = %q, want the limit named", m.Message)
		}
	}
}

func TestWSConnectionsPerIPLimited(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	for i := range wsMaxConnsGuest {
		c := w.mustDial("/ws/market")
		send(t, c, `{"type":"ping"}`) // the session is running, so its slot is taken
		expect(t, c, "pong")
		_ = i
	}
	_, resp, err := w.dial("/ws/market")
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("connection %d: err=%v resp=%v, want 429", wsMaxConnsGuest+1, err, resp)
	}
}

func TestWSMalformedMessagesGetErrorsAndConnectionSurvives(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	c := w.mustDial("/ws/market")
	ctx := context.Background()
	cases := []struct {
		name string
		kind websocket.MessageType
		msg  string
		want string
	}{
		{"not JSON", websocket.MessageText, "hello", "malformed"},
		{"no type", websocket.MessageText, `{"symbols":["AAPL"]}`, "no \"type\""},
		{"unknown type", websocket.MessageText, `{"type":"buy"}`, "unknown message type"},
		{"bad timeframe", websocket.MessageText, `{"type":"subscribe","symbols":["` + w.stocks[0] + `"],"timeframe":"7m"}`, "unknown timeframe"},
		{"unknown symbol", websocket.MessageText, `{"type":"subscribe","symbols":["NOPE123"]}`, "Unknown symbols"},
		{"binary", websocket.MessageBinary, `{"type":"ping"}`, "JSON text"},
	}
	for _, tc := range cases {
		if err := c.Write(ctx, tc.kind, []byte(tc.msg)); err != nil {
			t.Fatalf("%s: write: %v", tc.name, err)
		}
		if m := expect(t, c, "error"); !strings.Contains(m.Message, tc.want) {
			t.Errorf("%s: error %q, want it to mention %q", tc.name, m.Message, tc.want)
		}
	}
	send(t, c, `{"type":"ping"}`)
	expect(t, c, "pong")
	send(t, c, `{"type":"subscribe","symbols":["`+strings.ToLower(w.stocks[0])+`"]}`)
	if m := expect(t, c, "subscribed"); len(m.Symbols) != 1 || m.Symbols[0] != w.stocks[0] {
		t.Errorf("subscribed %v, want [%s]", m.Symbols, w.stocks[0])
	}
}

func TestWSCoalescesAndRateLimitsPerSymbol(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	c := w.mustDial("/ws/market")
	a, b := w.stocks[0], w.stocks[1]
	send(t, c, `{"type":"subscribe","symbols":["`+a+`","`+b+`"]}`)
	expect(t, c, "subscribed")

	// 100 quotes of each symbol, spread over about 100 ms.
	hub := w.svc.Market.Hub
	began := time.Now()
	for i := 1; i <= 100; i++ {
		hub.Quote(quoteAt(a, float64(i)))
		hub.Quote(quoteAt(b, float64(1000+i)))
		if ahead := time.Until(began.Add(time.Duration(i) * time.Millisecond)); ahead > 0 {
			time.Sleep(ahead) // pacing the quotes over time: the rate limit is the behaviour under test
		}
	}
	// One flush at once, then at most one per interval: 2 frames when publishing took less than
	// an interval (a loaded machine may stretch it).
	allowed := 2 + int(time.Since(began)/live.Options{}.FlushInterval())
	frames := map[string]int{}
	last := map[string]string{}
	var lastFrame []wsMsg
	for {
		msgs, err := readMsgs(t, c, 700*time.Millisecond)
		if err != nil {
			break // quiet for longer than two flush intervals: everything has arrived
		}
		lastFrame = msgs
		seen := map[string]bool{}
		for _, m := range msgs {
			if m.Type == "quote" {
				seen[m.Symbol] = true
				last[m.Symbol] = m.Bid
			}
		}
		for sym := range seen {
			frames[sym]++
		}
	}
	for sym, want := range map[string]string{a: "100", b: "1100"} {
		if frames[sym] < 1 || frames[sym] > allowed {
			t.Errorf("%s came in %d frames for 100 quotes in ~100ms, want 1 to %d", sym, frames[sym], allowed)
		}
		if last[sym] != want {
			t.Errorf("%s last bid %s, want the latest %s", sym, last[sym], want)
		}
	}
	if len(lastFrame) != 2 {
		t.Errorf("last frame held %d messages, want both symbols batched: %+v", len(lastFrame), lastFrame)
	}
}

func TestWSBarsCarryTheConnectionsBucket(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	stock, crypto := w.stocks[0], w.cryptos[0]
	// Wednesday 11 March 2026, 10:37 New York time (EDT, UTC-4): the 5m candle starts 10:35 ET,
	// the 1D candle of a stock at the 09:30 open, and a crypto pair's at UTC midnight.
	minute := time.Date(2026, 3, 11, 14, 37, 0, 0, time.UTC)
	bar := func(sym string) market.Bar {
		p := decimal.NewFromInt(10)
		return market.Bar{Symbol: sym, Start: minute, Open: p, High: p, Low: p, Close: p, Volume: decimal.NewFromInt(5)}
	}
	cases := []struct {
		tf   string
		sym  string
		want time.Time
	}{
		{"5m", stock, time.Date(2026, 3, 11, 14, 35, 0, 0, time.UTC)},
		{"1D", stock, time.Date(2026, 3, 11, 13, 30, 0, 0, time.UTC)},
		{"1D", crypto, time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)},
		{"1h", crypto, time.Date(2026, 3, 11, 14, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		t.Run(tc.tf+" "+tc.sym, func(t *testing.T) {
			c := w.mustDial("/ws/market")
			send(t, c, `{"type":"subscribe","symbols":["`+tc.sym+`"],"timeframe":"`+tc.tf+`"}`)
			if m := expect(t, c, "subscribed"); m.Timeframe != tc.tf {
				t.Fatalf("ack timeframe %q, want %q", m.Timeframe, tc.tf)
			}
			w.svc.Market.Hub.Bar(bar(tc.sym))
			m := expect(t, c, "bar")
			if !m.Bucket.Equal(tc.want) || m.Timeframe != tc.tf || !m.Time.Equal(minute) || m.Close != "10" {
				t.Errorf("bar %+v, want bucket %s of %s for the minute %s", m, tc.want, tc.tf, minute)
			}
		})
	}
}

// smallReceiveBuffer makes the client's socket hold little, so a client that stops reading
// backs the server up quickly.
func smallReceiveBuffer(o *websocket.DialOptions) {
	d := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return errors.Join(err, serr)
	}}
	o.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

func TestWSStalledClientIsDroppedWhileOthersKeepReceiving(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, &live.Options{UpdatesPerSecond: 1000, SlowAfter: 300 * time.Millisecond,
		CloseGrace: 5 * time.Second, WriteTimeout: 10 * time.Second})
	symbols := w.stocks[:min(20, len(w.stocks))]
	sub, _ := json.Marshal(map[string]any{"type": "subscribe", "symbols": symbols})

	stalled, _, err := w.dial("/ws/market", smallReceiveBuffer)
	if err != nil {
		t.Fatal(err)
	}
	send(t, stalled, string(sub))
	expect(t, stalled, "subscribed") // and then it never reads until it is judged slow
	healthy := w.mustDial("/ws/market")
	send(t, healthy, string(sub))
	expect(t, healthy, "subscribed")

	// The healthy client reads everything and remembers each symbol's latest bid.
	var mu sync.Mutex
	latest := map[string]string{}
	received := 0
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			_, data, err := healthy.Read(ctx)
			cancel()
			if err != nil {
				return
			}
			var msgs []wsMsg
			if json.Unmarshal(data, &msgs) != nil {
				continue
			}
			mu.Lock()
			for _, m := range msgs {
				if m.Type == "quote" {
					latest[m.Symbol] = m.Bid
					received++
				}
			}
			mu.Unlock()
		}
	}()

	// Flood: every symbol changes every ~millisecond until the stalled client is cut off.
	hub, mgr := w.svc.Market.Hub, w.srv.live.manager
	deadline := time.Now().Add(30 * time.Second)
	price := 1.0
	for mgr.Stats().SlowClosed == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the stalled client was never judged slow")
		}
		price += 0.01
		for _, sym := range symbols {
			hub.Quote(quoteAt(sym, price))
		}
		time.Sleep(time.Millisecond) // pacing the publisher; the loop ends on the manager's verdict, not on time
	}
	mu.Lock()
	during := received
	mu.Unlock()
	if during == 0 {
		t.Error("the healthy client received nothing while the other was stalled")
	}

	// The stalled client, reading again, finds the close frame after what was already sent.
	var closeErr error
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, _, err := stalled.Read(ctx)
		cancel()
		if err != nil {
			closeErr = err
			break
		}
	}
	if code := websocket.CloseStatus(closeErr); code != live.CloseTooSlow {
		t.Errorf("stalled client ended with %v (code %d), want close code %d", closeErr, code, live.CloseTooSlow)
	}

	// The healthy one still gets every symbol's latest value.
	for i, sym := range symbols {
		hub.Quote(quoteAt(sym, 5000+float64(i)))
	}
	testwait.Until(t, 3*time.Second, "the healthy client to hold every symbol's latest quote", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for i, sym := range symbols {
			if latest[sym] != decimal.NewFromFloat(5000+float64(i)).String() {
				return false
			}
		}
		return true
	})
	_ = healthy.Close(websocket.StatusNormalClosure, "")
	<-readDone
}

func TestWSQuotesFramesAreOOBFragments(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	stock, crypto := w.stocks[0], w.cryptos[0]
	c := w.mustDial("/ws/quotes?symbols=" + stock + "," + crypto)
	hub := w.svc.Market.Hub
	waitSubscribed(t, w.srv.live.manager, 1)
	hub.Quote(quoteAt(stock, 187.42))
	hub.Quote(quoteAt(crypto, 97123.5))

	ids := map[string]bool{}
	deadline := time.Now().Add(3 * time.Second)
	for len(ids) < 8 && time.Now().Before(deadline) {
		for _, el := range readOOB(t, c) {
			if attr(el, "hx-swap-oob") != "true" {
				t.Errorf("element #%s lacks hx-swap-oob=\"true\"", attr(el, "id"))
			}
			ids[attr(el, "id")] = true
		}
	}
	for _, sym := range []string{stock, crypto} {
		for _, part := range []string{"last", "bid", "ask", "chg"} {
			if id := "q-" + strings.ReplaceAll(sym, "/", "-") + "-" + part; !ids[id] {
				t.Errorf("no element #%s in the frames (got %v)", id, ids)
			}
		}
	}

	// A higher price flashes up. The frames above were read, so this quote is compared with 187.42;
	// if it falls within the symbol's rate interval it is held and sent at the interval's end,
	// which the read loop below waits for.
	hub.Quote(quoteAt(stock, 190))
	for time.Now().Before(deadline.Add(2 * time.Second)) {
		for _, el := range readOOB(t, c) {
			if attr(el, "id") == "q-"+stock+"-last" {
				if !strings.Contains(attr(el, "class"), "price-up") || text(el) != "190.01" {
					t.Errorf("last after a rise: class %q text %q, want price-up and 190.01", attr(el, "class"), text(el))
				}
				return
			}
		}
	}
	t.Error("no update after the rise")
}

// waitSubscribed waits until n sessions run: a session follows its symbols just after its
// handshake, and a quote published before that would reach no one. (Sessions share one hub
// subscription, so the hub's count says nothing of them.)
func waitSubscribed(t *testing.T, mgr *live.Manager, n int) {
	t.Helper()
	testwait.Until(t, 5*time.Second, fmt.Sprintf("%d live sessions to run", n), func() bool { return mgr.Stats().Open >= int64(n) })
}

// readOOB reads one /ws/quotes frame and returns its top-level elements.
func readOOB(t *testing.T, c *websocket.Conn) []*html.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(string(data)), body)
	if err != nil {
		t.Fatalf("frame is not HTML: %v", err)
	}
	var els []*html.Node
	for _, n := range nodes {
		switch {
		case n.Type == html.ElementNode:
			els = append(els, n)
		case n.Type == html.TextNode && strings.TrimSpace(n.Data) == "":
		default:
			t.Errorf("frame has a top-level non-element %q", n.Data)
		}
	}
	return els
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}
