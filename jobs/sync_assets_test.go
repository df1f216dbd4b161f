package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"
	"github.com/shopspring/decimal"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/internal/testwait"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// catalogueProvider is a market.Provider with a catalogue and a calendar and nothing else (its
// other methods are the nil embedded interface's, and panic if called).
type catalogueProvider struct {
	market.Provider
	mu     sync.Mutex
	assets []market.Asset
	days   []market.CalendarDay
	err    error
}

func (p *catalogueProvider) Name() string { return "stub" }

func (p *catalogueProvider) Assets(context.Context) ([]market.Asset, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]market.Asset(nil), p.assets...), p.err
}

func (p *catalogueProvider) Calendar(_ context.Context, start, end time.Time) ([]market.CalendarDay, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	// Dates inclusive, read in New York, as Alpaca's calendar endpoint reads them.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, err
	}
	from, to := start.In(ny).Format(time.DateOnly), end.In(ny).Format(time.DateOnly)
	var out []market.CalendarDay
	for _, d := range p.days {
		if date := d.Open.In(ny).Format(time.DateOnly); date >= from && date <= to {
			out = append(out, d)
		}
	}
	return out, nil
}

func (p *catalogueProvider) set(assets []market.Asset, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.assets, p.err = assets, err
}

func syncTestAsset(symbol string) market.Asset {
	return market.Asset{ProviderID: "id-" + symbol, Symbol: symbol, Name: symbol + " Inc.", Class: market.USEquity,
		Exchange: "NASDAQ", Active: true, Tradable: true, MarginRequirement: decimal.NewFromInt(30)}
}

// syncBundle is a database of the test's own (the worker commits) and a worker over a stub.
type syncBundle struct {
	db       *database.DB
	provider *catalogueProvider
	worker   *SyncAssetsWorker
}

func setupSyncAssets(t *testing.T, assets ...market.Asset) syncBundle {
	t.Helper()
	db := dbtest.DB(t)
	p := &catalogueProvider{assets: assets}
	w := NewSyncAssetsWorker(db.Gorm, p, nil)
	w.now = func() time.Time { return time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC) }
	return syncBundle{db: db, provider: p, worker: w}
}

// work runs one sync job through River's test worker.
func (b syncBundle) work(t *testing.T) (*rivertest.WorkResult, error) {
	t.Helper()
	return b.prepare(t)()
}

// prepare readies a sync job whose row lives in a transaction rolled back when the test ends,
// and returns the call that works it, which may run on another goroutine.
func (b syncBundle) prepare(t *testing.T) func() (*rivertest.WorkResult, error) {
	t.Helper()
	rw := rivertest.NewWorker(t, riverdatabasesql.New(b.db.SQL), &river.Config{}, b.worker)
	tx, err := b.db.SQL.Begin()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	return func() (*rivertest.WorkResult, error) {
		return rw.Work(context.Background(), t, tx, SyncAssetsArgs{}, nil)
	}
}

