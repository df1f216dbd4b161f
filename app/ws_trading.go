package app

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/live"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/views"
)

// /ws/trading keeps a signed-in person's trading pages current: after each trade update of their
// account (a fill, a cancel, an order placed from another tab or the API) it sends the page's
// sections again as htmx out-of-band fragments, with a notice of fills; and once a second, when
// a quote of a symbol they hold has changed, the positions and the account figures, so profit and
// loss move with the market. Values are computed on the server, in decimal, by the trading
// service; the page only swaps the HTML in.
//
// The page names the sections it shows (?sections=figures,positions,open-orders, see
// tradeSections) so that nothing is sent for an element it does not have. With no sections the
// connection sends only the notices (the instrument and chart pages).

// Pacing and limits of /ws/trading.
const (
	// wsTradingQuoteEvery is how often a connection re-values the positions when a held symbol's
	// quote changed: live to a person, and a bounded cost per connection however busy the feed.
	wsTradingQuoteEvery = time.Second
	// wsTradingMaxBatch is how many waiting trade updates one frame answers together.
	wsTradingMaxBatch = 64
	// wsTradingMaxToasts bounds the notices of one frame: a burst of fills should not bury the page.
	wsTradingMaxToasts = 3
	// wsCloseRestart (RFC 6455 "service restart") ends connections when the server stops: the
	// htmx ws extension reconnects after it, as it does not after 1001.
	wsCloseRestart = 1012
	// wsLocalTrading is the upgraded connection's local holding its tradingConn.
	wsLocalTrading = "trading.conn"
)

// tradingConn is what one connection serves: whose account, and which sections of which page.
type tradingConn struct {
	accountID int64
	env       tradeEnv
	sec       tradeSections
}

// wsTrading is GET /ws/trading?sections=: the live connection of a trading page (signed-in people
// only; the route's guard sends guests away). It is admitted like the quote widgets' (a
// WebSocket handshake, from this site, within the client's connection allowance).
func (s *Server) wsTrading(c *fiber.Ctx) error {
	if err := s.wsAdmit(c); err != nil {
		return err
	}
	a, err := s.currentAccount(c)
	if err != nil {
		return err
	}
	c.Locals(wsLocalTrading, &tradingConn{accountID: a.ID, env: tradeEnvOf(c), sec: parseTradeSections(c.Query("sections"))})
	// Built per connection: the upgrader is a small struct, and these connections are one per
	// trading page, not one per quote widget.
	return websocket.New(s.serveTrading, websocket.Config{ReadBufferSize: wsBufferSize, WriteBufferSize: wsBufferSize})(c)
}

// serveTrading runs one upgraded connection until the client leaves or the server stops.
func (s *Server) serveTrading(conn *websocket.Conn) {
	tc, _ := conn.Locals(wsLocalTrading).(*tradingConn)
	ip, _ := conn.Locals(wsLocalIP).(string)
	max, _ := conn.Locals(wsLocalMax).(int)
	release, ok := s.live.conns.Acquire(ip, max)
	if !ok || tc == nil {
		msg := websocket.FormatCloseMessage(live.CloseTryAgain, "too many connections")
		_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		_ = conn.Close()
		return
	}
	defer release()
	st := &tradingStream{srv: s, conn: conn, tc: tc, opts: s.live.manager.Options()}
	st.run(context.Background())
}

// tradingStream is one connection's state.
type tradingStream struct {
	srv  *Server
	conn *websocket.Conn
	tc   *tradingConn
	opts live.Options
	// quotes follows the held symbols on the hub: it keeps them wanted upstream while the page is
	// open, and says when one of them moved.
	quotes *market.Subscription
	held   []string
}

// run is the writing side; a goroutine of its own reads (pongs, the close).
func (t *tradingStream) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	updates := t.srv.trading.Updates().Listen(t.tc.accountID)
	defer updates.Close()
	t.quotes = t.srv.market.Hub.Subscribe(market.SubscribeOptions{Quotes: true})
	defer t.quotes.Close()
	if t.valued() {
		t.followHeld(ctx)
	}

	done := make(chan struct{})
	go t.read(done)
	ping := time.NewTicker(t.opts.PingInterval)
	defer ping.Stop()
	tick := time.NewTicker(wsTradingQuoteEvery)
	defer tick.Stop()

	code := live.CloseNormal
	var events []market.Event
	moved := false
loop:
	for {
		select {
		case <-done:
			break loop
		case <-t.quotes.Done():
			code = wsCloseRestart
			break loop
		case up, ok := <-updates.C:
			if !ok {
				break loop
			}
			batch := append(make([]trading.TradeUpdate, 0, 4), up)
		more:
			for len(batch) < wsTradingMaxBatch {
				select {
				case up, ok := <-updates.C:
					if !ok {
						break more
					}
					batch = append(batch, up)
				default:
					break more
				}
			}
			if !t.send(ctx, t.tc.sec, batch) {
				break loop
			}
			moved = false
		case <-tick.C:
			events = t.quotes.Drain(events[:0])
			for i := range events {
				if events[i].Kind == market.EventQuote {
					// The matcher keeps the engine's quote cache current where the feed runs;
					// where it does not, these quotes do, so the values match what moved.
					t.srv.trading.Quotes().Observe(events[i].Quote)
					moved = true
				}
			}
			if moved && t.valued() {
				moved = false
				if !t.send(ctx, tradeSections{figures: t.tc.sec.figures, positions: t.tc.sec.positions}, nil) {
					break loop
				}
			}
		case <-ping.C:
			if err := t.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(t.opts.WriteTimeout)); err != nil {
				break loop
			}
		}
	}
	msg := websocket.FormatCloseMessage(code, "")
	_ = t.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(t.opts.CloseGrace))
	_ = t.conn.Close()
	<-done // the connection goes back to its pool when this returns: the reader must be gone
}

