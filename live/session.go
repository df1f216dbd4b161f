package live

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"

	"alpacawrapper/market"
)

// Transport is the WebSocket connection a session drives. *websocket.Conn of
// github.com/fasthttp/websocket (which gofiber/contrib/websocket embeds) satisfies it. As with
// that package, one goroutine may read and one may write at a time; WriteControl and Close may be
// called from any goroutine.
type Transport interface {
	ReadMessage() (messageType int, p []byte, err error)
	WriteMessage(messageType int, data []byte) error
	WriteControl(messageType int, data []byte, deadline time.Time) error
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	SetReadLimit(limit int64)
	SetPongHandler(h func(appData string) error)
	NetConn() net.Conn
	Close() error
}

// Update is what changed for one symbol since the connection's last flush: the newest quote and
// the newest trade (each if any arrived; trades are coalesced like quotes, see Options) and the
// minute bars in arrival order (bounded; see Options). The pointers and slices point into the
// session's own storage and are valid only during the Encode call they are passed to.
type Update struct {
	Symbol string
	Quote  *market.Quote
	Trades []market.Trade
	Bars   []market.Bar
	// QuoteJSON and TradeJSON are Quote and the last of Trades as /ws/market messages, encoded
	// once for all connections; nil when not known (then Encode formats them itself).
	QuoteJSON, TradeJSON []byte
}

// Protocol is what differs between endpoints: how client messages are understood and how a batch
// of updates becomes a frame. A new Protocol value is made for each connection, so it may keep
// per-connection state. HandleMessage runs on the reading goroutine and Encode and Tick on the
// writing one, so state they share needs a lock.
type Protocol interface {
	// HandleMessage acts on one text message from the client, typically by calling
	// Session.SetSymbols and Session.Reply. It never closes the connection for a bad message.
	HandleMessage(s *Session, msg []byte)
	// Encode appends the frame for a batch of updates, in the connection's symbol order, to dst.
	// It returns dst unchanged when the batch has nothing worth sending.
	Encode(dst []byte, batch []Update) []byte
	// MessageType is websocket.TextMessage for both of our protocols.
	MessageType() int
}

// Ticker is implemented by protocols that send something on a fixed period (the quote widgets'
// market and feed badges).
type Ticker interface {
	TickEvery() time.Duration
	Tick(dst []byte) []byte
}

// Opener is implemented by protocols with work to do when the session starts, before anything
// is written: note where a log resumes, follow symbols, queue a hello with Session.Reply. It runs
// on the writing goroutine; an error ends the session at once (see CloseError).
type Opener interface {
	Open(s *Session) error
}

// Source is implemented by protocols that send events of their own besides the hub's (trade
// updates). A value on Wake makes the session call Next on its writing goroutine, again while
// Next reports more, so each event can be its own frame. Next appends one frame to dst (dst
// unchanged: nothing to send); an error ends the session (see CloseError). Between wakes the
// session keeps flushing, pinging and replying as for any protocol.
type Source interface {
	Wake() <-chan struct{}
	Next(ctx context.Context, dst []byte) (out []byte, more bool, err error)
}

// BinaryReader is implemented by protocols that accept binary client messages too: HandleMessage
// gets them as it gets text. Without it a binary message is answered with an error.
type BinaryReader interface {
	AcceptsBinary() bool
}

// CloseError ends a session with its code and reason when an Opener or a Source returns it; any
// other error ends it with CloseInternal.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string { return fmt.Sprintf("live: close %d: %s", e.Code, e.Reason) }

// Stats counts sessions since the manager started.
type Stats struct {
	Open        int64  // sessions running now
	Opened      uint64 // sessions started
	SlowClosed  uint64 // sessions closed because the client did not keep up
	Frames      uint64 // data frames written
	DroppedData uint64 // minute bars pushed out of the shared per-symbol window (MaxBars)
}

// Manager runs sessions against one hub with one set of options, and counts them. Its sessions
// share one hub subscription (see feed).
type Manager struct {
	hub  *market.Hub
	opts Options
	feed *feed
	bufs sync.Pool // *[]byte frame buffers shared by the sessions' writes

	open                                atomic.Int64
	opened, slowClosed, frames, dropped atomic.Uint64
}

