package market

import (
	"hash/maphash"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var _ Sink = (*Hub)(nil)

// Wildcard, as a subscription's symbol, follows every symbol the hub sees. It creates no
// upstream demand: the candle aggregator uses it to receive the bars of whatever is followed.
const Wildcard = "*"

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
