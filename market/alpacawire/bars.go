package alpacawire

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// The bars endpoints' page sizes.
const (
	DefaultBarsLimit = 1000
	MaxBarsLimit     = 10000
)

// BarSource is where the bars endpoints get their bars: market.Provider's Bars, which is asked for
// Min1 and Day1 only.
type BarSource interface {
	Bars(ctx context.Context, req market.BarsRequest) ([]market.Bar, error)
}

// RangeQuery is what every historical endpoint (bars, trades, quotes) reads from its query:
// symbols, a time range, a page size, a direction and where the page starts. Start and end are
// inclusive, as the SDK documents them.
type RangeQuery struct {
	Symbols    []string // sorted: pages walk the symbols in order
	Start, End time.Time
	Limit      int
	Desc       bool
	// Loc is where days begin: New York for stocks, UTC for crypto.
	Loc   *time.Location
	token *pageToken // where this page starts; nil on the first page
}

// BarsQuery is a parsed bars request.
type BarsQuery struct {
	RangeQuery
	TimeFrame TimeFrame
}

// ParseBarsQuery reads the query of a bars endpoint: ParseRangeQuery's parameters and the
// timeframe.
func ParseBarsQuery(q url.Values, symbols []string, class market.AssetClass, now time.Time) (BarsQuery, *APIError) {
	tf, err := ParseTimeFrame(q.Get("timeframe"))
	if err != nil {
		return BarsQuery{}, &APIError{Code: ErrCodeInvalidRequest, Message: "invalid timeframe"}
	}
	rq, apiErr := ParseRangeQuery(q, symbols, class, now)
	if apiErr != nil {
		return BarsQuery{}, apiErr
	}
	return BarsQuery{RangeQuery: rq, TimeFrame: tf}, nil
}

