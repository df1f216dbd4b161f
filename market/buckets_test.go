package market_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"alpacawrapper/candles/candlestest"
	"alpacawrapper/market"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestBucketBoundaries(t *testing.T) {
	t.Parallel()
	cal := candlestest.NewCalendar()
	b := market.NewBucketer(cal)
	et := cal.At
	stock, crypto := market.USEquity, market.Crypto

	cases := []struct {
		name       string
		tf         market.Timeframe
		class      market.AssetClass
		at         time.Time
		start, end time.Time
		ok         bool
	}{
		// 2026-03-06 is a Friday on EST (UTC−5): 09:30 ET is 14:30Z.
		{"EST open minute", market.Min1, stock, et("2026-03-06 09:30"), utc("2026-03-06T14:30:00Z"), utc("2026-03-06T14:31:00Z"), true},
		{"EST 5m second bucket", market.Min5, stock, et("2026-03-06 09:37"), et("2026-03-06 09:35"), et("2026-03-06 09:40"), true},
		{"EST 1h anchored at the open", market.Hour1, stock, et("2026-03-06 10:29"), utc("2026-03-06T14:30:00Z"), utc("2026-03-06T15:30:00Z"), true},
		{"EST last hour is cut at 16:00", market.Hour1, stock, et("2026-03-06 15:59"), et("2026-03-06 15:30"), utc("2026-03-06T21:00:00Z"), true},
		{"EST 4h first", market.Hour4, stock, et("2026-03-06 13:29"), et("2026-03-06 09:30"), et("2026-03-06 13:30"), true},
		{"EST 4h second is cut at the close", market.Hour4, stock, et("2026-03-06 13:30"), et("2026-03-06 13:30"), et("2026-03-06 16:00"), true},
		{"EST day is the regular session", market.Day1, stock, et("2026-03-06 15:59"), utc("2026-03-06T14:30:00Z"), utc("2026-03-06T21:00:00Z"), true},
		{"pre-market hour ends at the open", market.Hour1, stock, et("2026-03-06 09:29"), et("2026-03-06 08:30"), et("2026-03-06 09:30"), true},
		{"pre-market 4h is cut at 04:00", market.Hour4, stock, et("2026-03-06 04:00"), et("2026-03-06 04:00"), et("2026-03-06 05:30"), true},
		{"after hours start at the close", market.Hour1, stock, et("2026-03-06 16:00"), et("2026-03-06 16:00"), et("2026-03-06 17:00"), true},
		{"after hours 4h", market.Hour4, stock, et("2026-03-06 19:59"), et("2026-03-06 16:00"), et("2026-03-06 20:00"), true},
		{"pre-market joins no day", market.Day1, stock, et("2026-03-06 09:29"), time.Time{}, time.Time{}, false},
		{"after hours join no day", market.Day1, stock, et("2026-03-06 16:00"), time.Time{}, time.Time{}, false},
		{"outside the extended session", market.Min5, stock, et("2026-03-06 20:00"), time.Time{}, time.Time{}, false},
		{"a minute is kept even outside sessions", market.Min1, stock, et("2026-03-07 12:00"), et("2026-03-07 12:00"), et("2026-03-07 12:01"), true},
		{"weekend joins nothing coarser", market.Hour1, stock, et("2026-03-07 12:00"), time.Time{}, time.Time{}, false},
		{"holiday joins nothing coarser", market.Day1, stock, et("2026-11-26 12:00"), time.Time{}, time.Time{}, false},

		// 2026-03-09 is the Monday after the spring change, on EDT (UTC−4): the same exchange
		// times are an hour earlier in UTC.
		{"EDT open", market.Hour1, stock, et("2026-03-09 09:30"), utc("2026-03-09T13:30:00Z"), utc("2026-03-09T14:30:00Z"), true},
		{"EDT close", market.Hour1, stock, et("2026-03-09 15:45"), utc("2026-03-09T19:30:00Z"), utc("2026-03-09T20:00:00Z"), true},
		{"EDT day", market.Day1, stock, et("2026-03-09 09:30"), utc("2026-03-09T13:30:00Z"), utc("2026-03-09T20:00:00Z"), true},
		// And back in the autumn: Friday 2026-10-30 on EDT, Monday 2026-11-02 on EST.
		{"EDT Friday before the fall change", market.Day1, stock, et("2026-10-30 12:00"), utc("2026-10-30T13:30:00Z"), utc("2026-10-30T20:00:00Z"), true},
		{"EST Monday after the fall change", market.Day1, stock, et("2026-11-02 12:00"), utc("2026-11-02T14:30:00Z"), utc("2026-11-02T21:00:00Z"), true},

		// 2026-11-27 closes at 13:00 ET.
		{"early close day", market.Day1, stock, et("2026-11-27 12:59"), et("2026-11-27 09:30"), utc("2026-11-27T18:00:00Z"), true},
		{"early close last hour is cut", market.Hour1, stock, et("2026-11-27 12:59"), et("2026-11-27 12:30"), et("2026-11-27 13:00"), true},
		{"early close 4h is cut", market.Hour4, stock, et("2026-11-27 10:00"), et("2026-11-27 09:30"), et("2026-11-27 13:00"), true},
		{"early close 30m on the grid", market.Min30, stock, et("2026-11-27 12:45"), et("2026-11-27 12:30"), et("2026-11-27 13:00"), true},
		{"after an early close", market.Hour1, stock, et("2026-11-27 13:00"), et("2026-11-27 13:00"), et("2026-11-27 14:00"), true},
		{"after an early close 4h", market.Hour4, stock, et("2026-11-27 16:59"), et("2026-11-27 13:00"), et("2026-11-27 17:00"), true},
		{"the extended session ends at 17:00 after an early close", market.Min5, stock, et("2026-11-27 17:00"), time.Time{}, time.Time{}, false},
		{"no daily candle after an early close", market.Day1, stock, et("2026-11-27 13:00"), time.Time{}, time.Time{}, false},

		// Crypto ignores the exchange and uses UTC, also across the DST change.
		{"crypto day", market.Day1, crypto, utc("2026-03-08T03:00:00Z"), utc("2026-03-08T00:00:00Z"), utc("2026-03-09T00:00:00Z"), true},
		{"crypto day on a holiday", market.Day1, crypto, utc("2026-11-26T23:59:00Z"), utc("2026-11-26T00:00:00Z"), utc("2026-11-27T00:00:00Z"), true},
		{"crypto 4h", market.Hour4, crypto, utc("2026-03-08T07:59:00Z"), utc("2026-03-08T04:00:00Z"), utc("2026-03-08T08:00:00Z"), true},
		{"crypto 1h on the hour", market.Hour1, crypto, utc("2026-03-06T14:30:00Z"), utc("2026-03-06T14:00:00Z"), utc("2026-03-06T15:00:00Z"), true},
		{"crypto 15m", market.Min15, crypto, utc("2026-03-06T14:44:59Z"), utc("2026-03-06T14:30:00Z"), utc("2026-03-06T14:45:00Z"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, ok := b.Bucket(c.tf, c.class, c.at)
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v (bucket %v)", ok, c.ok, got)
			}
			if !ok {
				return
			}
			if !got.Start.Equal(c.start) || !got.End.Equal(c.end) {
				t.Errorf("bucket [%s, %s), want [%s, %s)", got.Start, got.End, c.start, c.end)
			}
			if got.Start.Location() != time.UTC {
				t.Errorf("start %s is not in UTC", got.Start)
			}
			start, _ := b.BucketStart(c.tf, c.class, c.at)
			if !start.Equal(c.start) {
				t.Errorf("BucketStart %s, want %s", start, c.start)
			}
		})
	}
}

