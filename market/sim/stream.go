package sim

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"alpacawrapper/market"
)

// maxBarCatchUp is how many missed minute bars a symbol gets after the stream stalled (a laptop
// waking from sleep); older minutes are left to backfill.
const maxBarCatchUp = 5

// tradeChance is the chance that a quote update comes with a print.
const tradeChance = 0.35

// Stream is the simulated live feed: it wakes every tick interval and, for each followed symbol
// whose market is open, publishes a quote now and then (one to four a second, more for liquid
// names), a print now and then, and at each minute boundary the bar of the minute just ended,
// identical to what Bars returns for it.
type Stream struct {
	p        *Provider
	interval time.Duration

	mu        sync.Mutex
	followed  []*follow // sorted by symbol, replaced whole by SetSymbols
	running   bool
	lastMsgAt time.Time
}

// follow is the stream's state for one followed symbol. nextBar is only touched by the tick.
type follow struct {
	in      *instrument
	nextBar time.Time // start of the earliest minute whose bar is not yet published
}

var _ market.Stream = (*Stream)(nil)

func newStream(p *Provider, interval time.Duration) *Stream {
	return &Stream{p: p, interval: interval}
}

// Run publishes to sink every tick interval until ctx ends. Only one Run may be active at a time.
func (s *Stream) Run(ctx context.Context, sink market.Sink) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("sim: stream: already running")
	}
	s.running = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
	}()

	ticker := time.NewTicker(s.interval)
	defer ticker.Stop()
	s.tick(s.p.now(), sink)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
			s.tick(s.p.now(), sink)
		}
	}
}

// SetSymbols replaces the followed symbols. Unknown and delisted symbols are ignored; symbols
// followed before keep their place in the minute-bar sequence.
func (s *Stream) SetSymbols(_ context.Context, symbols []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := make(map[string]*follow, len(s.followed))
	for _, f := range s.followed {
		kept[f.in.asset.Symbol] = f
	}
	next := make([]*follow, 0, len(symbols))
	seen := make(map[string]bool, len(symbols))
	for _, sym := range symbols {
		in, ok := s.p.lookup(sym)
		if !ok || seen[sym] {
			continue
		}
		seen[sym] = true
		if f, ok := kept[sym]; ok {
			next = append(next, f)
		} else {
			next = append(next, &follow{in: in})
		}
	}
	slices.SortFunc(next, func(a, b *follow) int {
		switch {
		case a.in.asset.Symbol < b.in.asset.Symbol:
			return -1
		case a.in.asset.Symbol > b.in.asset.Symbol:
			return 1
		}
		return 0
	})
	s.followed = next
	return nil
}

// SymbolLimit is 0: the simulator follows any number of symbols.
func (s *Stream) SymbolLimit() int { return 0 }

// Status reports the feed: connected while Run is active.
func (s *Stream) Status() market.StreamStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return market.StreamStatus{Connected: s.running, Symbols: len(s.followed), LastMessageAt: s.lastMsgAt}
}

// tick publishes what happened at now. Its output depends only on now and the symbols
// followed, so tests drive it with explicit instants.
func (s *Stream) tick(now time.Time, sink market.Sink) {
	now = now.UTC()
	s.mu.Lock()
	followed := s.followed
	s.mu.Unlock()

	minute := now.Truncate(time.Minute)
	tickIndex := uint64(now.UnixNano() / int64(s.interval))
	// Quotes and prints are stamped at the tick's instant on the grid, not at now, so that the
	// historical tape (Provider.Trades, Quotes) draws them again exactly.
	at := time.Unix(0, int64(tickIndex)*int64(s.interval)).UTC()
	// A session is the same for every stock (and for every crypto pair), so look each up once.
	type state struct {
		sess     session
		open, ok bool
	}
	var stocks, crypto *state
	sent := false
	for _, f := range followed {
		in := f.in

		// Minute bars first: the minute that just ended comes before the new minute's quotes.
		if f.nextBar.IsZero() || f.nextBar.After(minute) {
			f.nextBar = minute
		}
		from := f.nextBar
		if oldest := minute.Add(-maxBarCatchUp * time.Minute); from.Before(oldest) {
			from = oldest
		}
		for m := from; m.Before(minute); m = m.Add(time.Minute) {
			if b, ok := s.p.minuteBar(in, m); ok {
				sink.Bar(b)
				sent = true
			}
		}
		f.nextBar = minute

		st := &stocks
		if in.crypto {
			st = &crypto
		}
		if *st == nil {
			sess, open, ok := s.p.sessionAt(in, at)
			*st = &state{sess: sess, open: open, ok: ok}
		}
		if !(*st).ok || !(*st).open {
			continue
		}
		// Not every symbol moves every tick: each has its own pace.
		h := hashKey(s.p.seed, in.key, saltTick, tickIndex)
		if unit(h) >= in.quoteRate*s.interval.Seconds() {
			continue
		}
		q, tr := s.p.tape(s.p.path(in, (*st).sess), at)
		sink.Quote(q)
		if unit(mix(h)) < tradeChance {
			sink.Trade(tr)
		}
		sent = true
	}
	if sent {
		s.mu.Lock()
		s.lastMsgAt = now
		s.mu.Unlock()
	}
}
