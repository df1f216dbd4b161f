package alpacaapi

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/fasthttp/websocket"

	"alpacawrapper/live"
	"alpacawrapper/trading"
)

// TradeUpdate is Alpaca's trade update, as both transports carry it: the data of a
// `trade_updates` message of /stream, and each `data:` line of the SSE stream
// (GET /v2/events/trades, the Go SDK's alpaca.TradeUpdate). Decimals are strings; the fill
// fields are set on fill and partial_fill only, and are this fill's own quantity and price
// (Alpaca's partial_fill carries the order's running totals only; bots asked for this).
// timestamp is always set: alpaca-py's model requires it.
type TradeUpdate struct {
	At          time.Time `json:"at"`
	Event       string    `json:"event"`
	EventID     string    `json:"event_id"`
	ExecutionID string    `json:"execution_id,omitempty"`
	Order       Order     `json:"order"`
	PositionQty *string   `json:"position_qty,omitempty"`
	Price       *string   `json:"price,omitempty"`
	Qty         *string   `json:"qty,omitempty"`
	Timestamp   time.Time `json:"timestamp"`
}

// EncodeTradeUpdate shows an engine event as Alpaca does. ok is false for events Alpaca has no
// shape for (an account reset carries no order, and both SDKs refuse an update without one).
func EncodeTradeUpdate(up *trading.TradeUpdate) (TradeUpdate, bool) {
	if !up.HasOrder {
		return TradeUpdate{}, false
	}
	out := TradeUpdate{At: up.At.UTC(), Event: up.Event, EventID: strconv.FormatInt(up.EventID, 10),
		Order: EncodeOrder(&up.Order), Timestamp: up.At.UTC()}
	if up.FillID != "" {
		price, qty, pos := up.Price.String(), up.Qty.String(), up.PositionQty.String()
		out.ExecutionID, out.Price, out.Qty, out.PositionQty = up.FillID, &price, &qty, &pos
	}
	return out, true
}

// TradeEventsRange is what GET /v2/events/trades asks for: where to start and where to stop.
type TradeEventsRange struct {
	Resume  trading.Resume
	Until   time.Time // zero: no end
	UntilID int64     // 0: no end
}

// TradeEventsParams are the query parameters GET /v2/events/trades knows.
var TradeEventsParams = []string{"since", "until", "since_id", "until_id"}

// ParseTradeEventsQuery reads the query of GET /v2/events/trades (made with TradeEventsParams):
// since and until (RFC 3339 times or dates, which the Go SDK's StreamTradeUpdatesRequest sends
// with nanoseconds) or since_id and until_id (event ids); a time and an id of the same end
// together are refused. With no since the stream starts at the newest event; with no until it
// does not end.
func ParseTradeEventsQuery(q *Query) (TradeEventsRange, error) {
	var r TradeEventsRange
	r.Resume.Since = q.Time("since", time.UTC)
	r.Until = q.Time("until", time.UTC)
	if q.Has("since_id") {
		r.Resume.AfterID, r.Resume.FromID = eventID(q, "since_id"), true
	}
	if q.Has("until_id") {
		r.UntilID = eventID(q, "until_id")
	}
	if err := q.Err(); err != nil {
		return r, err
	}
	switch {
	case r.Resume.FromID && !r.Resume.Since.IsZero():
		return r, BadRequest("since and since_id cannot be used together")
	case r.UntilID != 0 && !r.Until.IsZero():
		return r, BadRequest("until and until_id cannot be used together")
	}
	return r, nil
}

// eventID reads an event id parameter.
func eventID(q *Query, name string) int64 {
	s := q.String(name)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		q.fail("invalid %s %q: expected an event id (a whole number, as in event_id)", name, s)
		return 0
	}
	return n
}

// SSEBatch is how many events one write of the SSE stream carries at most.
const SSEBatch = 100

