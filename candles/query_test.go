package candles_test

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/apperr"
	"alpacawrapper/candles"
	"alpacawrapper/candles/candlestest"
	"alpacawrapper/market"
)

func TestQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t) // one transaction: the subtests below share it, so they run one at a time
	id := candlestest.InsertAsset(t, b.db, "QQQ", market.USEquity)
	t0 := b.cal.At("2026-03-06 09:30")
	var bars []market.Bar
	for i := range 10 {
		bars = append(bars, minute(t0.Add(time.Duration(i)*time.Minute), "100", "1"))
	}
	if err := b.store.UpsertMinuteBars(ctx, id, market.USEquity, bars, candles.Live); err != nil {
		t.Fatal(err)
	}
	minutesOf := func(p candles.CandlePage) []int {
		var out []int
		for _, c := range p.Candles {
			out = append(out, int(c.Start.Sub(t0)/time.Minute))
		}
		return out
	}
	equal := func(a, b []int) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}

	t.Run("scrolling back page by page, newest first", func(t *testing.T) {
		q := candles.CandleQuery{Symbol: "qqq", Timeframe: market.Min1, Limit: 4}
		var pages [][]int
		for range 5 {
			p, err := b.store.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if p.AssetID != id || p.Symbol != "QQQ" {
				t.Fatalf("page of %d %q", p.AssetID, p.Symbol)
			}
			pages = append(pages, minutesOf(p))
			if p.NextCursor == "" {
				break
			}
			q.Before = p.NextCursor
		}
		want := [][]int{{6, 7, 8, 9}, {2, 3, 4, 5}, {0, 1}}
		if len(pages) != len(want) {
			t.Fatalf("pages %v, want %v", pages, want)
		}
		for i := range want {
			if !equal(pages[i], want[i]) {
				t.Errorf("page %d: %v, want %v", i, pages[i], want[i])
			}
		}
	})
	t.Run("paging forward from a cursor", func(t *testing.T) {
		first, err := b.store.Query(ctx, candles.CandleQuery{AssetID: id, Timeframe: market.Min1, Limit: 3, Before: cursorAt(t, b, id, 5)})
		if err != nil {
			t.Fatal(err)
		}
		if got := minutesOf(first); !equal(got, []int{2, 3, 4}) {
			t.Fatalf("before minute 5: %v, want 2 3 4", got)
		}
		next, err := b.store.Query(ctx, candles.CandleQuery{AssetID: id, Timeframe: market.Min1, Limit: 3, After: first.PrevCursor})
		if err != nil {
			t.Fatal(err)
		}
		if got := minutesOf(next); !equal(got, []int{5, 6, 7}) || next.NextCursor == "" {
			t.Errorf("after the page: %v (older cursor %q), want 5 6 7 with older candles", got, next.NextCursor)
		}
	})
	t.Run("coarser timeframes", func(t *testing.T) {
		p, err := b.store.Query(ctx, candles.CandleQuery{AssetID: id, Timeframe: market.Min5})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Candles) != 2 || !p.Candles[0].Volume.Equal(dec("5")) || p.NextCursor != "" || p.PrevCursor == "" {
			t.Errorf("5m page %+v", p)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		fiveMinute, err := b.store.Query(ctx, candles.CandleQuery{AssetID: id, Timeframe: market.Min5})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			q    candles.CandleQuery
			kind apperr.Kind
			code string
		}{
			{"unknown symbol", candles.CandleQuery{Symbol: "NOPE", Timeframe: market.Min1}, apperr.KindNotFound, "asset_not_found"},
			{"unknown id", candles.CandleQuery{AssetID: id + 1000, Timeframe: market.Min1}, apperr.KindNotFound, "asset_not_found"},
			{"no asset", candles.CandleQuery{Timeframe: market.Min1}, apperr.KindInvalid, "invalid_input"},
			{"bad timeframe", candles.CandleQuery{AssetID: id, Timeframe: "2m"}, apperr.KindInvalid, "invalid_input"},
			{"garbage cursor", candles.CandleQuery{AssetID: id, Timeframe: market.Min1, Before: "%%%"}, apperr.KindInvalid, "invalid_input"},
			{"another timeframe's cursor", candles.CandleQuery{AssetID: id, Timeframe: market.Min1, After: fiveMinute.PrevCursor}, apperr.KindInvalid, "invalid_input"},
		}
		for _, c := range cases {
			_, err := b.store.Query(ctx, c.q)
			e, ok := apperr.As(err)
			if !ok || e.Kind != c.kind || e.Code != c.code {
				t.Errorf("%s: %v, want a %s refusal", c.name, err, c.code)
			}
		}
	})
	t.Run("limits are capped", func(t *testing.T) {
		p, err := b.store.Query(ctx, candles.CandleQuery{AssetID: id, Timeframe: market.Min1, Limit: 1_000_000})
		if err != nil || len(p.Candles) != 10 {
			t.Errorf("%d candles, err %v", len(p.Candles), err)
		}
	})
}

// cursorAt makes a Before cursor pointing at minute n after the open, the way a client gets one:
// from the page that starts there.
func cursorAt(t *testing.T, b bundle, assetID int64, n int) string {
	t.Helper()
	p, err := b.store.Query(context.Background(), candles.CandleQuery{AssetID: assetID, Timeframe: market.Min1, Limit: 10 - n})
	if err != nil || len(p.Candles) != 10-n {
		t.Fatalf("cursor page: %+v, %v", p, err)
	}
	return p.NextCursor
}
