package candlestest

import (
	"context"
	"slices"
	"sync"
	"time"

	"alpacawrapper/market"
)

// Provider is a market.Provider that serves the minute bars it was given. Only Bars does real
// work; the rest return nothing.
type Provider struct {
	mu    sync.Mutex
	bars  map[string][]market.Bar
	calls []market.BarsRequest
	err   error
}

// NewProvider returns a provider with no bars.
func NewProvider() *Provider { return &Provider{bars: map[string][]market.Bar{}} }

// SetBars replaces the bars served for symbol.
func (p *Provider) SetBars(symbol string, bars []market.Bar) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sorted := slices.Clone(bars)
	slices.SortFunc(sorted, func(a, b market.Bar) int { return a.Start.Compare(b.Start) })
	p.bars[symbol] = sorted
}

// FailWith makes every later Bars call fail with err (nil to recover).
func (p *Provider) FailWith(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.err = err
}

// Calls returns the Bars requests made so far.
func (p *Provider) Calls() []market.BarsRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

// Name identifies the fixture.
func (p *Provider) Name() string { return "candlestest" }

// Assets returns nothing.
func (p *Provider) Assets(context.Context) ([]market.Asset, error) { return nil, nil }

// Calendar returns nothing; tests use Calendar directly.
func (p *Provider) Calendar(context.Context, time.Time, time.Time) ([]market.CalendarDay, error) {
	return nil, nil
}

// LatestQuotes returns nothing.
func (p *Provider) LatestQuotes(context.Context, []string) (map[string]market.Quote, error) {
	return nil, nil
}

// Snapshots returns nothing.
func (p *Provider) Snapshots(context.Context, []string) (map[string]market.Snapshot, error) {
	return nil, nil
}

// Bars returns the symbol's bars with Start in [req.Start, req.End), oldest first.
func (p *Provider) Bars(_ context.Context, req market.BarsRequest) ([]market.Bar, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, req)
	if p.err != nil {
		return nil, p.err
	}
	var out []market.Bar
	for _, b := range p.bars[req.Symbol] {
		if !b.Start.Before(req.Start) && b.Start.Before(req.End) {
			out = append(out, b)
		}
	}
	return out, nil
}

// Trades returns nothing: candle tests need no tape.
func (p *Provider) Trades(context.Context, market.TicksRequest) ([]market.Trade, error) {
	return nil, nil
}

// Quotes returns nothing.
func (p *Provider) Quotes(context.Context, market.TicksRequest) ([]market.Quote, error) {
	return nil, nil
}

// Stream is not provided.
func (p *Provider) Stream() market.Stream { return nil }
