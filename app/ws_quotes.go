package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/live"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/views"
)

// The live WebSocket endpoints share their admission rules and state, kept here; the quote widgets'
// endpoint follows. The connection logic itself is package live.

// Admission limits and pacing of the live endpoints.
const (
	// wsMaxConnsGuest and wsMaxConnsUser bound the connections one client IP holds: each costs
	// memory and a share of the feed. A signed-in person gets more (several tabs of charts).
	wsMaxConnsGuest = 20
	wsMaxConnsUser  = 50
	// wsBadgeEvery is how often /ws/quotes refreshes the market-status and feed badges.
	wsBadgeEvery = 30 * time.Second
	// wsInfoTTL is how long previous closes and price increments are cached: they change once a
	// day, and a cache shared by every connection means one upstream request per symbol.
	wsInfoTTL = 10 * time.Minute
	// wsResolveTimeout bounds the wait for the in-memory catalogue's first load, and the
	// provider look-up of reference data.
	wsResolveTimeout = 5 * time.Second
	// wsCatalogTTL is how old the in-memory copy of the catalogue may get before it is reloaded
	// (in the background): the asset sync changes it about once a day.
	wsCatalogTTL = 5 * time.Minute
	// wsBufferSize is each connection's WebSocket read and write buffer. Client messages are
	// small and frames are written whole, so a larger buffer only multiplies by connections.
	wsBufferSize = 1 << 10
)

// Keys of the values a handler passes to the upgraded connection (contrib/websocket copies the
// request's locals to the connection).
const (
	wsLocalSymbols = "live.symbols"
	wsLocalIP      = "live.ip"
	wsLocalMax     = "live.max"
	// wsLocalPriority is the upstream priority of the connection's symbols: guests rank below
	// signed-in people.
	wsLocalPriority = "live.priority"
)

// liveState is what every live connection shares: the session manager, the per-IP connection
// counts, the in-memory catalogue and reference-data cache, and the two upgrade handlers (built
// once).
type liveState struct {
	manager *live.Manager
	conns   *live.ConnLimiter
	catalog *live.Catalog
	info    *live.InfoCache
	quotes  fiber.Handler
	market  fiber.Handler
	stream  fiber.Handler // Alpaca's /stream (alpaca_events.go)
	streams *streamGuard  // the open trade-event streams, by API key
	users   *userStreams  // the open streams by person, ended when they are disabled (admin_users_streams.go)
}

// newLiveState builds the live side; nil when the server has no market (some tests).
func newLiveState(s *Server) *liveState {
	if s.market == nil {
		return nil
	}
	l := &liveState{
		manager: live.NewManager(s.market.Hub, live.Options{UpdatesPerSecond: s.cfg.LiveUpdatesPerSecond}),
		conns:   live.NewConnLimiter(),
		catalog: live.NewCatalog(s.loadCatalog, wsCatalogTTL, nil),
		info:    live.NewInfoCache(s.loadSymbolInfo, wsInfoTTL, nil),
	}
	// Small buffers, shared write buffers and no compression: per connection, memory is what
	// limits how many a server holds, and frames are a few KB of JSON or HTML at 4 a second.
	cfg := websocket.Config{
		ReadBufferSize:  wsBufferSize,
		WriteBufferSize: wsBufferSize,
		WriteBufferPool: &sync.Pool{},
	}
	l.quotes = websocket.New(s.serveQuotes, cfg)
	l.market = websocket.New(s.serveMarket, cfg)
	l.stream = websocket.New(s.serveStream, cfg)
	l.streams = newStreamGuard(s)
	l.users = newUserStreams(s)
	return l
}

