package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/candles"
	"alpacawrapper/candles/candlestest"
	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// candleBundle is what the candle job tests need: a database of their own (the workers commit),
// a calendar fixture, a store, and a provider serving fixed bars.
type candleBundle struct {
	db       *database.DB
	cal      *candlestest.Calendar
	store    *candles.Store
	provider *candlestest.Provider
}

func setupCandles(t *testing.T) candleBundle {
	t.Helper()
	db := dbtest.DB(t)
	cal := candlestest.NewCalendar()
	return candleBundle{db: db, cal: cal, store: candles.NewStore(db.Gorm, cal), provider: candlestest.NewProvider()}
}

// runBackfill works one backfill job through River's test worker.
func runBackfill(t *testing.T, b candleBundle, opts BackfillOptions, args BackfillCandlesArgs) (*rivertest.WorkResult, error) {
	t.Helper()
	w := rivertest.NewWorker(t, riverdatabasesql.New(b.db.SQL), &river.Config{},
		NewBackfillCandlesWorker(b.db.Gorm, b.store, b.provider, opts))
	return workInTx(t, b.db, func(tx *sql.Tx) (*rivertest.WorkResult, error) {
		return w.Work(context.Background(), t, tx, args, nil)
	})
}

// workInTx gives River's test worker the transaction its job row lives in, rolled back after.
func workInTx(t *testing.T, db *database.DB, work func(*sql.Tx) (*rivertest.WorkResult, error)) (*rivertest.WorkResult, error) {
	t.Helper()
	tx, err := db.SQL.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	return work(tx)
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func storedCandles(t testing.TB, db *gorm.DB, assetID int64, tf market.Timeframe) []models.Candle {
	t.Helper()
	rows, err := models.CandlesOldest(context.Background(), db, models.CandleRange{AssetID: assetID, Timeframe: string(tf)}, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func sameCandles(a, b []models.Candle) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d candles against %d", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.BucketStart.Equal(y.BucketStart) || !x.Open.Equal(y.Open) || !x.High.Equal(y.High) || !x.Low.Equal(y.Low) ||
			!x.Close.Equal(y.Close) || !x.Volume.Equal(y.Volume) || x.TradeCount != y.TradeCount || !x.VWAP.Equal(y.VWAP) {
			return fmt.Errorf("candle %d: %+v against %+v", i, x, y)
		}
	}
	return nil
}

func backfillState(t *testing.T, db *gorm.DB, assetID int64) *models.BackfillState {
	t.Helper()
	s, err := models.BackfillStateOf(context.Background(), db, assetID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBackfillCandles(t *testing.T) {
	t.Parallel()

	t.Run("loads the depth in chunks, newest first, and records progress", func(t *testing.T) {
		t.Parallel()
		b := setupCandles(t)
		id := candlestest.InsertAsset(t, b.db.Gorm, "AAPL", market.USEquity)
		now := b.cal.At("2026-03-10 20:00")
		depth := 6 * 24 * time.Hour
		rng := rand.New(rand.NewPCG(3, 3))
		bars := candlestest.RandomMinutes(rng, "AAPL", now.Add(-depth-24*time.Hour), now.Add(time.Hour), 2000)
		b.provider.SetBars("AAPL", bars)

		opts := BackfillOptions{Depth: depth, ChunkDays: 2, Now: func() time.Time { return now }}
		res, err := runBackfill(t, b, opts, BackfillCandlesArgs{AssetID: id, Symbol: "AAPL"})
		if err != nil || res.EventKind != river.EventKindJobCompleted {
			t.Fatalf("result %+v, err %v", res, err)
		}
		// The minutes reach back to the start of the day depth ago, so no day is cut in two.
		oldest := b.cal.At("2026-03-04 00:00")
		var inWindow []market.Bar
		for _, bar := range bars {
			if !bar.Start.Before(oldest) && bar.Start.Before(now) {
				inWindow = append(inWindow, bar)
			}
		}
		for _, tf := range market.Timeframes() {
			want := market.Rollup(b.store.Bucketer(), tf, market.USEquity, inWindow)
			got := storedCandles(t, b.db.Gorm, id, tf)
			if len(got) != len(want) {
				t.Fatalf("%s: %d candles, want %d", tf, len(got), len(want))
			}
		}
		s := backfillState(t, b.db.Gorm, id)
		if s.Status != models.BackfillDone || !s.BackfilledFrom.Equal(oldest) || !s.BackfilledTo.Equal(now) ||
			s.BarsLoaded != int64(len(inWindow)) || s.FinishedAt == nil || s.LastError != "" {
			t.Errorf("state %+v, want done over [%s, %s) with %d bars", s, oldest, now, len(inWindow))
		}
		calls := b.provider.Calls()
		if len(calls) < 3 || !calls[0].End.Equal(now) || calls[0].Timeframe != market.Min1 {
			t.Fatalf("calls %+v, want several minute chunks starting from now", calls)
		}
		for i := 1; i < len(calls); i++ {
			if !calls[i].End.Equal(calls[i-1].Start) {
				t.Errorf("chunk %d ends at %s, want the previous chunk's start %s", i, calls[i].End, calls[i-1].Start)
			}
		}
	})

	t.Run("crypto keeps every hour of the day", func(t *testing.T) {
		t.Parallel()
		b := setupCandles(t)
		id := candlestest.InsertAsset(t, b.db.Gorm, "BTC/USD", market.Crypto)
		now := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
		saturdayNight := time.Date(2026, 3, 7, 3, 0, 0, 0, time.UTC)
		b.provider.SetBars("BTC/USD", []market.Bar{
			{Symbol: "BTC/USD", Start: saturdayNight, Open: dec("1"), High: dec("1"), Low: dec("1"), Close: dec("1"), Volume: dec("2"), VWAP: dec("1")},
		})
		opts := BackfillOptions{Depth: 3 * 24 * time.Hour, Now: func() time.Time { return now }}
		if _, err := runBackfill(t, b, opts, BackfillCandlesArgs{AssetID: id}); err != nil {
			t.Fatal(err)
		}
		if got := storedCandles(t, b.db.Gorm, id, market.Day1); len(got) != 1 || !got[0].BucketStart.Equal(time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("days %+v, want Saturday's UTC day", got)
		}
	})

	t.Run("a failed chunk is retried from where the last attempt stopped", func(t *testing.T) {
		t.Parallel()
		b := setupCandles(t)
		id := candlestest.InsertAsset(t, b.db.Gorm, "ETH/USD", market.Crypto)
		now := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
		rng := rand.New(rand.NewPCG(5, 5))
		b.provider.SetBars("ETH/USD", candlestest.RandomMinutes(rng, "ETH/USD", now.Add(-4*24*time.Hour), now, 500))
		opts := BackfillOptions{Depth: 4 * 24 * time.Hour, ChunkDays: 1, Now: func() time.Time { return now }}

		failing := &failAfter{Provider: b.provider, ok: 2}
		w := rivertest.NewWorker(t, riverdatabasesql.New(b.db.SQL), &river.Config{},
			NewBackfillCandlesWorker(b.db.Gorm, b.store, failing, opts))
		res, err := workInTx(t, b.db, func(tx *sql.Tx) (*rivertest.WorkResult, error) {
			return w.Work(context.Background(), t, tx, BackfillCandlesArgs{AssetID: id}, nil)
		})
		if err == nil || res.EventKind != river.EventKindJobFailed {
			t.Fatalf("want a failure for River to retry; got %+v, %v", res, err)
		}
		s := backfillState(t, b.db.Gorm, id)
		if s.Status != models.BackfillFailed || s.LastError == "" || !s.BackfilledFrom.Equal(now.Add(-2*24*time.Hour)) {
			t.Fatalf("state after the failure %+v, want failed with two days loaded", s)
		}

		before := len(b.provider.Calls())
		if _, err := runBackfill(t, b, opts, BackfillCandlesArgs{AssetID: id}); err != nil {
			t.Fatal(err)
		}
		calls := b.provider.Calls()[before:]
		if len(calls) != 2 || !calls[0].End.Equal(now.Add(-2*24*time.Hour)) {
			t.Errorf("retry fetched %+v, want only the two days still missing", calls)
		}
		if s := backfillState(t, b.db.Gorm, id); s.Status != models.BackfillDone || s.LastError != "" {
			t.Errorf("state after the retry %+v", s)
		}
	})

	t.Run("a later run tops up from the last point forward", func(t *testing.T) {
		t.Parallel()
		b := setupCandles(t)
		id := candlestest.InsertAsset(t, b.db.Gorm, "SOL/USD", market.Crypto)
		now := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
		opts := BackfillOptions{Depth: 2 * 24 * time.Hour, Now: func() time.Time { return now }}
		if _, err := runBackfill(t, b, opts, BackfillCandlesArgs{AssetID: id}); err != nil {
			t.Fatal(err)
		}
		before := len(b.provider.Calls())
		later := now.Add(90 * time.Minute)
		opts.Now = func() time.Time { return later }
		if _, err := runBackfill(t, b, opts, BackfillCandlesArgs{AssetID: id}); err != nil {
			t.Fatal(err)
		}
		calls := b.provider.Calls()[before:]
		if len(calls) != 1 || !calls[0].Start.Equal(now) || !calls[0].End.Equal(later) {
			t.Errorf("top-up fetched %+v, want just [%s, %s)", calls, now, later)
		}
	})

	t.Run("a deleted asset cancels the job", func(t *testing.T) {
		t.Parallel()
		b := setupCandles(t)
		res, _ := runBackfill(t, b, BackfillOptions{}, BackfillCandlesArgs{AssetID: 424242})
		if res.Job.State != rivertype.JobStateCancelled {
			t.Errorf("state %s, want cancelled", res.Job.State)
		}
	})
}

// failAfter lets ok Bars calls through and fails the rest.
type failAfter struct {
	*candlestest.Provider
	mu sync.Mutex
	ok int
}

func (f *failAfter) Bars(ctx context.Context, req market.BarsRequest) ([]market.Bar, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ok == 0 {
		return nil, errors.New("provider: 503 service unavailable")
	}
	f.ok--
	return f.Provider.Bars(ctx, req)
}

func TestEnqueueBackfill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupCandles(t)
	id := candlestest.InsertAsset(t, b.db.Gorm, "AMZN", market.USEquity)
	client, err := b.db.NewRiver(&river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // added to two watchlists: one backfill
		err := b.db.Gorm.Transaction(func(tx *gorm.DB) error {
			return EnqueueBackfill(ctx, tx, client, id, "AMZN")
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var jobs int
	if err := b.db.Gorm.Raw(`SELECT count(*) FROM river_job WHERE kind = 'backfill_candles' AND args->>'asset_id' = ?`, fmt.Sprint(id)).Scan(&jobs).Error; err != nil {
		t.Fatal(err)
	}
	if jobs != 1 {
		t.Errorf("%d jobs queued, want 1", jobs)
	}
	if s := backfillState(t, b.db.Gorm, id); s.Status != models.BackfillPending {
		t.Errorf("state %+v, want pending", s)
	}

	// Rolled back with the caller's write: nothing queued.
	other := candlestest.InsertAsset(t, b.db.Gorm, "GOOG", market.USEquity)
	_ = b.db.Gorm.Transaction(func(tx *gorm.DB) error {
		if err := EnqueueBackfill(ctx, tx, client, other, "GOOG"); err != nil {
			t.Fatal(err)
		}
		return errors.New("the watchlist insert failed")
	})
	if err := b.db.Gorm.Raw(`SELECT count(*) FROM river_job WHERE args->>'asset_id' = ?`, fmt.Sprint(other)).Scan(&jobs).Error; err != nil || jobs != 0 {
		t.Errorf("%d jobs after a rollback (err %v), want 0", jobs, err)
	}
	if err := EnqueueBackfill(ctx, b.db.Gorm, client, other, "GOOG"); !errors.Is(err, database.ErrNotInTransaction) {
		t.Errorf("outside a transaction: %v, want ErrNotInTransaction", err)
	}
}

func TestBackfillCandlesArgsAreUniquePerAsset(t *testing.T) {
	t.Parallel()
	opts := BackfillCandlesArgs{}.InsertOpts()
	if !opts.UniqueOpts.ByArgs || len(opts.UniqueOpts.ByState) == 0 {
		t.Fatalf("unique opts %+v", opts.UniqueOpts)
	}
	for _, s := range opts.UniqueOpts.ByState {
		if s == rivertype.JobStateCompleted {
			t.Error("a completed backfill must not block the next one")
		}
	}
}

// The property the issue asks for: the same minute bars, fed through the live path (the
// aggregator, bars arriving shuffled, some twice, in batches of random size) and through the
// backfill path (the job, fetching chunks of random size from the provider), give identical
// candles in every timeframe. The windows span the spring and autumn daylight-saving changes and
// Thanksgiving with the early close that follows; stocks and crypto alike. One aggregator serves
// every case, so bars of different assets share its batches as they do live.
func TestLiveAndBackfillCandlesAreIdentical(t *testing.T) {
	t.Parallel()
	b := setupCandles(t)
	windows := []struct{ from, to string }{
		{"2026-03-06 00:00", "2026-03-11 00:00"},
		{"2026-10-30 00:00", "2026-11-04 00:00"},
		{"2026-11-25 00:00", "2026-11-28 00:00"},
	}
	var mu sync.Mutex
	liveIDs := map[string]int64{}
	resolve := func(symbol string) (int64, market.AssetClass, bool) {
		mu.Lock()
		defer mu.Unlock()
		id, ok := liveIDs[symbol]
		return id, market.ClassOf(symbol), ok
	}
	agg := candles.NewAggregator(b.store, resolve, candles.AggregatorOptions{})

	for n := range 240 {
		w := windows[n%len(windows)]
		t.Run(fmt.Sprintf("case %d", n), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(uint64(n), 2026))
			class := market.USEquity
			liveSym, fillSym := fmt.Sprintf("L%d", n), fmt.Sprintf("B%d", n)
			if n%3 == 2 {
				class = market.Crypto
				liveSym, fillSym = liveSym+"/USD", fillSym+"/USD"
			}
			liveID := candlestest.InsertAsset(t, b.db.Gorm, liveSym, class)
			fillID := candlestest.InsertAsset(t, b.db.Gorm, fillSym, class)
			mu.Lock()
			liveIDs[liveSym] = liveID
			mu.Unlock()

			start, end := b.cal.At(w.from), b.cal.At(w.to)
			minutes := candlestest.RandomMinutes(rng, liveSym, start, end, 20+rng.IntN(280))

			// Live: shuffled, a quarter replayed, in batches of 1 to 60 with a flush after each.
			arrivals := append([]market.Bar(nil), minutes...)
			for range len(minutes) / 4 {
				arrivals = append(arrivals, minutes[rng.IntN(len(minutes))])
			}
			rng.Shuffle(len(arrivals), func(i, j int) { arrivals[i], arrivals[j] = arrivals[j], arrivals[i] })
			for len(arrivals) > 0 {
				k := min(len(arrivals), 1+rng.IntN(60))
				for _, bar := range arrivals[:k] {
					agg.OnBar(bar)
				}
				arrivals = arrivals[k:]
				if err := agg.Flush(ctx); err != nil {
					t.Fatalf("live flush: %v", err)
				}
			}

			// Backfill: the provider holds the same bars under the other symbol; chunks of 1–3 days.
			served := make([]market.Bar, len(minutes))
			for i, m := range minutes {
				m.Symbol = fillSym
				served[i] = m
			}
			b.provider.SetBars(fillSym, served)
			opts := BackfillOptions{Depth: end.Sub(start), ChunkDays: 1 + rng.IntN(3), Now: func() time.Time { return end }}
			res, err := runBackfill(t, b, opts, BackfillCandlesArgs{AssetID: fillID, Symbol: fillSym})
			if err != nil || res.EventKind != river.EventKindJobCompleted {
				t.Fatalf("backfill: %+v, %v", res, err)
			}

			for _, tf := range market.Timeframes() {
				live, filled := storedCandles(t, b.db.Gorm, liveID, tf), storedCandles(t, b.db.Gorm, fillID, tf)
				if err := sameCandles(live, filled); err != nil {
					t.Fatalf("%s %s–%s, %d minutes, %s: live against backfill: %v", class, w.from, w.to, len(minutes), tf, err)
				}
				if tf == market.Min1 && len(live) != len(minutes) {
					t.Fatalf("%d minutes stored, want %d", len(live), len(minutes))
				}
			}
		})
	}
}
