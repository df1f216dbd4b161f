package app

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/live"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/views"
)

// /ws/trading keeps a signed-in person's trading pages current: after each trade update of their
// account (a fill, a cancel, an order placed from another tab or the API) it sends the page's
// sections again as htmx out-of-band fragments, with a notice of fills; and once a second, when
// a quote of a symbol they hold has changed, the positions and the account figures, so profit and
// loss move with the market. Values are computed on the server, in decimal, by the trading
// service; the page only swaps the HTML in. It is a protocol of the live runtime (package live),
// which owns the connection: pings, deadlines, slow clients, closing.
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
	// wsLocalTrading is the upgraded connection's local holding its tradingConn.
	wsLocalTrading = "trading.conn"
	// wsTradingHello is the first frame of a connection: it says the connection is listening to
	// the account's trade updates (everything committed from then on reaches it). An HTML comment,
	// so the htmx ws extension swaps nothing.
	wsTradingHello = "<!-- listening -->"
)

// tradingConn is what one connection serves: whose account, and which sections of which page.
type tradingConn struct {
	accountID int64
	session   []byte // the browser session's id hash: its end (sign-out, revocation) ends the connection
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
	tc := &tradingConn{accountID: a.ID, env: tradeEnvOf(c), sec: parseTradeSections(c.Query("sections"))}
	if sess := currentSession(c); sess != nil {
		tc.session = sess.IDHash
	}
	c.Locals(wsLocalTrading, tc)
	// Built per connection: the upgrader is a small struct, and these connections are one per
	// trading page, not one per quote widget.
	return websocket.New(s.serveTrading, websocket.Config{ReadBufferSize: wsBufferSize, WriteBufferSize: wsBufferSize})(c)
}

// serveTrading runs one upgraded connection as a session of the live runtime, which pings,
// watches for a client too slow and closes; the protocol below says what is sent.
func (s *Server) serveTrading(conn *websocket.Conn) {
	tc, _ := conn.Locals(wsLocalTrading).(*tradingConn)
	if tc == nil {
		_ = conn.Close()
		return
	}
	s.serveLive(conn, &tradingProtocol{srv: s, tc: tc}, live.SessionConfig{
		Quotes: true, FlushEvery: wsTradingQuoteEvery, ShutdownCode: live.CloseRestart})
}

// tradingProtocol is /ws/trading for one connection: after each trade update of the account (a
// fill, a cancel, an order placed from another tab or the API), read from the trade-event log,
// it sends the page's sections again with a notice of fills; once a second, when a quote of a
// symbol the account holds changed (the session follows the held symbols on the runtime's
// shared hub subscription), the positions and the figures. The client says nothing: its
// messages are ignored.
type tradingProtocol struct {
	srv     *Server
	tc      *tradingConn
	s       *live.Session
	updates *trading.Listener
}

// MessageType is text: HTML fragments.
func (p *tradingProtocol) MessageType() int { return websocket.TextMessage }

// HandleMessage ignores what the client sends.
func (p *tradingProtocol) HandleMessage(*live.Session, []byte) {}

// Open starts listening to the account's trade updates from the newest, follows the held
// symbols and says hello.
func (p *tradingProtocol) Open(s *live.Session) error {
	p.s = s
	p.srv.live.users.add(s, p.tc.env.userID, p.tc.session)
	l, err := p.srv.trading.Updates().Listen(s.Context(), p.tc.accountID, trading.Resume{})
	if err != nil {
		p.srv.log.Warn("ws trading: listen", "account", p.tc.accountID, "error", err)
		return &live.CloseError{Code: live.CloseTryAgain, Reason: "trade updates unavailable"}
	}
	p.updates = l
	context.AfterFunc(s.Context(), l.Close)
	if p.valued() {
		p.followHeld(s.Context())
	}
	s.Reply([]byte(wsTradingHello))
	return nil
}

// Wake is the listener's: trade updates wait.
func (p *tradingProtocol) Wake() <-chan struct{} { return p.updates.Ready() }

// Next answers the waiting trade updates, up to wsTradingMaxBatch at a time, with one frame.
func (p *tradingProtocol) Next(ctx context.Context, dst []byte) ([]byte, bool, error) {
	batch, more, err := p.updates.Next(ctx, wsTradingMaxBatch)
	if err != nil {
		p.srv.log.Warn("ws trading: read updates", "account", p.tc.accountID, "error", err)
		return dst, false, nil
	}
	if len(batch) == 0 {
		return dst, false, nil
	}
	out, err := p.render(ctx, dst, p.tc.sec, batch)
	return out, more, err
}

