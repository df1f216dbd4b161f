package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/coder/websocket"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// sseStream is one StreamTradeUpdates call of the official Go SDK, its updates on a channel.
type sseStream struct {
	updates chan alpaca.TradeUpdate
	done    chan error
	cancel  context.CancelFunc
}

func (b *botApp) streamTradeUpdates(k botKey, req alpaca.StreamTradeUpdatesRequest) *sseStream {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sseStream{updates: make(chan alpaca.TradeUpdate, 100), done: make(chan error, 1), cancel: cancel}
	go func() {
		s.done <- b.client(k).StreamTradeUpdates(ctx, func(tu alpaca.TradeUpdate) { s.updates <- tu }, req)
	}()
	b.t.Cleanup(cancel)
	return s
}

// take waits for n updates.
func (s *sseStream) take(t *testing.T, n int) []alpaca.TradeUpdate {
	t.Helper()
	var out []alpaca.TradeUpdate
	for len(out) < n {
		select {
		case tu := <-s.updates:
			out = append(out, tu)
		case err := <-s.done:
			// The SDK has returned: what it handled before is in the channel already.
			for len(out) < n && len(s.updates) > 0 {
				out = append(out, <-s.updates)
			}
			if len(out) == n {
				s.done <- err // for whoever waits for the end
				return out
			}
			t.Fatalf("the stream ended after %d updates of %d (%s): %v", len(out), n, events(out), err)
		case <-time.After(5 * time.Second):
			t.Fatalf("got %d updates within 5s, want %d: %+v", len(out), n, out)
		}
	}
	return out
}

// events names the updates as "event symbol".
func events(ups []alpaca.TradeUpdate) string {
	var parts []string
	for _, u := range ups {
		parts = append(parts, u.Event+" "+u.Order.Symbol+" "+u.Order.ClientOrderID)
	}
	return strings.Join(parts, ", ")
}

