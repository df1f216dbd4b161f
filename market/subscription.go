package market

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
)

// ErrSubscriptionClosed is returned by Subscription.Wait once the subscription (or its hub) is
// closed and nothing is left to read.
var ErrSubscriptionClosed = errors.New("market: subscription closed")

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