// loadCatalog lists the active assets for the in-memory catalogue, a page at a time.
func (s *Server) loadCatalog(ctx context.Context) ([]live.CatalogEntry, error) {
	var out []live.CatalogEntry
	for offset := 0; ; offset += models.MaxAssetLimit {
		page, total, err := models.SearchAssets(ctx, s.db, models.AssetQuery{Limit: models.MaxAssetLimit, Offset: offset})
		if err != nil {
			return nil, fmt.Errorf("app: catalogue: %w", err)
		}
		for _, a := range page {
			e := live.CatalogEntry{Symbol: a.Symbol, Class: a.Class}
			if a.PriceIncrement.Valid {
				e.PriceIncrement = a.PriceIncrement.Decimal
			}
			out = append(out, e)
		}
		if len(page) == 0 || int64(offset+len(page)) >= total {
			return out, nil
		}
	}
}

// liveSymbols resolves a comma-separated list of symbols as resolveSymbols does, within the
// live sessions' symbol limit.
func (s *Server) liveSymbols(ctx context.Context, raw string) ([]string, error) {
	return s.resolveSymbols(ctx, "symbols", raw, s.live.manager.Options().MaxSymbols)
}

// wsAdmit checks a live request before it is upgraded: it must be a WebSocket handshake, from
// this site (a browser always sends Origin on a WebSocket; programs, which cannot be made to act
// for a visitor, may leave it out), and within the client's connection allowance.
func (s *Server) wsAdmit(c *fiber.Ctx) error {
	if s.live == nil {
		return fiber.ErrServiceUnavailable
	}
	if !websocket.IsWebSocketUpgrade(c) {
		return fiber.ErrUpgradeRequired
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && !s.sameOrigin(c, origin) {
		return apperr.New(apperr.KindForbidden, "origin_refused", "Live data may be opened only from this site's pages.")
	}
	ip, max := clientIPOf(c), wsMaxConnsGuest
	if currentUser(c) != nil {
		max = wsMaxConnsUser
	}
	if s.live.conns.Open(ip) >= max {
		return tooManyConnections(max)
	}
	prio := market.PriorityGuest
	if currentUser(c) != nil {
		prio = market.PriorityScreen
	}
	c.Locals(wsLocalIP, ip)
	c.Locals(wsLocalMax, max)
	c.Locals(wsLocalPriority, prio)
	return nil
}

// tooManyConnections refuses a live connection (WebSocket or event stream) past the client's
// allowance.
func tooManyConnections(max int) error {
	return apperr.New(apperr.KindRateLimited, "too_many_connections",
		fmt.Sprintf("At most %d live connections at once from one address. Close a tab and try again.", max))
}

// serveLive runs one upgraded connection as a session. The allowance was checked before the
// upgrade; taking the slot here, where it is sure to be released, closes the race between two
// handshakes of one client with a 1013.
func (s *Server) serveLive(conn *websocket.Conn, p live.Protocol, cfg live.SessionConfig) {
	ip, _ := conn.Locals(wsLocalIP).(string)
	max, _ := conn.Locals(wsLocalMax).(int)
	release, ok := s.live.conns.Acquire(ip, max)
	if !ok {
		msg := websocket.FormatCloseMessage(live.CloseTryAgain, "too many connections")
		_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		_ = conn.Close()
		return
	}
	defer release()
	cfg.Priority, _ = conn.Locals(wsLocalPriority).(market.Priority)
	code, reason := s.live.manager.Run(context.Background(), conn.Conn, p, cfg)
	if code == live.CloseTooSlow {
		s.log.Info("live: closed a slow client", "ip", ip, "reason", reason)
	}
}

// liveResolver validates the symbols of a client message against the in-memory catalogue only,
// turning a refusal into the message the client is shown. A message never reaches the database:
// a subscribe naming fifty unknown symbols used to cost fifty-one queries, and a connection may
// send many messages.
func (s *Server) liveResolver() live.SymbolResolver {
	return func(ctx context.Context, symbols []string) ([]string, error) {
		ctx, cancel := context.WithTimeout(ctx, wsResolveTimeout)
		defer cancel()
		typed, err := typedSymbols("symbols", strings.Join(symbols, ","), s.live.manager.Options().MaxSymbols)
		if err == nil {
			found, ok := s.live.catalog.Lookup(ctx, typed)
			if !ok {
				return nil, errors.New("the symbols could not be checked just now; try again")
			}
			typed, err = resolvedFrom("symbols", typed, func(sym string) (string, bool) {
				e, ok := found[sym]
				return e.Symbol, ok
			})
		}
		if e, ok := apperr.As(err); ok {
			if msg := e.Fields["symbols"]; msg != "" {
				return nil, errors.New(msg)
			}
			return nil, errors.New(e.Message)
		}
		return typed, err
	}
}

// loadSymbolInfo fetches previous closes from the provider's snapshots and price increments from
// the catalogue, for the shared cache.
func (s *Server) loadSymbolInfo(ctx context.Context, symbols []string) (map[string]live.SymbolInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, wsResolveTimeout)
	defer cancel()
	snaps, err := s.market.Pages.Snapshots(ctx, symbols)
	if err != nil && len(snaps) == 0 {
		return nil, fmt.Errorf("app: snapshots: %w", err)
	}
	// Increments from the in-memory catalogue; the database only for what it lacks.
	var lacking []string
	for _, sym := range symbols {
		if _, ok := s.live.catalog.Entry(sym); !ok {
			lacking = append(lacking, sym)
		}
	}
	assets, err := models.AssetsBySymbols(ctx, s.db, lacking)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	out := make(map[string]live.SymbolInfo, len(symbols))
	for _, sym := range symbols {
		var info live.SymbolInfo
		if snap, ok := snaps[sym]; ok && snap.PrevDailyBar != nil {
			info.PrevClose = snap.PrevDailyBar.Close
		}
		if e, ok := s.live.catalog.Entry(sym); ok {
			info.PriceIncrement = e.PriceIncrement
		} else if a, ok := assets[sym]; ok && a.PriceIncrement.Valid {
			info.PriceIncrement = a.PriceIncrement.Decimal
		}
		out[sym] = info
	}
	return out, nil
}

