package sim

import (
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// TestSymbol is the one symbol of Alpaca's test stream (/v2/test): a made-up stock that trades
// around the clock, so a bot's stream handling can be tried at night and at weekends.
const TestSymbol = "FAKEPACA"

// NewTestMarket is a simulated market with TestSymbol alone, open every minute of every day (the
// AlwaysOpen calendar), priced around $100 and quoted a few times a second: what Alpaca's test
// stream carries. Its Stream publishes FAKEPACA's quotes, prints and minute bars like any
// simulated symbol's.
func NewTestMarket(opts Options) *Provider {
	opts.AlwaysOpen = true
	p := New(opts)
	in := &instrument{
		asset: market.Asset{
			ProviderID: providerID(TestSymbol), Symbol: TestSymbol, Name: "Alpaca's test stream symbol",
			Class: market.USEquity, Exchange: "IEX", Active: true, Tradable: false,
			MarginRequirement: decimal.NewFromInt(100),
		},
		ref:      100,
		dailyVol: 0.02,
		adv:      20e6,
	}
	in.init()
	p.instruments = []*instrument{in}
	p.bySymbol = map[string]*instrument{TestSymbol: in}
	return p
}
