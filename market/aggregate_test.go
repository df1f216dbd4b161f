package market_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/candles/candlestest"
	"alpacawrapper/market"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func bar(start time.Time, o, h, l, c, v, vwap string, n int64) market.Bar {
	return market.Bar{Symbol: "AAPL", Start: start, Open: dec(o), High: dec(h), Low: dec(l), Close: dec(c),
		Volume: dec(v), TradeCount: n, VWAP: dec(vwap)}
}

func sameBar(a, b market.Bar) bool {
	return a.Start.Equal(b.Start) && a.Open.Equal(b.Open) && a.High.Equal(b.High) && a.Low.Equal(b.Low) &&
		a.Close.Equal(b.Close) && a.Volume.Equal(b.Volume) && a.TradeCount == b.TradeCount && a.VWAP.Equal(b.VWAP)
}

func TestMerge(t *testing.T) {
	t.Parallel()
	t0 := utc("2026-03-06T14:30:00Z")
	m1 := bar(t0, "10", "11", "9.5", "10.5", "100", "10.2", 5)
	m2 := bar(t0.Add(time.Minute), "10.5", "12", "10.4", "11.9", "300", "11.3", 7)
	m3 := bar(t0.Add(2*time.Minute), "11.9", "11.95", "8", "9", "0", "0", 0)
	want := market.Bar{Start: t0, Open: dec("10"), High: dec("12"), Low: dec("8"), Close: dec("9"),
		Volume: dec("400"), TradeCount: 12,
		// (10.2·100 + 11.3·300 + 9·0) / 400 = 11.025
		VWAP: dec("11.025")}

	t.Run("open and close by time, not by arrival", func(t *testing.T) {
		t.Parallel()
		got, ok := market.Merge(t0, []market.Bar{m3, m1, m2})
		if !ok || !sameBar(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("a minute given twice counts once", func(t *testing.T) {
		t.Parallel()
		got, _ := market.Merge(t0, []market.Bar{m2, m1, m2, m3, m1})
		if !sameBar(got, want) {
			t.Errorf("got volume %s, want %s", got.Volume, want.Volume)
		}
	})
	t.Run("of two versions of a minute the later one wins", func(t *testing.T) {
		t.Parallel()
		corrected := m2
		corrected.Volume = dec("500")
		got, _ := market.Merge(t0, []market.Bar{m1, m2, corrected, m3})
		if !got.Volume.Equal(dec("600")) {
			t.Errorf("volume %s, want 600", got.Volume)
		}
	})
	t.Run("VWAP is rounded to six places", func(t *testing.T) {
		t.Parallel()
		a := bar(t0, "1", "1", "1", "1", "1", "1", 1)
		b := bar(t0.Add(time.Minute), "2", "2", "2", "2", "2", "2", 1)
		got, _ := market.Merge(t0, []market.Bar{a, b})
		if !got.VWAP.Equal(dec("1.666667")) {
			t.Errorf("vwap %s, want 1.666667", got.VWAP)
		}
	})
	t.Run("nothing traded", func(t *testing.T) {
		t.Parallel()
		got, _ := market.Merge(t0, []market.Bar{m3})
		if !got.VWAP.Equal(got.Close) || !got.Volume.IsZero() {
			t.Errorf("got %+v, want VWAP = close and no volume", got)
		}
	})
	t.Run("a minute without VWAP weighs in at its close", func(t *testing.T) {
		t.Parallel()
		a := bar(t0, "10", "10", "10", "10", "1", "0", 1)
		b := bar(t0.Add(time.Minute), "20", "20", "20", "20", "1", "20", 1)
		got, _ := market.Merge(t0, []market.Bar{a, b})
		if !got.VWAP.Equal(dec("15")) {
			t.Errorf("vwap %s, want 15", got.VWAP)
		}
	})
	t.Run("no bars", func(t *testing.T) {
		t.Parallel()
		if _, ok := market.Merge(t0, nil); ok {
			t.Error("merged nothing into a candle")
		}
	})
}

func TestRollupLeavesOutMinutesOfNoCandle(t *testing.T) {
	t.Parallel()
	cal := candlestest.NewCalendar()
	b := market.NewBucketer(cal)
	minutes := []market.Bar{
		bar(cal.At("2026-03-06 09:29"), "1", "1", "1", "1", "10", "1", 1), // pre-market
		bar(cal.At("2026-03-06 09:30"), "2", "2", "2", "2", "20", "2", 1),
		bar(cal.At("2026-03-06 15:59"), "3", "3", "3", "3", "30", "3", 1),
		bar(cal.At("2026-03-06 16:00"), "4", "4", "4", "4", "40", "4", 1), // after hours
	}
	days := market.Rollup(b, market.Day1, market.USEquity, minutes)
	if len(days) != 1 || !days[0].Volume.Equal(dec("50")) || !days[0].Open.Equal(dec("2")) || !days[0].Close.Equal(dec("3")) {
		t.Fatalf("daily candles %+v, want one of the regular session (volume 50, open 2, close 3)", days)
	}
	hours := market.Rollup(b, market.Hour1, market.USEquity, minutes)
	if len(hours) != 4 {
		t.Errorf("hourly candles %d, want 4 (08:30, 09:30, 15:30, 16:00)", len(hours))
	}
}

// The property behind live and backfilled candles agreeing: whatever order minute bars come in,
// however often each is repeated, and however they are split into batches, the candles of every
// timeframe come out the same as from the clean, sorted minutes. Runs over a spring and an autumn
// DST change and a holiday with an early close, for stocks and crypto.
func TestRollupIsOrderIndependentAndIdempotent(t *testing.T) {
	t.Parallel()
	cal := candlestest.NewCalendar()
	b := market.NewBucketer(cal)
	windows := [][2]string{
		{"2026-03-06T00:00:00Z", "2026-03-10T23:59:00Z"},
		{"2026-10-30T00:00:00Z", "2026-11-03T23:59:00Z"},
		{"2026-11-25T00:00:00Z", "2026-11-28T00:00:00Z"},
	}
	for seed := uint64(0); seed < 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 42))
		w := windows[seed%uint64(len(windows))]
		class := market.USEquity
		if seed%4 == 3 {
			class = market.Crypto
		}
		minutes := candlestest.RandomMinutes(rng, "X", utc(w[0]), utc(w[1]), 1+rng.IntN(400))

		messy := append([]market.Bar(nil), minutes...)
		for i := rng.IntN(len(minutes) + 1); i > 0; i-- {
			messy = append(messy, minutes[rng.IntN(len(minutes))])
		}
		rng.Shuffle(len(messy), func(i, j int) { messy[i], messy[j] = messy[j], messy[i] })

		for _, tf := range market.Timeframes() {
			want := market.Rollup(b, tf, class, minutes)
			got := market.Rollup(b, tf, class, messy)
			if len(got) != len(want) {
				t.Fatalf("seed %d %s %s: %d candles, want %d", seed, class, tf, len(got), len(want))
			}
			for i := range want {
				if !sameBar(got[i], want[i]) {
					t.Fatalf("seed %d %s %s candle %d: got %+v, want %+v", seed, class, tf, i, got[i], want[i])
				}
			}
			// Merging each bucket's minutes by hand agrees with Rollup.
			total := decimal.Zero
			for _, c := range want {
				total = total.Add(c.Volume)
			}
			expect := decimal.Zero
			for _, m := range minutes {
				if _, ok := b.Bucket(tf, class, m.Start); ok {
					expect = expect.Add(m.Volume)
				}
			}
			if !total.Equal(expect) {
				t.Fatalf("seed %d %s %s: candles hold volume %s, their minutes %s", seed, class, tf, total, expect)
			}
		}
	}
}
