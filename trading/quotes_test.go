package trading

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/market"
)

// countingProvider answers LatestQuotes with an old quote and counts the calls.
type countingProvider struct {
	market.Provider
	calls int
	at    time.Time
}

func (p *countingProvider) LatestQuotes(_ context.Context, symbols []string) (map[string]market.Quote, error) {
	p.calls++
	out := map[string]market.Quote{}
	for _, s := range symbols {
		out[s] = market.Quote{Symbol: s, BidPrice: d("10"), AskPrice: d("10.02"), Time: p.at}
	}
	return out, nil
}

func TestQuotesAskTheProviderOncePerInterval(t *testing.T) {
	t.Parallel()
	clk := &testClock{t: tuesday10am}
	p := &countingProvider{at: tuesday10am.Add(-time.Hour)} // a quiet symbol: its last quote is an hour old
	q := NewQuotes(p, clk.Now)
	for range 5 {
		got, err := q.Latest(context.Background(), []string{"QUIET"})
		if err != nil || !got["QUIET"].AskPrice.Equal(d("10.02")) {
			t.Fatalf("latest = %v, %v", got, err)
		}
	}
	if p.calls != 1 {
		t.Fatalf("provider asked %d times within the interval, want once", p.calls)
	}
	clk.Add(11 * time.Second)
	q.Latest(context.Background(), []string{"QUIET"})
	if p.calls != 2 {
		t.Fatalf("provider asked %d times after the interval, want twice", p.calls)
	}
	// A quote from the feed is used without asking.
	q.Observe(market.Quote{Symbol: "LIVE", BidPrice: d("5"), AskPrice: d("5.01"), Time: clk.Now()})
	q.Latest(context.Background(), []string{"LIVE"})
	if p.calls != 2 {
		t.Fatalf("provider asked for a symbol with a fresh feed quote")
	}
}
