package market

import (
	"context"
	"errors"
	"hash/maphash"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var _ Sink = (*Hub)(nil)

// Wildcard, as a subscription's symbol, follows every symbol the hub sees. It creates no
// upstream demand: the candle aggregator uses it to receive the bars of whatever is followed.
const Wildcard = "*"

// ErrSubscriptionClosed is returned by Subscription.Wait once the subscription (or its hub) is
// closed and nothing is left to read.
var ErrSubscriptionClosed = errors.New("market: subscription closed")

// Defaults of HubOptions and SubscribeOptions.
const (
	DefaultSubscriptionBuffer = 64
	DefaultBarBuffer          = 1024
	DefaultHubQueue           = 4096
)

// EventKind tells which payload of an Event is set.
type EventKind uint8

// The kinds of event.
const (
	EventQuote EventKind = iota + 1
	EventTrade
	EventBar
)

// Event is one item delivered to a subscriber. Only the payload named by Kind is set. It is a
// plain value (the decimals inside hold pointers to immutable numbers), so copying it never
// allocates.
type Event struct {
	Kind  EventKind
	Quote Quote
	Trade Trade
	Bar   Bar
	// Published is when the hub received the item from the feed, with a monotonic clock reading,
	// so time.Since(ev.Published) is the time spent inside the hub. For a coalesced quote it is
	// when the latest one arrived.
	Published time.Time
	seq       uint64 // order of arrival in the buffer it sits in
}

// Symbol is the symbol of whichever payload is set.
func (e *Event) Symbol() string {
	switch e.Kind {
	case EventQuote:
		return e.Quote.Symbol
	case EventTrade:
		return e.Trade.Symbol
	case EventBar:
		return e.Bar.Symbol
	}
	return ""
}

// HubOptions configures a Hub. Zero values select the documented defaults.
type HubOptions struct {
	// Grace is how long a symbol stays wanted upstream after its last interest goes away, so a
	// page reload does not churn the feed's subscriptions. Default DefaultGrace (30s); negative
	// means none.
	Grace time.Duration
	// Workers is the number of fan-out goroutines; symbols are spread over them by hash, so each
	// symbol's events keep their order. Default GOMAXPROCS/2, at least 1: the readers need the
	// other half, and every extra worker means an extra wakeup per round for a reader that
	// follows symbols in several shards (on two cores one worker delivered about 20% more per
	// CPU-second than two).
	Workers int
	// Queue bounds the trades and bars waiting for each fan-out worker. When it is full a new
	// trade is dropped and a new bar pushes out the oldest waiting event; both are counted in
	// HubStats.Dropped. Quotes never wait here: they coalesce per symbol. Default DefaultHubQueue.
	Queue int
	// Now is the clock for grace periods; tests inject a fake one. Default time.Now.
	Now func() time.Time
}

// HubStats counts what happened inside the hub since it started.
type HubStats struct {
	Published uint64 // quotes, trades and bars received from the feed for routed symbols
	// Coalesced counts quotes replaced by a newer one of the same symbol before fan-out: the
	// hub's first line of defence when fan-out falls behind the feed.
	Coalesced uint64
	Dropped   uint64 // trades and bars lost because a fan-out queue was full
	Unrouted  uint64 // events for symbols nobody follows
	// Subscriptions and Symbols are the current number of open subscriptions and of symbols
	// with routing state.
	Subscriptions int
	Symbols       int
}

// Hub fans the live feed out to many subscribers: the order matcher, the candle aggregator and
// thousands of browser connections. It implements Sink.
//
// The feed's goroutine must never wait for a subscriber, nor for a goroutine that a busy
// scheduler may have descheduled, so delivery happens in two stages.
//
//  1. The Sink methods do O(1) work and take no lock that anything but another publisher holds.
//     A quote goes into its symbol's triple buffer (the publisher fills a private slot and swaps
//     it in atomically, so the newest quote is always ready and an unread one is simply
//     replaced: when fan-out falls behind, quotes coalesce per symbol before any
//     per-subscriber work is done); the first quote not yet taken also sends the symbol to its
//     fan-out worker's channel. A trade or bar is sent on that worker's bounded channel. All
//     sends are non-blocking; a channel's own lock is held only inside the runtime, where the
//     holder cannot be preempted.
//  2. Each worker owns a shard of the symbols (by hash, so each symbol's events keep their
//     order). It takes what is waiting and, for each symbol, walks its subscriber list
//     (copy-on-write, read without locks) and offers the item to every subscription in O(1): a
//     quote overwrites the subscription's pending quote of that symbol if there is one, a trade
//     or bar joins a bounded ring. Subscriptions that went from empty to non-empty are woken at
//     the end of the round, once each, with a non-blocking send: a reader gets a whole round in
//     one Drain instead of being woken for every item, which is what keeps thousands of readers
//     on two cores from spending their time in the scheduler.
//
// When fan-out cannot keep up, latency grows to about one round and readers see fewer, newer
// quotes; the feed is never slowed and memory stays bounded.
//
// Subscribe, SetSymbols and Close take the hub's lock; the feed's goroutine takes it only the
// first time a wildcard subscription makes it route a symbol it has never seen.
type Hub struct {
	table     atomic.Pointer[map[string]*symbolState] // copy-on-write; written under mu
	wildcards atomic.Int32                            // open wildcard subscriptions
	closed    atomic.Bool
	shards    []*shard
	seed      maphash.Seed
	demand    *demand
	stop      chan struct{}
	workers   sync.WaitGroup

	// quoteMu serialises publishers over the triple buffers' write side. The Sink contract
	// already makes calls one at a time, so it is uncontended; no worker or reader takes it.
	quoteMu sync.Mutex

	published, coalesced, dropped, unrouted atomic.Uint64

	mu   sync.Mutex
	subs map[*Subscription]struct{}
	wild map[*Subscription]struct{}
}

// symbolState routes one symbol.
type symbolState struct {
	symbol string
	shard  *shard
	// follows is the subscriber list. It is replaced whole on removal and appended in place on
	// addition (readers hold a header whose length excludes the new element), always under the
	// hub's lock; the fan-out worker reads it without locking.
	follows atomic.Pointer[[]*follow]
	named   int // subscriptions that name this symbol explicitly; guarded by the hub's lock
	quote   quoteBuffer
}

// stampedQuote is a quote and when the hub received it.
type stampedQuote struct {
	quote Quote
	at    time.Time
}

// quoteBuffer is a triple buffer: one slot being written by publishers, one being read by the
// fan-out worker, and one in the middle holding the newest complete quote. The slots change hands
// only through an atomic swap of the middle index, so a writer and the reader never touch the
// same slot and neither ever waits for the other.
type quoteBuffer struct {
	slots [3]stampedQuote
	state atomic.Uint32 // index of the middle slot, | fresh when it holds a quote not yet taken
	back  uint32        // the publishers' slot; guarded by Hub.quoteMu
	front uint32        // the worker's slot
}

const fresh = 4

func (b *quoteBuffer) init() {
	b.back, b.front = 0, 2
	b.state.Store(1)
}

// put publishes q and reports whether it replaced a quote the worker had not taken yet.
func (b *quoteBuffer) put(q *Quote, at time.Time) (replaced bool) {
	slot := &b.slots[b.back]
	slot.quote, slot.at = *q, at
	old := b.state.Swap(b.back | fresh)
	b.back = old &^ fresh
	return old&fresh != 0
}

// take returns the newest quote if one arrived since the last take. The slot stays the
// worker's until its next take.
func (b *quoteBuffer) take() (*stampedQuote, bool) {
	if b.state.Load()&fresh == 0 {
		return nil, false
	}
	b.front = b.state.Swap(b.front) &^ fresh
	return &b.slots[b.front], true
}

// dirtyRef tells a worker that a symbol has a new quote.
type dirtyRef struct {
	st  *symbolState
	seq uint64
}

// queued is a trade or bar waiting for fan-out.
type queued struct {
	st *symbolState
	ev Event
}

// dirtyQueue is how many symbols a worker can have waiting with a new quote before publishers
// fall back to asking for a scan of all symbols. Each symbol waits at most once.
const dirtyQueue = 1 << 14

// shard is one fan-out worker's inbox.
type shard struct {
	dirty    chan dirtyRef
	events   chan queued
	overflow atomic.Bool   // a dirty symbol did not fit in dirty: scan for fresh quotes
	rescan   chan struct{} // one slot; wakes the worker for that scan
	seq      atomic.Uint64 // arrival order across dirty and events

	// Owned by the worker; kept between rounds so steady state does not allocate.
	refs  []dirtyRef
	batch []queued
	woken []*Subscription // subscriptions that became non-empty this round
}

// NewHub starts a hub and its fan-out workers. Close stops them.
func NewHub(opts HubOptions) *Hub {
	if opts.Grace == 0 {
		opts.Grace = DefaultGrace
	}
	if opts.Workers <= 0 {
		opts.Workers = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if opts.Queue <= 0 {
		opts.Queue = DefaultHubQueue
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Hub{
		seed: maphash.MakeSeed(),
		stop: make(chan struct{}),
		subs: make(map[*Subscription]struct{}),
		wild: make(map[*Subscription]struct{}),
	}
	h.demand = newDemand(opts.Grace, opts.Now, h.forget)
	empty := map[string]*symbolState{}
	h.table.Store(&empty)
	for range opts.Workers {
		sh := &shard{
			dirty:  make(chan dirtyRef, dirtyQueue),
			events: make(chan queued, opts.Queue),
			rescan: make(chan struct{}, 1),
		}
		h.shards = append(h.shards, sh)
		h.workers.Add(1)
		go h.run(sh)
	}
	return h
}

// Close stops the fan-out workers and closes every subscription. Events published afterwards are
// ignored.
func (h *Hub) Close() {
	if h.closed.Swap(true) {
		return
	}
	close(h.stop)
	h.workers.Wait()
	h.demand.stop()
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		// No need to unwind follows and demand one by one: the whole hub is going away.
		s.isClosed = true
		s.shut()
	}
	clear(h.subs)
}

// Stats reports the hub's counters.
func (h *Hub) Stats() HubStats {
	h.mu.Lock()
	subs := len(h.subs)
	h.mu.Unlock()
	return HubStats{
		Published:     h.published.Load(),
		Coalesced:     h.coalesced.Load(),
		Dropped:       h.dropped.Load(),
		Unrouted:      h.unrouted.Load(),
		Subscriptions: subs,
		Symbols:       len(*h.table.Load()),
	}
}

// Quote publishes a quote. It never blocks on subscribers.
func (h *Hub) Quote(q Quote) {
	at := time.Now()
	st := h.route(q.Symbol)
	if st == nil {
		return
	}
	h.published.Add(1)
	h.quoteMu.Lock()
	replaced := st.quote.put(&q, at)
	h.quoteMu.Unlock()
	if replaced {
		h.coalesced.Add(1)
		return
	}
	sh := st.shard
	select {
	case sh.dirty <- dirtyRef{st: st, seq: sh.seq.Add(1)}:
	default:
		sh.overflow.Store(true)
		notify(sh.rescan)
	}
}

// Trade publishes a trade. It never blocks on subscribers.
func (h *Hub) Trade(t Trade) {
	h.enqueue(t.Symbol, Event{Kind: EventTrade, Trade: t})
}

// Bar publishes a bar. It never blocks on subscribers.
func (h *Hub) Bar(b Bar) {
	h.enqueue(b.Symbol, Event{Kind: EventBar, Bar: b})
}

func (h *Hub) enqueue(symbol string, ev Event) {
	ev.Published = time.Now()
	st := h.route(symbol)
	if st == nil {
		return
	}
	h.published.Add(1)
	sh := st.shard
	ev.seq = sh.seq.Add(1)
	select {
	case sh.events <- queued{st: st, ev: ev}:
		return
	default:
	}
	h.dropped.Add(1)
	if ev.Kind != EventBar {
		return
	}
	// Bars are rare and each one matters to candles: make room by losing the oldest event.
	select {
	case <-sh.events:
	default:
	}
	select {
	case sh.events <- queued{st: st, ev: ev}:
	default: // another publisher took the room; this bar is the one lost, already counted
	}
}

// route finds the routing state of symbol. An unknown symbol is routed only if a wildcard
// subscription exists; only then does the feed's goroutine take the hub's lock, once per symbol.
func (h *Hub) route(symbol string) *symbolState {
	if h.closed.Load() {
		return nil
	}
	if st := (*h.table.Load())[symbol]; st != nil {
		return st
	}
	if h.wildcards.Load() == 0 || symbol == "" || symbol == Wildcard {
		h.unrouted.Add(1)
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stateLocked(symbol)
}

// stateLocked returns symbol's routing state, creating it (followed by every wildcard
// subscription) if needed.
func (h *Hub) stateLocked(symbol string) *symbolState {
	old := *h.table.Load()
	if st := old[symbol]; st != nil {
		return st
	}
	st := &symbolState{symbol: symbol, shard: h.shards[maphash.String(h.seed, symbol)%uint64(len(h.shards))]}
	st.quote.init()
	st.follows.Store(&[]*follow{})
	next := make(map[string]*symbolState, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[symbol] = st
	h.table.Store(&next)
	for s := range h.wild {
		h.followLocked(s, st)
		s.resizeQuotesLocked()
	}
	return st
}

// forget drops the routing state of symbols whose upstream demand expired, unless a subscription
// still names them (one may have arrived while the expiry was on its way here).
func (h *Hub) forget(symbols []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := *h.table.Load()
	var next map[string]*symbolState
	for _, symbol := range symbols {
		st := old[symbol]
		if st == nil || st.named > 0 {
			continue
		}
		if next == nil {
			next = make(map[string]*symbolState, len(old))
			for k, v := range old {
				next[k] = v
			}
		}
		delete(next, symbol)
		for _, f := range *st.follows.Load() {
			delete(f.sub.follows, st)
			f.sub.unfollowed(f)
			f.sub.resizeQuotesLocked()
		}
		st.follows.Store(&[]*follow{})
	}
	if next != nil {
		h.table.Store(&next)
	}
}

// notify wakes the reader of a one-slot channel without ever waiting.
func notify(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// run is a fan-out worker: it waits for work, takes everything waiting, fans it out, repeats.
func (h *Hub) run(sh *shard) {
	defer h.workers.Done()
	for {
		refs, batch := sh.refs[:0], sh.batch[:0]
		select {
		case r := <-sh.dirty:
			refs = append(refs, r)
		case q := <-sh.events:
			batch = append(batch, q)
		case <-sh.rescan:
		case <-h.stop:
			return
		}
		for more := true; more; {
			select {
			case r := <-sh.dirty:
				refs = append(refs, r)
			case q := <-sh.events:
				batch = append(batch, q)
			default:
				more = false
			}
		}
		h.fanOut(sh, refs, batch)
		if sh.overflow.Swap(false) {
			h.rescanShard(sh)
		}
		// Readers are woken once per round, not once per item: a reader that followed many of
		// this round's symbols gets them all in one Drain, and while the round runs, the
		// scheduler is not crowded with readers that would each take one item and sleep again.
		for _, s := range sh.woken {
			notify(s.notify)
		}
		clear(refs) // drop references so forgotten symbols and closed readers can be collected
		clear(batch)
		clear(sh.woken)
		sh.refs, sh.batch, sh.woken = refs, batch, sh.woken[:0]
	}
}

// fanOut offers a round's quotes and events to their subscribers, in order of arrival.
func (h *Hub) fanOut(sh *shard, refs []dirtyRef, batch []queued) {
	ri, bi := 0, 0
	for ri < len(refs) || bi < len(batch) {
		if bi == len(batch) || (ri < len(refs) && refs[ri].seq < batch[bi].ev.seq) {
			h.fanOutQuote(sh, refs[ri].st)
			ri++
			continue
		}
		it := &batch[bi]
		for _, f := range *it.st.follows.Load() {
			if f.sub.offerEvent(f, &it.ev) {
				sh.woken = append(sh.woken, f.sub)
			}
		}
		bi++
	}
}

func (h *Hub) fanOutQuote(sh *shard, st *symbolState) {
	// The newest quote, which may be newer than the one that queued the symbol.
	q, ok := st.quote.take()
	if !ok {
		return // a scan got here first
	}
	for _, f := range *st.follows.Load() {
		if f.sub.offerQuote(f, q) {
			sh.woken = append(sh.woken, f.sub)
		}
	}
}

// rescanShard finds the shard's symbols with a quote that could not be queued.
func (h *Hub) rescanShard(sh *shard) {
	for _, st := range *h.table.Load() {
		if st.shard == sh {
			h.fanOutQuote(sh, st)
		}
	}
}

// SubscribeOptions configures a subscription. Zero values select the documented defaults.
type SubscribeOptions struct {
	// Symbols to follow; Wildcard ("*") follows everything the hub sees. Each named symbol (not
	// the wildcard) is wanted upstream at Priority while the subscription is open.
	Symbols []string
	// Which kinds of event to receive. All false means all three.
	Quotes, Trades, Bars bool
	// Buffer bounds the distinct symbols with a pending quote, and the pending trades. When it is
	// full a quote of one more symbol, or a trade, is dropped and counted. Default: for quotes
	// DefaultSubscriptionBuffer or the number of symbols followed, whichever is larger, so that
	// by default a subscription always gets the latest quote of every symbol it follows; for
	// trades DefaultSubscriptionBuffer.
	Buffer int
	// BarBuffer bounds the pending bars. When it is full the oldest pending bar is dropped and
	// counted. Default DefaultBarBuffer.
	BarBuffer int
	// Priority is the upstream priority of the named symbols. Default PriorityScreen.
	Priority Priority
}

// follow is one subscription's interest in one symbol.
type follow struct {
	sub *Subscription

	// Guarded by sub.mu.
	removed bool
	// gen equals sub.gen while the symbol has a pending quote, at sub.quotes[slot]. Draining
	// bumps sub.gen, which empties every slot at once without touching the follows.
	gen  uint64
	slot int
}

// pendingQuote is a quote waiting in a subscription. The pending quotes of a subscription sit
// side by side, so draining them reads one contiguous block.
type pendingQuote struct {
	stampedQuote
	seq  uint64
	dead bool // its symbol was unfollowed while it waited
}

// SubscriptionStats counts what happened to one subscription's events.
type SubscriptionStats struct {
	Delivered uint64 // events handed out by Drain
	Coalesced uint64 // pending quotes replaced by a newer one of the same symbol
	Dropped   uint64 // quotes and trades refused, and bars pushed out, because a buffer was full
	Pending   int    // events waiting now
}

// Subscription is one subscriber's view of the hub, with its own bounded buffers so that a slow
// reader loses (counted) events instead of slowing the feed or other readers.
//
// Reading: wait on Ready (or call Wait), then Drain into a slice you keep and reuse. Drain swaps
// the pending buffers for empty spares under a lock held for a few word moves, then copies the
// events into the slice. This beats a channel of events or a Next method: no allocation once the
// slice has grown to the largest batch, one wakeup and one lock for a whole batch however far
// behind the reader is, the fan-out worker never waits for the reader's copying, and the reader
// always sees the newest quote of each symbol rather than working through stale ones.
//
// Events come out in the order they entered this subscription's buffers; a coalesced quote keeps
// the place of the first pending one and carries the newest values. Concurrent readers are
// serialised, but a subscription is meant to have one.
type Subscription struct {
	hub      *Hub
	kinds    [EventBar + 1]bool // immutable
	priority Priority           // immutable
	notify   chan struct{}
	done     chan struct{}

	// Guarded by hub.mu.
	follows  map[*symbolState]*follow
	named    []string // the explicit symbols, which hold upstream demand
	wildcard bool
	fixedCap bool // Buffer was given
	isClosed bool

	// nonEmpty mirrors count > 0 so that a reader with nothing pending can go back to sleep
	// without taking the lock the fan-out worker wants.
	nonEmpty atomic.Bool
	closed   atomic.Bool

	delivered atomic.Uint64

	// readMu serialises readers. It guards the spare buffers, which a reader swaps with the
	// filled ones so that it copies events out without holding mu.
	readMu      sync.Mutex
	spareQuotes []pendingQuote
	spareTrades ring[Event]
	spareBars   ring[Event]

	mu        sync.Mutex
	gen       uint64
	following int // number of symbols followed
	quoteCap  int
	quotes    []pendingQuote // in arrival order
	trades    ring[Event]
	bars      ring[Event]
	seq       uint64
	count     int // pending events
	coalesced uint64
	dropped   uint64
}

// Subscribe opens a subscription. Close it when done, or its symbols stay wanted upstream.
func (h *Hub) Subscribe(opts SubscribeOptions) *Subscription {
	if !opts.Quotes && !opts.Trades && !opts.Bars {
		opts.Quotes, opts.Trades, opts.Bars = true, true, true
	}
	if opts.Priority == 0 {
		opts.Priority = PriorityScreen
	}
	tradeCap := DefaultSubscriptionBuffer
	if opts.Buffer > 0 {
		tradeCap = opts.Buffer
	}
	if opts.BarBuffer <= 0 {
		opts.BarBuffer = DefaultBarBuffer
	}
	s := &Subscription{
		hub:         h,
		kinds:       [EventBar + 1]bool{EventQuote: opts.Quotes, EventTrade: opts.Trades, EventBar: opts.Bars},
		priority:    opts.Priority.clamp(),
		notify:      make(chan struct{}, 1),
		done:        make(chan struct{}),
		follows:     make(map[*symbolState]*follow),
		fixedCap:    opts.Buffer > 0,
		gen:         1, // a new follow (gen 0) has nothing pending
		quoteCap:    DefaultSubscriptionBuffer,
		trades:      ring[Event]{max: tradeCap},
		bars:        ring[Event]{max: opts.BarBuffer},
		spareTrades: ring[Event]{max: tradeCap},
		spareBars:   ring[Event]{max: opts.BarBuffer},
	}
	if s.fixedCap {
		s.quoteCap = opts.Buffer
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed.Load() {
		s.isClosed = true
		s.shut()
		return s
	}
	h.subs[s] = struct{}{}
	h.setSymbolsLocked(s, opts.Symbols)
	return s
}

// SetSymbols replaces the symbols followed. Trades and bars already pending for symbols no longer
// followed are still delivered; quotes are not.
func (s *Subscription) SetSymbols(symbols []string) {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.isClosed {
		return
	}
	h.setSymbolsLocked(s, symbols)
}

// Close ends the subscription, releases its upstream demand and discards what is pending. It is
// safe to call more than once and concurrently with everything else.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.isClosed {
		return
	}
	s.isClosed = true
	delete(h.subs, s)
	h.setSymbolsLocked(s, nil)
	s.shut()
}

// shut discards what is pending and wakes the reader for good.
func (s *Subscription) shut() {
	s.mu.Lock()
	s.closed.Store(true)
	s.discardLocked()
	s.mu.Unlock()
	close(s.done)
	notify(s.notify)
}

func (s *Subscription) discardLocked() {
	clear(s.quotes)
	s.quotes = s.quotes[:0]
	s.gen++
	s.trades.reset()
	s.bars.reset()
	s.count = 0
	s.nonEmpty.Store(false)
}

// Ready receives a value when events may be pending; then call Drain. It may fire spuriously
// (Drain then returns nothing) but never misses events that arrive after a Drain.
func (s *Subscription) Ready() <-chan struct{} { return s.notify }

// Done is closed when the subscription or its hub is closed.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Drain appends every pending event to dst and returns it. Reuse the returned slice (dst[:0])
// for the next call so that, once it is large enough, draining never allocates.
func (s *Subscription) Drain(dst []Event) []Event {
	dst, _ = s.drain(dst)
	return dst
}

func (s *Subscription) drain(dst []Event) ([]Event, bool) {
	if !s.nonEmpty.Load() {
		return dst, s.closed.Load()
	}
	s.readMu.Lock()
	defer s.readMu.Unlock()

	// Swap the filled buffers for the empty spares under the lock the fan-out worker uses, and
	// copy out after releasing it: the worker never waits for a reader's copying.
	s.mu.Lock()
	if s.count == 0 {
		s.mu.Unlock()
		return dst, s.closed.Load()
	}
	quotes := s.quotes
	s.quotes = s.spareQuotes
	s.trades, s.spareTrades = s.spareTrades, s.trades
	s.bars, s.spareBars = s.spareBars, s.bars
	s.gen++ // every follow's slot now points into the old buffer, so none is pending
	s.count = 0
	s.nonEmpty.Store(false)
	s.mu.Unlock()

	n := len(dst)
	trades, bars := &s.spareTrades, &s.spareBars
	qi := 0
	for qi < len(quotes) || trades.n > 0 || bars.n > 0 {
		qs, ts, bs := uint64(math.MaxUint64), uint64(math.MaxUint64), uint64(math.MaxUint64)
		if qi < len(quotes) {
			qs = quotes[qi].seq
		}
		if trades.n > 0 {
			ts = trades.front().seq
		}
		if bars.n > 0 {
			bs = bars.front().seq
		}
		switch {
		case qs < ts && qs < bs:
			p := &quotes[qi]
			qi++
			if !p.dead {
				dst = append(dst, Event{Kind: EventQuote, Quote: p.quote, Published: p.at})
			}
		case ts < bs:
			dst = append(dst, *trades.front())
			trades.dropFront()
		default:
			dst = append(dst, *bars.front())
			bars.dropFront()
		}
	}
	clear(quotes) // let the numbers of delivered quotes be collected
	s.spareQuotes = quotes[:0]
	s.delivered.Add(uint64(len(dst) - n))
	return dst, false
}

// Wait blocks until events are pending, then drains them into dst as Drain does. It returns the
// context's error when ctx ends, and ErrSubscriptionClosed once the subscription is closed.
func (s *Subscription) Wait(ctx context.Context, dst []Event) ([]Event, error) {
	for {
		n := len(dst)
		var closed bool
		if dst, closed = s.drain(dst); len(dst) > n {
			return dst, nil
		}
		if closed {
			return dst, ErrSubscriptionClosed
		}
		select {
		case <-s.notify:
		case <-ctx.Done():
			return dst, ctx.Err()
		}
	}
}

// Stats reports the subscription's counters.
func (s *Subscription) Stats() SubscriptionStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SubscriptionStats{Delivered: s.delivered.Load(), Coalesced: s.coalesced, Dropped: s.dropped, Pending: s.count}
}

// offerQuote is called by a fan-out worker: it makes q f's pending quote. It reports whether
// the subscription went from empty to non-empty, and so needs waking.
func (s *Subscription) offerQuote(f *follow, q *stampedQuote) (wake bool) {
	if !s.kinds[EventQuote] {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case f.removed:
	case f.gen == s.gen:
		s.quotes[f.slot].stampedQuote = *q
		s.coalesced++
	case len(s.quotes) >= s.quoteCap:
		s.dropped++
	default:
		if len(s.quotes) == cap(s.quotes) {
			// Straight to the most this subscription can ever hold pending, so the buffer (and
			// its spare, which it becomes after a Drain) is allocated once, not doubled over time.
			grown := make([]pendingQuote, len(s.quotes), min(s.quoteCap, max(s.following, 2*cap(s.quotes), 4)))
			copy(grown, s.quotes)
			s.quotes = grown
		}
		s.seq++
		f.gen, f.slot = s.gen, len(s.quotes)
		s.quotes = append(s.quotes, pendingQuote{stampedQuote: *q, seq: s.seq})
		s.count++
		return s.becameNonEmpty()
	}
	return false
}

// becameNonEmpty is called after count went up; the caller holds mu.
func (s *Subscription) becameNonEmpty() bool {
	if s.count != 1 {
		return false
	}
	s.nonEmpty.Store(true)
	return true
}

// offerEvent is called by a fan-out worker: it queues a trade or bar. It reports whether the
// subscription went from empty to non-empty, and so needs waking.
func (s *Subscription) offerEvent(f *follow, ev *Event) (wake bool) {
	if !s.kinds[ev.Kind] {
		return false
	}
	r := &s.trades
	if ev.Kind == EventBar {
		r = &s.bars
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.removed {
		return false
	}
	if r.full() {
		s.dropped++
		if ev.Kind != EventBar {
			return false
		}
		r.dropFront()
		s.count--
	}
	s.seq++
	r.push(*ev)
	r.back().seq = s.seq
	s.count++
	return s.becameNonEmpty()
}

// unfollowed marks f as no longer followed, dropping its pending quote.
func (s *Subscription) unfollowed(f *follow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.removed = true
	if f.gen == s.gen {
		s.quotes[f.slot].dead = true
	}
}

// setSymbolsLocked brings s's follows and upstream demand in line with symbols.
func (h *Hub) setSymbolsLocked(s *Subscription, symbols []string) {
	wildcard := false
	named := make([]string, 0, len(symbols))
	seen := make(map[string]bool, len(symbols))
	for _, sym := range symbols {
		switch {
		case sym == Wildcard:
			wildcard = true
		case sym != "" && !seen[sym]:
			seen[sym] = true
			named = append(named, sym)
		}
	}

	// Demand: acquire the new names before releasing the old, so a kept symbol never drops to zero.
	was := make(map[string]bool, len(s.named))
	for _, sym := range s.named {
		was[sym] = true
	}
	for _, sym := range named {
		if !was[sym] {
			h.demand.acquire(sym, s.priority)
			h.stateLocked(sym).named++
		}
	}
	for _, sym := range s.named {
		if !seen[sym] {
			h.demand.release(sym, s.priority)
			if st := (*h.table.Load())[sym]; st != nil {
				st.named--
			}
		}
	}
	s.named = named

	// Follows: every routed symbol for a wildcard, else the named ones.
	if wildcard != s.wildcard {
		s.wildcard = wildcard
		if wildcard {
			h.wild[s] = struct{}{}
			h.wildcards.Add(1)
		} else {
			delete(h.wild, s)
			h.wildcards.Add(-1)
		}
	}
	table := *h.table.Load()
	if wildcard {
		for _, st := range table {
			if s.follows[st] == nil {
				h.followLocked(s, st)
			}
		}
	} else {
		for st := range s.follows {
			if !seen[st.symbol] {
				h.unfollowLocked(s, st)
			}
		}
		for _, sym := range named {
			if st := table[sym]; s.follows[st] == nil {
				h.followLocked(s, st)
			}
		}
	}
	s.resizeQuotesLocked()
}

// resizeQuotesLocked keeps the default quote bound at least the number of symbols followed.
// The caller holds the hub's lock.
func (s *Subscription) resizeQuotesLocked() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.following = len(s.follows)
	if !s.fixedCap {
		s.quoteCap = max(DefaultSubscriptionBuffer, s.following)
	}
}

func (h *Hub) followLocked(s *Subscription, st *symbolState) {
	f := &follow{sub: s}
	s.follows[st] = f
	list := append(*st.follows.Load(), f)
	st.follows.Store(&list)
}

func (h *Hub) unfollowLocked(s *Subscription, st *symbolState) {
	f := s.follows[st]
	delete(s.follows, st)
	old := *st.follows.Load()
	// A fresh slice: workers may be iterating the old one, so it must not change under them.
	list := make([]*follow, 0, len(old))
	for _, g := range old {
		if g != f {
			list = append(list, g)
		}
	}
	st.follows.Store(&list)
	s.unfollowed(f)
}

// ring is a bounded FIFO that grows its storage on demand up to max, so thousands of idle
// subscriptions do not each hold a full buffer.
type ring[T any] struct {
	buf  []T
	head int
	n    int
	max  int
}

func (r *ring[T]) full() bool { return r.n >= r.max }

func (r *ring[T]) push(v T) {
	if r.n == len(r.buf) {
		grown := make([]T, min(r.max, max(8, 2*len(r.buf))))
		for i := range r.n {
			grown[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = grown, 0
	}
	r.buf[(r.head+r.n)%len(r.buf)] = v
	r.n++
}

func (r *ring[T]) front() *T { return &r.buf[r.head] }

func (r *ring[T]) back() *T { return &r.buf[(r.head+r.n-1)%len(r.buf)] }

func (r *ring[T]) dropFront() {
	var zero T
	r.buf[r.head] = zero // let the payload's numbers be collected
	r.head = (r.head + 1) % len(r.buf)
	r.n--
}

func (r *ring[T]) reset() {
	clear(r.buf)
	r.head, r.n = 0, 0
}
