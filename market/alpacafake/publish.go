package alpacafake

import (
	"context"
	"maps"
	"slices"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacawire"
)

// PublishQuote sends a quote to every connection following its symbol (or "*") on quotes, in the
// stock or crypto shape as the symbol says.
func (s *Server) PublishQuote(q market.Quote) {
	s.publish(alpacawire.ChanQuotes, q.Symbol, alpacawire.QuoteMessage(q))
}

// PublishTrade sends a trade to every connection following its symbol on trades.
func (s *Server) PublishTrade(t market.Trade) {
	s.publish(alpacawire.ChanTrades, t.Symbol, alpacawire.TradeMessage(t))
}

// PublishBar sends a minute bar ("b") to every connection following its symbol on bars.
func (s *Server) PublishBar(b market.Bar) {
	s.publish(alpacawire.ChanBars, b.Symbol, alpacawire.BarMessage(alpacawire.TypeBar, b))
}

// publish queues a data message on the connections of the symbol's class that follow it. Messages
// published together reach a client batched in one array frame, as Alpaca batches them.
func (s *Server) publish(channel, symbol string, msg any) {
	crypto := market.ClassOf(symbol) == market.Crypto
	s.mu.Lock()
	if time.Now().Before(s.silentUntil) {
		s.mu.Unlock()
		return
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		if c.crypto == crypto {
			conns = append(conns, c)
		}
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.deliver(channel, symbol, msg)
	}
}

// autoPublish polls the provider for the subscribed symbols' latest quotes, trades and minute
// bars and publishes those that changed since the last poll, until the server closes.
func (s *Server) autoPublish(every time.Duration) {
	defer s.bg.Done()
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	last := &lastPublished{quotes: map[string]market.Quote{}, trades: map[string]market.Trade{}, bars: map[string]market.Bar{}}
	for {
		select {
		case <-s.stop:
			return
		case <-ticker.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), max(every, time.Second))
		s.pollQuotes(ctx, last.quotes)
		s.pollSnapshots(ctx, last)
		cancel()
	}
}

// lastPublished is what autoPublish sent last per symbol.
type lastPublished struct {
	quotes map[string]market.Quote
	trades map[string]market.Trade
	bars   map[string]market.Bar
}

func (s *Server) pollQuotes(ctx context.Context, last map[string]market.Quote) {
	symbols := s.followedSymbols(ctx, alpacawire.ChanQuotes)
	if len(symbols) == 0 {
		return
	}
	quotes, err := s.opts.Data.LatestQuotes(ctx, symbols)
	if err != nil {
		s.log.Warn("auto-publish: latest quotes", "err", err)
		return
	}
	for _, sym := range slices.Sorted(maps.Keys(quotes)) {
		q := quotes[sym]
		if q.Symbol == "" {
			q.Symbol = sym
		}
		if prev, ok := last[sym]; ok && sameQuote(prev, q) {
			continue
		}
		last[sym] = q
		s.PublishQuote(q)
	}
}

// pollSnapshots publishes the latest trade and minute bar of the symbols followed on trades or
// bars, when they changed.
func (s *Server) pollSnapshots(ctx context.Context, last *lastPublished) {
	trades, bars := s.followedSymbols(ctx, alpacawire.ChanTrades), s.followedSymbols(ctx, alpacawire.ChanBars)
	symbols := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(trades), bars...))))
	if len(symbols) == 0 {
		return
	}
	snaps, err := s.opts.Data.Snapshots(ctx, symbols)
	if err != nil {
		s.log.Warn("auto-publish: snapshots", "err", err)
		return
	}
	for _, sym := range slices.Sorted(maps.Keys(snaps)) {
		sn := snaps[sym]
		if t := sn.LatestTrade; t != nil && slices.Contains(trades, sym) {
			tr := *t
			tr.Symbol = sym
			if prev, ok := last.trades[sym]; !ok || !prev.Time.Equal(tr.Time) || prev.ID != tr.ID {
				last.trades[sym] = tr
				s.PublishTrade(tr)
			}
		}
		if b := sn.MinuteBar; b != nil && slices.Contains(bars, sym) {
			bar := *b
			bar.Symbol = sym
			if prev, ok := last.bars[sym]; !ok || !prev.Start.Equal(bar.Start) || !prev.Close.Equal(bar.Close) || !prev.Volume.Equal(bar.Volume) {
				last.bars[sym] = bar
				s.PublishBar(bar)
			}
		}
	}
}

// followedSymbols is every symbol some connection follows on channel; "*" stands for every
// active asset.
func (s *Server) followedSymbols(ctx context.Context, channel string) []string {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	set := map[string]bool{}
	wildcard := false
	for _, c := range conns {
		for _, sym := range c.subscriptionSet()[channel] {
			if sym == "*" {
				wildcard = true
				continue
			}
			set[sym] = true
		}
	}
	if wildcard {
		assets, err := s.opts.Data.Assets(ctx)
		if err != nil {
			s.log.Warn("auto-publish: assets", "err", err)
		}
		for _, a := range assets {
			if a.Active {
				set[a.Symbol] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for sym := range set {
		out = append(out, sym)
	}
	slices.Sort(out)
	return out
}

func sameQuote(a, b market.Quote) bool {
	return a.Time.Equal(b.Time) && a.BidPrice.Equal(b.BidPrice) && a.AskPrice.Equal(b.AskPrice) &&
		a.BidSize.Equal(b.BidSize) && a.AskSize.Equal(b.AskSize)
}