// NewManager returns a manager for sessions fed by hub.
func NewManager(hub *market.Hub, opts Options) *Manager {
	opts = opts.withDefaults()
	m := &Manager{hub: hub, opts: opts}
	m.feed = newFeed(hub, opts.MaxBars, &m.dropped)
	return m
}

// Options are the manager's options with defaults filled in.
func (m *Manager) Options() Options { return m.opts }

// Stats reports the counters.
func (m *Manager) Stats() Stats {
	return Stats{Open: m.open.Load(), Opened: m.opened.Load(), SlowClosed: m.slowClosed.Load(),
		Frames: m.frames.Load(), DroppedData: m.dropped.Load()}
}

// SessionConfig describes one connection.
type SessionConfig struct {
	// Symbols followed from the start (already validated and within MaxSymbols).
	Symbols []string
	// Kinds of event wanted from the hub; all false means all three.
	Quotes, Trades, Bars bool
	// Priority is the upstream priority of the symbols followed: market.PriorityGuest for guests,
	// so that they never push a signed-in person's symbols out of the feed. Default
	// market.PriorityScreen.
	Priority market.Priority
	// FlushEvery is the least time between two data frames of hub updates; zero is the manager's
	// FlushInterval. A page that re-values a portfolio needs it once a second, not four times.
	FlushEvery time.Duration
	// ShutdownCode is the close code sent when the hub closes (the server is stopping); zero is
	// CloseGoingAway. Browsers' htmx ws extension reconnects only after 1006, 1011, 1012 or 1013,
	// so its pages ask for CloseRestart.
	ShutdownCode int
}

// Session is one live connection. Its exported methods are for the Protocol.
//
// A session costs two goroutines: the caller's, which flushes on a ticker and writes, and one
// that reads client messages. It holds no events: per symbol followed, the sequence number of
// the newest data it sent (see feed). A write stuck on a client that stopped reading is watched
// by a timer armed only while the write is under way, not by a third goroutine.
type Session struct {
	m     *Manager
	t     Transport
	p     Protocol
	kinds [market.EventBar + 1]bool
	prio  market.Priority
	cfg   SessionConfig
	ctx   context.Context
	stop  context.CancelFunc
	done  chan struct{}
	wake  chan struct{}

	writing   atomic.Int64 // UnixNano when the write under way began; 0 when none
	slowTimer *time.Timer  // fires checkSlow while a write is under way

	closeOnce   sync.Once
	closeCode   int
	closeReason string

	mu         sync.Mutex
	closeAsked *CloseError // by Close, done after the replies queued before it
	symbols    []string    // in the client's order
	marks      []uint64    // per symbol, the feed's sequence number of the newest data sent
	replies    [][]byte

	// Owned by the writing goroutine, kept between flushes so steady state does not allocate.
	// The frame buffer comes from the manager's pool for each write instead: a connection is
	// idle between flushes, and thousands of idle buffers were a large share of the memory.
	batch []Update
	out   []pending // what the last flush took, one per symbol of the batch
}

// pending is what one flush sends for one symbol: the newest quote and trade (shared, immutable)
// and the minute bars not sent yet.
type pending struct {
	symbol string
	quote  *quoteEntry
	trade  *tradeEntry
	bars   []market.Bar
}

// Run serves one connection until the client leaves, it is too slow, the hub closes or ctx
// ends, and returns the close code and reason it ended with. It closes the transport before it
// returns and never returns while a goroutine of its own still uses it.
func (m *Manager) Run(ctx context.Context, t Transport, p Protocol, cfg SessionConfig) (code int, reason string) {
	ctx, stop := context.WithCancel(ctx)
	s := &Session{
		m: m, t: t, p: p, cfg: cfg, ctx: ctx, stop: stop, prio: cmp.Or(cfg.Priority, market.PriorityScreen),
		done: make(chan struct{}), wake: make(chan struct{}, 1),
		kinds: [market.EventBar + 1]bool{market.EventQuote: cfg.Quotes, market.EventTrade: cfg.Trades, market.EventBar: cfg.Bars},
	}
	if !cfg.Quotes && !cfg.Trades && !cfg.Bars {
		s.kinds = [market.EventBar + 1]bool{market.EventQuote: true, market.EventTrade: true, market.EventBar: true}
	}
	s.slowTimer = time.AfterFunc(time.Hour, s.checkSlow)
	s.slowTimer.Stop()
	m.feed.start()
	s.SetSymbols(cfg.Symbols)
	m.open.Add(1)
	m.opened.Add(1)
	defer m.open.Add(-1)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.read() }()
	s.write()

	s.slowTimer.Stop()
	stop()
	_ = t.Close()
	wg.Wait()
	s.mu.Lock()
	followed := s.symbols
	s.symbols, s.marks = nil, nil
	s.mu.Unlock()
	m.feed.follow(nil, followed, s.prio)
	return s.closeCode, s.closeReason
}

