package candles

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"alpacawrapper/market"
)

// Resolver maps a streamed symbol to its asset. ok is false for symbols the catalogue does not
// know; their bars are dropped. It is called from the flushing goroutine, never from OnBar.
type Resolver func(symbol string) (assetID int64, class market.AssetClass, ok bool)

// AggregatorOptions tune the live aggregator. Zero values take the documented defaults.
type AggregatorOptions struct {
	// FlushEvery is how often waiting bars are written. Default 1s.
	FlushEvery time.Duration
	// MaxBatch starts a flush early once this many bars wait. Default 200.
	MaxBatch int
	// MaxPending bounds the bars held while the database is unreachable. Bars beyond it are
	// dropped and counted; the hourly gap filler fetches those minutes again. Default 100 000.
	MaxPending int
	// Logger receives flush failures. Default slog.Default().
	Logger *slog.Logger
}

// AggregatorStats are the aggregator's counters since it started, for the feed-health page.
type AggregatorStats struct {
	Received int64 // bars handed to OnBar
	Written  int64 // bars written (a bar retried after a failure counts once per write)
	Unknown  int64 // bars of symbols the resolver did not know
	Dropped  int64 // bars dropped because MaxPending was reached
	Failures int64 // flushes that failed for at least one asset
}

// Aggregator turns the live stream's minute bars into candles. It batches bars and writes them
// through Store.UpsertMinuteBars, the same path backfill uses, so live and historical candles
// share one definition and a bar delivered twice (a reconnect replay, an updated bar) replaces
// its minute instead of adding to it. It takes bars only, never trades: one source per minute
// means nothing can count a minute's volume twice.
type Aggregator struct {
	store   *Store
	resolve Resolver
	opts    AggregatorOptions

	mu      sync.Mutex
	pending []market.Bar
	full    chan struct{} // a flush is wanted now; capacity 1, so signals coalesce
	flushMu sync.Mutex    // one flush at a time keeps later bars after earlier ones

	received, written, unknown, dropped, failures atomic.Int64
}

// NewAggregator returns an aggregator writing to store. Call Run to start flushing.
func NewAggregator(store *Store, resolve Resolver, opts AggregatorOptions) *Aggregator {
	opts.FlushEvery = cmp.Or(opts.FlushEvery, time.Second)
	opts.MaxBatch = cmp.Or(opts.MaxBatch, 200)
	opts.MaxPending = cmp.Or(opts.MaxPending, 100_000)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Aggregator{store: store, resolve: resolve, opts: opts, full: make(chan struct{}, 1)}
}

// OnBar queues a minute bar. It never waits on the database: it takes a short lock and returns,
// so the hub can call it from its delivery goroutine.
func (a *Aggregator) OnBar(b market.Bar) {
	a.received.Add(1)
	a.mu.Lock()
	if len(a.pending) >= a.opts.MaxPending {
		a.mu.Unlock()
		a.dropped.Add(1)
		return
	}
	a.pending = append(a.pending, b)
	n := len(a.pending)
	a.mu.Unlock()
	if n >= a.opts.MaxBatch {
		select {
		case a.full <- struct{}{}:
		default:
		}
	}
}

// Run flushes every FlushEvery, or sooner when a batch fills, until ctx ends; then it writes
// what is still waiting (allowing a few seconds) and returns nil. Failed writes are logged and
// retried with the next flush.
func (a *Aggregator) Run(ctx context.Context) error {
	tick := time.NewTicker(a.opts.FlushEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := a.Flush(final); err != nil {
				a.opts.Logger.Warn("candles: final flush failed", "err", err)
			}
			return nil
		case <-tick.C:
		case <-a.full:
		}
		if err := a.Flush(ctx); err != nil && ctx.Err() == nil {
			a.opts.Logger.Warn("candles: flush failed; will retry", "err", err)
		}
	}
}

// Flush writes every waiting bar now, one transaction per asset. Bars of an asset whose write
// fails are put back to be retried by the next flush (safe: writes replace, never add).
func (a *Aggregator) Flush(ctx context.Context) error {
	a.flushMu.Lock()
	defer a.flushMu.Unlock()
	a.mu.Lock()
	batch := a.pending
	a.pending = nil
	a.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}

	type assetBars struct {
		class market.AssetClass
		bars  []market.Bar
	}
	byAsset := map[int64]*assetBars{}
	var order []int64 // arrival order of assets, so a retry keeps bars in order
	for _, b := range batch {
		id, class, ok := a.resolve(b.Symbol)
		if !ok {
			a.unknown.Add(1)
			continue
		}
		if byAsset[id] == nil {
			byAsset[id] = &assetBars{class: class}
			order = append(order, id)
		}
		byAsset[id].bars = append(byAsset[id].bars, b)
	}

	var errs []error
	var retry []market.Bar
	for _, id := range order {
		group := byAsset[id]
		if err := a.store.UpsertMinuteBars(ctx, id, group.class, group.bars, Live); err != nil {
			errs = append(errs, fmt.Errorf("asset %d: %w", id, err))
			retry = append(retry, group.bars...)
			continue
		}
		a.written.Add(int64(len(group.bars)))
	}
	if len(retry) > 0 {
		a.failures.Add(1)
		a.mu.Lock()
		// Retried bars go first: bars that arrived meanwhile are newer and must win a tie.
		room := max(0, a.opts.MaxPending-len(a.pending))
		if len(retry) > room {
			a.dropped.Add(int64(len(retry) - room))
			retry = retry[len(retry)-room:]
		}
		a.pending = append(retry, a.pending...)
		a.mu.Unlock()
	}
	if len(errs) > 0 {
		return fmt.Errorf("candles: flush: %w", errors.Join(errs...))
	}
	return nil
}

// Stats returns the counters.
func (a *Aggregator) Stats() AggregatorStats {
	return AggregatorStats{
		Received: a.received.Load(),
		Written:  a.written.Load(),
		Unknown:  a.unknown.Load(),
		Dropped:  a.dropped.Load(),
		Failures: a.failures.Load(),
	}
}
