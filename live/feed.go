package live

import (
	"sync"
	"sync/atomic"

	"alpacawrapper/market"
)

// sharedBuffer bounds the events waiting in the feed's one hub subscription between two drains
// (distinct symbols with a quote, and trades): it serves every connection, so it is sized for
// the whole catalogue of a busy feed, not for one page.
const sharedBuffer = 8192

// feed is a Manager's shared view of the hub: ONE subscription for the union of every session's
// symbols (each wanted upstream at PriorityGuest while any session follows it, and at the
// session's own priority, PriorityScreen for signed-in people, while one of those does), and per symbol
// the newest quote, the newest trade and the last few minute bars, each stamped with a sequence
// number. A session remembers, per symbol, the sequence number it last sent, and at each flush
// takes what is newer.
//
// This is what makes thousands of connections cheap: the hub fans each event out once, not once
// per connection, and a connection holds no events of its own — a few numbers per symbol. A
// slow connection simply skips to the newest values. The cost is that trades are coalesced
// (a session sees the newest trade of each flush interval, not every print), which is what a
// chart or a person needs; see the protocol comment in market.go.
type feed struct {
	hub     *market.Hub
	maxBars int
	dropped *atomic.Uint64 // bars pushed out of a full window

	startOnce sync.Once
	sub       *market.Subscription
	done      chan struct{} // closed when the hub closes

	refMu sync.Mutex
	refs  map[string]int // sessions following each symbol
	// ranked counts, per priority above PriorityGuest and symbol, the sessions of that priority
	// following it; held is the hub demand each such symbol holds while its count is positive.
	ranked map[rankKey]int
	held   map[rankKey]func()

	mu   sync.RWMutex
	seq  uint64 // last sequence number given out
	syms map[string]*feedSymbol
}

// rankKey is a symbol wanted at a priority.
type rankKey struct {
	symbol   string
	priority market.Priority
}

// feedSymbol is the newest of one symbol. Guarded by feed.mu.
type feedSymbol struct {
	seq      uint64 // the largest of the sequence numbers below
	quote    *quoteEntry
	quoteSeq uint64
	trade    *tradeEntry
	tradeSeq uint64
	bars     []market.Bar // oldest first, at most maxBars
	barSeqs  []uint64
}

// quoteEntry and tradeEntry are immutable once made: sessions keep pointers to them past the
// feed's lock. Each carries its /ws/market message, encoded once for every connection that
// sends it (formatting decimals was most of the server's work at thousands of connections).
type quoteEntry struct {
	quote market.Quote
	json  []byte
}

type tradeEntry struct {
	trade [1]market.Trade // an array, so that Update.Trades can be a slice of it
	json  []byte
}

func newFeed(hub *market.Hub, maxBars int, dropped *atomic.Uint64) *feed {
	return &feed{hub: hub, maxBars: maxBars, dropped: dropped, done: make(chan struct{}),
		refs: make(map[string]int), syms: make(map[string]*feedSymbol),
		ranked: make(map[rankKey]int), held: make(map[rankKey]func())}
}

// start opens the shared subscription and its reader on first use; the reader ends when the hub
// closes.
func (f *feed) start() {
	f.startOnce.Do(func() {
		f.sub = f.hub.Subscribe(market.SubscribeOptions{Buffer: sharedBuffer, Priority: market.PriorityGuest})
		go f.run()
	})
}

// run moves the hub's events into the per-symbol state.
func (f *feed) run() {
	defer close(f.done)
	var events []market.Event
	for {
		select {
		case <-f.sub.Done():
			return
		case <-f.sub.Ready():
		}
		events = f.sub.Drain(events[:0])
		if len(events) == 0 {
			continue
		}
		f.apply(events)
		clear(events) // let the events' numbers go
	}
}

