package alpaca

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"alpacawrapper/market"
)

// Trades returns a stretch of one symbol's prints from Alpaca's historical trades endpoint. The SDK
// pages until it has req.Limit of them (TotalLimit) or the range is exhausted.
func (p *Provider) Trades(ctx context.Context, req market.TicksRequest) ([]market.Trade, error) {
	end, sort, err := tickRange(req)
	if err != nil || end.IsZero() {
		return nil, err
	}
	client := p.dataClient(ctx)
	var out []market.Trade
	if market.ClassOf(req.Symbol) == market.Crypto {
		raw, err := client.GetCryptoTrades(req.Symbol, marketdata.GetCryptoTradesRequest{
			Start: req.Start, End: end, TotalLimit: req.Limit, PageLimit: min(req.Limit, maxPageSize), Sort: sort,
		})
		if err != nil {
			return nil, fmt.Errorf("alpaca: trades %s: %w", req.Symbol, err)
		}
		out = make([]market.Trade, 0, len(raw))
		for _, t := range raw {
			out = append(out, tradeFromCryptoREST(req.Symbol, t))
		}
	} else {
		raw, err := client.GetTrades(req.Symbol, marketdata.GetTradesRequest{
			Start: req.Start, End: end, TotalLimit: req.Limit, PageLimit: min(req.Limit, maxPageSize), Feed: p.opts.Feed, Sort: sort,
		})
		if err != nil {
			return nil, fmt.Errorf("alpaca: trades %s: %w", req.Symbol, err)
		}
		out = make([]market.Trade, 0, len(raw))
		for _, t := range raw {
			out = append(out, tradeFromREST(req.Symbol, t))
		}
	}
	return out, nil
}

// Quotes returns a stretch of one symbol's quotes from Alpaca's historical quotes endpoint.
func (p *Provider) Quotes(ctx context.Context, req market.TicksRequest) ([]market.Quote, error) {
	end, sort, err := tickRange(req)
	if err != nil || end.IsZero() {
		return nil, err
	}
	client := p.dataClient(ctx)
	var out []market.Quote
	if market.ClassOf(req.Symbol) == market.Crypto {
		raw, err := client.GetCryptoQuotes(req.Symbol, marketdata.GetCryptoQuotesRequest{
			Start: req.Start, End: end, TotalLimit: req.Limit, PageLimit: min(req.Limit, maxPageSize), Sort: sort,
		})
		if err != nil {
			return nil, fmt.Errorf("alpaca: quotes %s: %w", req.Symbol, err)
		}
		out = make([]market.Quote, 0, len(raw))
		for _, q := range raw {
			out = append(out, quoteFromCryptoREST(req.Symbol, q))
		}
	} else {
		raw, err := client.GetQuotes(req.Symbol, marketdata.GetQuotesRequest{
			Start: req.Start, End: end, TotalLimit: req.Limit, PageLimit: min(req.Limit, maxPageSize), Feed: p.opts.Feed, Sort: sort,
		})
		if err != nil {
			return nil, fmt.Errorf("alpaca: quotes %s: %w", req.Symbol, err)
		}
		out = make([]market.Quote, 0, len(raw))
		for _, q := range raw {
			out = append(out, quoteFromREST(req.Symbol, q))
		}
	}
	return out, nil
}

// tickRange turns the request's half-open range into Alpaca's inclusive one (the last nanosecond
// before End) and its direction into the SDK's sort; a zero end means the range is empty.
func tickRange(req market.TicksRequest) (end time.Time, sort marketdata.Sort, err error) {
	if req.Limit <= 0 {
		return time.Time{}, "", errors.New("alpaca: ticks: the limit must be positive")
	}
	if !req.End.After(req.Start) {
		return time.Time{}, "", nil
	}
	sort = marketdata.SortAsc
	if req.Desc {
		sort = marketdata.SortDesc
	}
	return req.End.Add(-time.Nanosecond), sort, nil
}
