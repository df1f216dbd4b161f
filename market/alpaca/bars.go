package alpaca

import (
	"context"
	"fmt"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"alpacawrapper/market"
)

// Bars returns the bars of one symbol with Start in [req.Start, req.End), oldest first. The SDK
// follows next_page_token until the server has no more pages; TotalLimit is left at 0 so that
// nothing stops it early, and pages are as large as Alpaca allows, to spare the rate limit.
func (p *Provider) Bars(ctx context.Context, req market.BarsRequest) ([]market.Bar, error) {
	tf, err := sdkTimeframe(req.Timeframe)
	if err != nil {
		return nil, err
	}
	if !req.End.After(req.Start) {
		return nil, nil
	}
	client := p.dataClient(ctx)
	var bars []market.Bar
	if market.ClassOf(req.Symbol) == market.Crypto {
		raw, err := client.GetCryptoBars(req.Symbol, marketdata.GetCryptoBarsRequest{
			TimeFrame: tf,
			Start:     req.Start,
			End:       req.End,
			PageLimit: maxPageSize,
		})
		if err != nil {
			return nil, fmt.Errorf("alpaca: bars %s %s: %w", req.Symbol, req.Timeframe, err)
		}
		bars = make([]market.Bar, 0, len(raw))
		for _, b := range raw {
			bars = append(bars, barFromCryptoREST(req.Symbol, b))
		}
	} else {
		raw, err := client.GetBars(req.Symbol, marketdata.GetBarsRequest{
			TimeFrame:  tf,
			Adjustment: marketdata.AdjustmentRaw,
			Start:      req.Start,
			End:        req.End,
			Feed:       p.opts.Feed,
			PageLimit:  maxPageSize,
		})
		if err != nil {
			return nil, fmt.Errorf("alpaca: bars %s %s: %w", req.Symbol, req.Timeframe, err)
		}
		bars = make([]market.Bar, 0, len(raw))
		for _, b := range raw {
			bars = append(bars, barFromREST(req.Symbol, b))
		}
	}
	// Alpaca's end is inclusive; the interface's is not.
	kept := bars[:0]
	for _, b := range bars {
		if !b.Start.Before(req.Start) && b.Start.Before(req.End) {
			kept = append(kept, b)
		}
	}
	return kept, nil
}

// maxPageSize is the largest page the bars endpoints serve.
const maxPageSize = 10000

// sdkTimeframe maps the two widths fetched from Alpaca; coarser candles are built locally.
func sdkTimeframe(tf market.Timeframe) (marketdata.TimeFrame, error) {
	switch tf {
	case market.Min1:
		return marketdata.OneMin, nil
	case market.Day1:
		return marketdata.OneDay, nil
	default:
		return marketdata.TimeFrame{}, fmt.Errorf("alpaca: bars: timeframe %q is not fetched from Alpaca (only %s and %s)", tf, market.Min1, market.Day1)
	}
}
