package trading

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// Quotes keeps the newest quote of every symbol the engine has seen on the hub, and asks the
// provider for the ones it has not (a market order on a symbol no page is showing). It is how
// placement prices an order and how account values are marked.
type Quotes struct {
	provider market.Provider
	// maxAge is how old a cached quote may be before the provider is asked again.
	maxAge time.Duration
	now    func() time.Time

	mu     sync.RWMutex
	latest map[string]market.Quote
	closes map[string]prevClose
	// regular keeps each symbol's newest quote from the regular session, which is what cls orders
	// fill against after the close.
	regular map[string]market.Quote
	// opened is, per symbol, the open of the latest regular session whose first usable quote the
	// engine has seen.
	opened map[string]time.Time
	// asked is when the provider was last asked for a symbol, so a symbol whose quote stays old
	// (a quiet stock after hours) is not asked for again on every valuation.
	asked map[string]time.Time
}

// NewQuotes returns an empty cache in front of provider (nil: cached quotes only).
func NewQuotes(provider market.Provider, now func() time.Time) *Quotes {
	if now == nil {
		now = time.Now
	}
	return &Quotes{provider: provider, maxAge: 10 * time.Second, now: now, latest: map[string]market.Quote{}, closes: map[string]prevClose{}, regular: map[string]market.Quote{}, opened: map[string]time.Time{}, asked: map[string]time.Time{}}
}

// Observe records a quote from the feed.
func (q *Quotes) Observe(quote market.Quote) {
	q.mu.Lock()
	if old, ok := q.latest[quote.Symbol]; !ok || !quote.Time.Before(old.Time) {
		q.latest[quote.Symbol] = quote
	}
	q.mu.Unlock()
}

// ObserveRegular records a quote that arrived during the regular session.
func (q *Quotes) ObserveRegular(quote market.Quote) {
	q.Observe(quote)
	q.mu.Lock()
	if old, ok := q.regular[quote.Symbol]; !ok || !quote.Time.Before(old.Time) {
		q.regular[quote.Symbol] = quote
	}
	q.mu.Unlock()
}

// firstOfSession records that symbol has had its first usable quote of the regular session that
// opened at open, and reports whether this call was the first to say so. A restarted process
// starts with none, so it sees each symbol's next quote as the first again, which only repeats
// idempotent work.
func (q *Quotes) firstOfSession(symbol string, open time.Time) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.opened[symbol].Before(open) {
		return false
	}
	q.opened[symbol] = open
	return true
}

// lastRegular is the newest regular-session quote of a symbol.
func (q *Quotes) lastRegular(symbol string) (market.Quote, bool) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	c, ok := q.regular[symbol]
	return c, ok
}

// Latest returns the newest quote of each symbol that has one; symbols without a quote anywhere
// are absent. A cached quote younger than maxAge is used as it is; others are asked of the
// provider in one call, and the cache keeps whichever is newer.
func (q *Quotes) Latest(ctx context.Context, symbols []string) (map[string]market.Quote, error) {
	out := make(map[string]market.Quote, len(symbols))
	var missing []string
	now := q.now()
	q.mu.RLock()
	for _, s := range symbols {
		c, ok := q.latest[s]
		switch {
		case ok && (now.Sub(c.Time) < q.maxAge || now.Sub(q.asked[s]) < q.maxAge):
			out[s] = c // fresh, or as fresh as the provider had a moment ago
		default:
			missing = append(missing, s)
		}
	}
	q.mu.RUnlock()
	if len(missing) == 0 || q.provider == nil {
		q.fillFromCache(out, missing)
		return out, nil
	}
	q.mu.Lock()
	for _, s := range missing {
		q.asked[s] = now
	}
	q.mu.Unlock()
	fresh, err := q.provider.LatestQuotes(ctx, missing)
	if err != nil {
		// The cache may still hold something usable; the fill model refuses stale quotes itself.
		q.fillFromCache(out, missing)
		if len(out) == len(symbols) {
			return out, nil
		}
		return out, fmt.Errorf("trading: latest quotes: %w", err)
	}
	for _, s := range missing {
		if f, ok := fresh[s]; ok {
			q.Observe(f)
		}
	}
	q.fillFromCache(out, missing)
	return out, nil
}

func (q *Quotes) fillFromCache(out map[string]market.Quote, symbols []string) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	for _, s := range symbols {
		if c, ok := q.latest[s]; ok {
			out[s] = c
		}
	}
}

// Mark is the price a position is valued at: the quote's mid when it is two-sided, otherwise
// whichever side there is. Alpaca marks at the last trade; the mid is what the position could
// be traded at now, without the noise of odd-lot prints. Zero when there is no quote.
func Mark(q market.Quote) decimal.Decimal {
	switch {
	case q.BidPrice.IsPositive() && q.AskPrice.IsPositive():
		return q.Mid()
	case q.BidPrice.IsPositive():
		return q.BidPrice
	default:
		return q.AskPrice
	}
}

// latestCached is the cached quote of a symbol, without asking the provider.
func (q *Quotes) latestCached(symbol string) (market.Quote, bool) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	c, ok := q.latest[symbol]
	return c, ok
}