// Encode re-values the positions and figures when a held symbol's quote changed.
func (p *tradingProtocol) Encode(dst []byte, batch []live.Update) []byte {
	if len(batch) == 0 || !p.valued() {
		return dst
	}
	out, err := p.render(p.s.Context(), dst, tradeSections{figures: p.tc.sec.figures, positions: p.tc.sec.positions}, nil)
	if err != nil {
		p.s.Close(live.CloseNormal, "account closed")
	}
	return out
}

// valued reports whether the page shows anything priced by quotes.
func (p *tradingProtocol) valued() bool { return p.tc.sec.figures || p.tc.sec.positions }

// followHeld follows the account's held symbols.
func (p *tradingProtocol) followHeld(ctx context.Context) {
	a, err := p.srv.trading.Account(ctx, p.tc.env.userID, p.tc.accountID)
	if err != nil {
		return
	}
	positions, err := models.PositionsOf(ctx, p.srv.db, a.ID, a.Period)
	if err != nil {
		return
	}
	symbols := make([]string, len(positions))
	for i, pos := range positions {
		symbols[i] = pos.Symbol
	}
	p.follow(symbols)
}

// follow changes the followed symbols when they differ.
func (p *tradingProtocol) follow(symbols []string) {
	if !slices.Equal(symbols, p.s.Symbols()) {
		p.s.SetSymbols(symbols)
	}
}

// render appends one frame: the sections, then notices of the updates. An account that is no
// longer theirs ends the connection; other failures are logged and send nothing.
func (p *tradingProtocol) render(ctx context.Context, dst []byte, sec tradeSections, batch []trading.TradeUpdate) ([]byte, error) {
	a, err := p.srv.trading.Account(ctx, p.tc.env.userID, p.tc.accountID)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return dst, &live.CloseError{Code: live.CloseNormal, Reason: "account closed"}
	}
	if err != nil {
		p.srv.log.Warn("ws trading: account", "account", p.tc.accountID, "error", err)
		return dst, nil
	}
	buf := bytes.NewBuffer(dst)
	v, err := p.srv.writeTradeSections(ctx, buf, p.tc.env, a, sec)
	if err != nil {
		p.srv.log.Warn("ws trading: render", "account", a.ID, "error", err)
		return dst, nil
	}
	if sec.figures || sec.positions {
		symbols := make([]string, len(v.Positions))
		for i, pos := range v.Positions {
			symbols[i] = pos.Symbol
		}
		p.follow(symbols)
	}
	var toasts []views.Flash
	for _, up := range batch {
		if f, ok := tradeToast(up); ok && len(toasts) < wsTradingMaxToasts {
			toasts = append(toasts, f)
		}
	}
	if len(toasts) > 0 {
		_ = views.FlashOOB(toasts).Render(ctx, buf)
	}
	return buf.Bytes(), nil
}

// tradeToast is the notice of a trade update, if it deserves one: fills, and orders that ended
// without the person asking (expired, rejected, canceled by the engine). What the person just did
// themselves is already on their screen.
func tradeToast(up trading.TradeUpdate) (views.Flash, bool) {
	o := up.Order
	// The key is the order's, as on the answer to the action that placed or closed it
	// (orderNoticeKey), so the page shows one notice of it; a partial fill has its own.
	key := orderNoticeKey(o.ID)
	switch up.Event {
	case trading.EventFill, trading.EventPartialFill:
		label := "Filled"
		if up.Event == trading.EventPartialFill {
			label = "Partially filled"
			key += ":" + up.FillID
		}
		return views.Flash{Kind: views.FlashSuccess, Key: key, Message: fmt.Sprintf("%s: %s %s %s @ %s", label, o.Side,
			views.FormatQty(up.Qty), o.Symbol, views.FormatPrice(up.Price, decimal.Zero))}, true
	case trading.EventExpired:
		return views.Flash{Kind: views.FlashInfo, Key: key, Message: "Expired: " + describeOrder(&o) + "."}, true
	case trading.EventRejected:
		return views.Flash{Kind: views.FlashWarning, Key: key, Message: strings.TrimSpace("Rejected: " + describeOrder(&o) + ". " + sentence(o.Reason))}, true
	case trading.EventCanceled:
		if o.Reason == "" || strings.HasPrefix(o.Reason, "Canceled by you") {
			return views.Flash{}, false
		}
		return views.Flash{Kind: views.FlashInfo, Key: key, Message: "Canceled: " + describeOrder(&o) + ". " + sentence(o.Reason)}, true
	}
	return views.Flash{}, false
}

// orderNoticeKey is the key of the notices about one order (views.Flash.Key).
func orderNoticeKey(orderID fmt.Stringer) string { return "order:" + orderID.String() }
