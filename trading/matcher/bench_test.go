package matcher_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"alpacawrapper/market"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"

	"github.com/shopspring/decimal"
)

const (
	benchSymbols = 1000
	benchOrders  = 100_000
)

func cents(n int64) decimal.Decimal { return decimal.New(n, -2) }

// awayOrder is the i-th of a symbol's resting orders, priced away from the market: buy limits
// and sell stops 11–41% below low, sell limits and buy stops 11–41% above high (in cents); a
// third of the stops are stop-limits and a fifth of the limits extended-hours.
func awayOrder(rng *rand.Rand, i int, low, high int64) fill.Order {
	below := func() decimal.Decimal { return cents(low - low*(110+rng.Int64N(300))/1000) }
	above := func() decimal.Decimal { return cents(high + high*(110+rng.Int64N(300))/1000) }
	var o fill.Order
	switch i % 4 {
	case 0:
		o = limit(fill.Buy, below().String())
	case 1:
		o = limit(fill.Sell, above().String())
	case 2:
		o = stop(fill.Buy, above().String())
	default:
		o = stop(fill.Sell, below().String())
	}
	switch {
	case o.Type == fill.Stop && i%3 == 0:
		o = stopLimit(o.Side, o.StopPrice.String(), o.StopPrice.String())
	case o.Type == fill.Limit && i%5 == 0:
		o = extended(o)
	}
	return o
}

// BenchmarkCandidatesNoFill is the target: 100,000 resting orders over 1,000 symbols,
// and quotes that act on none of them.
func BenchmarkCandidatesNoFill(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := matcher.NewIndex()
	symbols := make([]string, benchSymbols)
	levels := make([]int64, benchSymbols)
	for s := range symbols {
		symbols[s] = fmt.Sprintf("S%03d", s)
		levels[s] = 1000 + rng.Int64N(50_000) // $10–$510
	}
	for i := range benchOrders {
		s := i % benchSymbols
		x.Upsert(matcher.Entry{OrderID: id(i), AccountID: int64(i % 97), Symbol: symbols[s], Order: awayOrder(rng, i/benchSymbols, levels[s], levels[s])})
	}
	// 16 quotes per symbol within 5% of its level, interleaved across symbols.
	const variants = 16
	quotes := make([]market.Quote, 0, benchSymbols*variants)
	for v := range variants {
		for s, sym := range symbols {
			bid := levels[s] + levels[s]*int64(v-variants/2)/(20*variants/2)
			quotes = append(quotes, market.Quote{Symbol: sym, BidPrice: cents(bid), AskPrice: cents(bid + 1 + int64(v%3)), Time: t0})
		}
	}
	buf := make([]matcher.Entry, 0, 16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		buf = x.Candidates(quotes[i%len(quotes)], t0, true, buf[:0])
		if len(buf) != 0 {
			b.Fatalf("quote %d made %d orders candidates", i, len(buf))
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "quotes/s")
}

// BenchmarkCandidatesNoFillParallel is BenchmarkCandidatesNoFill with quotes for different
// symbols evaluated on all cores at once.
func BenchmarkCandidatesNoFillParallel(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := matcher.NewIndex()
	symbols := make([]string, benchSymbols)
	for s := range symbols {
		symbols[s] = fmt.Sprintf("S%03d", s)
	}
	for i := range benchOrders {
		x.Upsert(matcher.Entry{OrderID: id(i), Symbol: symbols[i%benchSymbols], Order: awayOrder(rng, i/benchSymbols, 10_000, 10_000)})
	}
	bid, ask := cents(10_000), cents(10_001)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]matcher.Entry, 0, 16)
		i := rand.IntN(benchSymbols)
		for pb.Next() {
			i++
			buf = x.Candidates(market.Quote{Symbol: symbols[i%benchSymbols], BidPrice: bid, AskPrice: ask, Time: t0}, t0, true, buf[:0])
			if len(buf) != 0 {
				panic("a candidate")
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "quotes/s")
}

// BenchmarkCandidatesTrailing has the same 100,000 resting orders, 1% of them sell trailing
// stops (one per symbol) that every quote moves: each symbol's bid rises a cent per round of
// quotes. With drain, DrainTrailChanges hands the 1,000 moved stops over after every round,
// as the caller persisting them in batches would.
func BenchmarkCandidatesTrailing(b *testing.B) {
	b.Run("moving", func(b *testing.B) { benchTrailing(b, false) })
	b.Run("moving+drain", func(b *testing.B) { benchTrailing(b, true) })
}

func benchTrailing(b *testing.B, drain bool) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := matcher.NewIndex()
	symbols := make([]string, benchSymbols)
	for s := range symbols {
		symbols[s] = fmt.Sprintf("S%03d", s)
	}
	const level = 10_000 // $100; the bid climbs to $140.95, the orders are beyond $90 and $150
	trailers := make([]matcher.Entry, 0, benchSymbols)
	for i := range benchOrders {
		e := matcher.Entry{OrderID: id(i), Symbol: symbols[i%benchSymbols]}
		if i < benchSymbols {
			e.Order = trailing(fill.Sell, "", "2.5", "", "")
			trailers = append(trailers, e)
		} else {
			e.Order = awayOrder(rng, i/benchSymbols, level, 15_000)
		}
		x.Upsert(e)
	}
	const rounds = 4096
	bids, asks := make([]decimal.Decimal, rounds), make([]decimal.Decimal, rounds)
	for r := range rounds {
		bids[r], asks[r] = cents(level+int64(r)), cents(level+int64(r)+1)
	}
	buf := make([]matcher.Entry, 0, 16)
	changes := make([]matcher.Entry, 0, benchSymbols)
	drained := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s, r := i%benchSymbols, i/benchSymbols%rounds
		if s == 0 && i > 0 {
			if drain {
				changes = x.DrainTrailChanges(changes[:0])
				drained += len(changes)
			}
			if r == 0 {
				// The prices start again from the bottom: start the trailing stops again too.
				b.StopTimer()
				for _, e := range trailers {
					x.Upsert(e)
				}
				b.StartTimer()
			}
		}
		buf = x.Candidates(market.Quote{Symbol: symbols[s], BidPrice: bids[r], AskPrice: asks[r], Time: t0}, t0, true, buf[:0])
		if len(buf) != 0 {
			b.Fatalf("quote %d made %d orders candidates", i, len(buf))
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "quotes/s")
	if drain {
		b.ReportMetric(float64(drained)/float64(b.N), "drained/op")
	}
}
