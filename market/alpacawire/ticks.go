package alpacawire

import (
	"context"
	"fmt"
	"time"

	"alpacawrapper/market"
)

// TickSource is where the historical trades and quotes endpoints get the tape: market.Provider's
// Trades and Quotes.
type TickSource interface {
	Trades(ctx context.Context, req market.TicksRequest) ([]market.Trade, error)
	Quotes(ctx context.Context, req market.TicksRequest) ([]market.Quote, error)
}

// TradesPage is one page of a historical trades request: the prints by symbol, and the token of
// the next page (nil on the last). Items are ordered by symbol, then by time; the limit counts
// across all symbols, as on Alpaca.
func TradesPage(ctx context.Context, src TickSource, q RangeQuery) (map[string][]market.Trade, *string, error) {
	return ticksPage(ctx, q, src.Trades, func(t market.Trade) time.Time { return t.Time })
}

// QuotesPage is TradesPage for quotes.
func QuotesPage(ctx context.Context, src TickSource, q RangeQuery) (map[string][]market.Quote, *string, error) {
	return ticksPage(ctx, q, src.Quotes, func(q market.Quote) time.Time { return q.Time })
}

// symbolTick is one item of a multi-symbol answer.
type symbolTick[T any] struct {
	symbol string
	v      T
}

// ticksPage asks the source, symbol after symbol, for just enough items to fill the page and tell
// whether another follows (one more than the limit), so a page costs at most one source call per
// symbol it covers.
func ticksPage[T any](ctx context.Context, q RangeQuery, fetch func(context.Context, market.TicksRequest) ([]T, error), at func(T) time.Time) (map[string][]T, *string, error) {
	var items []symbolTick[T]
	for _, sym := range q.Symbols {
		from, to, ok := q.span(sym)
		if !ok {
			continue
		}
		skip := 0
		if q.token != nil && sym == q.token.symbol {
			skip = q.token.skip
		}
		got, err := fetch(ctx, market.TicksRequest{
			Symbol: sym, Start: from, End: to.Add(time.Nanosecond), // Alpaca's end is inclusive, the source's not
			Limit: q.Limit + 1 - len(items) + skip, Desc: q.Desc,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("alpacawire: tape of %s: %w", sym, err)
		}
		// The items of the token's instant that earlier pages gave.
		for n := 0; n < skip && len(got) > 0 && at(got[0]).Equal(q.token.at); n++ {
			got = got[1:]
		}
		for _, v := range got {
			items = append(items, symbolTick[T]{sym, v})
		}
		if len(items) > q.Limit {
			break
		}
	}
	var next *string
	if len(items) > q.Limit {
		tok := nextTickToken(q, items, at)
		next = &tok
		items = items[:q.Limit]
	}
	out := make(map[string][]T)
	for _, it := range items {
		out[it.symbol] = append(out[it.symbol], it.v)
	}
	return out, next, nil
}

// nextTickToken is the token of the page starting at items[q.Limit]: its symbol and instant, and
// how many items of that symbol and instant come before it, this page's and (when this page gave
// nothing else of the symbol) those the token of this page already skipped.
func nextTickToken[T any](q RangeQuery, items []symbolTick[T], at func(T) time.Time) string {
	first := items[q.Limit]
	tok := pageToken{symbol: first.symbol, at: at(first.v)}
	i := q.Limit - 1
	for ; i >= 0 && items[i].symbol == tok.symbol && at(items[i].v).Equal(tok.at); i-- {
		tok.skip++
	}
	if reachedStart := i < 0 || items[i].symbol != tok.symbol; reachedStart && q.token != nil &&
		q.token.symbol == tok.symbol && q.token.at.Equal(tok.at) {
		tok.skip += q.token.skip
	}
	return encodePageToken(tok)
}