// Every minute of a bucket maps back to that bucket, and each timeframe's buckets nest inside the
// next coarser one, so candles of different timeframes always agree with each other.
func TestBucketsPartitionAndNest(t *testing.T) {
	t.Parallel()
	cal := candlestest.NewCalendar()
	b := market.NewBucketer(cal)
	rng := rand.New(rand.NewPCG(1, 2))
	windows := [][2]time.Time{
		{utc("2026-03-06T00:00:00Z"), utc("2026-03-11T00:00:00Z")}, // spring DST change
		{utc("2026-10-30T00:00:00Z"), utc("2026-11-04T00:00:00Z")}, // autumn DST change
		{utc("2026-11-25T00:00:00Z"), utc("2026-11-30T00:00:00Z")}, // holiday and early close
	}
	nested := []market.Timeframe{market.Min1, market.Min5, market.Min15, market.Min30, market.Hour1, market.Hour4}
	for i := 0; i < 5000; i++ {
		w := windows[i%len(windows)]
		at := w[0].Add(time.Duration(rng.Int64N(int64(w[1].Sub(w[0])))))
		for _, class := range []market.AssetClass{market.USEquity, market.Crypto} {
			var inner market.Bucket
			for j, tf := range append(nested, market.Day1) {
				got, ok := b.Bucket(tf, class, at)
				if !ok {
					continue
				}
				if !got.Contains(at.Truncate(time.Minute)) || !got.Start.Before(got.End) {
					t.Fatalf("%s %s at %s: bucket [%s, %s) does not hold it", class, tf, at, got.Start, got.End)
				}
				for _, edge := range []time.Time{got.Start, got.End.Add(-time.Minute)} {
					again, ok := b.Bucket(tf, class, edge)
					if !ok || again != got {
						t.Fatalf("%s %s: edge %s maps to [%s, %s), not [%s, %s)", class, tf, edge, again.Start, again.End, got.Start, got.End)
					}
				}
				if j > 0 && (inner.Start.Before(got.Start) || inner.End.After(got.End)) {
					t.Fatalf("%s %s at %s: [%s, %s) does not hold the finer [%s, %s)", class, tf, at, got.Start, got.End, inner.Start, inner.End)
				}
				if tf != market.Day1 || class == market.Crypto {
					inner = got
				}
			}
		}
	}
}

func TestCover(t *testing.T) {
	t.Parallel()
	cal := candlestest.NewCalendar()
	b := market.NewBucketer(cal)
	// Two minutes in one 5m bucket, one more in the next, given out of order.
	got := b.Cover(market.USEquity, []time.Time{cal.At("2026-03-06 09:36"), cal.At("2026-03-06 09:30"), cal.At("2026-03-06 09:31")})
	if n := len(got[market.Min5]); n != 2 {
		t.Errorf("5m buckets %d, want 2: %v", n, got[market.Min5])
	}
	for _, tf := range []market.Timeframe{market.Min15, market.Min30, market.Hour1, market.Hour4, market.Day1} {
		if n := len(got[tf]); n != 1 {
			t.Errorf("%s buckets %d, want 1", tf, n)
		}
	}
	if _, ok := got[market.Min1]; ok {
		t.Error("1m is the minutes themselves, not a bucket to recompute")
	}
	pre := b.Cover(market.USEquity, []time.Time{cal.At("2026-03-06 08:00")})
	if _, ok := pre[market.Day1]; ok {
		t.Error("a pre-market minute must not touch the daily candle")
	}
}