// Close ends the session with code and reason (the first close wins): a key revoked, an account
// gone, a failed authentication. The replies queued before it are written first (a client is
// told why), nothing else is. Safe from any goroutine.
func (s *Session) Close(code int, reason string) {
	s.mu.Lock()
	if s.closeAsked == nil {
		s.closeAsked = &CloseError{Code: code, Reason: reason}
	}
	s.mu.Unlock()
	s.notify()
}

// Context ends when the session does.
func (s *Session) Context() context.Context { return s.ctx }

// MaxSymbols is the most symbols the session may follow.
func (s *Session) MaxSymbols() int { return s.m.opts.MaxSymbols }

// Symbols returns the symbols followed, in order.
func (s *Session) Symbols() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.symbols)
}

// SetSymbols replaces the symbols followed. The caller has validated them and kept within
// MaxSymbols; symbols beyond it are ignored. A symbol newly followed gets what changes from now
// on; one kept keeps its place.
func (s *Session) SetSymbols(symbols []string) {
	now := s.m.feed.now()
	s.mu.Lock()
	kept := make([]string, 0, min(len(symbols), s.m.opts.MaxSymbols))
	marks := make([]uint64, 0, cap(kept))
	for _, sym := range symbols {
		if sym == "" || slices.Contains(kept, sym) || len(kept) >= s.m.opts.MaxSymbols {
			continue
		}
		mark := now
		if i := slices.Index(s.symbols, sym); i >= 0 {
			mark = s.marks[i]
		}
		kept = append(kept, sym)
		marks = append(marks, mark)
	}
	var add, drop []string
	for _, sym := range kept {
		if !slices.Contains(s.symbols, sym) {
			add = append(add, sym)
		}
	}
	for _, sym := range s.symbols {
		if !slices.Contains(kept, sym) {
			drop = append(drop, sym)
		}
	}
	s.symbols, s.marks = kept, marks
	// Under s.mu, so that two changes reach the feed in the order they were made.
	s.m.feed.follow(add, drop, s.prio)
	s.mu.Unlock()
}

// Reply queues a protocol message (an ack, an error, a pong) to be written as its own frame ahead
// of the next data. Beyond MaxReplies waiting, replies are dropped: a client that floods the
// server with messages does not get to grow its memory.
func (s *Session) Reply(msg []byte) {
	s.mu.Lock()
	if len(s.replies) < s.m.opts.MaxReplies {
		s.replies = append(s.replies, msg)
	}
	s.mu.Unlock()
	s.notify()
}

func (s *Session) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// close ends the session with code and reason; the first call wins.
func (s *Session) close(code int, reason string) {
	s.closeOnce.Do(func() {
		s.closeCode, s.closeReason = code, reason
		close(s.done)
	})
}

// read handles client messages and keeps the read deadline moving while the client shows life.
func (s *Session) read() {
	o := s.m.opts
	alive := func() { _ = s.t.SetReadDeadline(time.Now().Add(2 * o.PingInterval)) }
	alive()
	s.t.SetReadLimit(o.MaxMessage)
	s.t.SetPongHandler(func(string) error { alive(); return nil })
	allowance := newMsgAllowance(o.MessagesPerSecond, o.MessageBurst)
	for {
		kind, msg, err := s.t.ReadMessage()
		if err != nil {
			if websocket.IsCloseError(err, CloseNormal, CloseGoingAway) {
				s.close(CloseNormal, "")
			} else {
				s.close(CloseGoingAway, "connection lost")
			}
			return
		}
		alive()
		if !allowance.allow(time.Now()) {
			s.Reply(ErrorMessage(ReasonTooManyMessages))
			continue
		}
		if kind != websocket.TextMessage {
			if br, ok := s.p.(BinaryReader); !ok || !br.AcceptsBinary() {
				s.Reply(ErrorMessage("messages must be JSON text"))
				continue
			}
		}
		s.p.HandleMessage(s, msg)
	}
}