// SSEProtocol is GET /v2/events/trades for one connection, a protocol of the live runtime over
// a live.SSETransport: each event of the account's log after the start is written as
//
//	id: <event_id>
//	data: <TradeUpdate JSON>
//
// (the Go SDK reads only the data lines), in id order, with nothing lost across a reconnect
// that resumes with since or since_id. With until or until_id the stream ends, and the response
// with it, once it has sent everything up to that bound.
type SSEProtocol struct {
	listener *trading.Listener
	rng      TradeEventsRange
	frames   *EventFrames  // shared by the process's streams
	wake     chan struct{} // the listener's, and the until timer's

	mu      sync.Mutex
	expired bool // until has passed
}

// NewSSEProtocol returns the protocol for one stream. open starts the listener with the Resume
// and wake channel it is given (the handler opens it, so that its errors are HTTP answers);
// frames, shared by the process's streams, encodes each event once (nil: each stream encodes).
func NewSSEProtocol(rng TradeEventsRange, frames *EventFrames, open func(trading.Resume) (*trading.Listener, error)) (*SSEProtocol, error) {
	p := &SSEProtocol{rng: rng, frames: frames, wake: make(chan struct{}, 1)}
	r := rng.Resume
	r.Wake = p.wake
	l, err := open(r)
	if err != nil {
		return nil, err
	}
	p.listener = l
	return p, nil
}

// Listener is the stream's listener.
func (p *SSEProtocol) Listener() *trading.Listener { return p.listener }

// MessageType is text.
func (p *SSEProtocol) MessageType() int { return websocket.TextMessage }

// HandleMessage is never called: an event stream's client sends nothing.
func (p *SSEProtocol) HandleMessage(*live.Session, []byte) {}

// Encode sends nothing: the stream follows no symbols.
func (p *SSEProtocol) Encode(dst []byte, _ []live.Update) []byte { return dst }

// Open sends the stream's first bytes (a comment: clients and proxies see it has started, and
// tests know it listens), catches up from the start, and arms the end for until.
func (p *SSEProtocol) Open(s *live.Session) error {
	context.AfterFunc(s.Context(), p.listener.Close)
	s.Reply([]byte(": listening\n\n"))
	if !p.rng.Until.IsZero() {
		t := time.AfterFunc(time.Until(p.rng.Until), func() {
			p.mu.Lock()
			p.expired = true
			p.mu.Unlock()
			select {
			case p.wake <- struct{}{}:
			default:
			}
		})
		context.AfterFunc(s.Context(), func() { t.Stop() })
	}
	select { // catch up at once (the listener may be behind from the start)
	case p.wake <- struct{}{}:
	default:
	}
	return nil
}

// Wake is when events may wait.
func (p *SSEProtocol) Wake() <-chan struct{} { return p.wake }

// Next writes the next events after the cursor, up to SSEBatch in one frame.
func (p *SSEProtocol) Next(ctx context.Context, dst []byte) ([]byte, bool, error) {
	ups, more, err := p.listener.Next(ctx, SSEBatch)
	if err != nil {
		return dst, false, err
	}
	end := &live.CloseError{Code: live.CloseNormal}
	for i := range ups {
		up := &ups[i]
		if (p.rng.UntilID != 0 && up.EventID > p.rng.UntilID) || (!p.rng.Until.IsZero() && up.At.After(p.rng.Until)) {
			return dst, false, end
		}
		dst = append(dst, p.frames.SSE(up)...)
		if p.rng.UntilID != 0 && up.EventID == p.rng.UntilID {
			return dst, false, end
		}
	}
	p.mu.Lock()
	expired := p.expired
	p.mu.Unlock()
	if !more && expired {
		return dst, false, end // caught up past until
	}
	return dst, more, nil
}

// AppendSSE appends one trade update as an SSE event.
func AppendSSE(dst []byte, tu *TradeUpdate) []byte {
	b, err := json.Marshal(tu)
	if err != nil {
		return dst // strings, decimals and times cannot fail to encode
	}
	dst = append(dst, "id: "...)
	dst = append(dst, tu.EventID...)
	dst = append(dst, "\ndata: "...)
	dst = append(dst, b...)
	return append(dst, "\n\n"...)
}
