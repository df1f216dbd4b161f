package alpacawire

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"alpacawrapper/market"
)

// DataSource is what the market-data REST API serves from: a market.Provider satisfies it.
type DataSource interface {
	BarSource
	TickSource
	LatestQuotes(ctx context.Context, symbols []string) (map[string]market.Quote, error)
	Snapshots(ctx context.Context, symbols []string) (map[string]market.Snapshot, error)
}

// DataAPIOptions configure a DataAPI.
type DataAPIOptions struct {
	Source DataSource
	// Now is the clock for default time ranges; nil means time.Now.
	Now func() time.Time
	// Stocks wraps every stock endpoint (Alpaca's key check, for one); nil leaves them open.
	// Crypto endpoints are never wrapped with it: Alpaca serves crypto data without keys, and the
	// JavaScript SDK sends none.
	Stocks func(http.HandlerFunc) http.HandlerFunc
	// Crypto wraps every crypto endpoint (the fake's injected latency); nil leaves them as they are.
	Crypto func(http.HandlerFunc) http.HandlerFunc
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
}

// DataAPI is Alpaca's market-data REST API over a DataSource: stock bars, trades and quotes
// (multi-symbol and single-symbol paths, paginated), latest bars, trades and quotes, snapshots,
// and their crypto equivalents under /v1beta3/crypto/us. The fake Alpaca server and the app's
// Alpaca-compatible API both serve it, so what one answers the other does.
type DataAPI struct {
	opts DataAPIOptions
	log  *slog.Logger
	mux  *http.ServeMux
}

// CryptoLocation is the one crypto location served: Alpaca US.
const CryptoLocation = "us"

// NewDataAPI builds the API.
func NewDataAPI(opts DataAPIOptions) *DataAPI {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	same := func(h http.HandlerFunc) http.HandlerFunc { return h }
	if opts.Stocks == nil {
		opts.Stocks = same
	}
	if opts.Crypto == nil {
		opts.Crypto = same
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &DataAPI{opts: opts, log: log, mux: http.NewServeMux()}
	a.routes()
	return a
}

func (a *DataAPI) routes() {
	stock, crypto := a.opts.Stocks, func(h http.HandlerFunc) http.HandlerFunc { return a.opts.Crypto(cryptoLoc(h)) }
	m := a.mux
	m.HandleFunc("GET /v2/stocks/bars", stock(a.stockBars))
	m.HandleFunc("GET /v2/stocks/{symbol}/bars", stock(a.stockBars))
	m.HandleFunc("GET /v2/stocks/trades", stock(a.stockTrades))
	m.HandleFunc("GET /v2/stocks/{symbol}/trades", stock(a.stockTrades))
	m.HandleFunc("GET /v2/stocks/quotes", stock(a.stockQuotes))
	m.HandleFunc("GET /v2/stocks/{symbol}/quotes", stock(a.stockQuotes))
	m.HandleFunc("GET /v2/stocks/bars/latest", stock(a.stockLatestBars))
	m.HandleFunc("GET /v2/stocks/{symbol}/bars/latest", stock(a.stockLatestBars))
	m.HandleFunc("GET /v2/stocks/trades/latest", stock(a.stockLatestTrades))
	m.HandleFunc("GET /v2/stocks/{symbol}/trades/latest", stock(a.stockLatestTrades))
	m.HandleFunc("GET /v2/stocks/quotes/latest", stock(a.stockLatestQuotes))
	m.HandleFunc("GET /v2/stocks/{symbol}/quotes/latest", stock(a.stockLatestQuotes))
	m.HandleFunc("GET /v2/stocks/snapshots", stock(a.stockSnapshots))
	m.HandleFunc("GET /v2/stocks/{symbol}/snapshot", stock(a.stockSnapshots))
	m.HandleFunc("GET /v1beta3/crypto/{loc}/bars", crypto(a.cryptoBars))
	m.HandleFunc("GET /v1beta3/crypto/{loc}/trades", crypto(a.cryptoTrades))
	m.HandleFunc("GET /v1beta3/crypto/{loc}/quotes", crypto(a.cryptoQuotes))
	m.HandleFunc("GET /v1beta3/crypto/{loc}/latest/bars", crypto(a.cryptoLatestBars))
	m.HandleFunc("GET /v1beta3/crypto/{loc}/latest/trades", crypto(a.cryptoLatestTrades))
	m.HandleFunc("GET /v1beta3/crypto/{loc}/latest/quotes", crypto(a.cryptoLatestQuotes))
	m.HandleFunc("GET /v1beta3/crypto/{loc}/snapshots", crypto(a.cryptoSnapshots))
	m.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		WriteError(w, http.StatusNotFound, ErrCodeNotFound, "endpoint not found")
	})
}

