package app

import (
	"bufio"
	"encoding/json"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// The live stream of the JSON API, as Server-Sent Events: what `curl -N`, bots and simple pages
// use to watch prices without a WebSocket.

// Bounds and pacing of the event stream.
const (
	// maxStreamSymbols bounds one connection: each symbol followed is upstream demand, and the
	// feed can carry only so many (30 on Alpaca's free plan).
	maxStreamSymbols = 50
	// streamHeartbeat is how often an idle stream sends a comment line, so proxies keep the
	// connection open and a client that went away is noticed (its write fails).
	streamHeartbeat = 15 * time.Second
	// streamWriteTimeout bounds each write. The server's WriteTimeout is set once per response,
	// which would cut every stream after 30 seconds; each write moves the deadline instead, so
	// only a client that stops reading is cut off.
	streamWriteTimeout = 30 * time.Second
	// streamPace is the least time between two batches. The hub keeps only the newest pending
	// quote of each symbol, so waiting between batches turns a busy symbol's burst into a few
	// updates a second, which is all a person or a polling bot can use.
	streamPace = 250 * time.Millisecond
	// streamRetryMillis tells EventSource clients how soon to reconnect after a drop.
	streamRetryMillis = "3000"
)

// apiStream is GET /api/v1/stream?symbols=A,B[&types=quotes,trades,bars]: live quotes, trades and
// minute bars of up to maxStreamSymbols symbols as Server-Sent Events (event: quote|trade|bar,
// data: the JSON of /quotes, a print, or a candle with its symbol). Opening it makes the symbols
// wanted upstream, at screen priority for a signed-in person and at guest priority (below
// everything a signed-in person or a resting order needs) otherwise; closing it releases them
// after the hub's grace period. Streams count against the same per-IP allowance as the live
// WebSockets.
func (s *Server) apiStream(c *fiber.Ctx) error {
	opts, err := streamKinds(c.Query("types"))
	if err != nil {
		return err
	}
	symbols, err := s.resolveSymbols(c.UserContext(), "symbols", c.Query("symbols"), maxStreamSymbols)
	if err != nil {
		return err
	}
	ip, max, prio := clientIPOf(c), wsMaxConnsGuest, market.PriorityGuest
	if s.streamUser(c) != nil {
		max, prio = wsMaxConnsUser, market.PriorityScreen
	}
	release, ok := s.live.conns.Acquire(ip, max)
	if !ok {
		return tooManyConnections(max)
	}
	opts.Symbols, opts.Priority = symbols, prio
	sub := s.market.Hub.Subscribe(opts)

	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("X-Accel-Buffering", "no") // nginx would otherwise hold events back in its buffer
	// The writer runs after this handler returns, when Fiber has recycled c: take what it needs now.
	rc := c.Context()
	pump := &eventPump{sub: sub, conn: rc.Conn(), shutdown: rc.Done(), release: release}
	rc.SetBodyStreamWriter(pump.run)
	return nil
}

// streamUser is who opened a stream, for its priority and allowance: the browser's signed-in
// person, or the owner of valid API credentials in the headers; nil for a guest. Bad credentials
// are not refused here, since the data is public: they only earn a guest's share.
func (s *Server) streamUser(c *fiber.Ctx) *models.User {
	if u := currentUser(c); u != nil {
		return u
	}
	ctx := c.UserContext()
	if keyID, secret := c.Get(headerAPIKeyID), c.Get(headerAPISecretKey); keyID != "" && secret != "" {
		u, _ := s.apiKeys.Authenticate(ctx, keyID, secret)
		return u
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(c.Get(fiber.HeaderAuthorization)), " ")
	if strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(token) != "" {
		u, _ := s.tokens.Authenticate(ctx, strings.TrimSpace(token))
		return u
	}
	return nil
}

// streamKinds reads the types parameter: any of quotes, trades and bars; all three when absent.
func streamKinds(raw string) (market.SubscribeOptions, error) {
	var o market.SubscribeOptions
	if strings.TrimSpace(raw) == "" {
		o.Quotes, o.Trades, o.Bars = true, true, true
		return o, nil
	}
	for _, part := range strings.Split(raw, ",") {
		switch strings.ToLower(strings.TrimSpace(part)) {
		case "quotes":
			o.Quotes = true
		case "trades":
			o.Trades = true
		case "bars":
			o.Bars = true
		case "":
		default:
			return o, apperr.Invalid(map[string]string{"types": "\"types\" lists any of quotes, trades and bars, separated by commas."})
		}
	}
	return o, nil
}

// eventPump copies one subscription to one client until either goes away.
type eventPump struct {
	sub      *market.Subscription
	conn     net.Conn        // for write deadlines; nil in in-process tests
	shutdown <-chan struct{} // closed when the server shuts down
	release  func()          // gives back the client's connection slot
	w        *bufio.Writer
	events   []market.Event
}

// run is the body writer. It returns when a write fails (the client left or stopped reading),
// the server shuts down or the hub closes, and always releases the subscription.
func (p *eventPump) run(w *bufio.Writer) {
	defer p.release()
	defer p.sub.Close()
	p.w = w
	if !p.send(": connected\nretry: " + streamRetryMillis + "\n\n") {
		return
	}
	heartbeat := time.NewTicker(streamHeartbeat)
	defer heartbeat.Stop()
	pace := time.NewTimer(streamPace)
	pace.Stop()
	defer pace.Stop()
	for {
		select {
		case <-p.shutdown:
			return
		case <-p.sub.Done():
			return
		case <-heartbeat.C:
			if !p.send(": heartbeat\n\n") {
				return
			}
		case <-p.sub.Ready():
			p.events = p.sub.Drain(p.events[:0])
			if len(p.events) == 0 {
				continue
			}
			if !p.sendEvents() {
				return
			}
			heartbeat.Reset(streamHeartbeat)
			pace.Reset(streamPace)
			select {
			case <-pace.C:
			case <-p.shutdown:
				return
			}
		}
	}
}

// sendEvents writes the drained batch as one flush.
func (p *eventPump) sendEvents() bool {
	for i := range p.events {
		ev := &p.events[i]
		var name string
		var payload any
		switch ev.Kind {
		case market.EventQuote:
			name, payload = "quote", toQuoteJSON(ev.Quote)
		case market.EventTrade:
			name, payload = "trade", toTradeJSON(ev.Trade)
		case market.EventBar:
			name, payload = "bar", toBarJSON(ev.Bar, true)
		default:
			continue
		}
		data, err := json.Marshal(payload)
		if err != nil {
			continue // plain strings and numbers cannot fail to encode; skip rather than end the stream
		}
		_, _ = p.w.WriteString("event: " + name + "\ndata: ")
		_, _ = p.w.Write(data)
		_, _ = p.w.WriteString("\n\n")
	}
	return p.flush()
}

// send writes text and flushes it.
func (p *eventPump) send(text string) bool {
	_, _ = p.w.WriteString(text)
	return p.flush()
}

// flush pushes what is buffered to the client, first moving the write deadline on. A failed
// write is sticky in bufio.Writer, so checking the flush catches every earlier one too.
func (p *eventPump) flush() bool {
	if p.conn != nil {
		_ = p.conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	}
	return p.w.Flush() == nil
}
