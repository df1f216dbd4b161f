package app

import (
	"sync"
	"time"

	"alpacawrapper/models"
	"alpacawrapper/views"
)

// Public pages serve many visitors the same thing: every guest's landing page and /markets show
// the default watchlist with the same prices, and a search for "ap" has the same results and
// facets for everyone. Rendering those from the database on every request was most of their
// cost (four queries for a search, three for a watchlist), so they are kept for a short time,
// and only what varies per request (the header, the CSRF token) is rendered each time.
const (
	// guestPageTTL is how long a guest dashboard is reused: its prices are a starting point that
	// /ws/quotes moves on at once, so a couple of seconds is invisible.
	guestPageTTL = 2 * time.Second
	// searchTTL is how long a catalogue search (results and facet counts, not prices) is reused:
	// the catalogue changes about once a day.
	searchTTL = 30 * time.Second
	// pageCacheMax bounds the entries of one cache: searches are typed by anyone, so their keys
	// are unbounded; when full the cache starts over.
	pageCacheMax = 2048
	// badgeTTL is how long the header badges are reused: they show a session and the feed's
	// health, which change over minutes, and /ws/quotes refreshes them every 30 s anyway.
	badgeTTL = time.Second
)

// pageCaches are the server's short-lived caches of public page data.
type pageCaches struct {
	markets *shortCache[views.MarketsDashboard] // guests' /markets, by ?list
	landing *shortCache[string]                 // the guests' landing page below the header, rendered
	search  *shortCache[models.AssetSearchPage] // catalogue searches, by query
	suggest *shortCache[[]models.Asset]         // the autocomplete's first assets, by typed text
	badges  *shortCache[headerBadgeViews]       // the header's market and feed badges
}

// headerBadgeViews are the two badges of every page's header.
type headerBadgeViews struct {
	market *views.MarketStatusView
	feed   *views.FeedStatusView
}

func newPageCaches() *pageCaches {
	return &pageCaches{
		markets: newShortCache[views.MarketsDashboard](guestPageTTL, 64),
		landing: newShortCache[string](guestPageTTL, 1),
		search:  newShortCache[models.AssetSearchPage](searchTTL, pageCacheMax),
		suggest: newShortCache[[]models.Asset](searchTTL, pageCacheMax),
		badges:  newShortCache[headerBadgeViews](badgeTTL, 1),
	}
}

// shortCache keeps values for ttl, at most max of them. Failures are not kept. Concurrent misses
// of one key may each load it: the loads are idempotent reads, and the window is short.
type shortCache[V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]shortEntry[V]
}

type shortEntry[V any] struct {
	v       V
	expires time.Time
}

func newShortCache[V any](ttl time.Duration, max int) *shortCache[V] {
	return &shortCache[V]{ttl: ttl, max: max, now: time.Now, entries: map[string]shortEntry[V]{}}
}

// get returns key's value, loading it when absent or expired.
func (c *shortCache[V]) get(key string, load func() (V, error)) (V, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[key] = shortEntry[V]{v: v, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}
