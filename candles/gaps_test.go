package candles_test

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/candles"
	"alpacawrapper/candles/candlestest"
	"alpacawrapper/market"
)

func TestExpectedMinutes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name     string
		class    market.AssetClass
		from, to time.Time
		want     int
	}{
		{"a regular day", market.USEquity, b.cal.At("2026-03-06 00:00"), b.cal.At("2026-03-07 00:00"), 390},
		{"a weekend", market.USEquity, b.cal.At("2026-03-07 00:00"), b.cal.At("2026-03-09 00:00"), 0},
		{"Friday to Monday across the DST change", market.USEquity, b.cal.At("2026-03-06 15:00"), b.cal.At("2026-03-09 10:00"), 60 + 30},
		{"Thanksgiving and the early close", market.USEquity, b.cal.At("2026-11-26 00:00"), b.cal.At("2026-11-28 00:00"), 210},
		{"crypto never sleeps", market.Crypto, b.cal.At("2026-03-07 00:00"), b.cal.At("2026-03-09 00:00"), 47 * 60}, // 23-hour Sunday
		{"partial minutes are not expected", market.Crypto, time.Date(2026, 3, 8, 0, 0, 30, 0, time.UTC), time.Date(2026, 3, 8, 0, 3, 0, 0, time.UTC), 2},
	}
	for _, c := range cases {
		if got := b.store.ExpectedMinutes(c.class, c.from, c.to); len(got) != c.want {
			t.Errorf("%s: %d minutes, want %d", c.name, len(got), c.want)
		}
	}
}

func TestMissingMinutes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	id := candlestest.InsertAsset(t, b.db, "TSLA", market.USEquity)
	open := b.cal.At("2026-11-27 09:30")
	var bars []market.Bar
	for i := range 210 {
		if i == 10 || i == 11 || i == 209 {
			continue // two minutes lost in the morning, and the last one before the 13:00 close
		}
		bars = append(bars, minute(open.Add(time.Duration(i)*time.Minute), "1", "1"))
	}
	if err := b.store.UpsertMinuteBars(ctx, id, market.USEquity, bars, candles.Live); err != nil {
		t.Fatal(err)
	}
	missing, err := b.store.MissingMinutes(ctx, id, market.USEquity, b.cal.At("2026-11-26 00:00"), b.cal.At("2026-11-28 00:00"))
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{open.Add(10 * time.Minute), open.Add(11 * time.Minute), b.cal.At("2026-11-27 12:59")}
	if len(missing) != len(want) {
		t.Fatalf("missing %v, want %v", missing, want)
	}
	for i := range want {
		if !missing[i].Equal(want[i]) {
			t.Errorf("missing[%d] = %s, want %s", i, missing[i], want[i])
		}
	}
}

func TestChunks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	floor := b.cal.At("2026-01-01 00:00")
	cases := []struct {
		name string
		got  time.Time
		want time.Time
	}{
		// From Tuesday 2026-12-01 noon back five trading days: Tue, Mon, Fri (early close), Wed,
		// Tue; Thanksgiving does not count.
		{"stocks back", b.store.ChunkBack(market.USEquity, b.cal.At("2026-12-01 12:00"), 5, floor), b.cal.At("2026-11-24 00:00")},
		{"stocks back stop at the floor", b.store.ChunkBack(market.USEquity, b.cal.At("2026-12-01 12:00"), 5, b.cal.At("2026-11-30 08:00")), b.cal.At("2026-11-30 08:00")},
		{"crypto back", b.store.ChunkBack(market.Crypto, time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), 5, floor), time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)},
		// From Wednesday 2026-11-25 forward two trading days: Wed, Fri; ends at Saturday's midnight.
		{"stocks forward", b.store.ChunkForward(market.USEquity, b.cal.At("2026-11-25 10:00"), 2, b.cal.At("2026-12-31 00:00")), b.cal.At("2026-11-28 00:00")},
		{"stocks forward stop at the ceiling", b.store.ChunkForward(market.USEquity, b.cal.At("2026-11-25 10:00"), 2, b.cal.At("2026-11-25 11:00")), b.cal.At("2026-11-25 11:00")},
		{"crypto forward", b.store.ChunkForward(market.Crypto, time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), 2, floor.AddDate(1, 0, 0)), time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		if !c.got.Equal(c.want) {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
}