// wsQuotes is GET /ws/quotes?symbols=AAPL,BTC/USD: the htmx ws extension's live feed for quote
// widgets. Each frame is the QuoteOOB fragments of the symbols that changed since the last flush
// (swapped by id), and every wsBadgeEvery the header badges. The client may send
// {"type":"symbols","symbols":[...]} to change the set; anything else is ignored.
func (s *Server) wsQuotes(c *fiber.Ctx) error {
	if err := s.wsAdmit(c); err != nil {
		return err
	}
	symbols, err := s.liveSymbols(c.UserContext(), c.Query("symbols"))
	if err != nil {
		return err
	}
	c.Locals(wsLocalSymbols, symbols)
	return s.live.quotes(c)
}

func (s *Server) serveQuotes(conn *websocket.Conn) {
	symbols, _ := conn.Locals(wsLocalSymbols).([]string)
	p := &quotesProtocol{srv: s, resolve: s.liveResolver(), state: make(map[string]*quoteState)}
	p.load(context.Background(), symbols)
	s.serveLive(conn, p, live.SessionConfig{Symbols: symbols, Quotes: true, Trades: true})
}

// quotesProtocol renders a connection's updates as HTML for the htmx ws extension.
type quotesProtocol struct {
	srv     *Server
	resolve live.SymbolResolver

	mu    sync.Mutex
	state map[string]*quoteState
}

// quoteState is what one symbol's next fragment is computed from.
type quoteState struct {
	info      live.SymbolInfo
	quote     *decimalQuote
	lastTrade decimal.Decimal // zero until a print is seen
	lastSent  decimal.Decimal // the Last of the previous fragment, for the flash direction
}

type decimalQuote struct{ bid, ask decimal.Decimal }

