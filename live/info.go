package live

import (
	"context"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// SymbolInfo is the slow-changing reference data a quote widget needs beside the live numbers.
type SymbolInfo struct {
	// PrevClose is the previous session's close, the base of the day's change; zero when unknown.
	PrevClose decimal.Decimal
	// PriceIncrement is the tick size of a crypto pair, used to format its prices; zero for stocks.
	PriceIncrement decimal.Decimal
}

// InfoLoader fetches the info of symbols in one call (a provider snapshot request and a catalogue
// lookup). Symbols it knows nothing about may be left out.
type InfoLoader func(ctx context.Context, symbols []string) (map[string]SymbolInfo, error)

// InfoCache keeps SymbolInfo per symbol for a while, so thousands of connections opening on the
// same watchlist cost one upstream request per symbol per TTL instead of one each. It is safe for
// concurrent use.
type InfoCache struct {
	load InfoLoader
	ttl  time.Duration
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]infoEntry
}

type infoEntry struct {
	info    SymbolInfo
	expires time.Time
}

// NewInfoCache returns a cache that asks load for what it lacks and keeps answers for ttl.
// now is the clock (time.Now when nil).
func NewInfoCache(load InfoLoader, ttl time.Duration, now func() time.Time) *InfoCache {
	if now == nil {
		now = time.Now
	}
	return &InfoCache{load: load, ttl: ttl, now: now, entries: make(map[string]infoEntry)}
}

// Get returns the info of every symbol it could find. Symbols the loader does not know are
// remembered as unknown for the TTL too, so a bad symbol cannot make every connection ask again;
// a failed load is not remembered, and the symbols it concerned are simply absent this time.
func (c *InfoCache) Get(ctx context.Context, symbols []string) map[string]SymbolInfo {
	out := make(map[string]SymbolInfo, len(symbols))
	now := c.now()
	var missing []string
	c.mu.Lock()
	for _, sym := range symbols {
		if e, ok := c.entries[sym]; ok && now.Before(e.expires) {
			out[sym] = e.info
		} else {
			missing = append(missing, sym)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out
	}
	got, err := c.load(ctx, missing)
	if err != nil {
		return out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sym := range missing {
		info := got[sym]
		c.entries[sym] = infoEntry{info: info, expires: now.Add(c.ttl)}
		out[sym] = info
	}
	// Entries are tiny, but symbols come and go: sweep the expired ones now and then.
	if len(c.entries) > 4096 {
		for sym, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, sym)
			}
		}
	}
	return out
}
