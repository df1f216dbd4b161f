package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertest"

	"alpacawrapper/candles"
	"alpacawrapper/candles/candlestest"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// runGapFill works one gap-fill job through River's test worker.
func runGapFill(t *testing.T, b candleBundle, provider market.Provider, opts GapFillOptions) (*rivertest.WorkResult, error) {
	t.Helper()
	w := rivertest.NewWorker(t, riverdatabasesql.New(b.db.SQL), &river.Config{},
		NewGapFillCandlesWorker(b.db.Gorm, b.store, provider, opts))
	return workInTx(t, b.db, func(tx *sql.Tx) (*rivertest.WorkResult, error) {
		return w.Work(context.Background(), t, tx, GapFillCandlesArgs{}, nil)
	})
}

// backfilledAsset adds an asset whose backfill is done, with bars stored for the given minutes.
func backfilledAsset(t *testing.T, b candleBundle, symbol string, class market.AssetClass, have []time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	id := candlestest.InsertAsset(t, b.db.Gorm, symbol, class)
	if err := models.SaveBackfillState(ctx, b.db.Gorm, &models.BackfillState{AssetID: id, Status: models.BackfillDone}); err != nil {
		t.Fatal(err)
	}
	var bars []market.Bar
	for _, at := range have {
		bars = append(bars, market.Bar{Symbol: symbol, Start: at, Open: dec("1"), High: dec("1"), Low: dec("1"), Close: dec("1"), Volume: dec("1"), VWAP: dec("1")})
	}
	if err := b.store.UpsertMinuteBars(ctx, id, class, bars, candles.Live); err != nil {
		t.Fatal(err)
	}
	return id
}

func minutesBetween(from, to time.Time) []time.Time {
	var out []time.Time
	for t := from; t.Before(to); t = t.Add(time.Minute) {
		out = append(out, t)
	}
	return out
}

