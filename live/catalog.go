package live

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// CatalogEntry is what the live endpoints need to know of one asset of the catalogue.
type CatalogEntry struct {
	Symbol string // as stored: "AAPL", "BTC/USD"
	Class  market.AssetClass
	// PriceIncrement is a crypto pair's tick size; zero for stocks.
	PriceIncrement decimal.Decimal
}

// CatalogLoader lists the active assets of the catalogue.
type CatalogLoader func(ctx context.Context) ([]CatalogEntry, error)

// Catalog is an in-memory copy of the active assets, shared by every connection, so that
// checking the symbols of a subscribe never waits on the database: a burst of thousands of
// connections subscribing at once would otherwise queue on the connection pool and time out.
// The catalogue changes about once a day, so the copy is reloaded when older than its TTL, in
// the background while the old copy keeps answering. It is safe for concurrent use.
type Catalog struct {
	load CatalogLoader
	ttl  time.Duration
	now  func() time.Time

	mu       sync.Mutex
	byUpper  map[string]CatalogEntry // keyed by upper-case symbol
	byPair   map[string]string       // crypto pairs without their slash: "BTCUSD" -> "BTC/USD"
	loadedAt time.Time
	loading  chan struct{} // closed when the load under way ends; nil when none
}

// catalogLoadTimeout bounds one reload of the catalogue.
const catalogLoadTimeout = 30 * time.Second

// NewCatalog returns a catalogue that loads with load and reloads when older than ttl. now is
// the clock (time.Now when nil).
func NewCatalog(load CatalogLoader, ttl time.Duration, now func() time.Time) *Catalog {
	if now == nil {
		now = time.Now
	}
	return &Catalog{load: load, ttl: ttl, now: now}
}

// Lookup finds symbols (any case; crypto pairs with or without their slash) and returns the
// entries found, keyed by the symbol as given, and whether the catalogue could answer at all: on
// false (never loaded, and loading failed or ctx ended first) the caller should ask the database.
// A symbol absent from a loaded catalogue is absent from the map; it may be inactive or newer
// than the copy, which only the database can tell.
func (c *Catalog) Lookup(ctx context.Context, symbols []string) (map[string]CatalogEntry, bool) {
	if !c.ready(ctx) {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]CatalogEntry, len(symbols))
	for _, sym := range symbols {
		upper := strings.ToUpper(strings.TrimSpace(sym))
		e, ok := c.byUpper[upper]
		if !ok {
			if pair, isPair := c.byPair[upper]; isPair {
				e, ok = c.byUpper[strings.ToUpper(pair)]
			}
		}
		if ok {
			out[sym] = e
		}
	}
	return out, true
}

// ready makes sure a copy is loaded, waiting for the first load only; a stale copy starts a
// reload in the background and answers meanwhile.
func (c *Catalog) ready(ctx context.Context) bool {
	c.mu.Lock()
	loaded := c.byUpper != nil
	stale := !loaded || c.now().Sub(c.loadedAt) >= c.ttl
	wait := c.loading
	if stale && wait == nil {
		wait = make(chan struct{})
		c.loading = wait
		go c.reload(wait)
	}
	c.mu.Unlock()
	if loaded {
		return true
	}
	select {
	case <-wait:
	case <-ctx.Done():
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byUpper != nil
}

// reload loads the catalogue and swaps it in. A failure keeps the old copy (if any) and lets
// the next lookup try again.
func (c *Catalog) reload(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), catalogLoadTimeout)
	defer cancel()
	entries, err := c.load(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	defer close(done)
	c.loading = nil
	if err != nil {
		return
	}
	byUpper := make(map[string]CatalogEntry, len(entries))
	byPair := make(map[string]string)
	for _, e := range entries {
		upper := strings.ToUpper(e.Symbol)
		byUpper[upper] = e
		if e.Class == market.Crypto && strings.Contains(upper, "/") {
			bare := strings.ReplaceAll(upper, "/", "")
			// Several pairs could collapse to one bare form; the first in symbol order wins, as
			// the database lookup orders by symbol.
			if prev, ok := byPair[bare]; !ok || e.Symbol < prev {
				byPair[bare] = e.Symbol
			}
		}
	}
	c.byUpper, c.byPair, c.loadedAt = byUpper, byPair, c.now()
}

// Entry returns the entry of a stored symbol, if the loaded copy has it. It never waits.
func (c *Catalog) Entry(symbol string) (CatalogEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byUpper[strings.ToUpper(symbol)]
	return e, ok
}
