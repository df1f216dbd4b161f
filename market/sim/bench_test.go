package sim

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/market"
)

// benchNow is the benchmarks' clock, stopped on a Tuesday afternoon with the markets open.
func benchNow() time.Time { return time.Date(2026, 3, 10, 19, 0, 30, 0, time.UTC) }

func benchmarkYearOfMinutes(b *testing.B, symbol string) {
	p := New(Options{Seed: 7, Now: benchNow})
	req := market.BarsRequest{Symbol: symbol, Timeframe: market.Min1, Start: benchNow().AddDate(-1, 0, 0), End: benchNow()}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		bars, err := p.Bars(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		n = len(bars)
	}
	b.ReportMetric(float64(n), "bars/op")
}

// BenchmarkBarsYearOfMinutesStock serves a year of one stock's 1-minute bars (about 240,000).
func BenchmarkBarsYearOfMinutesStock(b *testing.B) { benchmarkYearOfMinutes(b, "AAPL") }

// BenchmarkBarsYearOfMinutesCrypto serves a year of one crypto pair's 1-minute bars (525,600).
func BenchmarkBarsYearOfMinutesCrypto(b *testing.B) { benchmarkYearOfMinutes(b, "BTC/USD") }

// discard is a Sink that drops everything, counting.
type discard struct{ quotes, trades, bars int }

func (d *discard) Quote(market.Quote) { d.quotes++ }
func (d *discard) Trade(market.Trade) { d.trades++ }
func (d *discard) Bar(market.Bar)     { d.bars++ }

// BenchmarkStreamTick500 runs one stream tick over 500 followed symbols. The catalogue has about
// 110, so the provider's catalogue is widened with synthetic names for the benchmark.
func BenchmarkStreamTick500(b *testing.B) {
	p := New(Options{Seed: 7, AlwaysOpen: true, Now: benchNow})
	symbols := widenCatalogue(p, 500)
	if err := p.stream.SetSymbols(context.Background(), symbols); err != nil {
		b.Fatal(err)
	}
	sink := &discard{}
	at := benchNow()
	p.stream.tick(at, sink) // warm the path cache, as a running stream has
	b.ReportAllocs()
	for b.Loop() {
		at = at.Add(250 * time.Millisecond)
		p.stream.tick(at, sink)
	}
}
