package matcher_test

import (
	"testing"

	"alpacawrapper/market"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"

	"github.com/shopspring/decimal"
)

// TestCandidatesDoesNotAllocate is the hot path's promise: a quote that acts on nothing, and
// one that only moves trailing stops, allocates nothing.
func TestCandidatesDoesNotAllocate(t *testing.T) {
	x := matcher.NewIndex()
	n := 0
	add := func(o fill.Order) {
		n++
		x.Upsert(stock(n, o))
	}
	for i := range 50 {
		off := decimal.New(int64(i+1), -1)
		add(limit(fill.Buy, dec("95").Sub(off).String()))
		add(limit(fill.Sell, dec("105").Add(off).String()))
		add(stop(fill.Buy, dec("106").Add(off).String()))
		add(stop(fill.Sell, dec("94").Sub(off).String()))
		add(stopLimit(fill.Sell, dec("94").Sub(off).String(), "93"))
		add(extended(limit(fill.Buy, "90")))
	}
	add(trailing(fill.Sell, "1", "", "", ""))
	add(trailing(fill.Buy, "", "2", "", ""))
	const runs = 200
	quotes := make([]market.Quote, runs+2) // AllocsPerRun also runs once to warm up
	for i := range quotes {
		bid := dec("100").Add(decimal.New(int64(i), -2)) // rising: the sell trailing stop moves each time
		quotes[i] = market.Quote{Symbol: "AAPL", BidPrice: bid, AskPrice: bid.Add(dec("0.01")), Time: t0}
	}
	x.Candidates(quotes[0], t0, true, nil) // initialise the trailing stops
	x.DrainTrailChanges(nil)
	buf := make([]matcher.Entry, 0, 8)
	i := 0
	if allocs := testing.AllocsPerRun(runs, func() {
		i++
		buf = x.Candidates(quotes[i], t0, i%2 == 0, buf[:0])
	}); allocs != 0 || len(buf) != 0 {
		t.Fatalf("%v allocations per quote, %d candidates", allocs, len(buf))
	}
	// The last quote (odd) is outside the session, so the one before it set the water mark.
	if e := mustGet(t, x, n-1); !e.Order.WaterMark.Equal(quotes[runs].BidPrice) {
		t.Fatalf("the sell trailing stop did not follow the bid: water mark %s", e.Order.WaterMark)
	}
	other := quote("MSFT", "1", "2")
	if allocs := testing.AllocsPerRun(runs, func() { buf = x.Candidates(other, t0, true, buf[:0]) }); allocs != 0 {
		t.Fatalf("a quote for an unindexed symbol allocates %v times", allocs)
	}
}
