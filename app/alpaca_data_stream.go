package app

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/live"
	"alpacawrapper/market"
	"alpacawrapper/market/alpacawire"
)

// Alpaca's real-time market-data streams, /v2/{feed} and /v1beta3/crypto/us, as live sessions fed
// by the hub. The protocol decisions (auth, subscription sets, acknowledgements, error codes) are
// alpacawire.StreamState's, shared with the fake Alpaca server; this file carries them over a
// live.Session:
//
//   - "connected" is written before the session starts, so it is always the first frame.
//   - Client frames are msgpack (binary) or JSON (text), as the upgrade's Content-Type chose;
//     alpacaTransport hands binary frames to the session as messages like any other.
//   - A subscription's acknowledgement must come before any data of what it adds: data is sent only
//     for what the client has been told it follows, and that set moves forward when the ack's frame
//     is written (alpacaTransport.WriteMessage), not when the subscribe is read.
//   - An error that ends the connection (404 auth timeout, 406 connection limit) is written, then
//     the socket is closed with a close frame.
//
// Quotes, trades and minute bars are sent; trades and quotes are coalesced to the newest of each
// symbol per frame (alpacaStreamFlushes a second), bars are all sent. Channels the hub has no data
// for (updatedBars, dailyBars, statuses, lulds …) are acknowledged and stay quiet.

// Locals the upgrade handler passes to the connection.
const (
	localAlpacaFormat = "alpaca.format"
	localAlpacaCrypto = "alpaca.crypto"
	localAlpacaTest   = "alpaca.test"
)

// alpacaAuthTimeout is how long a new connection may go without authenticating, as on Alpaca;
// alpacaRecheckEvery is how often an open stream's key is checked again, so that revoking it
// ends the stream within that time (one indexed query per stream every few seconds).
const (
	alpacaAuthTimeout  = 10 * time.Second
	alpacaRecheckEvery = 5 * time.Second
)

// alpacaStream is the upgrade of a stock feed or the crypto feed. A request that is not a
// WebSocket upgrade is a 4xx, which the SDKs take as final.
func (s *Server) alpacaStream(c *fiber.Ctx) error {
	if s.alpacaData == nil {
		return fiber.ErrServiceUnavailable
	}
	if !websocket.IsWebSocketUpgrade(c) {
		return c.Status(fiber.StatusUpgradeRequired).JSON(alpacawire.APIError{Code: 42610000, Message: "websocket upgrade required"})
	}
	c.Locals(localAlpacaFormat, alpacawire.FormatFor(c.Get(fiber.HeaderContentType)))
	c.Locals(localAlpacaCrypto, c.Path() == "/v1beta3/crypto/us")
	c.Locals(localAlpacaTest, c.Path() == alpacaTestFeedPath)
	return s.alpacaData.stream(c)
}

func (s *Server) alpacaStreamUpgrader() fiber.Handler {
	return websocket.New(s.serveAlpacaStream, websocket.Config{ReadBufferSize: 4 << 10, WriteBufferSize: 4 << 10})
}

// serveAlpacaStream runs one connection until it ends.
func (s *Server) serveAlpacaStream(conn *websocket.Conn) {
	format, _ := conn.Locals(localAlpacaFormat).(alpacawire.Format)
	crypto, _ := conn.Locals(localAlpacaCrypto).(bool)
	test, _ := conn.Locals(localAlpacaTest).(bool)
	p := newAlpacaStreamProtocol(s, crypto, format)
	p.test = test
	defer p.finish()
	manager := s.alpacaData.manager
	if test {
		manager = s.alpacaData.test.acquire()
		defer s.alpacaData.test.release()
	}
	hello, err := alpacawire.Encode(format, alpacawire.NewSuccessMsg(alpacawire.MsgConnected))
	if err != nil || conn.WriteMessage(p.MessageType(), hello) != nil {
		_ = conn.Close()
		return
	}
	manager.Run(context.Background(), &alpacaTransport{Transport: conn.Conn, p: p}, p, live.SessionConfig{})
}

// alpacaTransport is the session's connection with the two things Alpaca's protocol needs from
// it: binary client frames read as messages, and each frame written reported to the protocol.
type alpacaTransport struct {
	live.Transport
	p *alpacaStreamProtocol
}

// ReadMessage hands binary (msgpack) frames to the session as it hands text.
func (t *alpacaTransport) ReadMessage() (int, []byte, error) {
	kind, msg, err := t.Transport.ReadMessage()
	if kind == websocket.BinaryMessage {
		kind = websocket.TextMessage
	}
	return kind, msg, err
}

// WriteMessage writes a frame, then lets the protocol act on it having gone out: an ack makes its
// set the one data is sent for; a closing error closes the connection.
func (t *alpacaTransport) WriteMessage(kind int, data []byte) error {
	if err := t.Transport.WriteMessage(kind, data); err != nil {
		return err
	}
	if reason, closing := t.p.written(data); closing {
		msg := websocket.FormatCloseMessage(websocket.ClosePolicyViolation, reason)
		_ = t.Transport.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		_ = t.Transport.Close()
	}
	return nil
}

