package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/candles/candlestest"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

func minuteRow(assetID int64, start time.Time, close, volume string, source string) models.Candle {
	c := decimal.RequireFromString(close)
	return models.Candle{AssetID: assetID, Timeframe: "1m", BucketStart: start, Open: c, High: c, Low: c, Close: c,
		Volume: decimal.RequireFromString(volume), TradeCount: 1, VWAP: c, Source: source}
}

func TestUpsertCandles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 6, 14, 30, 0, 0, time.UTC)

	t.Run("the same key twice is one row, and the later write wins", func(t *testing.T) {
		t.Parallel()
		tx := dbtest.Tx(t)
		id := candlestest.InsertAsset(t, tx, "AAPL", market.USEquity)
		first := minuteRow(id, t0, "10.50", "100", models.CandleSourceLive)
		if err := models.UpsertCandles(ctx, tx, []models.Candle{first}); err != nil {
			t.Fatal(err)
		}
		corrected := minuteRow(id, t0, "10.75", "150", models.CandleSourceBackfill)
		if err := models.UpsertCandles(ctx, tx, []models.Candle{corrected, corrected}); err != nil {
			t.Fatal(err)
		}
		rows, err := models.CandlesOldest(ctx, tx, models.CandleRange{AssetID: id, Timeframe: "1m"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || !rows[0].Volume.Equal(decimal.NewFromInt(150)) || !rows[0].Close.Equal(decimal.RequireFromString("10.75")) {
			t.Fatalf("rows %+v, want one with the corrected values", rows)
		}
		if rows[0].Source != models.CandleSourceBackfill || !rows[0].BucketStart.Equal(t0) || rows[0].BucketStart.Location() != time.UTC {
			t.Errorf("row %+v: want source backfill and a UTC start of %s", rows[0], t0)
		}
	})
	t.Run("an identical replay rewrites nothing", func(t *testing.T) {
		t.Parallel()
		tx := dbtest.Tx(t)
		id := candlestest.InsertAsset(t, tx, "MSFT", market.USEquity)
		row := minuteRow(id, t0, "300.1", "7.5", models.CandleSourceLive)
		if err := models.UpsertCandles(ctx, tx, []models.Candle{row}); err != nil {
			t.Fatal(err)
		}
		replay := minuteRow(id, t0, "300.10", "7.50", models.CandleSourceBackfill) // same values, other scale
		if err := models.UpsertCandles(ctx, tx, []models.Candle{replay}); err != nil {
			t.Fatal(err)
		}
		rows, _ := models.CandlesOldest(ctx, tx, models.CandleRange{AssetID: id, Timeframe: "1m"}, 10)
		if len(rows) != 1 || rows[0].Source != models.CandleSourceLive {
			t.Errorf("rows %+v: the identical replay should have left the row alone", rows)
		}
	})
	t.Run("minutes are read back in order, within the range", func(t *testing.T) {
		t.Parallel()
		tx := dbtest.Tx(t)
		id := candlestest.InsertAsset(t, tx, "AMD", market.USEquity)
		var rows []models.Candle
		for _, i := range []int{3, 0, 2, 1, 4} {
			rows = append(rows, minuteRow(id, t0.Add(time.Duration(i)*time.Minute), "1.5", "2", models.CandleSourceLive))
		}
		rows = append(rows, models.Candle{AssetID: id, Timeframe: "5m", BucketStart: t0, Open: rows[0].Open, High: rows[0].High,
			Low: rows[0].Low, Close: rows[0].Close, Volume: rows[0].Volume, VWAP: rows[0].VWAP, Source: models.CandleSourceLive})
		if err := models.UpsertCandles(ctx, tx, rows); err != nil {
			t.Fatal(err)
		}
		got, err := models.MinuteCandles(ctx, tx, id, t0.Add(time.Minute), t0.Add(4*time.Minute))
		if err != nil || len(got) != 3 {
			t.Fatalf("minutes %+v (err %v), want 1, 2, 3", got, err)
		}
		for i, c := range got {
			if !c.BucketStart.Equal(t0.Add(time.Duration(i+1)*time.Minute)) || c.Timeframe != "1m" || !c.Volume.Equal(decimal.NewFromInt(2)) {
				t.Errorf("minute %d: %+v", i, c)
			}
		}
	})
	t.Run("batches larger than one statement", func(t *testing.T) {
		t.Parallel()
		tx := dbtest.Tx(t)
		id := candlestest.InsertAsset(t, tx, "BTC/USD", market.Crypto)
		rows := make([]models.Candle, 12000)
		for i := range rows {
			rows[i] = minuteRow(id, t0.Add(time.Duration(i)*time.Minute), "1", "1", models.CandleSourceBackfill)
		}
		if err := models.UpsertCandles(ctx, tx, rows); err != nil {
			t.Fatal(err)
		}
		got, err := models.MinuteStarts(ctx, tx, id, t0, t0.Add(24*time.Hour*30))
		if err != nil || len(got) != 12000 {
			t.Fatalf("stored %d minutes (err %v), want 12000", len(got), err)
		}
	})
}

func TestCandlePages(t *testing.T) {
	t.Parallel()
	ctx, tx := context.Background(), dbtest.Tx(t)
	id := candlestest.InsertAsset(t, tx, "NVDA", market.USEquity)
	t0 := time.Date(2026, 3, 6, 14, 30, 0, 0, time.UTC)
	var rows []models.Candle
	for i := range 10 {
		rows = append(rows, minuteRow(id, t0.Add(time.Duration(i)*time.Minute), "1", "1", models.CandleSourceLive))
	}
	if err := models.UpsertCandles(ctx, tx, rows); err != nil {
		t.Fatal(err)
	}
	r := models.CandleRange{AssetID: id, Timeframe: "1m", Before: t0.Add(5 * time.Minute)}
	newest, err := models.CandlesNewest(ctx, tx, r, 3)
	if err != nil || len(newest) != 3 || !newest[0].BucketStart.Equal(t0.Add(4*time.Minute)) || !newest[2].BucketStart.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("newest before 5: %v (err %v), want minutes 4, 3, 2", starts(newest), err)
	}
	r = models.CandleRange{AssetID: id, Timeframe: "1m", After: t0.Add(7 * time.Minute)}
	oldest, err := models.CandlesOldest(ctx, tx, r, 5)
	if err != nil || len(oldest) != 2 || !oldest[0].BucketStart.Equal(t0.Add(8*time.Minute)) {
		t.Errorf("oldest after 7: %v (err %v), want minutes 8, 9", starts(oldest), err)
	}
	for _, c := range []struct {
		r    models.CandleRange
		want bool
	}{
		{models.CandleRange{AssetID: id, Timeframe: "1m", Before: t0}, false},
		{models.CandleRange{AssetID: id, Timeframe: "1m", Before: t0.Add(time.Minute)}, true},
		{models.CandleRange{AssetID: id, Timeframe: "5m"}, false},
	} {
		if got, err := models.AnyCandles(ctx, tx, c.r); err != nil || got != c.want {
			t.Errorf("AnyCandles(%+v) = %v (err %v), want %v", c.r, got, err, c.want)
		}
	}
}