func TestAlpacaTradeEventsOverSSEWithTheGoSDK(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	cl := b.client(b.aliceKey)
	start := time.Now().UTC()
	// since=start: the stream gets everything from here even if it connects late.
	alice := b.streamTradeUpdates(b.aliceKey, alpaca.StreamTradeUpdatesRequest{Since: start})
	bob := b.streamTradeUpdates(b.bobKey, alpaca.StreamTradeUpdatesRequest{Since: start})

	if _, err := cl.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("2"), Side: alpaca.Buy,
		Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "m1"}); err != nil {
		t.Fatal(err)
	}
	resting, err := cl.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("100"), Side: alpaca.Buy,
		Type: alpaca.Limit, LimitPrice: dec("1.00"), TimeInForce: alpaca.GTC, ClientOrderID: "l1"})
	if err != nil {
		t.Fatal(err)
	}
	// A quote inside the limit with 30 shares offered: the realistic preset fills 30 of 100.
	q := market.Quote{Symbol: "AAPL", BidPrice: decimal.RequireFromString("0.98"), BidSize: decimal.NewFromInt(100),
		AskPrice: decimal.RequireFromString("0.99"), AskSize: decimal.NewFromInt(30), Time: b.clock.Now()}
	b.svc.Trading.Quotes().Observe(q)
	if _, err := b.svc.Trading.Match(context.Background(), q, nil); err != nil {
		t.Fatal(err)
	}

	got := alice.take(t, 4)
	if events(got) != "new AAPL m1, fill AAPL m1, new AAPL l1, partial_fill AAPL l1" {
		t.Fatalf("alice's updates = %s", events(got))
	}
	fill, partial := got[1], got[3]
	if !fill.Qty.Equal(decimal.NewFromInt(2)) || !fill.PositionQty.Equal(decimal.NewFromInt(2)) || fill.Price == nil ||
		fill.Timestamp == nil || fill.ExecutionID == "" || fill.Order.Status != "filled" {
		t.Errorf("fill = qty %v position %v price %v at %v exec %q status %s", fill.Qty, fill.PositionQty, fill.Price, fill.Timestamp, fill.ExecutionID, fill.Order.Status)
	}
	if !partial.Qty.Equal(decimal.NewFromInt(30)) || !partial.PositionQty.Equal(decimal.NewFromInt(32)) ||
		partial.Price.GreaterThan(decimal.NewFromInt(1)) || partial.Order.ID != resting.ID ||
		partial.Order.Status != "partially_filled" || !partial.Order.FilledQty.Equal(decimal.NewFromInt(30)) {
		t.Errorf("partial fill = qty %v position %v price %v order %s %s filled %s", partial.Qty, partial.PositionQty,
			partial.Price, partial.Order.ID, partial.Order.Status, partial.Order.FilledQty)
	}
	for i := 1; i < len(got); i++ {
		if !got[i].At.After(got[i-1].At) {
			t.Errorf("update %d at %s is not after update %d at %s", i, got[i].At, i-1, got[i-1].At)
		}
	}

	// Disconnect; meanwhile the rest is canceled and another order fills. Resuming as
	// StreamTradeUpdatesInBackground does (since = the last update's at + 1ns) loses nothing.
	alice.cancel()
	<-alice.done
	if err := cl.CancelOrder(resting.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Sell,
		Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "m2"}); err != nil {
		t.Fatal(err)
	}
	again := b.streamTradeUpdates(b.aliceKey, alpaca.StreamTradeUpdatesRequest{Since: got[3].At.Add(time.Nanosecond)})
	missed := again.take(t, 3)
	if events(missed) != "canceled AAPL l1, new AAPL m2, fill AAPL m2" {
		t.Fatalf("after resuming = %s", events(missed))
	}
	if !missed[2].PositionQty.Equal(decimal.NewFromInt(31)) {
		t.Errorf("position after the sell = %v, want 31", missed[2].PositionQty)
	}

	// since_id and until_id: exactly that range, then the stream ends (the SDK returns nil).
	ranged := b.streamTradeUpdates(b.aliceKey, alpaca.StreamTradeUpdatesRequest{SinceID: got[0].EventID, UntilID: missed[0].EventID})
	if r := ranged.take(t, 4); events(r) != "fill AAPL m1, new AAPL l1, partial_fill AAPL l1, canceled AAPL l1" {
		t.Fatalf("since_id..until_id = %s", events(r))
	}
	select {
	case err := <-ranged.done:
		if err != nil {
			t.Fatalf("a ranged stream ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a stream with until_id did not end")
	}

	// Bob's stream never carries Alice's events: his own order is the first thing he sees.
	if _, err := b.client(b.bobKey).PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "MSFT", Qty: dec("1"), Side: alpaca.Buy,
		Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "bob-1"}); err != nil {
		t.Fatal(err)
	}
	if first := bob.take(t, 1); first[0].Order.ClientOrderID != "bob-1" {
		t.Fatalf("bob's first update = %s", events(first))
	}
}

func TestAlpacaTradeEventsQueryIsChecked(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	for _, query := range []string{"since=yesterday", "since_id=x", "since=2026-01-01T00:00:00Z&since_id=4", "until_id=3&until=2026-01-01", "follow=true"} {
		req, _ := http.NewRequest(http.MethodGet, b.url+"/v2/events/trades?"+query, nil)
		req.Header.Set(headerAPIKeyID, b.aliceKey.KeyID)
		req.Header.Set(headerAPISecretKey, b.aliceKey.Secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Code int }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || body.Code != 40010001 {
			t.Errorf("?%s = %d %d, want 400 40010001", query, resp.StatusCode, body.Code)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, b.url+"/v2/events/trades", nil)
	req.Header.Set(headerAPIKeyID, b.aliceKey.KeyID)
	req.Header.Set(headerAPISecretKey, "wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong secret = %d, want 401", resp.StatusCode)
	}
}

// streamClient is a /stream connection.
type streamClient struct {
	t *testing.T
	c *websocket.Conn
}

