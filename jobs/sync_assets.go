package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"alpacawrapper/database"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// SyncAssetsEvery is how often the periodic schedule refreshes the asset catalogue. Listings
// change a few times a day at most; an operator can sync on demand between runs.
const SyncAssetsEvery = 24 * time.Hour

// syncUniquePeriod is the window within which requests for a sync of one kind coalesce.
const syncUniquePeriod = time.Minute

// syncAssetsLockKey is the transaction-level advisory lock that serialises catalogue syncs, so two
// runs (a periodic one and an operator's) never interleave their writes. ("aw_asset" in ASCII.)
const syncAssetsLockKey int64 = 0x61775f6173736574

// SyncAssetsArgs refreshes the asset catalogue from the market-data provider.
type SyncAssetsArgs struct{}

// Kind names the job in River's tables.
func (SyncAssetsArgs) Kind() string { return "sync_assets" }

// InsertOpts makes the job unique per minute, so the leader's start-up run, the daily run and
// operators pressing "sync now" while a sync is queued or running coalesce into one. A sync
// waiting to retry after a failure (retryable) does not count, so pressing the button then starts
// a fresh attempt at once. Retries back off over about four hours; the next day's run follows.
func (SyncAssetsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: syncUniqueOpts()}
}

// syncUniqueOpts is River's default set of unique states without retryable.
func syncUniqueOpts() river.UniqueOpts {
	return river.UniqueOpts{
		ByPeriod: syncUniquePeriod,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStateCompleted,
			rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled},
	}
}

// EnqueueSyncAssets asks for a catalogue sync now (the admin button). A sync already queued or
// running, or finished within the minute, absorbs the request: that is not an error.
func EnqueueSyncAssets(ctx context.Context, client *database.RiverClient) error {
	if _, err := client.Insert(ctx, SyncAssetsArgs{}, nil); err != nil {
		return fmt.Errorf("jobs: enqueue asset sync: %w", err)
	}
	return nil
}

// StarterSeeder makes the starter global watchlists once per install, from the synced catalogue.
type StarterSeeder interface {
	SeedStarterLists(ctx context.Context) (int, error)
}

// SyncAssetsWorker copies the provider's catalogue into the assets table, then lets the starter
// watchlists be made from it on a fresh install.
type SyncAssetsWorker struct {
	river.WorkerDefaults[SyncAssetsArgs]
	db       *gorm.DB
	provider market.Provider
	starter  StarterSeeder
	now      func() time.Time
}

// NewSyncAssetsWorker returns a worker that reads p's catalogue into db and then seeds the
// starter lists through starter (nil: none).
func NewSyncAssetsWorker(db *gorm.DB, p market.Provider, starter StarterSeeder) *SyncAssetsWorker {
	return &SyncAssetsWorker{db: db, provider: p, starter: starter, now: time.Now}
}

// syncOutput is what a sync records on its job row, for operators looking at River.
type syncOutput struct {
	RunID       int64  `json:"run_id"`
	Upserted    int    `json:"upserted"`
	Deactivated int    `json:"deactivated"`
	FlushError  string `json:"index_flush_error,omitempty"`
	// StarterLists is how many starter watchlists this run made (only ever on a fresh install).
	StarterLists int `json:"starter_lists,omitempty"`
}

// errEmptyCatalogue stops a sync that would retire every asset because the provider answered
// with nothing: a broken answer, not a market without instruments.
var errEmptyCatalogue = errors.New("jobs: sync assets: the provider returned an empty catalogue")

// Work fetches the whole catalogue, then in one transaction (holding the sync lock) upserts it,
// retires the assets no longer listed and records the run. A failure is recorded on the run and
// returned, so River retries with back-off; running again is harmless.
func (w *SyncAssetsWorker) Work(ctx context.Context, job *river.Job[SyncAssetsArgs]) error {
	runID, err := models.StartSyncRun(ctx, w.db, models.SyncAssets, job.ID, w.now())
	if err != nil {
		return fmt.Errorf("jobs: sync assets: %w", err)
	}
	out := syncOutput{RunID: runID}
	err = w.sync(ctx, runID, &out)
	if err != nil {
		// The context may be what failed; the record still deserves a moment to be written.
		recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if ferr := models.FinishSyncRun(recordCtx, w.db, runID, w.now(), 0, 0, err); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return err
	}
	// Best effort: the sync itself succeeded, and autovacuum flushes the indexes later anyway;
	// until then searches are merely slow.
	if err := models.FlushAssetSearchIndexes(ctx, w.db); err != nil {
		out.FlushError = err.Error()
	}
	// After the sync, so the lists find their symbols. A failure retries the whole run, which is
	// harmless, so a fresh install does not wait a day for its starter lists.
	if w.starter != nil {
		if out.StarterLists, err = w.starter.SeedStarterLists(ctx); err != nil {
			return fmt.Errorf("jobs: sync assets: %w", err)
		}
	}
	if err := river.RecordOutput(ctx, out); err != nil {
		return fmt.Errorf("jobs: sync assets: record output: %w", err)
	}
	return nil
}

func (w *SyncAssetsWorker) sync(ctx context.Context, runID int64, out *syncOutput) error {
	assets, err := w.provider.Assets(ctx)
	if err != nil {
		return fmt.Errorf("jobs: sync assets: fetch from %s: %w", w.provider.Name(), err)
	}
	if len(assets) == 0 {
		return errEmptyCatalogue
	}
	seen := make([]string, len(assets))
	for i, a := range assets {
		seen[i] = a.Symbol
	}
	return w.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", syncAssetsLockKey).Error; err != nil {
			return fmt.Errorf("jobs: sync assets: lock: %w", err)
		}
		now := w.now()
		var err error
		if out.Upserted, err = models.UpsertAssets(ctx, tx, assets, now); err != nil {
			return err
		}
		if out.Deactivated, err = models.DeactivateAssetsMissing(ctx, tx, seen, now); err != nil {
			return err
		}
		return models.FinishSyncRun(ctx, tx, runID, w.now(), out.Upserted, out.Deactivated, nil)
	})
}

// Timeout bounds one run: fetching a catalogue of tens of thousands of assets and writing it.
func (w *SyncAssetsWorker) Timeout(*river.Job[SyncAssetsArgs]) time.Duration { return 5 * time.Minute }
