package alpacafake_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/vmihailenco/msgpack/v5"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacafake"
	"alpacawrapper/market/alpacawire"
)

// rawClient is a bare websocket client, to check the protocol byte by byte where the SDK would
// hide it.
type rawClient struct {
	t      *testing.T
	ws     *websocket.Conn
	format alpacawire.Format
}

func dialRaw(t *testing.T, srv *alpacafake.Server, path string, format alpacawire.Format) *rawClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	h := http.Header{}
	if format == alpacawire.MsgPack {
		h.Set("Content-Type", alpacawire.MsgPackContentType)
	}
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL(), "http")+path, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(-1) // as the SDK does: batches can be large
	t.Cleanup(func() { _ = ws.CloseNow() })
	return &rawClient{t: t, ws: ws, format: format}
}

// read returns the next frame, checking its type matches the connection's format.
func (c *rawClient) read() []byte {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	typ, data, err := c.ws.Read(ctx)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	want := websocket.MessageText
	if c.format == alpacawire.MsgPack {
		want = websocket.MessageBinary
	}
	if typ != want {
		c.t.Fatalf("frame type %v, want %v for %s", typ, want, c.format)
	}
	return data
}

// readOne reads a frame that must hold exactly one element with the given T, decoded into v.
func (c *rawClient) readOne(wantT string, v any) {
	c.t.Helper()
	data := c.read()
	types, err := alpacawire.MessageTypes(c.format, data)
	if err != nil {
		c.t.Fatalf("frame %q: %v", data, err)
	}
	if len(types) != 1 || types[0] != wantT {
		c.t.Fatalf("frame types %v, want one %q: %q", types, wantT, data)
	}
	arr := []any{v}
	if c.format == alpacawire.MsgPack {
		err = msgpack.Unmarshal(data, &arr)
	} else {
		err = json.Unmarshal(data, &arr)
	}
	if err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawClient) readError(wantCode int) {
	c.t.Helper()
	var e alpacawire.ErrorMsg
	c.readOne(alpacawire.TypeError, &e)
	if e.Code != wantCode || e.Msg != alpacawire.ErrorText(wantCode) {
		c.t.Fatalf("error %+v, want %d %q", e, wantCode, alpacawire.ErrorText(wantCode))
	}
}

func (c *rawClient) send(a alpacawire.Action) {
	c.t.Helper()
	data, err := alpacawire.EncodeAction(c.format, a)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendBytes(data)
}

func (c *rawClient) sendBytes(data []byte) {
	c.t.Helper()
	typ := websocket.MessageText
	if c.format == alpacawire.MsgPack {
		typ = websocket.MessageBinary
	}
	if err := c.ws.Write(context.Background(), typ, data); err != nil {
		c.t.Fatal(err)
	}
}

// handshake reads "connected", authenticates and reads "authenticated".
func (c *rawClient) handshake() {
	c.t.Helper()
	var ok alpacawire.SuccessMsg
	c.readOne(alpacawire.TypeSuccess, &ok)
	if ok.Msg != alpacawire.MsgConnected {
		c.t.Fatalf("first message %+v", ok)
	}
	c.send(alpacawire.Action{Action: alpacawire.ActionAuth, Key: testKey, Secret: testSecret})
	c.readOne(alpacawire.TypeSuccess, &ok)
	if ok.Msg != alpacawire.MsgAuthenticated {
		c.t.Fatalf("auth answer %+v", ok)
	}
}

// expectClosed reads until the server's close frame and returns its status.
func (c *rawClient) expectClosed() websocket.StatusCode {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, _, err := c.ws.Read(ctx)
	if err == nil {
		c.t.Fatal("connection still open")
	}
	return websocket.CloseStatus(err)
}