// ServeHTTP serves the API.
func (a *DataAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Handles reports whether the API has an endpoint for the method and path, so a server mounting
// it beside other routes can tell its requests apart.
func (a *DataAPI) Handles(r *http.Request) bool {
	_, pattern := a.mux.Handler(r)
	return pattern != "" && pattern != "/"
}

// cryptoLoc guards the crypto endpoints' location: only "us" exists here.
func cryptoLoc(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("loc") != CryptoLocation {
			WriteError(w, http.StatusNotFound, ErrCodeNotFound, "endpoint not found")
			return
		}
		h(w, r)
	}
}

// WriteJSON writes v as Alpaca's JSON answer.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError writes Alpaca's error body.
func WriteError(w http.ResponseWriter, status, code int, msg string) {
	WriteJSON(w, status, APIError{Code: code, Message: msg})
}

func (a *DataAPI) internalError(w http.ResponseWriter, what string, err error) {
	a.log.Error("market data: "+what, "err", err)
	WriteError(w, http.StatusInternalServerError, ErrCodeInternal, "internal server error")
}

// single is the symbol of a single-symbol path ("/v2/stocks/AAPL/bars"), or "".
func single(r *http.Request) string { return r.PathValue("symbol") }

// symbols reads the request's symbols: the path's one, or the comma-separated symbols parameter,
// keeping only those of the endpoint's class. An empty list is an error, as on Alpaca.
func symbols(w http.ResponseWriter, r *http.Request, class market.AssetClass) ([]string, bool) {
	raw := r.URL.Query().Get("symbols")
	if sym := single(r); sym != "" {
		raw = sym
	}
	var out []string
	seen := map[string]bool{}
	for _, sym := range strings.Split(raw, ",") {
		sym = strings.TrimSpace(sym)
		if sym == "" || seen[sym] {
			continue
		}
		seen[sym] = true
		if market.ClassOf(sym) == class {
			out = append(out, sym)
		}
	}
	if raw == "" {
		WriteError(w, http.StatusBadRequest, ErrCodeInvalidRequest, "missing symbols")
		return nil, false
	}
	return out, true
}

// stockFeed validates the optional feed parameter of the stock endpoints.
func stockFeed(w http.ResponseWriter, r *http.Request) bool {
	switch r.URL.Query().Get("feed") {
	case "", "iex", "sip", "otc", "boats", "delayed_sip", "overnight":
		return true
	}
	WriteError(w, http.StatusBadRequest, ErrCodeInvalidRequest, "invalid feed")
	return false
}

// bars reads and answers the bars request of one class, up to the page of bars and its token.
func (a *DataAPI) bars(w http.ResponseWriter, r *http.Request, class market.AssetClass) (map[string][]market.Bar, *string, bool) {
	syms, ok := symbols(w, r, class)
	if !ok {
		return nil, nil, false
	}
	q, apiErr := ParseBarsQuery(r.URL.Query(), syms, class, a.opts.Now())
	if apiErr != nil {
		WriteJSON(w, http.StatusBadRequest, apiErr)
		return nil, nil, false
	}
	page, next, err := BarsPage(r.Context(), a.opts.Source, q)
	if err != nil {
		a.internalError(w, "bars", err)
		return nil, nil, false
	}
	return page, next, true
}

// StockBarsSingleResponse is GET /v2/stocks/{symbol}/bars.
type StockBarsSingleResponse struct {
	Symbol        string  `json:"symbol"`
	Bars          []Bar   `json:"bars"`
	NextPageToken *string `json:"next_page_token"`
}

func (a *DataAPI) stockBars(w http.ResponseWriter, r *http.Request) {
	if !stockFeed(w, r) {
		return
	}
	page, next, ok := a.bars(w, r, market.USEquity)
	if !ok {
		return
	}
	if sym := single(r); sym != "" {
		resp := StockBarsSingleResponse{Symbol: sym, Bars: []Bar{}, NextPageToken: next}
		for _, b := range page[sym] {
			resp.Bars = append(resp.Bars, NewBar(b))
		}
		WriteJSON(w, http.StatusOK, resp)
		return
	}
	resp := BarsResponse{Bars: map[string][]Bar{}, NextPageToken: next}
	for sym, bars := range page {
		for _, b := range bars {
			resp.Bars[sym] = append(resp.Bars[sym], NewBar(b))
		}
	}
	WriteJSON(w, http.StatusOK, resp)
}

