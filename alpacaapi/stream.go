package alpacaapi

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/fasthttp/websocket"

	"alpacawrapper/live"
	"alpacawrapper/trading"
)

// The /stream WebSocket, as alpaca-py's and the JavaScript SDK's TradingStream speak it (read
// from alpaca-py's alpaca/trading/stream.py and @alpacahq/alpaca-trade-api 4.0.2's
// src/streaming/tradingStream.ts). Client to server, JSON in text frames (binary frames holding
// JSON are read too, as Alpaca's server reads them):
//
//	{"action":"authenticate","data":{"key_id":K,"secret_key":S}}
//	{"action":"listen","data":{"streams":["trade_updates"]}}      [] stops listening
//
// Server to client, one JSON object per text frame (both SDKs decode text and binary alike):
//
//	{"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}
//	{"stream":"authorization","data":{"status":"unauthorized","action":"authenticate"}}, then close
//	{"stream":"listening","data":{"streams":["trade_updates"]}}
//	{"stream":"trade_updates","data":{TradeUpdate}}
//	{"action":"error","data":{"error_message":"…"}}                 (the JS SDK surfaces it)
//
// alpaca-py reads the reply to authenticate as the very next frame, so nothing is sent before
// it. Listening starts at the newest event: events committed after the listening reply reach the
// client; a client that needs what happened while it was away asks the SSE stream with since_id.

// StreamAuthTimeout is how long a /stream connection may stay without authenticating.
const StreamAuthTimeout = 30 * time.Second

// StreamCaller is who a /stream connection authenticated as.
type StreamCaller struct {
	AccountID int64
	KeyID     int64
}

// StreamDeps are what the /stream protocol needs from the app.
type StreamDeps struct {
	// Authenticate checks a key id and secret; any error is "unauthorized".
	Authenticate func(ctx context.Context, keyID, secret string) (StreamCaller, error)
	// Listen opens a listener on the account's trade events.
	Listen func(ctx context.Context, accountID int64, r trading.Resume) (*trading.Listener, error)
	// Authorized is told of a successful authentication, so the app can end the session when the
	// key is revoked.
	Authorized func(s *live.Session, c StreamCaller)
}

// StreamProtocol is /stream for one connection.
type StreamProtocol struct {
	deps StreamDeps
	wake chan struct{}

	mu       sync.Mutex
	caller   *StreamCaller
	listener *trading.Listener
}

// NewStreamProtocol returns the protocol for one connection.
func NewStreamProtocol(deps StreamDeps) *StreamProtocol {
	return &StreamProtocol{deps: deps, wake: make(chan struct{}, 1)}
}

// MessageType is text.
func (p *StreamProtocol) MessageType() int { return websocket.TextMessage }

// AcceptsBinary is true: a binary frame holding JSON is read like a text one.
func (p *StreamProtocol) AcceptsBinary() bool { return true }

// Encode sends nothing: the stream follows no symbols.
func (p *StreamProtocol) Encode(dst []byte, _ []live.Update) []byte { return dst }

// Open arms the authentication timeout.
func (p *StreamProtocol) Open(s *live.Session) error {
	t := time.AfterFunc(StreamAuthTimeout, func() {
		p.mu.Lock()
		authed := p.caller != nil
		p.mu.Unlock()
		if !authed {
			s.Close(live.ClosePolicy, "authentication timeout")
		}
	})
	context.AfterFunc(s.Context(), func() {
		t.Stop()
		p.mu.Lock()
		l := p.listener
		p.listener = nil
		p.mu.Unlock()
		if l != nil {
			l.Close()
		}
	})
	return nil
}

// streamMessage is a client message.
type streamMessage struct {
	Action string          `json:"action"`
	Data   json.RawMessage `json:"data"`
}

// HandleMessage answers authenticate and listen.
func (p *StreamProtocol) HandleMessage(s *live.Session, raw []byte) {
	var msg streamMessage
	if err := json.Unmarshal(bytes.TrimSpace(raw), &msg); err != nil {
		s.Reply(streamError("malformed message: expected a JSON object with an \"action\""))
		return
	}
	switch msg.Action {
	case "authenticate", "auth":
		p.authenticate(s, msg.Data)
	case "listen":
		p.listen(s, msg.Data)
	case "":
		s.Reply(streamError("message has no \"action\""))
	default:
		s.Reply(streamError("unknown action " + quote(msg.Action) + ": use authenticate or listen"))
	}
}