func TestHandshakeBytesAreAlpacas(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := dialRaw(t, srv, "/v2/iex", alpacawire.MsgPack)
	// [{"T":"success","msg":"connected"}], written out byte by byte: array of 1, map of 2, "T" first.
	want := append([]byte{0x91, 0x82, 0xa1, 'T', 0xa7}, "success"...)
	want = append(append(want, 0xa3), "msg"...)
	want = append(append(want, 0xa9), "connected"...)
	if got := c.read(); string(got) != string(want) {
		t.Errorf("connected frame % x, want % x", got, want)
	}
	j := dialRaw(t, srv, "/v2/iex", alpacawire.JSON)
	if got := string(j.read()); got != `[{"T":"success","msg":"connected"}]` {
		t.Errorf("JSON connected frame %s", got)
	}
}

func TestJSONClientGetsJSONTextFrames(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := dialRaw(t, srv, "/v2/sip", alpacawire.JSON)
	c.handshake()
	c.send(alpacawire.Action{Action: alpacawire.ActionSubscribe, Quotes: []string{"AAPL"}, Trades: []string{"AAPL"}})
	var ack alpacawire.StockSubscriptionMsg
	c.readOne(alpacawire.TypeSubscription, &ack)
	if len(ack.Quotes) != 1 || ack.Quotes[0] != "AAPL" || len(ack.Corrections) != 1 || ack.Bars == nil {
		t.Errorf("ack %+v", ack)
	}
	srv.PublishQuote(market.Quote{Symbol: "AAPL", BidPrice: d("187.23"), BidSize: d("1"), AskPrice: d("187.25"), AskSize: d("2"), Time: time.Date(2024, 4, 9, 14, 0, 0, 0, time.UTC)})
	var q alpacawire.QuoteMsg
	c.readOne(alpacawire.TypeQuote, &q)
	if q.BidPrice != 187.23 || q.Symbol != "AAPL" || q.Timestamp.Format(time.RFC3339) != "2024-04-09T14:00:00Z" {
		t.Errorf("quote %+v", q)
	}
}

func TestCryptoAckShape(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := dialRaw(t, srv, "/v1beta3/crypto/us", alpacawire.JSON)
	c.handshake()
	c.send(alpacawire.Action{Action: alpacawire.ActionSubscribe, Orderbooks: []string{"BTC/USD"}, Bars: []string{"*"}})
	var ack map[string]any
	c.readOne(alpacawire.TypeSubscription, &ack)
	if _, ok := ack["orderbooks"]; !ok {
		t.Errorf("crypto ack lacks orderbooks: %v", ack)
	}
	if _, ok := ack["statuses"]; ok {
		t.Errorf("crypto ack has stock channels: %v", ack)
	}
}

func TestStreamControlErrors(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	for _, f := range []alpacawire.Format{alpacawire.MsgPack, alpacawire.JSON} {
		c := dialRaw(t, srv, "/v2/iex", f)
		var ok alpacawire.SuccessMsg
		c.readOne(alpacawire.TypeSuccess, &ok)

		c.send(alpacawire.Action{Action: alpacawire.ActionSubscribe, Quotes: []string{"AAPL"}})
		c.readError(alpacawire.CodeNotAuthenticated)
		c.sendBytes(alpacawire.Malformed(f))
		c.readError(alpacawire.CodeInvalidSyntax)
		c.send(alpacawire.Action{Action: "dance"})
		c.readError(alpacawire.CodeInvalidSyntax)
		c.send(alpacawire.Action{Action: alpacawire.ActionAuth, Key: testKey, Secret: "wrong"})
		c.readError(alpacawire.CodeAuthFailed)
		c.send(alpacawire.Action{Action: alpacawire.ActionAuth, Key: testKey, Secret: testSecret})
		c.readOne(alpacawire.TypeSuccess, &ok)
		c.send(alpacawire.Action{Action: alpacawire.ActionAuth, Key: testKey, Secret: testSecret})
		c.readError(alpacawire.CodeAlreadyAuthenticated)
		c.send(alpacawire.Action{Action: alpacawire.ActionSubscribe, Orderbooks: []string{"AAPL"}})
		c.readError(alpacawire.CodeInvalidForFeed)
		_ = c.ws.Close(websocket.StatusNormalClosure, "")
		eventually(t, 2*time.Second, "the connection to go", func() bool { return srv.Connections() == 0 })
	}
}