func (b syncBundle) runs(t *testing.T, kind models.SyncKind) []models.SyncRun {
	t.Helper()
	runs, err := models.RecentSyncRuns(context.Background(), b.db.Gorm, kind, 100)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func TestSyncAssets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("loads the catalogue, then retires what the provider stopped listing", func(t *testing.T) {
		t.Parallel()
		b := setupSyncAssets(t, syncTestAsset("AAPL"), syncTestAsset("MSFT"), syncTestAsset("MU"))
		res, err := b.work(t)
		if err != nil || res.EventKind != river.EventKindJobCompleted {
			t.Fatalf("first sync: %+v, %v", res, err)
		}
		var out syncOutput
		if err := json.Unmarshal(res.Job.Output(), &out); err != nil || out.Upserted != 3 || out.Deactivated != 0 ||
			out.FlushError != "" {
			t.Errorf("first output %s (%v)", res.Job.Output(), err)
		}

		b.provider.set([]market.Asset{syncTestAsset("AAPL"), syncTestAsset("MSFT")}, nil)
		res, err = b.work(t)
		if err != nil || res.EventKind != river.EventKindJobCompleted {
			t.Fatalf("second sync: %+v, %v", res, err)
		}
		mu, err := models.AssetBySymbol(ctx, b.db.Gorm, "MU")
		if err != nil || mu.Active || mu.Tradable {
			t.Errorf("MU after it left the catalogue: %+v, %v", mu, err)
		}
		runs := b.runs(t, models.SyncAssets)
		if len(runs) != 2 || !runs[0].Succeeded() || runs[0].Upserted != 2 || runs[0].Deactivated != 1 ||
			runs[0].JobID == nil || *runs[0].JobID != res.Job.ID {
			t.Errorf("runs %+v", runs)
		}
	})

	t.Run("a provider failure is recorded and retried, and changes nothing", func(t *testing.T) {
		t.Parallel()
		b := setupSyncAssets(t, syncTestAsset("AAPL"))
		if _, err := b.work(t); err != nil {
			t.Fatal(err)
		}
		b.provider.set(nil, errors.New("alpaca: 503 service unavailable"))
		res, err := b.work(t)
		if err == nil || res.EventKind != river.EventKindJobFailed || res.Job.State == rivertype.JobStateDiscarded {
			t.Fatalf("want a failure to retry, got %+v, %v", res, err)
		}
		runs := b.runs(t, models.SyncAssets)
		if len(runs) != 2 || runs[0].FinishedAt == nil || runs[0].Error == nil ||
			*runs[0].Error != "jobs: sync assets: fetch from stub: alpaca: 503 service unavailable" {
			t.Errorf("failed run not recorded: %+v", runs[0])
		}
		if a, err := models.AssetBySymbol(ctx, b.db.Gorm, "AAPL"); err != nil || !a.Active {
			t.Errorf("AAPL after a failed sync: %+v, %v", a, err)
		}
	})

	t.Run("an empty catalogue retires nothing", func(t *testing.T) {
		t.Parallel()
		b := setupSyncAssets(t, syncTestAsset("AAPL"))
		if _, err := b.work(t); err != nil {
			t.Fatal(err)
		}
		b.provider.set([]market.Asset{}, nil)
		if _, err := b.work(t); !errors.Is(err, errEmptyCatalogue) {
			t.Errorf("err = %v, want the empty-catalogue refusal", err)
		}
		if a, err := models.AssetBySymbol(ctx, b.db.Gorm, "AAPL"); err != nil || !a.Active {
			t.Errorf("AAPL after an empty catalogue: %+v, %v", a, err)
		}
	})

	t.Run("waits for a sync already holding the lock", func(t *testing.T) {
		t.Parallel()
		b := setupSyncAssets(t, syncTestAsset("AAPL"))
		holder, err := b.db.SQL.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = holder.Rollback() }()
		if _, err := holder.Exec("SELECT pg_advisory_xact_lock($1)", syncAssetsLockKey); err != nil {
			t.Fatal(err)
		}

		done := make(chan error, 1)
		work := b.prepare(t)
		go func() {
			_, err := work()
			done <- err
		}()
		// The run starts (its record is written outside the lock) and then waits.
		testwait.Until(t, 10*time.Second, "the sync to start", func() bool { return len(b.runs(t, models.SyncAssets)) > 0 })
		select {
		case err := <-done:
			t.Fatalf("the sync finished (%v) while another held the lock", err)
		case <-time.After(300 * time.Millisecond):
		}
		if err := holder.Commit(); err != nil { // releases the lock
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the sync never finished after the lock was released")
		}
		if runs := b.runs(t, models.SyncAssets); !runs[0].Succeeded() {
			t.Errorf("run %+v", runs[0])
		}
	})
}

// Requests for a sync coalesce while one is queued; the periodic start-up run and an operator's
// click within the same minute make one job.
func TestEnqueueSyncCoalesces(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	client, err := db.NewRiver(&river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := EnqueueSyncAssets(ctx, client); err != nil {
			t.Fatal(err)
		}
		if err := EnqueueSyncCalendar(ctx, client); err != nil {
			t.Fatal(err)
		}
	}
	var counts []struct {
		Kind  string
		Count int
	}
	err = db.Gorm.Raw("SELECT kind, count(*) AS count FROM river_job GROUP BY kind ORDER BY kind").Scan(&counts).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 2 || counts[0].Kind != "sync_assets" || counts[0].Count != 1 ||
		counts[1].Kind != "sync_calendar" || counts[1].Count != 1 {
		t.Errorf("jobs %+v, want one of each kind", counts)
	}
}

func TestSyncUniquenessLetsAManualRetryThrough(t *testing.T) {
	t.Parallel()
	for _, opts := range []river.InsertOpts{SyncAssetsArgs{}.InsertOpts(), SyncCalendarArgs{}.InsertOpts()} {
		u := opts.UniqueOpts
		if u.ByPeriod != time.Minute || len(u.ByState) == 0 || opts.MaxAttempts == 0 {
			t.Errorf("insert opts %+v", opts)
		}
		for _, s := range u.ByState {
			if s == rivertype.JobStateRetryable {
				t.Error("a sync waiting to retry must not absorb an operator's request")
			}
		}
	}
}
