package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"alpacawrapper/candles"
	"alpacawrapper/feedlease"
	"alpacawrapper/market"
	"alpacawrapper/market/relay"
	"alpacawrapper/trading"
)

// watchlistDemandEvery is how often the symbols on anyone's watchlist are re-read to keep them
// streaming: lists change rarely, and a new symbol is streamed as soon as a page shows it anyway.
const watchlistDemandEvery = time.Minute

// runFeed is the feed role: it stands by until this process is elected to hold it (one process
// at a time, see feedlease), then leads the feed until the role is lost or ctx ends, and stands by
// again. It returns when ctx ends, after the last candles are written and the role is released.
func runFeed(ctx context.Context, svc *Services, log *slog.Logger) {
	svc.Feed.Elector.Run(ctx, func(ctx context.Context, lease feedlease.Lease) {
		leadFeed(ctx, svc, log.With(slog.Int64("epoch", lease.Epoch)), lease)
	})
}

// leadFeed runs the provider's stream into the hub, keeps the upstream subscriptions in step with
// what this process and the web processes want (most important first, within the feed's symbol
// limit), relays the data the web processes want to them, turns live minute bars into candles,
// and runs the matcher, whose fills are fenced by the lease. It returns when ctx ends, after the
// last candles are written. A feed Alpaca refuses (rejected keys) is retried with a long back-off
// by the provider; meanwhile the rest of the application keeps serving, and the feed badge and
// /readyz show why.
func leadFeed(ctx context.Context, svc *Services, log *slog.Logger, lease feedlease.Lease) {
	m := svc.Market
	stream := m.Provider.Stream()
	log = log.With(slog.String("provider", m.Provider.Name()))

	agg := candles.NewAggregator(m.Candles, candles.NewSymbolResolver(svc.DB), candles.AggregatorOptions{Logger: log})
	bars := m.Hub.Subscribe(market.SubscribeOptions{Symbols: []string{market.Wildcard}, Bars: true, BarBuffer: 1 << 16})
	defer bars.Close()

	var wg sync.WaitGroup
	run := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A closed hub at shutdown ends the consumers too; neither is a failure.
			if err := f(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, market.ErrSubscriptionClosed) {
				log.Error("market feed: "+name+" stopped", slog.Any("error", err))
			}
		}()
	}
	remote := svc.Feed.Remote
	run("candle writer", agg.Run)
	run("candle aggregator", func(ctx context.Context) error { return agg.Consume(ctx, bars) })
	run("remote demand", func(ctx context.Context) error { remote.Run(ctx); return nil })
	run("relay", svc.Feed.Publisher.Run)
	run("demand", func(ctx context.Context) error { return followDemand(ctx, m.Hub, remote, stream) })
	run("watchlist demand", func(ctx context.Context) error { return watchlistDemand(ctx, svc, m.Hub, log) })
	run("stream", func(ctx context.Context) error { return stream.Run(ctx, m.Hub) })
	run("matcher", func(ctx context.Context) error {
		// The calendar is loaded here, not before everything else: the stream and the relay do
		// not need it, and a takeover should put quotes in front of the web processes first.
		if err := m.Clock.Refresh(ctx); err != nil {
			log.Warn("market clock: calendar not loaded yet; retrying in the background", slog.Any("error", err))
		}
		return svc.Trading.Run(trading.WithFence(ctx, lease), m.Hub)
	})
	log.Info("market feed started")
	wg.Wait()
	log.Info("market feed stopped")
}

// followDemand keeps the stream's symbols equal to what this process's hub and the other
// processes want, re-applying on every change of either.
func followDemand(ctx context.Context, hub *market.Hub, remote *relay.RemoteDemand, stream market.Stream) error {
	for {
		wanted := market.RankDemand(stream.SymbolLimit(), hub.Demanded(), remote.Demanded())
		if err := stream.SetSymbols(ctx, wanted); err != nil && ctx.Err() == nil {
			// A refused change (a symbol limit, a feed that is reconnecting) is retried on the next
			// change or tick; the stream keeps its previous set meanwhile.
			slog.Default().Debug("market feed: subscription change refused", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-hub.DemandChanged():
		case <-remote.Changed():
		case <-time.After(time.Minute):
		}
	}
}

// watchlistDemand keeps every watched symbol wanted at watchlist priority, so watchlists show live
// prices the moment they are opened and their candles stay complete.
func watchlistDemand(ctx context.Context, svc *Services, hub *market.Hub, log *slog.Logger) error {
	held := map[string]func(){}
	defer func() {
		for _, release := range held {
			release()
		}
	}()
	ticker := time.NewTicker(watchlistDemandEvery)
	defer ticker.Stop()
	for {
		symbols, err := svc.Watchlists.SymbolsWatched(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("market feed: watched symbols unavailable", slog.Any("error", err))
		}
		if err == nil {
			want := make(map[string]bool, len(symbols))
			for _, s := range symbols {
				want[s] = true
				if held[s] == nil {
					held[s] = hub.AddDemand(s, market.PriorityWatchlist)
				}
			}
			for s, release := range held {
				if !want[s] {
					release()
					delete(held, s)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}