// alpacaStreamProtocol is the live.Protocol of one Alpaca stream connection.
type alpacaStreamProtocol struct {
	s       *Server
	format  alpacawire.Format
	state   *alpacawire.StreamState
	started time.Time
	test    bool // the test stream: its symbols are not the catalogue's

	mu       sync.Mutex
	key      string                     // the key holding one of its stream slots; "" before auth
	caller   AlpacaCaller               // whom the key speaks for
	checked  time.Time                  // when the key was last found valid
	expected []expectedFrame            // control frames waiting to be written, in order
	sent     map[string]map[string]bool // channel → symbols the client has been told it follows
	timedOut bool                       // the closing error has been queued
}

// expectedFrame is a reply the protocol acts on once written: an ack (set) or a closing error.
type expectedFrame struct {
	frame  []byte
	set    map[string][]string
	close  bool
	reason string
}

func newAlpacaStreamProtocol(s *Server, crypto bool, format alpacawire.Format) *alpacaStreamProtocol {
	st := alpacawire.NewStreamState(crypto, alpacaStreamSymbols)
	st.LimitEveryChannel()
	return &alpacaStreamProtocol{s: s, format: format, state: st, started: time.Now()}
}

// MessageType is binary for msgpack, text for JSON.
func (p *alpacaStreamProtocol) MessageType() int {
	if p.format == alpacawire.MsgPack {
		return websocket.BinaryMessage
	}
	return websocket.TextMessage
}

// TickEvery and Tick end a connection that has not authenticated in alpacaAuthTimeout (404), and
// one whose key has been revoked (402), checked every alpacaRecheckEvery.
func (p *alpacaStreamProtocol) TickEvery() time.Duration { return time.Second }

// Tick writes the closing error when one is due; the connection closes after it.
func (p *alpacaStreamProtocol) Tick(dst []byte) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timedOut {
		return dst
	}
	code := 0
	switch {
	case p.key == "" && time.Since(p.started) >= alpacaAuthTimeout:
		code = alpacawire.CodeAuthTimeout
	case p.key != "" && time.Since(p.checked) >= alpacaRecheckEvery:
		p.checked = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		valid, err := p.s.AlpacaCallerStillValid(ctx, p.caller)
		cancel()
		if err == nil && !valid {
			code = alpacawire.CodeAuthFailed
		}
	}
	if code == 0 {
		return dst
	}
	p.timedOut = true
	frame, err := alpacawire.Encode(p.format, alpacawire.NewErrorMsg(code))
	if err != nil {
		return dst
	}
	p.expected = append(p.expected, expectedFrame{frame: frame, close: true, reason: alpacawire.ErrorText(code)})
	return append(dst, frame...)
}

// HandleMessage answers one client message.
func (p *alpacaStreamProtocol) HandleMessage(sess *live.Session, msg []byte) {
	f := alpacawire.JSON
	if trimmed := bytes.TrimSpace(msg); len(trimmed) > 0 && trimmed[0] != '{' && trimmed[0] != '[' {
		f = alpacawire.MsgPack
	}
	a, err := alpacawire.DecodeAction(f, msg)
	if err == nil && (a.Action == alpacawire.ActionSubscribe || a.Action == alpacawire.ActionUnsubscribe) {
		if code := p.resolve(sess.Context(), &a); code != 0 {
			p.reply(sess, alpacawire.Verdict{Reply: alpacawire.NewErrorMsg(code)})
			return
		}
	}
	v := p.state.Handle(a, err)
	if v.Authenticate {
		v = p.authenticate(sess.Context(), a)
	}
	p.reply(sess, v)
	if v.Changed {
		// After the reply is queued: the session sends replies before data, and data of a new
		// symbol waits for its ack anyway (see written).
		sess.SetSymbols(p.followed())
	}
}

// reply queues the verdict's message, noting what to do once it is written.
func (p *alpacaStreamProtocol) reply(sess *live.Session, v alpacawire.Verdict) {
	if v.Reply == nil {
		return
	}
	frame, err := alpacawire.Encode(p.format, v.Reply)
	if err != nil {
		p.s.log.Error("alpaca stream: encode reply", "err", err)
		return
	}
	if v.Changed || v.Close {
		exp := expectedFrame{frame: frame, close: v.Close}
		if v.Changed {
			exp.set = p.state.Set()
		}
		if e, ok := v.Reply.(alpacawire.ErrorMsg); ok {
			exp.reason = e.Msg
		}
		p.mu.Lock()
		p.expected = append(p.expected, exp)
		p.mu.Unlock()
	}
	sess.Reply(frame)
}

