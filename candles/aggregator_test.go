package candles_test

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/candles"
	"alpacawrapper/candles/candlestest"
	"alpacawrapper/internal/testwait"
	"alpacawrapper/market"
)

func TestAggregator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("batches bars per asset and drops unknown symbols", func(t *testing.T) {
		t.Parallel()
		b := setupDB(t)
		btc := candlestest.InsertAsset(t, b.db, "BTC/USD", market.Crypto)
		spy := candlestest.InsertAsset(t, b.db, "SPY", market.USEquity)
		resolve := func(symbol string) (int64, market.AssetClass, bool) {
			switch symbol {
			case "BTC/USD":
				return btc, market.Crypto, true
			case "SPY":
				return spy, market.USEquity, true
			}
			return 0, "", false
		}
		agg := candles.NewAggregator(b.store, resolve, candles.AggregatorOptions{})
		t0 := b.cal.At("2026-03-09 09:30")
		for i := range 3 {
			for _, sym := range []string{"BTC/USD", "SPY", "DOGE/USD"} {
				m := minute(t0.Add(time.Duration(i)*time.Minute), "10", "2")
				m.Symbol = sym
				agg.OnBar(m)
			}
		}
		// A reconnect replays the last bar.
		replay := minute(t0.Add(2*time.Minute), "10", "2")
		replay.Symbol = "SPY"
		agg.OnBar(replay)
		if err := agg.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{btc, spy} {
			hour := stored(t, b.db, id, market.Hour1)
			if len(hour) != 1 || !hour[0].Volume.Equal(dec("6")) || hour[0].Source != "live" {
				t.Errorf("asset %d hour %+v, want volume 6 from live", id, hour)
			}
		}
		if s := agg.Stats(); s.Received != 10 || s.Written != 7 || s.Unknown != 3 || s.Dropped != 0 {
			t.Errorf("stats %+v", s)
		}
	})

	t.Run("a failed write is retried by the next flush", func(t *testing.T) {
		t.Parallel()
		b := setupDB(t)
		var id int64 = -1 // no such asset yet: the write breaks the foreign key
		resolve := func(string) (int64, market.AssetClass, bool) { return id, market.Crypto, true }
		agg := candles.NewAggregator(b.store, resolve, candles.AggregatorOptions{})
		agg.OnBar(minute(time.Date(2026, 3, 8, 1, 0, 0, 0, time.UTC), "5", "1"))
		if err := agg.Flush(ctx); err == nil {
			t.Fatal("a write to a missing asset succeeded")
		}
		id = candlestest.InsertAsset(t, b.db, "XRP/USD", market.Crypto) // the catalogue catches up
		if err := agg.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := stored(t, b.db, id, market.Min1); len(got) != 1 {
			t.Errorf("%d minutes stored after the retry, want 1", len(got))
		}
		if s := agg.Stats(); s.Failures != 1 || s.Written != 1 {
			t.Errorf("stats %+v", s)
		}
	})

	t.Run("Run flushes a full batch at once and what is left when it stops", func(t *testing.T) {
		t.Parallel()
		b := setupDB(t)
		id := candlestest.InsertAsset(t, b.db, "ETH/USD", market.Crypto)
		resolve := func(string) (int64, market.AssetClass, bool) { return id, market.Crypto, true }
		agg := candles.NewAggregator(b.store, resolve, candles.AggregatorOptions{FlushEvery: time.Hour, MaxBatch: 5})
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- agg.Run(runCtx) }()
		t0 := time.Date(2026, 3, 8, 1, 0, 0, 0, time.UTC)
		for i := range 5 {
			agg.OnBar(minute(t0.Add(time.Duration(i)*time.Minute), "1", "1"))
		}
		testwait.Until(t, 10*time.Second, "the batch of 5 to be written", func() bool { return agg.Stats().Written >= 5 })
		if w := agg.Stats().Written; w != 5 {
			t.Fatalf("written %d before the hourly tick, want the full batch of 5", w)
		}
		agg.OnBar(minute(t0.Add(5*time.Minute), "1", "1"))
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := stored(t, b.db, id, market.Min1); len(got) != 6 {
			t.Errorf("%d minutes after stopping, want 6", len(got))
		}
	})

	t.Run("sheds bars beyond MaxPending", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		agg := candles.NewAggregator(b.store, func(string) (int64, market.AssetClass, bool) { return 0, "", false },
			candles.AggregatorOptions{MaxPending: 2})
		for range 5 {
			agg.OnBar(minute(time.Now(), "1", "1"))
		}
		if s := agg.Stats(); s.Received != 5 || s.Dropped != 3 {
			t.Errorf("stats %+v, want 3 of 5 dropped", s)
		}
	})
}
