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

// handleCalendar is GET /v2/calendar?start=YYYY-MM-DD&end=YYYY-MM-DD (both inclusive, exchange
// dates). Alpaca's defaults span 1970–2029; here a missing start is today and a missing end a
// year after the start, so a simulated provider is not asked for sixty years.
func (s *Server) handleCalendar(w http.ResponseWriter, r *http.Request) {
	ny := alpacawire.NewYork()
	q := r.URL.Query()
	start := midnight(s.opts.Now().In(ny))
	if v := q.Get("start"); v != "" {
		t, err := time.ParseInLocation(alpacawire.DateLayout, v, ny)
		if err != nil {
			writeError(w, http.StatusBadRequest, alpacawire.ErrCodeInvalidRequest, "invalid start")
			return
		}
		start = t
	}
	end := start.AddDate(1, 0, 0)
	if v := q.Get("end"); v != "" {
		t, err := time.ParseInLocation(alpacawire.DateLayout, v, ny)
		if err != nil {
			writeError(w, http.StatusBadRequest, alpacawire.ErrCodeInvalidRequest, "invalid end")
			return
		}
		end = t
	}
	out := []alpacawire.CalendarDay{}
	if !end.Before(start) {
		days, err := s.opts.Data.Calendar(r.Context(), start, end)
		if err != nil {
			s.internalError(w, "calendar", err)
			return
		}
		first, last := start.Format(alpacawire.DateLayout), end.Format(alpacawire.DateLayout)
		for _, d := range days {
			wire := alpacawire.NewCalendarDay(d)
			if wire.Date >= first && wire.Date <= last {
				out = append(out, wire)
			}
		}
		slices.SortFunc(out, func(a, b alpacawire.CalendarDay) int { return strings.Compare(a.Date, b.Date) })
	}
	writeJSON(w, http.StatusOK, out)
}

// midnight is the start of t's day in t's location.
func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}