// checkSlow runs on the slow timer while a write is under way. It closes a client whose write has
// been stuck for SlowAfter while updates wait behind it:
// that is its queue staying full. The stuck write gets CloseGrace more to finish, so that the
// close frame can follow it; after that the socket is cut.
func (s *Session) checkSlow() {
	o := s.m.opts
	began := s.writing.Load()
	if began == 0 {
		return
	}
	if stuck := time.Since(time.Unix(0, began)); stuck < o.SlowAfter {
		s.slowTimer.Reset(o.SlowAfter - stuck)
		return
	}
	s.mu.Lock()
	waiting := len(s.replies) > 0 || s.m.feed.waiting(s.symbols, s.marks)
	s.mu.Unlock()
	if !waiting {
		s.slowTimer.Reset(max(o.SlowAfter/4, 10*time.Millisecond)) // look again while it stays stuck
		return
	}
	s.slow(ReasonTooSlow)
	if nc := s.t.NetConn(); nc != nil {
		_ = nc.SetWriteDeadline(time.Now().Add(o.CloseGrace))
	}
}

func (s *Session) slow(reason string) {
	select {
	case <-s.done:
		return
	default:
	}
	s.m.slowClosed.Add(1)
	s.close(CloseTooSlow, reason)
}

// write is the session's own goroutine: it writes replies, a frame of what changed once per
// flush interval, pings, periodic ticks, and at the end the close frame. Flushing on a ticker
// rather than on every change bounds the work per connection however busy the feed is.
func (s *Session) write() {
	o := s.m.opts
	interval := time.Second / time.Duration(o.UpdatesPerSecond)
	if s.cfg.FlushEvery > 0 {
		interval = s.cfg.FlushEvery
	}
	if op, ok := s.p.(Opener); ok {
		if err := op.Open(s); err != nil {
			s.closeWith(err)
		}
	}
	var sourceC <-chan struct{}
	source, _ := s.p.(Source)
	if source != nil {
		sourceC = source.Wake()
	}
	shutdown := CloseGoingAway
	if s.cfg.ShutdownCode != 0 {
		shutdown = s.cfg.ShutdownCode
	}
	ping := time.NewTicker(o.PingInterval)
	defer ping.Stop()
	var tickC <-chan time.Time
	ticker, _ := s.p.(Ticker)
	if ticker != nil && ticker.TickEvery() > 0 {
		t := time.NewTicker(ticker.TickEvery())
		defer t.Stop()
		tickC = t.C
	}
	flush := time.NewTicker(interval)
	defer flush.Stop()
	for {
		// Replies first: they answer what the client just said.
		if !s.writeReplies() {
			break
		}
		select {
		case <-s.done:
		case <-s.m.feed.done:
			s.close(shutdown, "server shutting down")
		case <-s.wake:
			continue
		case <-sourceC:
			if !s.pull(source) {
				break
			}
			continue
		case <-flush.C:
			if s.collect(); len(s.batch) == 0 {
				continue
			}
			if !s.flush() {
				break
			}
			continue
		case <-tickC:
			bp := s.m.getBuf()
			if *bp = ticker.Tick((*bp)[:0]); len(*bp) > 0 {
				s.send(s.p.MessageType(), *bp) // a failure closes the session, seen next round
			}
			s.m.putBuf(bp)
			continue
		case <-ping.C:
			if err := s.t.WriteControl(websocket.PingMessage, nil, time.Now().Add(o.WriteTimeout)); err != nil {
				s.close(CloseGoingAway, "connection lost")
			}
			continue
		}
		break
	}
	s.close(CloseNormal, "")
	if s.closeReason != ReasonWriteTime {
		msg := websocket.FormatCloseMessage(s.closeCode, s.closeReason)
		_ = s.t.WriteControl(websocket.CloseMessage, msg, time.Now().Add(o.CloseGrace))
	}
}

