package market

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Defaults of LastKnownOptions.
const (
	// DefaultLastKnownTTL is how long a value from the provider serves pages without asking
	// again: prices on a page are a starting point that /ws/quotes moves on at once.
	DefaultLastKnownTTL = 15 * time.Second
	// DefaultLastKnownWait is the most a page waits for the provider before it shows the last
	// known value: a slow provider must not make pages slow.
	DefaultLastKnownWait = 750 * time.Millisecond
	// lastKnownFetchTimeout bounds one provider call, which runs on after the page stopped
	// waiting so that its answer still fills the cache.
	lastKnownFetchTimeout = 15 * time.Second
)

// ErrNoFreshData reports that the provider did not answer a look-up in time (or the budget
// refused it); the values returned beside it are the last known ones, possibly none.
var ErrNoFreshData = errors.New("market: the provider did not answer in time; showing the last known values")

// LastKnownOptions tune a LastKnown. Zero values select the documented defaults.
type LastKnownOptions struct {
	// TTL is how long a provider answer is used before the provider is asked again. Default
	// DefaultLastKnownTTL.
	TTL time.Duration
	// Wait is the most a look-up waits for the provider. Default DefaultLastKnownWait.
	Wait time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// LastKnown answers the look-ups of pages and the public API (quotes and snapshots) from the
// stream's latest values and a short cache of the provider's answers, and asks the provider (on
// the pages lane of the Budget) only for what is missing or older than TTL, waiting at most Wait.
// A provider that is slow, failing or out of budget therefore never makes a page wait or fail:
// the page shows the last known value, and the answer, when it comes, fills the cache.
//
// Without it every page view of /markets or /instruments was one provider call, so guests could
// spend the operator's whole Alpaca quota, and an 8-second provider made every page take 8 s.
//
// It is safe for concurrent use.
type LastKnown struct {
	provider Provider
	hub      *Hub
	opts     LastKnownOptions

	mu       sync.Mutex
	quotes   map[string]stamped[Quote]    // the newest quote, from the stream or the provider
	trades   map[string]stamped[Trade]    // the newest print from the stream
	snaps    map[string]stamped[Snapshot] // the provider's last snapshot
	askedQ   map[string]time.Time         // when the provider was last asked for a quote
	askedS   map[string]time.Time         // ... for a snapshot
	inflight map[string]chan struct{}     // look-ups under way, keyed by kind and symbol
}

// stamped is a value with when this process received it.
type stamped[T any] struct {
	v  T
	at time.Time
}

// NewLastKnown returns an empty cache in front of provider (which should be the Budget's pages
// lane), kept current from hub's quotes and trades (nil: none) until the hub closes.
func NewLastKnown(provider Provider, hub *Hub, o LastKnownOptions) *LastKnown {
	if o.TTL <= 0 {
		o.TTL = DefaultLastKnownTTL
	}
	if o.Wait <= 0 {
		o.Wait = DefaultLastKnownWait
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	l := &LastKnown{provider: provider, hub: hub, opts: o,
		quotes: map[string]stamped[Quote]{}, trades: map[string]stamped[Trade]{}, snaps: map[string]stamped[Snapshot]{},
		askedQ: map[string]time.Time{}, askedS: map[string]time.Time{}, inflight: map[string]chan struct{}{}}
	l.start()
	return l
}

// start follows every quote and print the hub sees, until the hub closes.
func (l *LastKnown) start() {
	if l.hub == nil {
		return
	}
	sub := l.hub.Subscribe(SubscribeOptions{Symbols: []string{Wildcard}, Quotes: true, Trades: true, Buffer: 1 << 14})
	go func() {
		defer sub.Close()
		var events []Event
		for {
			select {
			case <-sub.Done():
				return
			case <-sub.Ready():
			}
			events = sub.Drain(events[:0])
			l.observe(events)
			clear(events)
		}
	}()
}

func (l *LastKnown) observe(events []Event) {
	now := l.opts.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range events {
		ev := &events[i]
		switch ev.Kind {
		case EventQuote:
			if old, ok := l.quotes[ev.Quote.Symbol]; !ok || !ev.Quote.Time.Before(old.v.Time) {
				l.quotes[ev.Quote.Symbol] = stamped[Quote]{ev.Quote, now}
			}
		case EventTrade:
			if old, ok := l.trades[ev.Trade.Symbol]; !ok || !ev.Trade.Time.Before(old.v.Time) {
				l.trades[ev.Trade.Symbol] = stamped[Trade]{ev.Trade, now}
			}
		}
	}
}

// LatestQuotes returns the newest quote of each symbol: from the stream when one arrived within
// TTL, else from the provider within Wait, else the last known one. Symbols with no quote
// anywhere are absent. The error is ErrNoFreshData (wrapping the provider's) when the provider
// was needed and did not answer in time; the map holds what is known regardless.
func (l *LastKnown) LatestQuotes(ctx context.Context, symbols []string) (map[string]Quote, error) {
	now := l.opts.Now()
	l.mu.Lock()
	var stale []string
	for _, s := range symbols {
		q, ok := l.quotes[s]
		if (!ok || now.Sub(q.at) >= l.opts.TTL) && now.Sub(l.askedQ[s]) >= l.opts.TTL {
			stale = append(stale, s)
		}
	}
	l.mu.Unlock()
	err := l.fetch(ctx, "q:", stale, l.askedQ, func(ctx context.Context, missing []string) error {
		fresh, err := l.provider.LatestQuotes(ctx, missing)
		if err != nil {
			return err
		}
		at := l.opts.Now()
		l.mu.Lock()
		defer l.mu.Unlock()
		for sym, q := range fresh {
			if q.Symbol == "" {
				q.Symbol = sym
			}
			if old, ok := l.quotes[sym]; !ok || !q.Time.Before(old.v.Time) {
				l.quotes[sym] = stamped[Quote]{q, at}
			}
		}
		return nil
	})
	out := make(map[string]Quote, len(symbols))
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range symbols {
		if q, ok := l.quotes[s]; ok {
			out[s] = q.v
		}
	}
	return out, err
}

// Snapshots returns each symbol's snapshot as the provider last gave it (asked again when older
// than TTL, waiting at most Wait), with its quote and print replaced by newer ones from the
// stream. A symbol nothing is known of is absent. The error is as for LatestQuotes.
func (l *LastKnown) Snapshots(ctx context.Context, symbols []string) (map[string]Snapshot, error) {
	now := l.opts.Now()
	l.mu.Lock()
	var stale []string
	for _, s := range symbols {
		snap, ok := l.snaps[s]
		if (!ok || now.Sub(snap.at) >= l.opts.TTL) && now.Sub(l.askedS[s]) >= l.opts.TTL {
			stale = append(stale, s)
		}
	}
	l.mu.Unlock()
	err := l.fetch(ctx, "s:", stale, l.askedS, func(ctx context.Context, missing []string) error {
		fresh, err := l.provider.Snapshots(ctx, missing)
		if err != nil {
			return err
		}
		at := l.opts.Now()
		l.mu.Lock()
		defer l.mu.Unlock()
		for sym, s := range fresh {
			l.snaps[sym] = stamped[Snapshot]{s, at}
		}
		return nil
	})
	out := make(map[string]Snapshot, len(symbols))
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, sym := range symbols {
		snap, known := l.snaps[sym]
		s := snap.v
		if q, ok := l.quotes[sym]; ok && (s.LatestQuote == nil || q.v.Time.After(s.LatestQuote.Time)) {
			qv := q.v
			s.LatestQuote, known = &qv, true
		}
		if t, ok := l.trades[sym]; ok && (s.LatestTrade == nil || t.v.Time.After(s.LatestTrade.Time)) {
			tv := t.v
			s.LatestTrade, known = &tv, true
		}
		if known {
			out[sym] = s
		}
	}
	return out, err
}

// fetch asks the provider for the symbols not already being asked for, in one call that runs on
// its own (bounded by lastKnownFetchTimeout) so its answer fills the cache even after the caller
// stopped waiting, and waits for it, and for look-ups of the same symbols already under way, at
// most Wait. It returns ErrNoFreshData when anything waited for did not answer in time.
func (l *LastKnown) fetch(ctx context.Context, kind string, symbols []string, asked map[string]time.Time,
	call func(context.Context, []string) error) error {
	if len(symbols) == 0 {
		return nil
	}
	now := l.opts.Now()
	l.mu.Lock()
	var mine []string
	var waits []chan struct{}
	done := make(chan struct{})
	for _, s := range symbols {
		if ch, ok := l.inflight[kind+s]; ok {
			waits = append(waits, ch)
			continue
		}
		l.inflight[kind+s] = done
		asked[s] = now
		mine = append(mine, s)
	}
	l.mu.Unlock()

	var callErr error
	if len(mine) > 0 {
		waits = append(waits, done)
		go func() {
			cctx, cancel := context.WithTimeout(context.Background(), lastKnownFetchTimeout)
			defer cancel()
			err := call(cctx, mine)
			l.mu.Lock()
			for _, s := range mine {
				delete(l.inflight, kind+s)
			}
			callErr = err
			l.mu.Unlock()
			close(done)
		}()
	}
	timer := time.NewTimer(l.opts.Wait)
	defer timer.Stop()
	for _, ch := range waits {
		select {
		case <-ch:
		case <-timer.C:
			return ErrNoFreshData
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", ErrNoFreshData, ctx.Err())
		}
	}
	l.mu.Lock()
	err := callErr
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoFreshData, err)
	}
	return nil
}
