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

// autoPublish polls the provider for the quotes of the subscribed symbols and publishes those that
// changed since the last poll, until the server closes.
func (s *Server) autoPublish(every time.Duration) {
	defer s.bg.Done()
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	last := map[string]market.Quote{}
	for {
		select {
		case <-s.stop:
			return
		case <-ticker.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), max(every, time.Second))
		s.pollQuotes(ctx, last)
		cancel()
	}
}

func (s *Server) pollQuotes(ctx context.Context, last map[string]market.Quote) {
	symbols := s.followedQuoteSymbols(ctx)
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

// followedQuoteSymbols is every symbol some connection follows on quotes; "*" stands for every
// active asset.
func (s *Server) followedQuoteSymbols(ctx context.Context) []string {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	set := map[string]bool{}
	wildcard := false
	for _, c := range conns {
		for _, sym := range c.subscriptionSet()[alpacawire.ChanQuotes] {
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
