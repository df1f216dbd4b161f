package candles_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"alpacawrapper/candles"
	"alpacawrapper/candles/candlestest"
	"alpacawrapper/market"
)

func TestSymbolResolver(t *testing.T) {
	t.Parallel()
	b := setup(t)
	resolve := candles.NewSymbolResolver(b.db)
	if _, _, ok := resolve("DOGE/USD"); ok {
		t.Fatal("resolved a symbol the catalogue does not have")
	}
	id := candlestest.InsertAsset(t, b.db, "DOGE/USD", market.Crypto) // the catalogue catches up
	for range 2 {
		got, class, ok := resolve("DOGE/USD")
		if !ok || got != id || class != market.Crypto {
			t.Errorf("resolve = %d %s %v, want %d crypto", got, class, ok, id)
		}
	}
}

// fakeSource delivers its batches, then reports the subscription closed.
type fakeSource struct{ batches [][]market.Event }

var errClosed = errors.New("market: subscription closed")

func (f *fakeSource) Wait(_ context.Context, dst []market.Event) ([]market.Event, error) {
	if len(f.batches) == 0 {
		return dst, errClosed
	}
	dst = append(dst, f.batches[0]...)
	f.batches = f.batches[1:]
	return dst, nil
}

func TestConsume(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agg := candles.NewAggregator(b.store, func(string) (int64, market.AssetClass, bool) { return 0, "", false }, candles.AggregatorOptions{})
	bar := minute(time.Date(2026, 3, 8, 1, 0, 0, 0, time.UTC), "1", "1")
	src := &fakeSource{batches: [][]market.Event{
		{{Kind: market.EventBar, Bar: bar}, {Kind: market.EventQuote}},
		{{Kind: market.EventBar, Bar: bar}, {Kind: market.EventTrade}},
	}}
	if err := agg.Consume(context.Background(), src); !errors.Is(err, errClosed) {
		t.Errorf("Consume = %v, want the closed subscription's error", err)
	}
	if got := agg.Stats().Received; got != 2 {
		t.Errorf("received %d bars, want 2 (quotes and trades are not for candles)", got)
	}
}