func (a *DataAPI) cryptoBars(w http.ResponseWriter, r *http.Request) {
	page, next, ok := a.bars(w, r, market.Crypto)
	if !ok {
		return
	}
	resp := CryptoBarsResponse{Bars: map[string][]CryptoBar{}, NextPageToken: next}
	for sym, bars := range page {
		for _, b := range bars {
			resp.Bars[sym] = append(resp.Bars[sym], NewCryptoBar(b))
		}
	}
	WriteJSON(w, http.StatusOK, resp)
}

// snapshots asks the source for the snapshots of the request's symbols of one class.
func (a *DataAPI) snapshots(w http.ResponseWriter, r *http.Request, class market.AssetClass) (map[string]market.Snapshot, bool) {
	syms, ok := symbols(w, r, class)
	if !ok {
		return nil, false
	}
	if len(syms) == 0 {
		return map[string]market.Snapshot{}, true
	}
	snaps, err := a.opts.Source.Snapshots(r.Context(), syms)
	if err != nil {
		a.internalError(w, "snapshots", err)
		return nil, false
	}
	return snaps, true
}

// latestQuotes asks the source for the latest quotes of the request's symbols of one class.
func (a *DataAPI) latestQuotes(w http.ResponseWriter, r *http.Request, class market.AssetClass) (map[string]market.Quote, bool) {
	syms, ok := symbols(w, r, class)
	if !ok {
		return nil, false
	}
	if len(syms) == 0 {
		return map[string]market.Quote{}, true
	}
	quotes, err := a.opts.Source.LatestQuotes(r.Context(), syms)
	if err != nil {
		a.internalError(w, "latest quotes", err)
		return nil, false
	}
	return quotes, true
}

// notFound answers a single-symbol request for a symbol the source does not know, as Alpaca
// does for an unknown symbol.
func notFound(w http.ResponseWriter, what string) {
	WriteError(w, http.StatusNotFound, ErrCodeNotFound, "no "+what+" found")
}

// collect converts, for each symbol, the item pick finds in what the source returned for it
// (nil when there is none, and then the symbol is left out), into its wire shape. The map is
// never nil, so an answer without items encodes as {} like Alpaca's.
func collect[S, V, W any](in map[string]S, pick func(*S) *V, conv func(V) W) map[string]W {
	out := make(map[string]W, len(in))
	for sym := range in {
		src := in[sym]
		if v := pick(&src); v != nil {
			out[sym] = conv(*v)
		}
	}
	return out
}

// The items the latest-data endpoints pick: the quote itself, or a snapshot's trade or minute bar.
func quoteOf(q *market.Quote) *market.Quote     { return q }
func tradeOf(sn *market.Snapshot) *market.Trade { return sn.LatestTrade }
func barOf(sn *market.Snapshot) *market.Bar     { return sn.MinuteBar }

// writeStockLatest answers a stock latest-data request: with a symbol in the path, that symbol's
// item in the single-symbol shape (or a 404 naming what is missing); otherwise every item found,
// keyed by symbol, in the many-symbol shape.
func writeStockLatest[W any](w http.ResponseWriter, r *http.Request, what string, items map[string]W, one func(string, W) any, all func(map[string]W) any) {
	sym := single(r)
	if sym == "" {
		WriteJSON(w, http.StatusOK, all(items))
		return
	}
	item, found := items[sym]
	if !found {
		notFound(w, what)
		return
	}
	WriteJSON(w, http.StatusOK, one(sym, item))
}

// StockLatestQuoteSingleResponse is GET /v2/stocks/{symbol}/quotes/latest.
type StockLatestQuoteSingleResponse struct {
	Symbol string `json:"symbol"`
	Quote  Quote  `json:"quote"`
}

func (a *DataAPI) stockLatestQuotes(w http.ResponseWriter, r *http.Request) {
	if !stockFeed(w, r) {
		return
	}
	quotes, ok := a.latestQuotes(w, r, market.USEquity)
	if !ok {
		return
	}
	writeStockLatest(w, r, "quote", collect(quotes, quoteOf, NewQuote),
		func(sym string, q Quote) any { return StockLatestQuoteSingleResponse{Symbol: sym, Quote: q} },
		func(m map[string]Quote) any { return LatestQuotesResponse{Quotes: m} })
}