func (p *StreamProtocol) authenticate(s *live.Session, data json.RawMessage) {
	var creds struct {
		KeyID     string `json:"key_id"`
		SecretKey string `json:"secret_key"`
	}
	_ = json.Unmarshal(data, &creds)
	c, err := p.deps.Authenticate(s.Context(), creds.KeyID, creds.SecretKey)
	if err != nil {
		s.Reply([]byte(`{"stream":"authorization","data":{"status":"unauthorized","action":"authenticate"}}`))
		s.Close(live.ClosePolicy, "authentication failed")
		return
	}
	p.mu.Lock()
	changed := p.caller != nil && p.caller.AccountID != c.AccountID
	p.caller = &c
	old := p.listener
	if changed {
		p.listener = nil // another account: what was listened to stops
	}
	p.mu.Unlock()
	if changed && old != nil {
		old.Close()
	}
	if p.deps.Authorized != nil {
		p.deps.Authorized(s, c)
	}
	s.Reply([]byte(`{"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}`))
}

func (p *StreamProtocol) listen(s *live.Session, data json.RawMessage) {
	var req struct {
		Streams []string `json:"streams"`
	}
	if err := json.Unmarshal(data, &req); err != nil {
		s.Reply(streamError("listen needs {\"streams\": [...]}"))
		return
	}
	p.mu.Lock()
	caller := p.caller
	p.mu.Unlock()
	if caller == nil {
		s.Reply(streamError("not authenticated: send authenticate first"))
		return
	}
	for _, st := range req.Streams {
		if st != "trade_updates" {
			s.Reply(streamError("unknown stream " + quote(st) + ": only trade_updates"))
			return
		}
	}
	want := slices.Contains(req.Streams, "trade_updates")
	p.mu.Lock()
	has := p.listener != nil
	p.mu.Unlock()
	switch {
	case want && !has:
		l, err := p.deps.Listen(s.Context(), caller.AccountID, trading.Resume{Wake: p.wake})
		if err != nil {
			s.Reply(streamError("trade updates are unavailable just now; try again"))
			return
		}
		// The reply is queued before the listener is set, so it is written before any event.
		s.Reply(listening([]string{"trade_updates"}))
		p.mu.Lock()
		p.listener = l
		p.mu.Unlock()
	case !want && has:
		p.mu.Lock()
		l := p.listener
		p.listener = nil
		p.mu.Unlock()
		l.Close()
		s.Reply(listening([]string{}))
	default:
		streams := []string{}
		if has {
			streams = []string{"trade_updates"}
		}
		s.Reply(listening(streams))
	}
}

// Wake is when events may wait.
func (p *StreamProtocol) Wake() <-chan struct{} { return p.wake }

// Next writes the next trade update as its own frame.
func (p *StreamProtocol) Next(ctx context.Context, dst []byte) ([]byte, bool, error) {
	p.mu.Lock()
	l := p.listener
	p.mu.Unlock()
	if l == nil {
		return dst, false, nil
	}
	for {
		ups, more, err := l.Next(ctx, 1)
		if err != nil || len(ups) == 0 {
			return dst, false, err
		}
		tu, ok := EncodeTradeUpdate(&ups[0])
		if !ok {
			if !more {
				return dst, false, nil
			}
			continue
		}
		b, _ := json.Marshal(struct {
			Stream string       `json:"stream"`
			Data   *TradeUpdate `json:"data"`
		}{"trade_updates", &tu})
		return append(dst, b...), true, nil
	}
}

func listening(streams []string) []byte {
	b, _ := json.Marshal(struct {
		Stream string `json:"stream"`
		Data   struct {
			Streams []string `json:"streams"`
		} `json:"data"`
	}{Stream: "listening", Data: struct {
		Streams []string `json:"streams"`
	}{streams}})
	return b
}

// streamError is {"action":"error","data":{"error_message":msg}}.
func streamError(msg string) []byte {
	b, _ := json.Marshal(struct {
		Action string `json:"action"`
		Data   struct {
			ErrorMessage string `json:"error_message"`
		} `json:"data"`
	}{Action: "error", Data: struct {
		ErrorMessage string `json:"error_message"`
	}{msg}})
	return b
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	b, _ := json.Marshal(s)
	return string(b)
}