// valued reports whether the page shows anything priced by quotes.
func (t *tradingStream) valued() bool { return t.tc.sec.figures || t.tc.sec.positions }

// read keeps the read deadline moving while the client shows life; the client has nothing to
// say, so messages are read and dropped. It returns when the connection ends.
func (t *tradingStream) read(done chan<- struct{}) {
	defer close(done)
	alive := func() { _ = t.conn.SetReadDeadline(time.Now().Add(2 * t.opts.PingInterval)) }
	alive()
	t.conn.SetReadLimit(t.opts.MaxMessage)
	t.conn.SetPongHandler(func(string) error { alive(); return nil })
	for {
		if _, _, err := t.conn.ReadMessage(); err != nil {
			return
		}
		alive()
	}
}

// followHeld follows the account's held symbols on the hub.
func (t *tradingStream) followHeld(ctx context.Context) {
	a, err := t.srv.trading.Account(ctx, t.tc.env.userID, t.tc.accountID)
	if err != nil {
		return
	}
	positions, err := models.PositionsOf(ctx, t.srv.db, a.ID, a.Period)
	if err != nil {
		return
	}
	symbols := make([]string, len(positions))
	for i, p := range positions {
		symbols[i] = p.Symbol
	}
	t.follow(symbols)
}

// follow changes the followed symbols when they differ.
func (t *tradingStream) follow(symbols []string) {
	if strings.Join(symbols, ",") == strings.Join(t.held, ",") {
		return
	}
	t.held = symbols
	t.quotes.SetSymbols(symbols)
}

// send writes one frame: the sections, then notices of the updates. It reports false when the
// connection is done (written to a client that left, or the account is no longer theirs).
func (t *tradingStream) send(ctx context.Context, sec tradeSections, batch []trading.TradeUpdate) bool {
	a, err := t.srv.trading.Account(ctx, t.tc.env.userID, t.tc.accountID)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return false
	}
	if err != nil {
		t.srv.log.Warn("ws trading: account", "account", t.tc.accountID, "error", err)
		return true
	}
	var buf bytes.Buffer
	v, err := t.srv.writeTradeSections(ctx, &buf, t.tc.env, a, sec)
	if err != nil {
		t.srv.log.Warn("ws trading: render", "account", a.ID, "error", err)
		return true
	}
	if sec.figures || sec.positions {
		symbols := make([]string, len(v.Positions))
		for i, p := range v.Positions {
			symbols[i] = p.Symbol
		}
		t.follow(symbols)
	}
	var toasts []views.Flash
	for _, up := range batch {
		if f, ok := tradeToast(up); ok && len(toasts) < wsTradingMaxToasts {
			toasts = append(toasts, f)
		}
	}
	if len(toasts) > 0 {
		_ = views.FlashOOB(toasts).Render(ctx, &buf)
	}
	if buf.Len() == 0 {
		return true
	}
	_ = t.conn.SetWriteDeadline(time.Now().Add(t.opts.WriteTimeout))
	return t.conn.WriteMessage(websocket.TextMessage, buf.Bytes()) == nil
}

// tradeToast is the notice of a trade update, if it deserves one: fills, and orders that ended
// without the person asking (expired, rejected, canceled by the engine). What the person just did
// themselves is already on their screen.
func tradeToast(up trading.TradeUpdate) (views.Flash, bool) {
	o := up.Order
	switch up.Event {
	case trading.EventFill, trading.EventPartialFill:
		label := "Filled"
		if up.Event == trading.EventPartialFill {
			label = "Partially filled"
		}
		return views.Flash{Kind: views.FlashSuccess, Message: fmt.Sprintf("%s: %s %s %s @ %s", label, o.Side,
			views.FormatQty(up.Qty), o.Symbol, views.FormatPrice(up.Price, decimal.Zero))}, true
	case trading.EventExpired:
		return views.Flash{Kind: views.FlashInfo, Message: "Expired: " + describeOrder(&o) + "."}, true
	case trading.EventRejected:
		return views.Flash{Kind: views.FlashWarning, Message: strings.TrimSpace("Rejected: " + describeOrder(&o) + ". " + sentence(o.Reason))}, true
	case trading.EventCanceled:
		if o.Reason == "" || strings.HasPrefix(o.Reason, "Canceled by you") {
			return views.Flash{}, false
		}
		return views.Flash{Kind: views.FlashInfo, Message: "Canceled: " + describeOrder(&o) + ". " + sentence(o.Reason)}, true
	}
	return views.Flash{}, false
}