func (b *botApp) dialStream() *streamClient {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, strings.Replace(b.url, "http://", "ws://", 1)+"/stream", nil)
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { _ = c.CloseNow() })
	return &streamClient{t: b.t, c: c}
}

func (s *streamClient) send(kind websocket.MessageType, msg string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.c.Write(ctx, kind, []byte(msg)); err != nil {
		s.t.Fatal(err)
	}
}

// read reads one frame as JSON.
func (s *streamClient) read() map[string]any {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, msg, err := s.c.Read(ctx)
	if err != nil {
		s.t.Fatalf("no frame: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(msg, &out); err != nil {
		s.t.Fatalf("frame %q is not a JSON object: %v", msg, err)
	}
	return out
}

// closed waits for the server to close the connection and returns its code.
func (s *streamClient) closed() websocket.StatusCode {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		if _, _, err := s.c.Read(ctx); err != nil {
			if ctx.Err() != nil {
				s.t.Fatal("the server did not close the connection")
			}
			return websocket.CloseStatus(err)
		}
	}
}

func data(m map[string]any) map[string]any { d, _ := m["data"].(map[string]any); return d }

// The frames alpaca-py (json.dumps: ", " and ": " separators) and the JavaScript SDK
// (JSON.stringify, compact) send, word for word.
func pyAuth(k botKey) string {
	return fmt.Sprintf(`{"action": "authenticate", "data": {"key_id": %q, "secret_key": %q}}`, k.KeyID, k.Secret)
}

const pyListen = `{"action": "listen", "data": {"streams": ["trade_updates"]}}`

func jsAuth(k botKey) string {
	return fmt.Sprintf(`{"action":"authenticate","data":{"key_id":%q,"secret_key":%q}}`, k.KeyID, k.Secret)
}

const jsListen = `{"action":"listen","data":{"streams":["trade_updates"]}}`

func TestAlpacaTradeStreamSpeaksAsThePythonAndJavaScriptSDKsExpect(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	for _, sdk := range []struct {
		name         string
		auth, listen string
		kind         websocket.MessageType
	}{
		{"alpaca-py", pyAuth(b.aliceKey), pyListen, websocket.MessageText},
		{"javascript", jsAuth(b.aliceKey), jsListen, websocket.MessageText},
		{"binary frames", jsAuth(b.aliceKey), jsListen, websocket.MessageBinary},
	} {
		t.Run(sdk.name, func(t *testing.T) {
			s := b.dialStream()
			s.t = t
			s.send(sdk.kind, sdk.auth)
			// alpaca-py reads the very next frame as the answer to authenticate.
			if auth := s.read(); auth["stream"] != "authorization" || data(auth)["status"] != "authorized" || data(auth)["action"] != "authenticate" {
				t.Fatalf("authenticate answered %v", auth)
			}
			s.send(sdk.kind, sdk.listen)
			if l := s.read(); l["stream"] != "listening" || fmt.Sprint(data(l)["streams"]) != "[trade_updates]" {
				t.Fatalf("listen answered %v", l)
			}
			cid := "stream-" + uuid.NewString()[:8]
			if _, err := b.client(b.aliceKey).PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Buy,
				Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: cid}); err != nil {
				t.Fatal(err)
			}
			newEv, fillEv := s.read(), s.read()
			for _, ev := range []map[string]any{newEv, fillEv} {
				d := data(ev)
				o, _ := d["order"].(map[string]any) // the JS SDK requires an object
				if ev["stream"] != "trade_updates" || o == nil || o["client_order_id"] != cid || d["timestamp"] == nil {
					t.Fatalf("update = %v", ev)
				}
				// alpaca-py's Order model requires these.
				for _, f := range []string{"id", "created_at", "updated_at", "submitted_at", "order_class", "time_in_force", "status", "extended_hours"} {
					if _, ok := o[f]; !ok {
						t.Errorf("the order lacks %q, which alpaca-py requires", f)
					}
				}
			}
			if data(newEv)["event"] != "new" || data(fillEv)["event"] != "fill" {
				t.Fatalf("events = %v, %v", data(newEv)["event"], data(fillEv)["event"])
			}
			fd := data(fillEv)
			if fd["qty"] != "1" || fd["price"] == nil || fd["position_qty"] == nil {
				t.Errorf("fill = %v", fd)
			}
			if _, err := uuid.Parse(fmt.Sprint(fd["execution_id"])); err != nil {
				t.Errorf("execution_id %v is not a UUID (alpaca-py reads it as one)", fd["execution_id"])
			}
		})
	}
}