func TestConnectionLimitAnswers406AndCloses(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{MaxConnections: 2})
	for range 2 {
		dialRaw(t, srv, "/v2/iex", alpacawire.MsgPack).handshake()
	}
	third := dialRaw(t, srv, "/v2/iex", alpacawire.MsgPack)
	var ok alpacawire.SuccessMsg
	third.readOne(alpacawire.TypeSuccess, &ok)
	third.send(alpacawire.Action{Action: alpacawire.ActionAuth, Key: testKey, Secret: testSecret})
	third.readError(alpacawire.CodeConnectionLimitExceeded)
	if st := third.expectClosed(); st != websocket.StatusPolicyViolation {
		t.Errorf("close status %v", st)
	}
	if n := srv.Connections(); n != 2 {
		t.Errorf("Connections() = %d, want 2", n)
	}
}

func TestAuthTimeout(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{AuthTimeout: 150 * time.Millisecond})
	c := dialRaw(t, srv, "/v2/iex", alpacawire.MsgPack)
	var ok alpacawire.SuccessMsg
	c.readOne(alpacawire.TypeSuccess, &ok)
	start := time.Now()
	c.readError(alpacawire.CodeAuthTimeout)
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Errorf("timed out after %v", waited)
	}
	c.expectClosed()
}

func TestPingsAreAnswered(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := dialRaw(t, srv, "/v2/iex", alpacawire.MsgPack)
	c.handshake()
	ctx := c.ws.CloseRead(context.Background()) // the client must read for pongs to arrive
	for range 3 {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := c.ws.Ping(pctx)
		cancel()
		if err != nil {
			t.Fatalf("ping: %v", err)
		}
	}
}

func TestDataIsBatchedInArrays(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := dialRaw(t, srv, "/v2/iex", alpacawire.MsgPack)
	c.handshake()
	c.send(alpacawire.Action{Action: alpacawire.ActionSubscribe, Quotes: []string{"*"}})
	var ack alpacawire.StockSubscriptionMsg
	c.readOne(alpacawire.TypeSubscription, &ack)

	const n = 2000
	for i := range n {
		srv.PublishQuote(market.Quote{Symbol: "AAPL", BidPrice: d("1"), AskPrice: d("2"), Time: time.Unix(int64(i), 0)})
	}
	frames, msgs := 0, 0
	for msgs < n {
		types, err := alpacawire.MessageTypes(alpacawire.MsgPack, c.read())
		if err != nil {
			t.Fatal(err)
		}
		frames++
		msgs += len(types)
	}
	if msgs != n || frames >= n {
		t.Errorf("%d messages in %d frames: want %d messages batched into fewer frames", msgs, frames, n)
	}
}

func TestSlowClientIsToldAndClosed(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := dialRaw(t, srv, "/v2/iex", alpacawire.MsgPack)
	c.handshake()
	c.send(alpacawire.Action{Action: alpacawire.ActionSubscribe, Quotes: []string{"AAPL"}})
	var ack alpacawire.StockSubscriptionMsg
	c.readOne(alpacawire.TypeSubscription, &ack)

	// The client reads nothing while far more is published than the socket buffers hold.
	q := market.Quote{Symbol: "AAPL", BidPrice: d("1"), AskPrice: d("2"), Time: time.Now()}
	for range 100000 {
		srv.PublishQuote(q)
	}
	for {
		data := c.read()
		types, err := alpacawire.MessageTypes(alpacawire.MsgPack, data)
		if err != nil {
			t.Fatal(err)
		}
		if types[0] == alpacawire.TypeError {
			var e []alpacawire.ErrorMsg
			if err := msgpack.Unmarshal(data, &e); err != nil || e[0].Code != alpacawire.CodeSlowClient || e[0].Msg != "slow client" {
				t.Fatalf("error %+v %v, want 407 slow client", e, err)
			}
			break
		}
	}
	c.expectClosed()
}
