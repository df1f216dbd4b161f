package alpacafake

import (
	"net/http"
	"time"

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
	// Streams: credentials come in the auth message, not in headers.
	mux.HandleFunc("GET /v2/{feed}", s.handleStockStream)
	mux.HandleFunc("GET /v1beta3/crypto/{loc}", s.handleCryptoStream)
	// Market data: the implementation the app's Alpaca-compatible API serves too. Stock data
	// needs the keys; crypto data does not, as on Alpaca.
	data := alpacawire.NewDataAPI(alpacawire.DataAPIOptions{
		Source: s.opts.Data, Now: s.opts.Now, Stocks: s.rest, Crypto: s.delayed, Logger: s.log,
	})
	mux.Handle("/", data)
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
	return s.delayed(func(w http.ResponseWriter, r *http.Request) {
		key, secret := r.Header.Get("APCA-API-KEY-ID"), r.Header.Get("APCA-API-SECRET-KEY")
		if key == "" || secret == "" || key != s.opts.KeyID || secret != s.opts.SecretKey {
			// Alpaca answers missing and wrong credentials alike.
			writeError(w, http.StatusUnauthorized, alpacawire.ErrCodeUnauthorized, "request is not authorized")
			return
		}
		h(w, r)
	})
}

// delayed wraps a REST endpoint with the injected latency.
func (s *Server) delayed(h http.HandlerFunc) http.HandlerFunc {
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
		h(w, r)
	}
}

// cryptoLocation is the one crypto feed served: Alpaca US.
const cryptoLocation = alpacawire.CryptoLocation

func writeJSON(w http.ResponseWriter, status int, v any) { alpacawire.WriteJSON(w, status, v) }

func writeError(w http.ResponseWriter, status, code int, msg string) {
	alpacawire.WriteError(w, status, code, msg)
}

func (s *Server) internalError(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "err", err)
	writeError(w, http.StatusInternalServerError, alpacawire.ErrCodeInternal, "internal server error")
}
