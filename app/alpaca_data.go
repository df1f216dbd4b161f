package app

import (
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"alpacawrapper/live"
	"alpacawrapper/market/alpacawire"
)

// Alpaca's market-data API for bots (issue 12, item 3): the REST endpoints the data SDKs call and
// the real-time streams, served from this app's provider and hub (the test stream, /v2/test, from
// a market of its own). The REST implementation is
// alpacawire.DataAPI, the one the fake Alpaca server serves too; the streams are live sessions
// speaking alpacawire's protocol (alpaca_data_stream.go).

// Stream limits of the Alpaca-compatible data streams.
const (
	// alpacaStreamsPerKey is how many data streams one API key may hold at once, stock and crypto
	// together. Alpaca allows one, which bites a bot that runs a stock and a crypto stream, or
	// reconnects before the server has seen its old socket go, or runs a second process to watch.
	// Here a session costs two goroutines and a few numbers per symbol (the live feed is shared),
	// so eight is cheap and covers those cases, while a bot that leaks connections still stops
	// at a bound (406 "connection limit exceeded", as Alpaca answers).
	alpacaStreamsPerKey = 8
	// alpacaStreamSymbols is how many symbols one stream may follow, on every channel together
	// (each is followed upstream, bars included): Alpaca's free plan allows 30 for trades and
	// quotes. Beyond it a subscribe is answered 405 "symbol limit exceeded" and changes nothing.
	alpacaStreamSymbols = 200
	// alpacaStreamFlushes is how many data frames a second a stream gets. Quotes and trades are
	// coalesced to the newest of each symbol between two frames (live/feed.go); a bot that needs
	// every print needs another feed.
	alpacaStreamFlushes = 10
	// alpacaStreamMaxMessage bounds a client message: a subscribe naming 200 symbols on every
	// channel fits.
	alpacaStreamMaxMessage = 64 << 10
)

// alpacaData is the state the Alpaca-compatible data API shares: the REST handler, the stream
// sessions' manager and how many streams each key holds.
type alpacaData struct {
	rest    fiber.Handler
	manager *live.Manager
	stream  fiber.Handler
	test    *alpacaTestFeed // /v2/test (alpaca_data_testfeed.go)

	mu    sync.Mutex
	byKey map[string]int
}

// newAlpacaData builds it; nil when the server has no market (some tests).
func newAlpacaData(s *Server) *alpacaData {
	if s.market == nil {
		return nil
	}
	api := alpacawire.NewDataAPI(alpacawire.DataAPIOptions{Source: s.market.Provider, Logger: s.log})
	opts := live.Options{UpdatesPerSecond: alpacaStreamFlushes, MaxSymbols: alpacaStreamSymbols, MaxMessage: alpacaStreamMaxMessage}
	d := &alpacaData{
		rest:    adaptor.HTTPHandler(api),
		manager: live.NewManager(s.market.Hub, opts),
		test:    newAlpacaTestFeed(s.cfg.Sim.Seed, opts),
		byKey:   map[string]int{},
	}
	d.stream = s.alpacaStreamUpgrader()
	return d
}

// acquire takes one of key's stream slots; false when it holds them all.
func (d *alpacaData) acquire(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byKey[key] >= alpacaStreamsPerKey {
		return false
	}
	d.byKey[key]++
	return true
}

// release gives one of key's slots back.
func (d *alpacaData) release(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byKey[key]--; d.byKey[key] <= 0 {
		delete(d.byKey, key)
	}
}

// alpacaStockFeeds are the stock streams served under /v2: every feed name the SDKs use. They all
// carry the same data, this app's market.
func alpacaStockFeeds() []string {
	return []string{"iex", "sip", "delayed_sip", "boats", "overnight", "otc"}
}

// alpacaDataRoutes mounts the API: the streams first (their paths are exact), then the REST
// endpoints. Stock data needs an API key, crypto data does not, as on Alpaca.
func (s *Server) alpacaDataRoutes(r fiber.Router) {
	for _, feed := range alpacaStockFeeds() {
		r.Get("/v2/"+feed, s.alpacaStream)
	}
	r.Get(alpacaTestFeedPath, s.alpacaStream)
	r.Get("/v1beta3/crypto/us", s.alpacaStream)
	// The trading API's key check and rate limit, and its errors as Alpaca words them.
	r.Get("/v2/stocks/*", s.alpacaErrors, s.alpacaAuth, s.alpacaDataREST)
	r.Get("/v1beta3/crypto/*", s.alpacaDataREST)
}

// alpacaDataREST serves a REST request with alpacawire.DataAPI.
func (s *Server) alpacaDataREST(c *fiber.Ctx) error {
	if s.alpacaData == nil {
		return fiber.ErrServiceUnavailable
	}
	return s.alpacaData.rest(c)
}
