package candles_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"alpacawrapper/candles"
	"alpacawrapper/candles/candlestest"
	"alpacawrapper/market"
)

func TestUpsertMinuteBars(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("coarser candles are recomputed from the stored minutes", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		id := candlestest.InsertAsset(t, b.db, "AAPL", market.USEquity)
		rng := rand.New(rand.NewPCG(7, 7))
		minutes := candlestest.RandomMinutes(rng, "AAPL", b.cal.At("2026-03-06 04:00"), b.cal.At("2026-03-06 20:00"), 600)
		// In three writes, the way the live aggregator delivers them.
		for _, part := range [][]market.Bar{minutes[:100], minutes[100:450], minutes[450:]} {
			if err := b.store.UpsertMinuteBars(ctx, id, market.USEquity, part, candles.Live); err != nil {
				t.Fatal(err)
			}
		}
		checkAgainstRollup(t, b, id, market.USEquity, minutes)
	})

	t.Run("replaying a bar does not change any volume", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		id := candlestest.InsertAsset(t, b.db, "MSFT", market.USEquity)
		m := []market.Bar{
			minute(b.cal.At("2026-03-06 09:30"), "10", "100"),
			minute(b.cal.At("2026-03-06 09:31"), "11", "50"),
		}
		if err := b.store.UpsertMinuteBars(ctx, id, market.USEquity, m, candles.Live); err != nil {
			t.Fatal(err)
		}
		for range 3 { // a reconnect replay, a retried batch, the backfill passing over the same minute
			if err := b.store.UpsertMinuteBars(ctx, id, market.USEquity, m[1:], candles.Backfill); err != nil {
				t.Fatal(err)
			}
		}
		for _, tf := range market.Timeframes()[1:] {
			got := stored(t, b.db, id, tf)
			if len(got) != 1 || !got[0].Volume.Equal(dec("150")) || !got[0].Close.Equal(dec("11")) {
				t.Errorf("%s: %+v, want one candle of volume 150 closing at 11", tf, got)
			}
		}
	})

	t.Run("a late minute lands in its bucket once, and close follows time", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		id := candlestest.InsertAsset(t, b.db, "BTC/USD", market.Crypto)
		t0 := time.Date(2026, 3, 8, 1, 0, 0, 0, time.UTC)
		if err := b.store.UpsertMinuteBars(ctx, id, market.Crypto, []market.Bar{minute(t0, "100", "1"), minute(t0.Add(2*time.Minute), "102", "1")}, candles.Live); err != nil {
			t.Fatal(err)
		}
		// 01:01 arrives last; it is not the latest minute, so it must not become the close.
		if err := b.store.UpsertMinuteBars(ctx, id, market.Crypto, []market.Bar{minute(t0.Add(time.Minute), "150", "0.5")}, candles.Live); err != nil {
			t.Fatal(err)
		}
		got := stored(t, b.db, id, market.Hour1)
		if len(got) != 1 || !got[0].Volume.Equal(dec("2.5")) || !got[0].Close.Equal(dec("102")) || !got[0].High.Equal(dec("150")) {
			t.Fatalf("hour %+v, want volume 2.5, close 102, high 150", got)
		}
		if day := stored(t, b.db, id, market.Day1); len(day) != 1 || !day[0].BucketStart.Equal(time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("crypto day %+v, want one starting at UTC midnight", day)
		}
	})

	t.Run("a stock bar on a holiday is kept as a minute only", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		id := candlestest.InsertAsset(t, b.db, "IBM", market.USEquity)
		if err := b.store.UpsertMinuteBars(ctx, id, market.USEquity, []market.Bar{minute(b.cal.At("2026-11-26 10:00"), "5", "5")}, candles.Live); err != nil {
			t.Fatal(err)
		}
		if n := len(stored(t, b.db, id, market.Min1)); n != 1 {
			t.Errorf("%d minutes, want 1", n)
		}
		for _, tf := range market.Timeframes()[1:] {
			if n := len(stored(t, b.db, id, tf)); n != 0 {
				t.Errorf("%s: %d candles on a holiday", tf, n)
			}
		}
	})

	t.Run("nothing to write", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		if err := b.store.UpsertMinuteBars(ctx, 1, market.USEquity, nil, candles.Live); err != nil {
			t.Error(err)
		}
	})
}

// Two writers of one asset at once (the live aggregator and a backfill) each recompute the same
// buckets; the lock makes the later one see the earlier one's minutes.
func TestUpsertMinuteBarsConcurrentWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupDB(t)
	id := candlestest.InsertAsset(t, b.db, "ETH/USD", market.Crypto)
	t0 := time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)
	var all []market.Bar
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		var mine []market.Bar
		for i := range 30 {
			mine = append(mine, minute(t0.Add(time.Duration(w*30+i)*time.Minute), "100", "1"))
		}
		all = append(all, mine...)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, m := range mine { // one minute per transaction, as many commits as possible
				if err := b.store.UpsertMinuteBars(ctx, id, market.Crypto, []market.Bar{m}, candles.Live); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	day := stored(t, b.db, id, market.Day1)
	if len(day) != 1 || !day[0].Volume.Equal(dec("240")) || day[0].TradeCount != 240 {
		t.Fatalf("day %+v, want volume 240 from 240 minutes", day)
	}
	checkAgainstRollup(t, b, id, market.Crypto, all)
}

func BenchmarkUpsertMinuteBars(b *testing.B) {
	ctx := context.Background()
	bb := setupDB(b)
	id := candlestest.InsertAsset(b, bb.db, "BENCH/USD", market.Crypto)
	rng := rand.New(rand.NewPCG(1, 1))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := func(i int) []market.Bar {
		// 500 consecutive minutes, a new stretch each time.
		from := t0.Add(time.Duration(i) * 500 * time.Minute)
		return candlestest.RandomMinutes(rng, "BENCH/USD", from, from.Add(500*time.Minute), 500)
	}
	b.Run("new minutes", func(b *testing.B) {
		batches := make([][]market.Bar, b.N)
		for i := range batches {
			batches[i] = batch(i)
		}
		b.ResetTimer()
		for i := range b.N {
			if err := bb.store.UpsertMinuteBars(ctx, id, market.Crypto, batches[i], candles.Backfill); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("replayed minutes", func(b *testing.B) {
		replay := batch(0)
		for range b.N {
			if err := bb.store.UpsertMinuteBars(ctx, id, market.Crypto, replay, candles.Live); err != nil {
				b.Fatal(err)
			}
		}
	})
}