// ParseRangeQuery reads the parameters every historical endpoint shares. symbols are the
// request's symbols (already read from the query or the path); now gives the defaults (start:
// today's midnight where days begin, end: now). The limit defaults to 1000 and may not exceed
// 10000, as on Alpaca. The error is an *APIError worded as Alpaca words it.
func ParseRangeQuery(q url.Values, symbols []string, class market.AssetClass, now time.Time) (RangeQuery, *APIError) {
	rq := RangeQuery{Limit: DefaultBarsLimit, Loc: time.UTC}
	if class == market.USEquity {
		rq.Loc = NewYork()
	}
	bad := func(msg string) (RangeQuery, *APIError) {
		return RangeQuery{}, &APIError{Code: ErrCodeInvalidRequest, Message: msg}
	}
	rq.Symbols = slices.Sorted(slices.Values(symbols))
	var err error
	rq.Start = midnight(now.In(rq.Loc))
	if v := q.Get("start"); v != "" {
		if rq.Start, err = ParseTime(v, rq.Loc); err != nil {
			return bad("invalid start")
		}
	}
	rq.End = now
	if v := q.Get("end"); v != "" {
		if rq.End, err = ParseTime(v, rq.Loc); err != nil {
			return bad("invalid end")
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxBarsLimit {
			return bad(fmt.Sprintf("invalid limit: must be between 1 and %d", MaxBarsLimit))
		}
		rq.Limit = n
	}
	switch q.Get("sort") {
	case "", "asc":
	case "desc":
		rq.Desc = true
	default:
		return bad("invalid sort")
	}
	if v := q.Get("page_token"); v != "" {
		tok, err := decodePageToken(v)
		if err != nil {
			return bad("invalid page token")
		}
		rq.token = &tok
	}
	return rq, nil
}

// span is the part of [q.Start, q.End] of symbol that this page covers: all of it for a symbol
// after the token's, from the token's time on (back from it, descending) for the token's symbol;
// false for a symbol an earlier page finished.
func (q RangeQuery) span(symbol string) (from, to time.Time, ok bool) {
	from, to = q.Start, q.End
	if q.token != nil {
		if symbol < q.token.symbol {
			return from, to, false
		}
		if symbol == q.token.symbol {
			if q.Desc {
				to = market.Earliest(to, q.token.at)
			} else {
				from = market.Latest(from, q.token.at)
			}
		}
	}
	return from, to, !to.Before(from)
}

// ParseTime accepts RFC 3339 (with or without fractions) or a bare date, which starts at midnight
// in loc.
func ParseTime(v string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(DateLayout, v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("alpacawire: time %q: %w", v, err)
	}
	return t, nil
}

// symbolBar is one bar of a multi-symbol answer.
type symbolBar struct {
	symbol string
	bar    market.Bar
}

// BarsPage is one page: bars by symbol, and the token of the next page (nil on the last). Items
// are ordered by symbol, then by time; the limit counts across all symbols, as on Alpaca. Bars
// are stamped as Alpaca stamps them (see StampBars).
func BarsPage(ctx context.Context, src BarSource, q BarsQuery) (map[string][]market.Bar, *string, error) {
	var items []symbolBar
	for _, sym := range q.Symbols {
		from, to, ok := q.span(sym)
		if !ok {
			continue
		}
		bars, err := barsOf(ctx, src, sym, q.TimeFrame, from, to, q.Loc)
		if err != nil {
			return nil, nil, err
		}
		if q.Desc {
			slices.Reverse(bars)
		}
		for _, b := range bars {
			items = append(items, symbolBar{sym, b})
		}
		if len(items) > q.Limit {
			break
		}
	}
	var next *string
	if len(items) > q.Limit {
		tok := EncodePageToken(items[q.Limit].symbol, items[q.Limit].bar.Start)
		next = &tok
		items = items[:q.Limit]
	}
	out := make(map[string][]market.Bar)
	for _, it := range items {
		out[it.symbol] = append(out[it.symbol], it.bar)
	}
	return out, next, nil
}

// DayStamp is when Alpaca stamps a stock's daily (and weekly, monthly) bar of the day t falls on:
// midnight New York time. The app itself stamps a stock's daily candle at the session open
// (market.BucketOf); only Alpaca's wire moves it. Crypto days are UTC days both in the app and on
// Alpaca, so crypto bars keep their stamp.
func DayStamp(t time.Time) time.Time { return midnight(t.In(NewYork())).UTC() }

// stampDaily restamps a stock's daily bars at Alpaca's time (DayStamp).
func stampDaily(bars []market.Bar, class market.AssetClass) []market.Bar {
	if class != market.USEquity {
		return bars
	}
	for i := range bars {
		bars[i].Start = DayStamp(bars[i].Start)
	}
	return bars
}

// barsOf are the bars of one symbol with their Alpaca stamp in [from, to], oldest first. 1Min and
// 1Day come from the source as they are (daily bars restamped); wider timeframes are aggregated
// from them.
func barsOf(ctx context.Context, src BarSource, symbol string, tf TimeFrame, from, to time.Time, loc *time.Location) ([]market.Bar, error) {
	class := market.ClassOf(symbol)
	get := func(t market.Timeframe, from, to time.Time) ([]market.Bar, error) {
		bars, err := src.Bars(ctx, market.BarsRequest{Symbol: symbol, Timeframe: t, Start: from, End: to})
		if err != nil {
			return nil, fmt.Errorf("alpacawire: bars of %s: %w", symbol, err)
		}
		slices.SortFunc(bars, func(a, b market.Bar) int { return a.Start.Compare(b.Start) })
		return bars, nil
	}
	within := func(bars []market.Bar) []market.Bar {
		return slices.DeleteFunc(bars, func(b market.Bar) bool { return b.Start.Before(from) || b.Start.After(to) })
	}
	// Daily bars are asked for whole days, since the source stamps them later in the day than
	// Alpaca does (a stock's at the open).
	days := func(from time.Time) ([]market.Bar, error) {
		bars, err := get(market.Day1, midnight(from.In(loc)), midnight(to.In(loc)).AddDate(0, 0, 1))
		return stampDaily(bars, class), err
	}
	// Minute bars start on the minute, so those up to to (inclusive) are those before the minute
	// after to's: a whole-minute end, which every source reads alike.
	minutesEnd := to.Truncate(time.Minute).Add(time.Minute)
	var bucket func(time.Time) time.Time
	switch width, intraday := tf.Intraday(); {
	case tf.Unit == UnitMin && tf.N == 1:
		bars, err := get(market.Min1, from, minutesEnd)
		return within(bars), err
	case tf.Unit == UnitDay:
		bars, err := days(from)
		return within(bars), err
	case intraday:
		raw, err := get(market.Min1, from.Truncate(width), minutesEnd)
		if err != nil {
			return nil, err
		}
		return within(aggregate(raw, func(t time.Time) time.Time { return t.Truncate(width) })), nil
	case tf.Unit == UnitWeek:
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
	raw, err := days(bucket(from))
	if err != nil {
		return nil, err
	}
	return within(aggregate(raw, bucket)), nil
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

// midnight is the start of t's day in t's location.
func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}