// written is told of every frame written, in order. It reports whether to close the connection
// now, and why.
func (p *alpacaStreamProtocol) written(frame []byte) (reason string, closing bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.expected) == 0 || !bytes.Equal(p.expected[0].frame, frame) {
		return "", false
	}
	exp := p.expected[0]
	p.expected = p.expected[1:]
	if exp.set != nil {
		p.sent = make(map[string]map[string]bool, len(exp.set))
		for ch, syms := range exp.set {
			p.sent[ch] = make(map[string]bool, len(syms))
			for _, sym := range syms {
				p.sent[ch][sym] = true
			}
		}
	}
	return exp.reason, exp.close
}

// authenticate checks an auth message's key pair as the trading API does and takes one of the
// key's stream slots.
func (p *alpacaStreamProtocol) authenticate(ctx context.Context, a alpacawire.Action) alpacawire.Verdict {
	caller, err := p.s.AuthenticateAlpacaKey(ctx, a.Key, a.Secret)
	if err != nil {
		if e, internal := alpacaapi.FromError(err); !internal && e.Status < 500 {
			return p.state.AuthVerdict(a.Key, alpacawire.CodeAuthFailed, false)
		}
		p.s.log.Error("alpaca stream: authenticate", "err", err)
		return p.state.AuthVerdict(a.Key, alpacawire.CodeInternalError, false)
	}
	if !p.s.alpacaData.acquire(a.Key) {
		return p.state.AuthVerdict(a.Key, alpacawire.CodeConnectionLimitExceeded, true)
	}
	p.mu.Lock()
	p.key, p.caller, p.checked = a.Key, caller, time.Now()
	p.mu.Unlock()
	return p.state.AuthVerdict(a.Key, 0, false)
}

// finish gives the key's slot back when the connection ends.
func (p *alpacaStreamProtocol) finish() {
	p.mu.Lock()
	key := p.key
	p.key = ""
	p.mu.Unlock()
	if key != "" {
		p.s.alpacaData.release(key)
	}
}

// resolve rewrites a subscribe or unsubscribe's symbols to the catalogue's spelling, keeping those
// of the feed's class: a subscribe drops symbols the catalogue does not know (nothing would come
// for them, and they must not reach the upstream feed), an unsubscribe keeps them as given. "*"
// would follow the whole market, more than a stream may: 405.
func (p *alpacaStreamProtocol) resolve(ctx context.Context, a *alpacawire.Action) int {
	lists := []*[]string{&a.Trades, &a.Quotes, &a.Bars, &a.UpdatedBars, &a.DailyBars, &a.Statuses,
		&a.Imbalances, &a.LULDs, &a.Orderbooks, &a.News, &a.Pricing}
	var all []string
	for _, l := range lists {
		for _, sym := range *l {
			if sym == "*" {
				return alpacawire.CodeSymbolLimitExceeded
			}
			all = append(all, sym)
		}
	}
	if len(all) == 0 || p.test {
		return 0 // the test stream takes symbols as given: only FAKEPACA has data
	}
	found, ok := p.s.live.catalog.Lookup(ctx, all)
	class := market.USEquity
	if p.state.Crypto() {
		class = market.Crypto
	}
	for _, l := range lists {
		if *l == nil {
			continue
		}
		out := make([]string, 0, len(*l))
		for _, sym := range *l {
			e, known := found[sym]
			switch {
			case known && market.ClassOf(e.Symbol) == class:
				out = append(out, e.Symbol)
			case a.Action == alpacawire.ActionUnsubscribe || !ok:
				out = append(out, sym)
			}
		}
		*l = out
	}
	return 0
}

// followed is every symbol to follow on the hub.
func (p *alpacaStreamProtocol) followed() []string { return p.state.Symbols() }

// follows reports whether the client has been told it follows symbol on channel; p.mu is held.
func (p *alpacaStreamProtocol) follows(channel, symbol string) bool { return p.sent[channel][symbol] }

// Encode is one frame of the batch's data on the channels the client follows.
func (p *alpacaStreamProtocol) Encode(dst []byte, batch []live.Update) []byte {
	p.mu.Lock()
	var msgs []any
	for _, u := range batch {
		for _, t := range u.Trades {
			if p.follows(alpacawire.ChanTrades, u.Symbol) {
				t.Symbol = u.Symbol
				msgs = append(msgs, alpacawire.TradeMessage(t))
			}
		}
		if u.Quote != nil && p.follows(alpacawire.ChanQuotes, u.Symbol) {
			q := *u.Quote
			q.Symbol = u.Symbol
			msgs = append(msgs, alpacawire.QuoteMessage(q))
		}
		for _, b := range u.Bars {
			if p.follows(alpacawire.ChanBars, u.Symbol) {
				b.Symbol = u.Symbol
				msgs = append(msgs, alpacawire.BarMessage(alpacawire.TypeBar, b))
			}
		}
	}
	p.mu.Unlock()
	if len(msgs) == 0 {
		return dst
	}
	frame, err := alpacawire.Encode(p.format, msgs...)
	if err != nil {
		p.s.log.Error("alpaca stream: encode data", "err", err)
		return dst
	}
	return append(dst, frame...)
}