func (f *feed) apply(events []market.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range events {
		ev := &events[i]
		sym := ev.Symbol()
		st := f.syms[sym]
		if st == nil {
			if f.refsOf(sym) == 0 {
				continue // unfollowed while it waited
			}
			st = &feedSymbol{}
			f.syms[sym] = st
		}
		f.seq++
		switch ev.Kind {
		case market.EventQuote:
			st.quote = &quoteEntry{quote: ev.Quote, json: appendQuote(nil, &ev.Quote)}
			st.quoteSeq = f.seq
		case market.EventTrade:
			if st.trade != nil && ev.Trade.Time.Before(st.trade.trade[0].Time) {
				continue // a late print does not replace a newer one
			}
			st.trade = &tradeEntry{trade: [1]market.Trade{ev.Trade}, json: appendTrade(nil, &ev.Trade)}
			st.tradeSeq = f.seq
		case market.EventBar:
			// A corrected bar of the same minute replaces the one kept, with a new number so that
			// sessions send it again.
			if n := len(st.bars); n > 0 && st.bars[n-1].Start.Equal(ev.Bar.Start) {
				st.bars[n-1], st.barSeqs[n-1] = ev.Bar, f.seq
				break
			}
			if len(st.bars) >= f.maxBars {
				st.bars = append(st.bars[:0], st.bars[1:]...)
				st.barSeqs = append(st.barSeqs[:0], st.barSeqs[1:]...)
				f.dropped.Add(1)
			}
			st.bars = append(st.bars, ev.Bar)
			st.barSeqs = append(st.barSeqs, f.seq)
		default:
			continue
		}
		st.seq = f.seq
	}
}

// refsOf is the number of sessions following sym; the caller holds f.mu (refMu is taken inside,
// never the other way round).
func (f *feed) refsOf(sym string) int {
	f.refMu.Lock()
	defer f.refMu.Unlock()
	return f.refs[sym]
}

// now is the current sequence number: a session that starts following a symbol sends only what
// is newer.
func (f *feed) now() uint64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.seq
}

// follow adds one session's interest in add and removes it from drop, and brings the shared
// subscription in line when the union changed. Sessions above PriorityGuest also hold upstream
// demand at their priority for the symbols they follow.
func (f *feed) follow(add, drop []string, p market.Priority) {
	if len(add) == 0 && len(drop) == 0 {
		return
	}
	f.start()
	f.refMu.Lock()
	defer f.refMu.Unlock()
	if p > market.PriorityGuest {
		for _, sym := range add {
			k := rankKey{sym, p}
			if f.ranked[k]++; f.ranked[k] == 1 {
				f.held[k] = f.hub.AddDemand(sym, p)
			}
		}
		for _, sym := range drop {
			k := rankKey{sym, p}
			if f.ranked[k]--; f.ranked[k] <= 0 {
				delete(f.ranked, k)
				if release := f.held[k]; release != nil {
					release()
				}
				delete(f.held, k)
			}
		}
	}
	changed := false
	for _, sym := range add {
		if f.refs[sym]++; f.refs[sym] == 1 {
			changed = true
		}
	}
	var gone []string
	for _, sym := range drop {
		if f.refs[sym]--; f.refs[sym] <= 0 {
			delete(f.refs, sym)
			gone = append(gone, sym)
			changed = true
		}
	}
	if !changed {
		return
	}
	union := make([]string, 0, len(f.refs))
	for sym := range f.refs {
		union = append(union, sym)
	}
	f.sub.SetSymbols(union)
	if len(gone) > 0 {
		// Lock order is mu before refMu elsewhere; take mu without holding refMu.
		f.refMu.Unlock()
		f.forget(gone)
		f.refMu.Lock()
	}
}

// forget drops the state of symbols no session follows any more (unless one came back).
func (f *feed) forget(symbols []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, sym := range symbols {
		if f.refsOf(sym) == 0 {
			delete(f.syms, sym)
		}
	}
}

// take appends to out what is newer than marks[i] for each symbols[i] (only the kinds wanted)
// and moves the marks forward.
func (f *feed) take(symbols []string, marks []uint64, kinds [market.EventBar + 1]bool, out []pending) []pending {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for i, sym := range symbols {
		st := f.syms[sym]
		if st == nil || st.seq <= marks[i] {
			continue
		}
		mark := marks[i]
		marks[i] = st.seq
		var p pending
		if kinds[market.EventQuote] && st.quoteSeq > mark {
			p.quote = st.quote
		}
		if kinds[market.EventTrade] && st.tradeSeq > mark {
			p.trade = st.trade
		}
		if kinds[market.EventBar] {
			for j, seq := range st.barSeqs {
				if seq > mark {
					p.bars = append(p.bars, st.bars[j])
				}
			}
		}
		if p.quote != nil || p.trade != nil || len(p.bars) > 0 {
			p.symbol = sym
			out = append(out, p)
		}
	}
	return out
}

// waiting reports whether any of symbols has something newer than its mark.
func (f *feed) waiting(symbols []string, marks []uint64) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for i, sym := range symbols {
		if st := f.syms[sym]; st != nil && st.seq > marks[i] {
			return true
		}
	}
	return false
}
