package alpaca

import (
	"context"
	"fmt"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"alpacawrapper/market"
)

// symbolsPerRequest keeps the symbols query parameter, and so the URL, to a safe length.
const symbolsPerRequest = 200

// LatestQuotes returns the latest quote of each known symbol, asking the stock and crypto
// endpoints for their own symbols. Unknown symbols are absent from the answer.
func (p *Provider) LatestQuotes(ctx context.Context, symbols []string) (map[string]market.Quote, error) {
	stocks, cryptos := splitByClass(symbols)
	client := p.dataClient(ctx)
	out := make(map[string]market.Quote, len(symbols))
	for _, batch := range chunks(stocks, symbolsPerRequest) {
		raw, err := client.GetLatestQuotes(batch, marketdata.GetLatestQuoteRequest{Feed: p.opts.Feed})
		if err != nil {
			return nil, fmt.Errorf("alpaca: latest quotes: %w", err)
		}
		for sym, q := range raw {
			out[sym] = quoteFromREST(sym, q)
		}
	}
	for _, batch := range chunks(cryptos, symbolsPerRequest) {
		raw, err := client.GetLatestCryptoQuotes(batch, marketdata.GetLatestCryptoQuoteRequest{})
		if err != nil {
			return nil, fmt.Errorf("alpaca: latest crypto quotes: %w", err)
		}
		for sym, q := range raw {
			out[sym] = quoteFromCryptoREST(sym, q)
		}
	}
	return out, nil
}

// Snapshots returns the latest trade, quote and bars of each known symbol.
func (p *Provider) Snapshots(ctx context.Context, symbols []string) (map[string]market.Snapshot, error) {
	stocks, cryptos := splitByClass(symbols)
	client := p.dataClient(ctx)
	out := make(map[string]market.Snapshot, len(symbols))
	for _, batch := range chunks(stocks, symbolsPerRequest) {
		raw, err := client.GetSnapshots(batch, marketdata.GetSnapshotRequest{Feed: p.opts.Feed})
		if err != nil {
			return nil, fmt.Errorf("alpaca: snapshots: %w", err)
		}
		for sym, s := range raw {
			if s != nil {
				out[sym] = snapshotFromREST(sym, s)
			}
		}
	}
	for _, batch := range chunks(cryptos, symbolsPerRequest) {
		raw, err := client.GetCryptoSnapshots(batch, marketdata.GetCryptoSnapshotRequest{})
		if err != nil {
			return nil, fmt.Errorf("alpaca: crypto snapshots: %w", err)
		}
		for sym, s := range raw {
			out[sym] = snapshotFromCryptoREST(sym, s)
		}
	}
	return out, nil
}

// splitByClass separates stock symbols from crypto pairs, dropping blanks and repeats.
func splitByClass(symbols []string) (stocks, cryptos []string) {
	for _, sym := range dedupe(symbols) {
		if market.ClassOf(sym) == market.Crypto {
			cryptos = append(cryptos, sym)
		} else {
			stocks = append(stocks, sym)
		}
	}
	return stocks, cryptos
}

// dedupe keeps the first occurrence of each non-blank symbol, in order.
func dedupe(symbols []string) []string {
	seen := make(map[string]bool, len(symbols))
	out := make([]string, 0, len(symbols))
	for _, s := range symbols {
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// chunks cuts s into pieces of at most n.
func chunks(s []string, n int) [][]string {
	var out [][]string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}