// StockLatestTradeSingleResponse is GET /v2/stocks/{symbol}/trades/latest.
type StockLatestTradeSingleResponse struct {
	Symbol string `json:"symbol"`
	Trade  Trade  `json:"trade"`
}

func (a *DataAPI) stockLatestTrades(w http.ResponseWriter, r *http.Request) {
	if !stockFeed(w, r) {
		return
	}
	snaps, ok := a.snapshots(w, r, market.USEquity)
	if !ok {
		return
	}
	writeStockLatest(w, r, "trade", collect(snaps, tradeOf, NewTrade),
		func(sym string, t Trade) any { return StockLatestTradeSingleResponse{Symbol: sym, Trade: t} },
		func(m map[string]Trade) any { return LatestTradesResponse{Trades: m} })
}

// StockLatestBarSingleResponse is GET /v2/stocks/{symbol}/bars/latest.
type StockLatestBarSingleResponse struct {
	Symbol string `json:"symbol"`
	Bar    Bar    `json:"bar"`
}

func (a *DataAPI) stockLatestBars(w http.ResponseWriter, r *http.Request) {
	if !stockFeed(w, r) {
		return
	}
	snaps, ok := a.snapshots(w, r, market.USEquity)
	if !ok {
		return
	}
	writeStockLatest(w, r, "bar", collect(snaps, barOf, NewBar),
		func(sym string, b Bar) any { return StockLatestBarSingleResponse{Symbol: sym, Bar: b} },
		func(m map[string]Bar) any { return LatestBarsResponse{Bars: m} })
}

// StockSnapshotSingleResponse is GET /v2/stocks/{symbol}/snapshot: the snapshot with its symbol.
type StockSnapshotSingleResponse struct {
	Symbol string `json:"symbol"`
	Snapshot
}

func (a *DataAPI) stockSnapshots(w http.ResponseWriter, r *http.Request) {
	if !stockFeed(w, r) {
		return
	}
	snaps, ok := a.snapshots(w, r, market.USEquity)
	if !ok {
		return
	}
	if sym := single(r); sym != "" {
		sn, found := snaps[sym]
		if !found {
			notFound(w, "snapshot")
			return
		}
		WriteJSON(w, http.StatusOK, StockSnapshotSingleResponse{Symbol: sym, Snapshot: NewSnapshot(sn)})
		return
	}
	resp := SnapshotsResponse{}
	for sym, sn := range snaps {
		resp[sym] = NewSnapshot(sn)
	}
	WriteJSON(w, http.StatusOK, resp)
}

func (a *DataAPI) cryptoLatestQuotes(w http.ResponseWriter, r *http.Request) {
	quotes, ok := a.latestQuotes(w, r, market.Crypto)
	if !ok {
		return
	}
	WriteJSON(w, http.StatusOK, LatestCryptoQuotesResponse{Quotes: collect(quotes, quoteOf, NewCryptoQuote)})
}

func (a *DataAPI) cryptoLatestTrades(w http.ResponseWriter, r *http.Request) {
	snaps, ok := a.snapshots(w, r, market.Crypto)
	if !ok {
		return
	}
	WriteJSON(w, http.StatusOK, LatestCryptoTradesResponse{Trades: collect(snaps, tradeOf, NewCryptoTrade)})
}

func (a *DataAPI) cryptoLatestBars(w http.ResponseWriter, r *http.Request) {
	snaps, ok := a.snapshots(w, r, market.Crypto)
	if !ok {
		return
	}
	WriteJSON(w, http.StatusOK, LatestCryptoBarsResponse{Bars: collect(snaps, barOf, NewCryptoBar)})
}

func (a *DataAPI) cryptoSnapshots(w http.ResponseWriter, r *http.Request) {
	snaps, ok := a.snapshots(w, r, market.Crypto)
	if !ok {
		return
	}
	resp := CryptoSnapshotsResponse{Snapshots: map[string]CryptoSnapshot{}}
	for sym, sn := range snaps {
		resp.Snapshots[sym] = NewCryptoSnapshot(sn)
	}
	WriteJSON(w, http.StatusOK, resp)
}
