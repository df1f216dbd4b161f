package alpacafake

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacawire"
)

// The bars endpoints' page sizes.
const (
	defaultLimit = 1000
	maxLimit     = 10000
)

// barsQuery is a parsed bars request. Start and end are inclusive, as the SDK documents them.
type barsQuery struct {
	symbols    []string // sorted: pages walk the symbols in order
	tf         alpacawire.TimeFrame
	start, end time.Time
	limit      int
	desc       bool
	loc        *time.Location // where days begin: New York for stocks, UTC for crypto
	hasToken   bool
	tokenSym   string
	tokenAt    time.Time
}

// parseBarsQuery reads the query of /v2/stocks/bars or /v1beta3/crypto/us/bars, answering the
// client itself when it is wrong.
func (s *Server) parseBarsQuery(w http.ResponseWriter, r *http.Request, class market.AssetClass) (barsQuery, bool) {
	q := r.URL.Query()
	bq := barsQuery{limit: defaultLimit, loc: time.UTC}
	if class == market.USEquity {
		bq.loc = alpacawire.NewYork()
	}
	bad := func(msg string) (barsQuery, bool) {
		writeError(w, http.StatusBadRequest, alpacawire.ErrCodeInvalidRequest, msg)
		return barsQuery{}, false
	}
	syms, ok := symbolsParam(w, r, class)
	if !ok {
		return barsQuery{}, false
	}
	bq.symbols = slices.Sorted(slices.Values(syms))
	tf, err := alpacawire.ParseTimeFrame(q.Get("timeframe"))
	if err != nil {
		return bad("invalid timeframe")
	}
	bq.tf = tf
	now := s.opts.Now()
	bq.start = midnight(now.In(bq.loc))
	if v := q.Get("start"); v != "" {
		if bq.start, err = parseTime(v, bq.loc); err != nil {
			return bad("invalid start")
		}
	}
	bq.end = now
	if v := q.Get("end"); v != "" {
		if bq.end, err = parseTime(v, bq.loc); err != nil {
			return bad("invalid end")
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return bad(fmt.Sprintf("invalid limit: must be between 1 and %d", maxLimit))
		}
		bq.limit = n
	}
	switch q.Get("sort") {
	case "", "asc":
	case "desc":
		bq.desc = true
	default:
		return bad("invalid sort")
	}
	if v := q.Get("page_token"); v != "" {
		if bq.tokenSym, bq.tokenAt, err = alpacawire.DecodePageToken(v); err != nil {
			return bad("invalid page token")
		}
		bq.hasToken = true
	}
	return bq, true
}

// parseTime accepts RFC 3339 (with or without fractions) or a bare date, which starts at midnight
// in loc.
func parseTime(v string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.ParseInLocation(alpacawire.DateLayout, v, loc)
}

// symbolBar is one bar of a multi-symbol answer.
type symbolBar struct {
	symbol string
	bar    market.Bar
}

// barsPage is one page: bars by symbol, and the token of the next page (nil on the last). Items are
// ordered by symbol, then by time; limit counts across all symbols, as on Alpaca.
func (s *Server) barsPage(ctx context.Context, q barsQuery) (map[string][]market.Bar, *string, error) {
	var items []symbolBar
	for _, sym := range q.symbols {
		from, to := q.start, q.end
		if q.hasToken {
			if sym < q.tokenSym {
				continue
			}
			if sym == q.tokenSym {
				if q.desc {
					to = minTime(to, q.tokenAt)
				} else {
					from = maxTime(from, q.tokenAt)
				}
			}
		}
		if to.Before(from) {
			continue
		}
		bars, err := s.bars(ctx, sym, q.tf, from, to, q.loc)
		if err != nil {
			return nil, nil, err
		}
		if q.desc {
			slices.Reverse(bars)
		}
		for _, b := range bars {
			items = append(items, symbolBar{sym, b})
		}
		if len(items) > q.limit {
			break
		}
	}
	var next *string
	if len(items) > q.limit {
		tok := alpacawire.EncodePageToken(items[q.limit].symbol, items[q.limit].bar.Start)
		next = &tok
		items = items[:q.limit]
	}
	out := make(map[string][]market.Bar)
	for _, it := range items {
		out[it.symbol] = append(out[it.symbol], it.bar)
	}
	return out, next, nil
}

// bars are the bars of one symbol with Start in [from, to], oldest first. 1Min and 1Day come from
// the provider as they are; wider timeframes are aggregated from them.
func (s *Server) bars(ctx context.Context, symbol string, tf alpacawire.TimeFrame, from, to time.Time, loc *time.Location) ([]market.Bar, error) {
	get := func(t market.Timeframe, from time.Time) ([]market.Bar, error) {
		bars, err := s.opts.Data.Bars(ctx, market.BarsRequest{Symbol: symbol, Timeframe: t, Start: from, End: to.Add(time.Nanosecond)})
		if err != nil {
			return nil, fmt.Errorf("alpacafake: bars of %s: %w", symbol, err)
		}
		slices.SortFunc(bars, func(a, b market.Bar) int { return a.Start.Compare(b.Start) })
		return bars, nil
	}
	var bucket func(time.Time) time.Time
	base := market.Day1
	switch width, intraday := tf.Intraday(); {
	case tf.Unit == alpacawire.UnitMin && tf.N == 1:
		return get(market.Min1, from)
	case tf.Unit == alpacawire.UnitDay:
		return get(market.Day1, from)
	case intraday:
		base = market.Min1
		bucket = func(t time.Time) time.Time { return t.Truncate(width) }
	case tf.Unit == alpacawire.UnitWeek:
		bucket = func(t time.Time) time.Time {
			d := midnight(t.In(loc))
			return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) // back to Monday
		}
	default: // months
		bucket = func(t time.Time) time.Time {
			d := t.In(loc)
			m := (int(d.Month())-1)/tf.N*tf.N + 1
			return time.Date(d.Year(), time.Month(m), 1, 0, 0, 0, 0, loc)
		}
	}
	raw, err := get(base, bucket(from))
	if err != nil {
		return nil, err
	}
	var out []market.Bar
	for _, b := range aggregate(raw, bucket) {
		if !b.Start.Before(from) && !b.Start.After(to) {
			out = append(out, b)
		}
	}
	return out, nil
}

// aggregate merges consecutive bars of the same bucket: first open, highest high, lowest low, last
// close, summed volume and trade count, volume-weighted VWAP.
func aggregate(bars []market.Bar, bucket func(time.Time) time.Time) []market.Bar {
	var out []market.Bar
	var pv decimal.Decimal // price × volume of the bar being built
	for _, b := range bars {
		start := bucket(b.Start).UTC()
		if n := len(out); n > 0 && out[n-1].Start.Equal(start) {
			cur := &out[n-1]
			cur.High = decimal.Max(cur.High, b.High)
			cur.Low = decimal.Min(cur.Low, b.Low)
			cur.Close = b.Close
			cur.Volume = cur.Volume.Add(b.Volume)
			cur.TradeCount += b.TradeCount
			pv = pv.Add(b.VWAP.Mul(b.Volume))
			if cur.Volume.IsPositive() {
				cur.VWAP = pv.Div(cur.Volume)
			}
			continue
		}
		b.Start = start
		pv = b.VWAP.Mul(b.Volume)
		out = append(out, b)
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