func TestAlpacaTradeStreamRefusals(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)

	// Listening before authenticating is an error frame; the connection stays.
	s := b.dialStream()
	s.send(websocket.MessageText, jsListen)
	if e := s.read(); e["action"] != "error" || data(e)["error_message"] == nil {
		t.Fatalf("listen before authenticate = %v", e)
	}
	// A wrong secret: unauthorized, then the connection closes (the JS SDK stops for good).
	s.send(websocket.MessageText, jsAuth(botKey{KeyID: b.aliceKey.KeyID, Secret: "wrong"}))
	if auth := s.read(); auth["stream"] != "authorization" || data(auth)["status"] != "unauthorized" {
		t.Fatalf("a wrong secret = %v", auth)
	}
	if code := s.closed(); code != websocket.StatusPolicyViolation {
		t.Errorf("closed with %d, want 1008", code)
	}

	// Bob's stream never carries Alice's events.
	bob := b.dialStream()
	bob.send(websocket.MessageText, jsAuth(b.bobKey))
	bob.read()
	bob.send(websocket.MessageText, jsListen)
	bob.read()
	if _, err := b.client(b.aliceKey).PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Buy,
		Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "alice-only"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.client(b.bobKey).PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "MSFT", Qty: dec("1"), Side: alpaca.Buy,
		Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "bob-only"}); err != nil {
		t.Fatal(err)
	}
	if ev := bob.read(); data(ev)["order"].(map[string]any)["client_order_id"] != "bob-only" {
		t.Fatalf("bob's first update = %v", ev)
	}
}

func TestAlpacaTradeStreamsOfARevokedKeyEnd(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	ws := b.dialStream()
	ws.send(websocket.MessageText, jsAuth(b.aliceKey))
	ws.read()
	ws.send(websocket.MessageText, jsListen)
	ws.read()
	sse := b.streamTradeUpdates(b.aliceKey, alpaca.StreamTradeUpdatesRequest{Since: time.Now().Add(-time.Minute)})
	// The SSE stream is open once it has delivered something.
	if _, err := b.client(b.aliceKey).PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Buy,
		Type: alpaca.Market, TimeInForce: alpaca.Day}); err != nil {
		t.Fatal(err)
	}
	sse.take(t, 2)

	// Revoked in the service, as another process would: the guard's check ends both streams.
	if err := b.svc.APIKeys.Revoke(context.Background(), b.alice.ID, b.aliceKey.RowID); err != nil {
		t.Fatal(err)
	}
	if code := ws.closed(); code != websocket.StatusPolicyViolation {
		t.Errorf("/stream closed with %d, want 1008", code)
	}
	select {
	case err := <-sse.done:
		if err != nil {
			t.Logf("the SSE stream ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the revoked key's SSE stream is still open")
	}

	// Through the app's own revoke, the streams end at once (no check period to wait for).
	k := b.newKey(b.bob, 0)
	ws2 := b.dialStream()
	ws2.send(websocket.MessageText, jsAuth(k))
	ws2.read()
	if err := b.svc.APIKeys.Revoke(context.Background(), b.bob.ID, k.RowID); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	b.srv.live.streams.revoked(k.RowID)
	if code := ws2.closed(); code != websocket.StatusPolicyViolation || time.Since(began) > streamGuardEvery/2 {
		t.Errorf("closed with %d after %s, want 1008 at once", code, time.Since(began))
	}
}