// closeWith ends the session for an Opener's or a Source's error.
func (s *Session) closeWith(err error) {
	var ce *CloseError
	if errors.As(err, &ce) {
		s.close(ce.Code, ce.Reason)
		return
	}
	s.close(CloseInternal, "internal error")
}

// pull writes what a Source has, one frame per Next. It reports false when the session is
// closing.
func (s *Session) pull(src Source) bool {
	// Replies first: a protocol acknowledges a subscription before its first event.
	if !s.writeReplies() {
		return false
	}
	for {
		bp := s.m.getBuf()
		out, more, err := src.Next(s.ctx, (*bp)[:0])
		*bp = out
		ok := true
		if len(out) > 0 {
			if ok = s.send(s.p.MessageType(), out); ok {
				s.m.frames.Add(1)
			}
		}
		s.m.putBuf(bp)
		if err != nil {
			s.closeWith(err)
			return false
		}
		if !ok {
			return false
		}
		if !more {
			return true
		}
		// Replies (an unlisten, a pong) go ahead of a long backlog.
		if !s.writeReplies() {
			return false
		}
	}
}

// flush encodes and writes the batch collected, with a pooled buffer. It reports false when the
// write failed (the session is closing).
func (s *Session) flush() bool {
	bp := s.m.getBuf()
	defer s.m.putBuf(bp)
	*bp = s.p.Encode((*bp)[:0], s.batch)
	s.releaseBatch()
	if len(*bp) == 0 {
		return true
	}
	if !s.send(s.p.MessageType(), *bp) {
		return false
	}
	s.m.frames.Add(1)
	return true
}

// maxPooledBuf is the largest frame buffer returned to the pool: a rare huge frame (50 symbols
// of bars) does not stay in memory for good.
const maxPooledBuf = 64 << 10

func (m *Manager) getBuf() *[]byte {
	if bp, ok := m.bufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 4<<10)
	return &b
}

func (m *Manager) putBuf(bp *[]byte) {
	if cap(*bp) <= maxPooledBuf {
		*bp = (*bp)[:0]
		m.bufs.Put(bp)
	}
}

// collect takes what changed since the last flush into s.batch, in the client's order: one
// frame carries all the symbols that changed.
func (s *Session) collect() {
	s.batch = s.batch[:0]
	s.mu.Lock()
	s.out = s.m.feed.take(s.symbols, s.marks, s.kinds, s.out[:0])
	s.mu.Unlock()
	for i := range s.out {
		o := &s.out[i]
		u := Update{Symbol: o.symbol, Bars: o.bars}
		if o.quote != nil {
			u.Quote, u.QuoteJSON = &o.quote.quote, o.quote.json
		}
		if o.trade != nil {
			u.Trades, u.TradeJSON = o.trade.trade[:], o.trade.json
		}
		s.batch = append(s.batch, u)
	}
}

// releaseBatch drops the references the last batch held, so their numbers can be collected.
func (s *Session) releaseBatch() {
	clear(s.batch)
	clear(s.out)
}

// writeReplies sends the waiting replies, one frame each, then ends the session if Close asked
// for it. It reports false when the session is closing.
func (s *Session) writeReplies() bool {
	s.mu.Lock()
	replies := s.replies
	s.replies = nil
	asked := s.closeAsked
	s.mu.Unlock()
	for _, r := range replies {
		if !s.send(s.p.MessageType(), r) {
			return false
		}
	}
	if asked != nil {
		s.close(asked.Code, asked.Reason)
		return false
	}
	return true
}

// send writes one frame within WriteTimeout, marking the write as under way for checkSlow.
func (s *Session) send(kind int, data []byte) bool {
	select {
	case <-s.done:
		return false
	default:
	}
	_ = s.t.SetWriteDeadline(time.Now().Add(s.m.opts.WriteTimeout))
	s.writing.Store(time.Now().UnixNano())
	s.slowTimer.Reset(s.m.opts.SlowAfter)
	err := s.t.WriteMessage(kind, data)
	s.writing.Store(0)
	s.slowTimer.Stop()
	if err == nil {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		s.slow(ReasonWriteTime)
	}
	s.close(CloseGoingAway, "connection lost")
	return false
}