func TestGapFillCandles(t *testing.T) {
	t.Parallel()

	t.Run("fetches the missing session minutes and only those", func(t *testing.T) {
		t.Parallel()
		b := setupCandles(t)
		// Friday 2026-11-27 closes at 13:00 ET; the stream lost 10:00–10:05.
		open, closing := b.cal.At("2026-11-27 09:30"), b.cal.At("2026-11-27 13:00")
		var have []time.Time
		for _, at := range minutesBetween(open, closing) {
			if at.Before(b.cal.At("2026-11-27 10:00")) || !at.Before(b.cal.At("2026-11-27 10:05")) {
				have = append(have, at)
			}
		}
		id := backfilledAsset(t, b, "AAPL", market.USEquity, have)
		var all []market.Bar
		for _, at := range minutesBetween(open, closing) {
			all = append(all, market.Bar{Symbol: "AAPL", Start: at, Open: dec("2"), High: dec("2"), Low: dec("2"), Close: dec("2"), Volume: dec("3"), VWAP: dec("2")})
		}
		b.provider.SetBars("AAPL", all)

		// Saturday morning: the window reaches back over the whole Friday session and the night.
		now := b.cal.At("2026-11-28 09:00")
		res, err := runGapFill(t, b, b.provider, GapFillOptions{Window: 24 * time.Hour, Now: func() time.Time { return now }})
		if err != nil || res.EventKind != river.EventKindJobCompleted {
			t.Fatalf("result %+v, err %v", res, err)
		}
		calls := b.provider.Calls()
		if len(calls) != 1 || !calls[0].Start.Equal(b.cal.At("2026-11-27 10:00")) || !calls[0].End.Equal(b.cal.At("2026-11-27 10:05")) {
			t.Fatalf("calls %+v, want one for 10:00–10:05", calls)
		}
		missing, err := b.store.MissingMinutes(context.Background(), id, market.USEquity, open, closing)
		if err != nil || len(missing) != 0 {
			t.Errorf("still missing %v (err %v)", missing, err)
		}
		day := storedCandles(t, b.db.Gorm, id, market.Day1)
		// 205 minutes of volume 1 kept as they were, 5 refetched of volume 3.
		if len(day) != 1 || !day[0].Volume.Equal(dec("220")) {
			t.Errorf("day %+v, want volume 220", day)
		}
		var out gapFillOutput
		if err := json.Unmarshal(res.Job.Output(), &out); err != nil || out.Assets != 1 || out.Missing != 5 || out.Fetched != 5 {
			t.Errorf("output %s (%v)", res.Job.Output(), err)
		}
	})

	t.Run("nights, weekends and holidays are not gaps", func(t *testing.T) {
		t.Parallel()
		b := setupCandles(t)
		// Wednesday's session is complete; Thursday is Thanksgiving.
		backfilledAsset(t, b, "MSFT", market.USEquity, minutesBetween(b.cal.At("2026-11-25 09:30"), b.cal.At("2026-11-25 16:00")))
		now := b.cal.At("2026-11-27 09:00")
		if _, err := runGapFill(t, b, b.provider, GapFillOptions{Window: 48 * time.Hour, Now: func() time.Time { return now }}); err != nil {
			t.Fatal(err)
		}
		if calls := b.provider.Calls(); len(calls) != 0 {
			t.Errorf("calls %+v, want none", calls)
		}
	})

	t.Run("assets not backfilled are left alone", func(t *testing.T) {
		t.Parallel()
		b := setupCandles(t)
		candlestest.InsertAsset(t, b.db.Gorm, "BTC/USD", market.Crypto)
		if _, err := runGapFill(t, b, b.provider, GapFillOptions{}); err != nil {
			t.Fatal(err)
		}
		if calls := b.provider.Calls(); len(calls) != 0 {
			t.Errorf("calls %+v, want none", calls)
		}
	})

	t.Run("one failing asset does not stop the others", func(t *testing.T) {
		t.Parallel()
		b := setupCandles(t)
		now := time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)
		backfilledAsset(t, b, "ETH/USD", market.Crypto, nil)
		sol := backfilledAsset(t, b, "SOL/USD", market.Crypto, nil)
		var bars []market.Bar
		for _, at := range minutesBetween(now.Add(-time.Hour), now) {
			bars = append(bars, market.Bar{Symbol: "SOL/USD", Start: at, Open: dec("1"), High: dec("1"), Low: dec("1"), Close: dec("1"), Volume: dec("1"), VWAP: dec("1")})
		}
		b.provider.SetBars("SOL/USD", bars)
		provider := &failSymbol{Provider: b.provider, symbol: "ETH/USD"}
		res, err := runGapFill(t, b, provider, GapFillOptions{Window: time.Hour, Grace: time.Nanosecond, Now: func() time.Time { return now }})
		if err == nil || res.EventKind != river.EventKindJobFailed {
			t.Errorf("result %+v, err %v: want a failure to retry", res, err)
		}
		if got := storedCandles(t, b.db.Gorm, sol, market.Min1); len(got) != 59 {
			t.Errorf("SOL/USD has %d minutes, want 59 (the last minute is still forming)", len(got))
		}
	})
}

// failSymbol fails Bars for one symbol.
type failSymbol struct {
	*candlestest.Provider
	symbol string
}

func (f *failSymbol) Bars(ctx context.Context, req market.BarsRequest) ([]market.Bar, error) {
	if req.Symbol == f.symbol {
		return nil, errors.New("provider: 500")
	}
	return f.Provider.Bars(ctx, req)
}

func TestGapFillCandlesIsUniquePerPeriod(t *testing.T) {
	t.Parallel()
	if opts := (GapFillCandlesArgs{}).InsertOpts(); opts.UniqueOpts.ByPeriod != GapFillCandlesEvery {
		t.Errorf("unique opts %+v", opts.UniqueOpts)
	}
}
