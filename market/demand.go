package market

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Priority ranks why a symbol is wanted from the upstream feed. When the feed can follow fewer
// symbols than are wanted, higher priorities are kept first.
type Priority int

// The priorities, lowest first. A higher value wins.
const (
	// PriorityGuest is a symbol shown only to guests (pages, streams and sockets opened without
	// signing in). It ranks below everything a signed-in person or a resting order needs, so that
	// however many guests ask for however many symbols, they only ever get the feed's spare room.
	PriorityGuest Priority = iota + 1
	// PriorityWatchlist is a symbol on someone's watchlist that no open page shows.
	PriorityWatchlist
	// PriorityScreen is a symbol shown on an open page.
	PriorityScreen
	// PriorityOrders is a symbol with resting orders: the matcher needs its quotes to fill them.
	PriorityOrders
)

// String names the priority for logs.
func (p Priority) String() string {
	switch p {
	case PriorityGuest:
		return "guest"
	case PriorityWatchlist:
		return "watchlist"
	case PriorityScreen:
		return "screen"
	case PriorityOrders:
		return "orders"
	}
	return "unknown"
}

// clamp maps any value onto a defined priority, so that a bad value from a caller costs it rank
// instead of corrupting the counts.
func (p Priority) clamp() Priority {
	return min(max(p, PriorityGuest), PriorityOrders)
}

// DefaultGrace is how long a symbol nobody wants any more stays subscribed upstream.
const DefaultGrace = 30 * time.Second

// demandEntry is the reference count of one symbol.
type demandEntry struct {
	refs  [PriorityOrders + 1]int // references per priority
	total int
	// priority is the highest priority holding a reference; while the symbol is in its grace
	// period it keeps the last one, so that a page reload neither reorders nor evicts it.
	priority Priority
	expires  time.Time // zero while referenced
}

// demand counts who wants which symbol upstream. Its lock is taken after the hub's, never before:
// expiry calls back into the hub only after releasing it.
type demand struct {
	grace    time.Duration
	now      func() time.Time
	onExpire func(symbols []string) // lets the hub drop routing state of expired symbols
	changed  chan struct{}
	// relayed is changed's twin for the process's demand publisher (market/relay), which tells
	// the elected feed in another process: each channel has its one reader.
	relayed chan struct{}

	mu      sync.Mutex
	entries map[string]*demandEntry
	timer   *time.Timer
	timerAt time.Time // when the armed timer fires; zero when none is armed
	stopped bool
}

func newDemand(grace time.Duration, now func() time.Time, onExpire func([]string)) *demand {
	return &demand{
		grace:    grace,
		now:      now,
		onExpire: onExpire,
		changed:  make(chan struct{}, 1),
		relayed:  make(chan struct{}, 1),
		entries:  make(map[string]*demandEntry),
	}
}

// signal notes a change without blocking; the one-slot channel coalesces bursts into one wakeup.
func (d *demand) signal() {
	select {
	case d.changed <- struct{}{}:
	default:
	}
	select {
	case d.relayed <- struct{}{}:
	default:
	}
}

// acquire adds one reference to symbol at priority p.
func (d *demand) acquire(symbol string, p Priority) {
	p = p.clamp()
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.entries[symbol]
	if e == nil {
		e = &demandEntry{}
		d.entries[symbol] = e
	}
	isNew := e.total == 0 && e.expires.IsZero()
	e.refs[p]++
	e.total++
	e.expires = time.Time{}
	if top := e.top(); isNew || top != e.priority {
		// A brand-new symbol or a change of rank changes what the feed should follow (a symbol
		// back from its grace period may come back lower). One back at the same priority
		// changes nothing upstream.
		e.priority = top
		d.signal()
	}
}

// release removes one reference to symbol at priority p. The last reference starts the grace
// period instead of removing the symbol.
func (d *demand) release(symbol string, p Priority) {
	p = p.clamp()
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.entries[symbol]
	if e == nil || e.refs[p] == 0 {
		return
	}
	e.refs[p]--
	e.total--
	if e.total == 0 {
		// Even with no grace the removal happens on the timer's goroutine: the caller may hold
		// the hub's lock, which forgetting the symbol needs.
		at := d.now().Add(max(d.grace, 0))
		e.expires = at
		d.armLocked(at)
		return
	}
	if top := e.top(); top != e.priority {
		e.priority = top
		d.signal()
	}
}

// top is the highest priority still referenced.
func (e *demandEntry) top() Priority {
	for p := PriorityOrders; p >= PriorityGuest; p-- {
		if e.refs[p] > 0 {
			return p
		}
	}
	return e.priority
}

// armLocked makes sure a sweep runs no later than at. One timer serves every symbol.
func (d *demand) armLocked(at time.Time) {
	if d.stopped || (!d.timerAt.IsZero() && !at.Before(d.timerAt)) {
		return
	}
	d.timerAt = at
	wait := max(at.Sub(d.now()), time.Millisecond)
	if d.timer == nil {
		d.timer = time.AfterFunc(wait, d.sweepFromTimer)
		return
	}
	d.timer.Reset(wait)
}

func (d *demand) sweepFromTimer() {
	d.mu.Lock()
	d.timerAt = time.Time{}
	expired := d.expireLocked()
	var next time.Time
	for _, e := range d.entries {
		if !e.expires.IsZero() && (next.IsZero() || e.expires.Before(next)) {
			next = e.expires
		}
	}
	if !next.IsZero() {
		d.armLocked(next)
	}
	d.mu.Unlock()
	d.forget(expired)
}

