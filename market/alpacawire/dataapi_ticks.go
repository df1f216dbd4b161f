package alpacawire

import (
	"net/http"

	"alpacawrapper/market"
)

// The historical trades and quotes endpoints: stocks at /v2/stocks/{trades,quotes} (and the
// single-symbol /v2/stocks/{symbol}/{trades,quotes}), crypto at /v1beta3/crypto/us/{trades,quotes},
// paginated like the bars.

// rangeQuery reads the request's symbols and range; false when the request was refused.
func (a *DataAPI) rangeQuery(w http.ResponseWriter, r *http.Request, class market.AssetClass) (RangeQuery, bool) {
	syms, ok := symbols(w, r, class)
	if !ok {
		return RangeQuery{}, false
	}
	q, apiErr := ParseRangeQuery(r.URL.Query(), syms, class, a.opts.Now())
	if apiErr != nil {
		WriteJSON(w, http.StatusBadRequest, apiErr)
		return RangeQuery{}, false
	}
	return q, true
}

// TradesResponse is GET /v2/stocks/trades. NextPageToken is null on the last page.
type TradesResponse struct {
	Trades        map[string][]Trade `json:"trades"`
	NextPageToken *string            `json:"next_page_token"`
}

// StockTradesSingleResponse is GET /v2/stocks/{symbol}/trades.
type StockTradesSingleResponse struct {
	Symbol        string  `json:"symbol"`
	Trades        []Trade `json:"trades"`
	NextPageToken *string `json:"next_page_token"`
}

// QuotesResponse is GET /v2/stocks/quotes.
type QuotesResponse struct {
	Quotes        map[string][]Quote `json:"quotes"`
	NextPageToken *string            `json:"next_page_token"`
}

// StockQuotesSingleResponse is GET /v2/stocks/{symbol}/quotes.
type StockQuotesSingleResponse struct {
	Symbol        string  `json:"symbol"`
	Quotes        []Quote `json:"quotes"`
	NextPageToken *string `json:"next_page_token"`
}

// CryptoTradesResponse is GET /v1beta3/crypto/{loc}/trades.
type CryptoTradesResponse struct {
	Trades        map[string][]CryptoTrade `json:"trades"`
	NextPageToken *string                  `json:"next_page_token"`
}

// CryptoQuotesResponse is GET /v1beta3/crypto/{loc}/quotes.
type CryptoQuotesResponse struct {
	Quotes        map[string][]CryptoQuote `json:"quotes"`
	NextPageToken *string                  `json:"next_page_token"`
}

// convertAll converts every symbol's items to their wire shape; the map is never nil, so an
// answer without items encodes as {} like Alpaca's.
func convertAll[V, W any](in map[string][]V, conv func(V) W) map[string][]W {
	out := make(map[string][]W, len(in))
	for sym, vs := range in {
		ws := make([]W, len(vs))
		for i, v := range vs {
			ws[i] = conv(v)
		}
		out[sym] = ws
	}
	return out
}

// orEmpty is s, or an empty list where s is nil: a single-symbol answer has a list, never null.
func orEmpty[W any](s []W) []W {
	if s == nil {
		return []W{}
	}
	return s
}

func (a *DataAPI) stockTrades(w http.ResponseWriter, r *http.Request) {
	if !stockFeed(w, r) {
		return
	}
	q, ok := a.rangeQuery(w, r, market.USEquity)
	if !ok {
		return
	}
	page, next, err := TradesPage(r.Context(), a.opts.Source, q)
	if err != nil {
		a.internalError(w, "trades", err)
		return
	}
	trades := convertAll(page, NewTrade)
	if sym := single(r); sym != "" {
		WriteJSON(w, http.StatusOK, StockTradesSingleResponse{Symbol: sym, Trades: orEmpty(trades[sym]), NextPageToken: next})
		return
	}
	WriteJSON(w, http.StatusOK, TradesResponse{Trades: trades, NextPageToken: next})
}

func (a *DataAPI) stockQuotes(w http.ResponseWriter, r *http.Request) {
	if !stockFeed(w, r) {
		return
	}
	q, ok := a.rangeQuery(w, r, market.USEquity)
	if !ok {
		return
	}
	page, next, err := QuotesPage(r.Context(), a.opts.Source, q)
	if err != nil {
		a.internalError(w, "quotes", err)
		return
	}
	quotes := convertAll(page, NewQuote)
	if sym := single(r); sym != "" {
		WriteJSON(w, http.StatusOK, StockQuotesSingleResponse{Symbol: sym, Quotes: orEmpty(quotes[sym]), NextPageToken: next})
		return
	}
	WriteJSON(w, http.StatusOK, QuotesResponse{Quotes: quotes, NextPageToken: next})
}

func (a *DataAPI) cryptoTrades(w http.ResponseWriter, r *http.Request) {
	q, ok := a.rangeQuery(w, r, market.Crypto)
	if !ok {
		return
	}
	page, next, err := TradesPage(r.Context(), a.opts.Source, q)
	if err != nil {
		a.internalError(w, "crypto trades", err)
		return
	}
	WriteJSON(w, http.StatusOK, CryptoTradesResponse{Trades: convertAll(page, NewCryptoTrade), NextPageToken: next})
}

func (a *DataAPI) cryptoQuotes(w http.ResponseWriter, r *http.Request) {
	q, ok := a.rangeQuery(w, r, market.Crypto)
	if !ok {
		return
	}
	page, next, err := QuotesPage(r.Context(), a.opts.Source, q)
	if err != nil {
		a.internalError(w, "crypto quotes", err)
		return
	}
	WriteJSON(w, http.StatusOK, CryptoQuotesResponse{Quotes: convertAll(page, NewCryptoQuote), NextPageToken: next})
}
