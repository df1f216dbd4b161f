package sim

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// newYork is the exchange's zone, for building test instants.
func newYork(t testing.TB) *time.Location {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return ny
}

// et is a wall-clock time in New York as a UTC instant.
func et(t testing.TB, y int, m time.Month, d, hour, minute int) time.Time {
	t.Helper()
	return time.Date(y, m, d, hour, minute, 0, 0, newYork(t)).UTC()
}

// fixedClock returns a clock stopped at at.
func fixedClock(at time.Time) func() time.Time { return func() time.Time { return at } }

// recorder is a Sink that keeps everything it is given.
type recorder struct {
	mu     sync.Mutex
	quotes []market.Quote
	trades []market.Trade
	bars   []market.Bar
}

func (r *recorder) Quote(q market.Quote) { r.mu.Lock(); r.quotes = append(r.quotes, q); r.mu.Unlock() }
func (r *recorder) Trade(t market.Trade) { r.mu.Lock(); r.trades = append(r.trades, t); r.mu.Unlock() }
func (r *recorder) Bar(b market.Bar)     { r.mu.Lock(); r.bars = append(r.bars, b); r.mu.Unlock() }

func (r *recorder) counts() (quotes, trades, bars int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.quotes), len(r.trades), len(r.bars)
}

// onGrid reports whether d is a whole multiple of step.
func onGrid(d, step decimal.Decimal) bool { return d.Mod(step).IsZero() }

// priceStep is the tick an asset's price p must sit on.
func priceStep(a market.Asset, p decimal.Decimal) decimal.Decimal {
	if a.Class == market.Crypto {
		return a.PriceIncrement
	}
	if p.GreaterThanOrEqual(decimal.NewFromInt(1)) {
		return decimal.New(1, -2)
	}
	return decimal.New(1, -4)
}

// checkBar asserts a bar is well formed for its asset.
func checkBar(t *testing.T, a market.Asset, b market.Bar) {
	t.Helper()
	for name, p := range map[string]decimal.Decimal{"open": b.Open, "high": b.High, "low": b.Low, "close": b.Close} {
		if !p.IsPositive() || !onGrid(p, priceStep(a, p)) {
			t.Fatalf("%s %s: %s %s is not a positive price on the tick", a.Symbol, b.Start, name, p)
		}
	}
	if b.High.LessThan(decimal.Max(b.Open, b.Close)) || b.Low.GreaterThan(decimal.Min(b.Open, b.Close)) {
		t.Fatalf("%s %s: high %s / low %s do not contain open %s and close %s", a.Symbol, b.Start, b.High, b.Low, b.Open, b.Close)
	}
	if b.VWAP.LessThan(b.Low) || b.VWAP.GreaterThan(b.High) {
		t.Fatalf("%s %s: vwap %s outside [%s, %s]", a.Symbol, b.Start, b.VWAP, b.Low, b.High)
	}
	if !b.Volume.IsPositive() || b.TradeCount < 1 {
		t.Fatalf("%s %s: volume %s, %d trades", a.Symbol, b.Start, b.Volume, b.TradeCount)
	}
}

// sameBar reports how two bars differ, or "" when they are equal.
func sameBar(a, b market.Bar) string {
	switch {
	case a.Symbol != b.Symbol || !a.Start.Equal(b.Start):
		return fmt.Sprintf("%s %s vs %s %s", a.Symbol, a.Start, b.Symbol, b.Start)
	case !a.Open.Equal(b.Open) || !a.High.Equal(b.High) || !a.Low.Equal(b.Low) || !a.Close.Equal(b.Close):
		return fmt.Sprintf("OHLC %s/%s/%s/%s vs %s/%s/%s/%s", a.Open, a.High, a.Low, a.Close, b.Open, b.High, b.Low, b.Close)
	case !a.Volume.Equal(b.Volume) || a.TradeCount != b.TradeCount || !a.VWAP.Equal(b.VWAP):
		return fmt.Sprintf("volume %s/%d/%s vs %s/%d/%s", a.Volume, a.TradeCount, a.VWAP, b.Volume, b.TradeCount, b.VWAP)
	}
	return ""
}

// widenCatalogue adds synthetic instruments cloned from the catalogue until the provider has n
// symbols with data, and returns them all; benchmarks use it to follow more symbols than the
// catalogue lists.
func widenCatalogue(p *Provider, n int) []string {
	var base, symbols []string
	for _, in := range p.instruments {
		if in.hasData() {
			base = append(base, in.asset.Symbol)
		}
	}
	symbols = append(symbols, base...)
	for i := 0; len(symbols) < n; i++ {
		src := p.bySymbol[base[i%len(base)]]
		clone := &instrument{asset: src.asset, ref: src.ref, dailyVol: src.dailyVol, adv: src.adv,
			sizeExp: src.sizeExp, quoteSize: src.quoteSize, spreadBps: src.spreadBps,
			priceExp: src.priceExp, priceStep: src.priceStep}
		clone.asset.Symbol = fmt.Sprintf("SYN%03d", i)
		if src.crypto {
			clone.asset.Symbol += "/USD"
		}
		clone.init()
		p.instruments = append(p.instruments, clone)
		p.bySymbol[clone.asset.Symbol] = clone
		symbols = append(symbols, clone.asset.Symbol)
	}
	return symbols
}