// load fetches the symbols' previous closes and increments (from the shared cache).
func (p *quotesProtocol) load(ctx context.Context, symbols []string) {
	infos := p.srv.live.info.Get(ctx, symbols)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, sym := range symbols {
		st := p.state[sym]
		if st == nil {
			st = &quoteState{}
			p.state[sym] = st
		}
		st.info = infos[sym]
	}
}

// MessageType is text: the frames are HTML.
func (p *quotesProtocol) MessageType() int { return websocket.TextMessage }

// HandleMessage accepts {"type":"symbols","symbols":[...]} (htmx ws-send adds its own fields,
// which are ignored) and ignores everything else: a widget has nothing else to say.
func (p *quotesProtocol) HandleMessage(s *live.Session, raw []byte) {
	var msg live.ClientMessage
	if json.Unmarshal(raw, &msg) != nil || msg.Type != "symbols" || len(msg.Symbols) == 0 {
		return
	}
	if len(msg.Symbols) > s.MaxSymbols() {
		return
	}
	symbols, err := p.resolve(s.Context(), msg.Symbols)
	if err != nil {
		return
	}
	p.load(s.Context(), symbols)
	s.SetSymbols(symbols)
}

// Encode renders the batch as concatenated QuoteOOB fragments.
func (p *quotesProtocol) Encode(dst []byte, batch []live.Update) []byte {
	buf := bytes.NewBuffer(dst)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range batch {
		st := p.state[u.Symbol]
		if st == nil {
			st = &quoteState{}
			p.state[u.Symbol] = st
		}
		if n := len(u.Trades); n > 0 {
			st.lastTrade = u.Trades[n-1].Price
		}
		if q := u.Quote; q != nil && q.Valid() {
			st.quote = &decimalQuote{bid: q.BidPrice, ask: q.AskPrice}
		}
		v, ok := st.view(u.Symbol)
		if !ok {
			continue
		}
		v.Time = time.Now().UTC()
		_ = views.QuoteOOB(v).Render(context.Background(), buf)
	}
	return buf.Bytes()
}

// view computes the symbol's numbers; false while nothing is known.
func (st *quoteState) view(symbol string) (views.QuoteView, bool) {
	inc := st.info.PriceIncrement
	v := views.QuoteView{Symbol: symbol, DOMID: views.SymbolDOMID(symbol), Bid: "—", Ask: "—"}
	var last decimal.Decimal
	switch {
	case st.lastTrade.IsPositive():
		last = st.lastTrade
	case st.quote != nil:
		last = st.quote.bid.Add(st.quote.ask).Div(decimal.NewFromInt(2))
	default:
		return v, false
	}
	if st.quote != nil {
		v.Bid, v.Ask = views.FormatPrice(st.quote.bid, inc), views.FormatPrice(st.quote.ask, inc)
	}
	v.Last = views.FormatPrice(last, inc)
	if prev := st.info.PrevClose; prev.IsPositive() {
		change := last.Sub(prev)
		v.Change = views.FormatChange(change, last, inc)
		v.ChangePct = views.FormatPercent(change.Mul(decimal.NewFromInt(100)).Div(prev))
	}
	if st.lastSent.IsPositive() {
		switch last.Cmp(st.lastSent) {
		case 1:
			v.Direction = "up"
		case -1:
			v.Direction = "down"
		}
	}
	st.lastSent = last
	return v, true
}

// TickEvery is the badge refresh period.
func (p *quotesProtocol) TickEvery() time.Duration { return wsBadgeEvery }

// Tick renders the header badges as out-of-band swaps.
func (p *quotesProtocol) Tick(dst []byte) []byte {
	mkt, feed := p.srv.headerBadges()
	buf := bytes.NewBuffer(dst)
	if mkt != nil {
		_ = views.MarketStatusBadgeOOB(*mkt).Render(context.Background(), buf)
	}
	if feed != nil {
		_ = views.FeedStatusBadgeOOB(*feed).Render(context.Background(), buf)
	}
	return buf.Bytes()
}
