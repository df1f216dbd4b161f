package alpacafake

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacawire"
)

// routes is the whole API. Trading and market-data endpoints share one server, as the base URLs
// of both SDK clients point here.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// Trading API.
	mux.HandleFunc("GET /v2/assets", s.rest(s.handleAssets))
	mux.HandleFunc("GET /v2/assets/{symbol...}", s.rest(s.handleAsset))
	mux.HandleFunc("GET /v2/clock", s.rest(s.handleClock))
	mux.HandleFunc("GET /v2/calendar", s.rest(s.handleCalendar))
	// Market data, stocks.
	mux.HandleFunc("GET /v2/stocks/bars", s.rest(s.handleStockBars))
	mux.HandleFunc("GET /v2/stocks/bars/latest", s.rest(s.handleStockLatestBars))
	mux.HandleFunc("GET /v2/stocks/trades/latest", s.rest(s.handleStockLatestTrades))
	mux.HandleFunc("GET /v2/stocks/quotes/latest", s.rest(s.handleStockLatestQuotes))
	mux.HandleFunc("GET /v2/stocks/snapshots", s.rest(s.handleStockSnapshots))
	// Market data, crypto.
	mux.HandleFunc("GET /v1beta3/crypto/{loc}/bars", s.rest(s.crypto(s.handleCryptoBars)))
	mux.HandleFunc("GET /v1beta3/crypto/{loc}/latest/bars", s.rest(s.crypto(s.handleCryptoLatestBars)))
	mux.HandleFunc("GET /v1beta3/crypto/{loc}/latest/trades", s.rest(s.crypto(s.handleCryptoLatestTrades)))
	mux.HandleFunc("GET /v1beta3/crypto/{loc}/latest/quotes", s.rest(s.crypto(s.handleCryptoLatestQuotes)))
	mux.HandleFunc("GET /v1beta3/crypto/{loc}/snapshots", s.rest(s.crypto(s.handleCryptoSnapshots)))
	// Streams: credentials come in the auth message, not in headers.
	mux.HandleFunc("GET /v2/{feed}", s.handleStockStream)
	mux.HandleFunc("GET /v1beta3/crypto/{loc}", s.handleCryptoStream)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, alpacawire.ErrCodeNotFound, "endpoint not found")
	})
	return s.count(mux)
}

// count records each request by path, for tests that check how many pages a client fetched.
func (s *Server) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		s.mu.Unlock()
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery)
		next.ServeHTTP(w, r)
	})
}

// rest wraps a REST endpoint: the injected latency first, then Alpaca's header authentication.
func (s *Server) rest(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		delay := s.latency
		s.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		key, secret := r.Header.Get("APCA-API-KEY-ID"), r.Header.Get("APCA-API-SECRET-KEY")
		if key == "" || secret == "" || key != s.opts.KeyID || secret != s.opts.SecretKey {
			// Alpaca answers missing and wrong credentials alike.
			writeError(w, http.StatusUnauthorized, alpacawire.ErrCodeUnauthorized, "request is not authorized")
			return
		}
		h(w, r)
	}
}

// crypto guards the crypto endpoints' location: only "us" exists here.
func (s *Server) crypto(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("loc") != cryptoLocation {
			writeError(w, http.StatusNotFound, alpacawire.ErrCodeNotFound, "endpoint not found")
			return
		}
		h(w, r)
	}
}

// cryptoLocation is the one crypto feed served: Alpaca US.
const cryptoLocation = "us"

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, alpacawire.APIError{Code: code, Message: msg})
}

func (s *Server) internalError(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "err", err)
	writeError(w, http.StatusInternalServerError, alpacawire.ErrCodeInternal, "internal server error")
}

// symbolsParam reads the comma-separated symbols, keeping only those of the endpoint's class. An
// empty list is an error, as on Alpaca.
func symbolsParam(w http.ResponseWriter, r *http.Request, class market.AssetClass) ([]string, bool) {
	raw := r.URL.Query().Get("symbols")
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
		writeError(w, http.StatusBadRequest, alpacawire.ErrCodeInvalidRequest, "missing symbols")
		return nil, false
	}
	return out, true
}

// stockFeedParam validates the optional feed parameter of the stock endpoints.
func stockFeedParam(w http.ResponseWriter, r *http.Request) bool {
	switch r.URL.Query().Get("feed") {
	case "", "iex", "sip", "otc", "boats", "delayed_sip", "overnight":
		return true
	}
	writeError(w, http.StatusBadRequest, alpacawire.ErrCodeInvalidRequest, "invalid feed")
	return false
}
