package alpaca

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacafake"
)

// The tape comes from Alpaca's historical endpoints through the SDK, across pages, in the order
// asked, exactly as the source has it, with the range's end left out.
func TestTicksThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	ctx := context.Background()
	start := time.Date(2024, 12, 2, 14, 30, 0, 0, time.UTC)
	req := market.TicksRequest{Symbol: "AAPL", Start: start, End: start.Add(4 * time.Hour), Limit: 12000} // two pages
	trades, err := b.prov.Trades(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := testData{}.Trades(ctx, req)
	if len(trades) != 12000 || len(want) != 12000 {
		t.Fatalf("got %d prints, want 12000", len(trades))
	}
	for i := range want {
		if g, w := trades[i], want[i]; g.ID != w.ID || !g.Price.Equal(w.Price) || !g.Size.Equal(w.Size) || !g.Time.Equal(w.Time) {
			t.Fatalf("print %d:\n got  %+v\n want %+v", i, g, w)
		}
	}
	if pages := b.fake.Requests("/v2/stocks/trades"); pages != 2 {
		t.Errorf("the fake served %d pages, want 2", pages)
	}

	last := market.TicksRequest{Symbol: "BTC/USD", Start: start, End: start.Add(time.Minute), Limit: 100, Desc: true}
	quotes, err := b.prov.Quotes(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	if len(quotes) != 60 || !quotes[0].Time.Equal(start.Add(59*time.Second)) || !quotes[59].Time.Equal(start) ||
		!quotes[0].BidSize.Equal(testQuotesAt(t, last)[0].BidSize) {
		t.Errorf("crypto quotes newest first: %d, first %+v", len(quotes), quotes[0])
	}
	if b.fake.Requests("/v1beta3/crypto/us/quotes") != 1 {
		t.Error("crypto quotes did not use the crypto endpoint")
	}
	if _, err := b.prov.Trades(ctx, market.TicksRequest{Symbol: "AAPL", Start: start, End: start.Add(time.Hour)}); err == nil {
		t.Error("no limit: want an error")
	}
}

func testQuotesAt(t *testing.T, req market.TicksRequest) []market.Quote {
	t.Helper()
	q, err := testData{}.Quotes(context.Background(), req)
	if err != nil || len(q) == 0 {
		t.Fatalf("test quotes: %v", err)
	}
	return q
}
