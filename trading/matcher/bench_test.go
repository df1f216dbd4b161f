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

// awayOrder is the i-th of a symbol's resting orders priced away from level (cents): limits
// and stops on both sides, 10–40% from the market, some of them extended-hours limits and
// stop-limits.
func awayOrder(rng *rand.Rand, i int, level int64) fill.Order {
	away := func() int64 { return level * (110 + rng.Int64N(300)) / 1000 } // 11%–41% of the level
	var o fill.Order
	switch i % 4 {
	case 0:
		o = limit(fill.Buy, cents(level-away()).String())
	case 1:
		o = limit(fill.Sell, cents(level+away()).String())
	case 2:
		o = stop(fill.Buy, cents(level+away()).String())
	default:
		o = stop(fill.Sell, cents(level-away()).String())
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
		x.Upsert(matcher.Entry{OrderID: id(i), AccountID: int64(i % 97), Symbol: symbols[s], Order: awayOrder(rng, i/benchSymbols, levels[s])})
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
		buf = x.Candidates(quotes[i%len(quotes)], true, buf[:0])
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
		x.Upsert(matcher.Entry{OrderID: id(i), Symbol: symbols[i%benchSymbols], Order: awayOrder(rng, i/benchSymbols, 10_000)})
	}
	bid, ask := cents(10_000), cents(10_001)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]matcher.Entry, 0, 16)
		i := rand.IntN(benchSymbols)
		for pb.Next() {
			i++
			buf = x.Candidates(market.Quote{Symbol: symbols[i%benchSymbols], BidPrice: bid, AskPrice: ask, Time: t0}, true, buf[:0])
			if len(buf) != 0 {
				panic("a candidate")
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "quotes/s")
}

// BenchmarkCandidatesTrailing has the same 100,000 resting orders, 1% of them sell trailing
// stops (one per symbol) that every quote moves: each symbol's bid rises a cent per round.
func BenchmarkCandidatesTrailing(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := matcher.NewIndex()
	symbols := make([]string, benchSymbols)
	for s := range symbols {
		symbols[s] = fmt.Sprintf("S%03d", s)
	}
	const level = 10_000 // $100; the bid climbs to $140.95 and the orders are beyond $150
	trailers := make([]matcher.Entry, 0, benchSymbols)
	for i := range benchOrders {
		e := matcher.Entry{OrderID: id(i), Symbol: symbols[i%benchSymbols]}
		if i < benchSymbols {
			e.Order = trailing(fill.Sell, "", "2.5", "", "")
			trailers = append(trailers, e)
		} else {
			e.Order = awayOrder(rng, i/benchSymbols, level)
			e.Order.LimitPrice = e.Order.LimitPrice.Mul(dec("1.5")).Round(2) // keep sells and buy stops above $150
			if e.Order.StopPrice.GreaterThan(cents(level)) {
				e.Order.StopPrice = e.Order.StopPrice.Mul(dec("1.5")).Round(2)
			}
		}
		x.Upsert(e)
	}
	const rounds = 4096
	bids, asks := make([]decimal.Decimal, rounds), make([]decimal.Decimal, rounds)
	for r := range rounds {
		bids[r], asks[r] = cents(level+int64(r)), cents(level+int64(r)+1)
	}
	buf := make([]matcher.Entry, 0, 16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s, r := i%benchSymbols, i/benchSymbols%rounds
		if i > 0 && s == 0 && r == 0 {
			// The prices start again from the bottom: start the trailing stops again too.
			b.StopTimer()
			for _, e := range trailers {
				x.Upsert(e)
			}
			b.StartTimer()
		}
		buf = x.Candidates(market.Quote{Symbol: symbols[s], BidPrice: bids[r], AskPrice: asks[r], Time: t0}, true, buf[:0])
		if len(buf) != 0 {
			b.Fatalf("quote %d made %d orders candidates", i, len(buf))
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "quotes/s")
}

// BenchmarkDrainTrailChanges is the cost of handing over one moved trailing stop.
func BenchmarkDrainTrailChanges(b *testing.B) {
	x := matcher.NewIndex()
	const n = 1000
	for i := range n {
		x.Upsert(matcher.Entry{OrderID: id(i), Symbol: fmt.Sprintf("S%03d", i), Order: trailing(fill.Sell, "", "2.5", "", "")})
	}
	bids := []decimal.Decimal{cents(10_000), cents(10_001)}
	symbols := make([]string, n)
	for i := range symbols {
		symbols[i] = fmt.Sprintf("S%03d", i)
	}
	buf := make([]matcher.Entry, 0, n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		for s, sym := range symbols {
			x.Candidates(market.Quote{Symbol: sym, BidPrice: bids[(i+s)%2], AskPrice: cents(20_000), Time: t0}, true, nil)
		}
		x.Upsert(matcher.Entry{OrderID: id(0), Symbol: symbols[0], Order: trailing(fill.Sell, "", "2.5", "", "")})
		b.StartTimer()
		buf = x.DrainTrailChanges(buf[:0])
	}
	b.ReportMetric(float64(len(buf)), "entries/op")
}