// expireLocked removes the symbols whose grace period is over and returns them. The caller
// passes them to forget after unlocking.
func (d *demand) expireLocked() []string {
	now := d.now()
	var expired []string
	for symbol, e := range d.entries {
		if e.total == 0 && !e.expires.After(now) {
			delete(d.entries, symbol)
			expired = append(expired, symbol)
		}
	}
	if len(expired) > 0 {
		d.signal()
	}
	return expired
}

func (d *demand) forget(expired []string) {
	if len(expired) > 0 && d.onExpire != nil {
		d.onExpire(expired)
	}
}

// wanted lists the demanded symbols, highest priority first, then most references, then name;
// symbols in their grace period count as having no references. limit 0 means all.
func (d *demand) wanted(limit int) []string {
	d.mu.Lock()
	expired := d.expireLocked()
	type ranked struct {
		symbol   string
		priority Priority
		total    int
	}
	all := make([]ranked, 0, len(d.entries))
	for symbol, e := range d.entries {
		all = append(all, ranked{symbol, e.priority, e.total})
	}
	d.mu.Unlock()
	d.forget(expired)

	slices.SortFunc(all, func(a, b ranked) int {
		if a.priority != b.priority {
			return int(b.priority - a.priority)
		}
		if a.total != b.total {
			return b.total - a.total
		}
		return strings.Compare(a.symbol, b.symbol)
	})
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	out := make([]string, len(all))
	for i, r := range all {
		out[i] = r.symbol
	}
	return out
}

// stop disarms the timer for good.
func (d *demand) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	if d.timer != nil {
		d.timer.Stop()
	}
}

// AddDemand asks the upstream feed to follow symbol at priority p for someone who does not read
// the hub (a watchlist, the matcher's resting orders). The returned release drops that interest;
// calling it more than once is harmless. After the last interest in a symbol is gone, it stays
// wanted for the hub's grace period.
func (h *Hub) AddDemand(symbol string, p Priority) (release func()) {
	if symbol == "" || symbol == Wildcard {
		return func() {}
	}
	h.demand.acquire(symbol, p)
	var once sync.Once
	return func() { once.Do(func() { h.demand.release(symbol, p) }) }
}

// Wanted returns the symbols the upstream feed should follow, highest priority first, then most
// interested parties, then by name, cut to limit (0: all). A symbol whose last interest went away
// less than the grace period ago is still listed, ranked as having no interested parties, so that
// a page reload does not unsubscribe and resubscribe it upstream.
func (h *Hub) Wanted(limit int) []string { return h.demand.wanted(limit) }

// DemandChanged receives a value when the set of wanted symbols or the priority of one of them may
// have changed: a symbol newly wanted, promoted or demoted, or removed after its grace period.
// Changes in the number of interested parties alone do not signal, since they only reorder
// symbols of equal priority. Signals coalesce (the channel holds one), so there should be one
// reader, the feed runner:
//
//	for {
//		select {
//		case <-hub.DemandChanged():
//			if err := stream.SetSymbols(ctx, hub.Wanted(stream.SymbolLimit())); err != nil {
//				log.Warn("market: follow symbols", "err", err)
//			}
//		case <-ctx.Done():
//			return
//		}
//	}
func (h *Hub) DemandChanged() <-chan struct{} { return h.demand.changed }

// Demand is one symbol's upstream demand: its highest priority and how many parties want it
// (zero while it is in its grace period).
type Demand struct {
	Symbol   string
	Priority Priority
	Refs     int
}

// Demanded lists every symbol wanted from the upstream feed with its priority, unordered. The
// relay publishes it for the elected feed in another process (see RankDemand).
func (h *Hub) Demanded() []Demand {
	d := h.demand
	d.mu.Lock()
	expired := d.expireLocked()
	out := make([]Demand, 0, len(d.entries))
	for symbol, e := range d.entries {
		out = append(out, Demand{Symbol: symbol, Priority: e.priority, Refs: e.total})
	}
	d.mu.Unlock()
	d.forget(expired)
	return out
}

// DemandRelayChanged is DemandChanged for the one process-wide reader that relays this hub's
// demand to the elected feed in another process; it signals on the same changes.
func (h *Hub) DemandRelayChanged() <-chan struct{} { return h.demand.relayed }

// RankDemand merges demand from several sources (this process's hub, other processes' relayed
// demand) and returns the symbols the feed should follow, ranked as Wanted ranks them: a symbol
// wanted twice counts at its higher priority with the parties of both. limit 0 means all.
func RankDemand(limit int, sources ...[]Demand) []string {
	merged := map[string]Demand{}
	for _, src := range sources {
		for _, d := range src {
			if d.Symbol == "" || d.Symbol == Wildcard {
				continue
			}
			m, ok := merged[d.Symbol]
			if !ok {
				merged[d.Symbol] = Demand{Symbol: d.Symbol, Priority: d.Priority.clamp(), Refs: d.Refs}
				continue
			}
			m.Priority = max(m.Priority, d.Priority.clamp())
			m.Refs += d.Refs
			merged[d.Symbol] = m
		}
	}
	all := make([]Demand, 0, len(merged))
	for _, d := range merged {
		all = append(all, d)
	}
	slices.SortFunc(all, func(a, b Demand) int {
		if a.Priority != b.Priority {
			return int(b.Priority - a.Priority)
		}
		if a.Refs != b.Refs {
			return b.Refs - a.Refs
		}
		return strings.Compare(a.Symbol, b.Symbol)
	})
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	out := make([]string, len(all))
	for i, d := range all {
		out[i] = d.Symbol
	}
	return out
}
