package alpacafake

import (
	"net/http"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacawire"
)

// handleStockBars is GET /v2/stocks/bars: multi-symbol, paginated with next_page_token.
func (s *Server) handleStockBars(w http.ResponseWriter, r *http.Request) {
	if !stockFeedParam(w, r) {
		return
	}
	q, ok := s.parseBarsQuery(w, r, market.USEquity)
	if !ok {
		return
	}
	page, next, err := s.barsPage(r.Context(), q)
	if err != nil {
		s.internalError(w, "bars", err)
		return
	}
	resp := alpacawire.BarsResponse{Bars: map[string][]alpacawire.Bar{}, NextPageToken: next}
	for sym, bars := range page {
		for _, b := range bars {
			resp.Bars[sym] = append(resp.Bars[sym], alpacawire.NewBar(b))
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleCryptoBars is GET /v1beta3/crypto/us/bars.
func (s *Server) handleCryptoBars(w http.ResponseWriter, r *http.Request) {
	q, ok := s.parseBarsQuery(w, r, market.Crypto)
	if !ok {
		return
	}
	page, next, err := s.barsPage(r.Context(), q)
	if err != nil {
		s.internalError(w, "bars", err)
		return
	}
	resp := alpacawire.CryptoBarsResponse{Bars: map[string][]alpacawire.CryptoBar{}, NextPageToken: next}
	for sym, bars := range page {
		for _, b := range bars {
			resp.Bars[sym] = append(resp.Bars[sym], alpacawire.NewCryptoBar(b))
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// snapshots asks the provider for the snapshots of the request's symbols of one class.
func (s *Server) snapshots(w http.ResponseWriter, r *http.Request, class market.AssetClass) (map[string]market.Snapshot, bool) {
	syms, ok := symbolsParam(w, r, class)
	if !ok {
		return nil, false
	}
	if len(syms) == 0 {
		return map[string]market.Snapshot{}, true
	}
	snaps, err := s.opts.Data.Snapshots(r.Context(), syms)
	if err != nil {
		s.internalError(w, "snapshots", err)
		return nil, false
	}
	return snaps, true
}

// latestQuotes asks the provider for the latest quotes of the request's symbols of one class.
func (s *Server) latestQuotes(w http.ResponseWriter, r *http.Request, class market.AssetClass) (map[string]market.Quote, bool) {
	syms, ok := symbolsParam(w, r, class)
	if !ok {
		return nil, false
	}
	if len(syms) == 0 {
		return map[string]market.Quote{}, true
	}
	quotes, err := s.opts.Data.LatestQuotes(r.Context(), syms)
	if err != nil {
		s.internalError(w, "latest quotes", err)
		return nil, false
	}
	return quotes, true
}

// handleStockLatestQuotes is GET /v2/stocks/quotes/latest. Unknown symbols are absent.
func (s *Server) handleStockLatestQuotes(w http.ResponseWriter, r *http.Request) {
	if !stockFeedParam(w, r) {
		return
	}
	quotes, ok := s.latestQuotes(w, r, market.USEquity)
	if !ok {
		return
	}
	resp := alpacawire.LatestQuotesResponse{Quotes: map[string]alpacawire.Quote{}}
	for sym, q := range quotes {
		resp.Quotes[sym] = alpacawire.NewQuote(q)
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleStockLatestTrades is GET /v2/stocks/trades/latest, from the snapshots' latest trades.
func (s *Server) handleStockLatestTrades(w http.ResponseWriter, r *http.Request) {
	if !stockFeedParam(w, r) {
		return
	}
	snaps, ok := s.snapshots(w, r, market.USEquity)
	if !ok {
		return
	}
	resp := alpacawire.LatestTradesResponse{Trades: map[string]alpacawire.Trade{}}
	for sym, sn := range snaps {
		if sn.LatestTrade != nil {
			resp.Trades[sym] = alpacawire.NewTrade(*sn.LatestTrade)
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleStockLatestBars is GET /v2/stocks/bars/latest, from the snapshots' minute bars.
func (s *Server) handleStockLatestBars(w http.ResponseWriter, r *http.Request) {
	if !stockFeedParam(w, r) {
		return
	}
	snaps, ok := s.snapshots(w, r, market.USEquity)
	if !ok {
		return
	}
	resp := alpacawire.LatestBarsResponse{Bars: map[string]alpacawire.Bar{}}
	for sym, sn := range snaps {
		if sn.MinuteBar != nil {
			resp.Bars[sym] = alpacawire.NewBar(*sn.MinuteBar)
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleStockSnapshots is GET /v2/stocks/snapshots: a top-level map, not wrapped.
func (s *Server) handleStockSnapshots(w http.ResponseWriter, r *http.Request) {
	if !stockFeedParam(w, r) {
		return
	}
	snaps, ok := s.snapshots(w, r, market.USEquity)
	if !ok {
		return
	}
	resp := alpacawire.SnapshotsResponse{}
	for sym, sn := range snaps {
		resp[sym] = alpacawire.NewSnapshot(sn)
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleCryptoLatestQuotes is GET /v1beta3/crypto/us/latest/quotes.
func (s *Server) handleCryptoLatestQuotes(w http.ResponseWriter, r *http.Request) {
	quotes, ok := s.latestQuotes(w, r, market.Crypto)
	if !ok {
		return
	}
	resp := alpacawire.LatestCryptoQuotesResponse{Quotes: map[string]alpacawire.CryptoQuote{}}
	for sym, q := range quotes {
		resp.Quotes[sym] = alpacawire.NewCryptoQuote(q)
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleCryptoLatestTrades is GET /v1beta3/crypto/us/latest/trades.
func (s *Server) handleCryptoLatestTrades(w http.ResponseWriter, r *http.Request) {
	snaps, ok := s.snapshots(w, r, market.Crypto)
	if !ok {
		return
	}
	resp := alpacawire.LatestCryptoTradesResponse{Trades: map[string]alpacawire.CryptoTrade{}}
	for sym, sn := range snaps {
		if sn.LatestTrade != nil {
			resp.Trades[sym] = alpacawire.NewCryptoTrade(*sn.LatestTrade)
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleCryptoLatestBars is GET /v1beta3/crypto/us/latest/bars.
func (s *Server) handleCryptoLatestBars(w http.ResponseWriter, r *http.Request) {
	snaps, ok := s.snapshots(w, r, market.Crypto)
	if !ok {
		return
	}
	resp := alpacawire.LatestCryptoBarsResponse{Bars: map[string]alpacawire.CryptoBar{}}
	for sym, sn := range snaps {
		if sn.MinuteBar != nil {
			resp.Bars[sym] = alpacawire.NewCryptoBar(*sn.MinuteBar)
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleCryptoSnapshots is GET /v1beta3/crypto/us/snapshots: wrapped in "snapshots".
func (s *Server) handleCryptoSnapshots(w http.ResponseWriter, r *http.Request) {
	snaps, ok := s.snapshots(w, r, market.Crypto)
	if !ok {
		return
	}
	resp := alpacawire.CryptoSnapshotsResponse{Snapshots: map[string]alpacawire.CryptoSnapshot{}}
	for sym, sn := range snaps {
		resp.Snapshots[sym] = alpacawire.NewCryptoSnapshot(sn)
	}
	writeJSON(w, http.StatusOK, resp)
}
