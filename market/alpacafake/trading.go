package alpacafake

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacawire"
)

// handleAssets is GET /v2/assets with the status, asset_class and exchange filters.
func (s *Server) handleAssets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	status, class, exchange := q.Get("status"), q.Get("asset_class"), q.Get("exchange")
	if status != "" && status != alpacawire.AssetActive && status != alpacawire.AssetInactive {
		writeError(w, http.StatusUnprocessableEntity, alpacawire.ErrCodeUnprocessable, "invalid status")
		return
	}
	if class != "" && class != string(market.USEquity) && class != string(market.Crypto) {
		writeError(w, http.StatusUnprocessableEntity, alpacawire.ErrCodeUnprocessable, "invalid asset_class")
		return
	}
	assets, err := s.opts.Data.Assets(r.Context())
	if err != nil {
		s.internalError(w, "assets", err)
		return
	}
	out := make([]alpacawire.Asset, 0, len(assets))
	for _, a := range assets {
		wire := alpacawire.NewAsset(a)
		if (status != "" && wire.Status != status) || (class != "" && wire.Class != class) ||
			(exchange != "" && !strings.EqualFold(wire.Exchange, exchange)) {
			continue
		}
		out = append(out, wire)
	}
	slices.SortFunc(out, func(a, b alpacawire.Asset) int { return strings.Compare(a.Symbol, b.Symbol) })
	writeJSON(w, http.StatusOK, out)
}

// handleAsset is GET /v2/assets/{symbol_or_asset_id}. Crypto pairs are found with or without the
// slash (BTC/USD, BTCUSD), as on Alpaca.
func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("symbol")
	assets, err := s.opts.Data.Assets(r.Context())
	if err != nil {
		s.internalError(w, "assets", err)
		return
	}
	for _, a := range assets {
		wire := alpacawire.NewAsset(a)
		if wire.Symbol == key || wire.ID == key || strings.ReplaceAll(wire.Symbol, "/", "") == key {
			writeJSON(w, http.StatusOK, wire)
			return
		}
	}
	writeError(w, http.StatusNotFound, alpacawire.ErrCodeNotFound, "asset not found")
}

// handleClock is GET /v2/clock, computed from the provider's calendar around now.
func (s *Server) handleClock(w http.ResponseWriter, r *http.Request) {
	now := s.opts.Now()
	ny := alpacawire.NewYork()
	today := midnight(now.In(ny))
	days, err := s.opts.Data.Calendar(r.Context(), today.AddDate(0, 0, -7), today.AddDate(0, 0, 21))
	if err != nil {
		s.internalError(w, "calendar", err)
		return
	}
	clock, err := alpacawire.ClockAt(now, days)
	if err != nil {
		s.internalError(w, "clock", err)
		return
	}
	writeJSON(w, http.StatusOK, clock)
}

// handleCalendar is GET /v2/calendar?start=…&end=… (both inclusive exchange dates, given as
// dates or timestamps; see alpacawire.ParseCalendarRange).
func (s *Server) handleCalendar(w http.ResponseWriter, r *http.Request) {
	start, end, apiErr := alpacawire.ParseCalendarRange(r.URL.Query(), s.opts.Now())
	if apiErr != nil {
		writeJSON(w, http.StatusBadRequest, apiErr)
		return
	}
	out := []alpacawire.CalendarDay{}
	if !end.Before(start) {
		days, err := s.opts.Data.Calendar(r.Context(), start, end.Add(alpacawire.SettlementLookahead))
		if err != nil {
			s.internalError(w, "calendar", err)
			return
		}
		out = alpacawire.CalendarDays(days, start, end)
	}
	writeJSON(w, http.StatusOK, out)
}

// midnight is the start of t's day in t's location.
func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}