func starts(rows []models.Candle) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.BucketStart.Format("15:04"))
	}
	return out
}

func TestLockAssetCandles(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	// Taken twice by one transaction: advisory locks are re-entrant for their holder.
	for range 2 {
		if err := models.LockAssetCandles(context.Background(), tx, 1<<40); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCandleAssets(t *testing.T) {
	t.Parallel()
	ctx, tx := context.Background(), dbtest.Tx(t)
	id := candlestest.InsertAsset(t, tx, "ETH/USD", market.Crypto)
	a, err := models.CandleAssetBySymbol(ctx, tx, "ETH/USD")
	if err != nil || a.ID != id || a.Class != "crypto" {
		t.Errorf("by symbol: %+v, %v", a, err)
	}
	if a, err := models.CandleAssetByID(ctx, tx, id); err != nil || a.Symbol != "ETH/USD" {
		t.Errorf("by id: %+v, %v", a, err)
	}
	if _, err := models.CandleAssetBySymbol(ctx, tx, "NOPE"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("unknown symbol: %v, want ErrNotFound", err)
	}
}

func TestBackfillState(t *testing.T) {
	t.Parallel()
	ctx, tx := context.Background(), dbtest.Tx(t)
	done := candlestest.InsertAsset(t, tx, "AMD", market.USEquity)
	failed := candlestest.InsertAsset(t, tx, "INTC", market.USEquity)
	fresh := candlestest.InsertAsset(t, tx, "SOL/USD", market.Crypto)

	if _, err := models.BackfillStateOf(ctx, tx, done); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("never queued: %v, want ErrNotFound", err)
	}
	from, to := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []models.BackfillState{
		{AssetID: done, Status: models.BackfillDone, BackfilledFrom: &from, BackfilledTo: &to, BarsLoaded: 900},
		{AssetID: failed, Status: models.BackfillFailed, LastError: "provider: 500"},
	} {
		if err := models.SaveBackfillState(ctx, tx, &s); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{done, failed, fresh} {
		if err := models.MarkBackfillQueued(ctx, tx, id); err != nil {
			t.Fatal(err)
		}
	}
	want := map[int64]models.BackfillStatus{done: models.BackfillDone, failed: models.BackfillPending, fresh: models.BackfillPending}
	for id, status := range want {
		s, err := models.BackfillStateOf(ctx, tx, id)
		if err != nil || s.Status != status {
			t.Errorf("asset %d: %+v (err %v), want status %s", id, s, err, status)
		}
	}
	kept, _ := models.BackfillStateOf(ctx, tx, done)
	if kept.BackfilledFrom == nil || !kept.BackfilledFrom.Equal(from) || kept.BarsLoaded != 900 {
		t.Errorf("queueing again lost the progress: %+v", kept)
	}

	list, err := models.BackfillProgressList(ctx, tx)
	if err != nil || len(list) < 3 {
		t.Fatalf("progress list %+v, %v", list, err)
	}
	symbols := map[string]bool{}
	for _, p := range list {
		symbols[p.Symbol] = true
	}
	if !symbols["AMD"] || !symbols["INTC"] || !symbols["SOL/USD"] {
		t.Errorf("progress list symbols %v", symbols)
	}
	assets, err := models.BackfilledAssets(ctx, tx)
	if err != nil || len(assets) != 1 || assets[0].ID != done {
		t.Errorf("backfilled assets %+v (err %v), want only AMD", assets, err)
	}
}
