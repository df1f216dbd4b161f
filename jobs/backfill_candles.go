package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"alpacawrapper/candles"
	"alpacawrapper/database"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// BackfillCandlesArgs loads an asset's history from the provider and builds its candles: minute
// bars for BackfillOptions.Depth, daily bars before them for DailyDepth. Symbol is carried for
// people reading River's tables; the worker reads the asset row. RequestedBy names who asked for
// an on-demand backfill ("user:42", "ip:203.0.113.9"; empty for a watchlist's), so that
// Backfills can bound each person's; it is not part of the job's uniqueness.
type BackfillCandlesArgs struct {
	AssetID     int64  `json:"asset_id" river:"unique"`
	Symbol      string `json:"symbol"`
	RequestedBy string `json:"requested_by,omitempty"`
}

// Kind names the job in River's tables.
func (BackfillCandlesArgs) Kind() string { return "backfill_candles" }

// InsertOpts keeps one backfill per asset queued or running (adding an asset to a second
// watchlist while the first backfill runs queues nothing). Completed jobs do not count, so a
// later enqueue runs again and tops up from where the last one stopped.
func (BackfillCandlesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		MaxAttempts: 10,
		UniqueOpts: river.UniqueOpts{
			ByArgs: true,
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
				rivertype.JobStateRunning, rivertype.JobStateScheduled,
			},
		},
	}
}

// EnqueueBackfill queues an asset's backfill in the caller's transaction (so it is queued if,
// and only if, the caller's write commits) and marks its progress row pending. A backfill
// already queued or running for the asset makes this a no-op.
func EnqueueBackfill(ctx context.Context, tx *gorm.DB, client *database.RiverClient, assetID int64, symbol string) error {
	return enqueueBackfill(ctx, tx, client, BackfillCandlesArgs{AssetID: assetID, Symbol: symbol})
}

func enqueueBackfill(ctx context.Context, tx *gorm.DB, client *database.RiverClient, args BackfillCandlesArgs) error {
	assetID := args.AssetID
	sqlTx, err := database.SQLTx(tx)
	if err != nil {
		return fmt.Errorf("jobs: enqueue backfill: %w", err)
	}
	if err := models.MarkBackfillQueued(ctx, tx, assetID); err != nil {
		return fmt.Errorf("jobs: enqueue backfill: %w", err)
	}
	if _, err := client.InsertTx(ctx, sqlTx, args, nil); err != nil {
		return fmt.Errorf("jobs: enqueue backfill of asset %d: %w", assetID, err)
	}
	return nil
}

// BackfillOptions tune the backfill. Zero values take the documented defaults.
type BackfillOptions struct {
	// Depth is how far back minute bars are loaded, rounded back to the start of that day
	// (HISTORY_DAYS). Default 365 days.
	Depth time.Duration
	// DailyDepth is how far back the provider's daily bars are loaded, before the minutes
	// (HISTORY_DAILY_YEARS). Zero loads none.
	DailyDepth time.Duration
	// ChunkDays is how many trading days (24-hour days for crypto) one provider call and one
	// transaction cover. Default 5.
	ChunkDays int
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// BackfillCandlesWorker runs BackfillCandlesArgs.
type BackfillCandlesWorker struct {
	river.WorkerDefaults[BackfillCandlesArgs]
	db       *gorm.DB
	store    *candles.Store
	provider market.Provider
	opts     BackfillOptions
}

// NewBackfillCandlesWorker returns a worker that fetches from provider and writes through store.
func NewBackfillCandlesWorker(db *gorm.DB, store *candles.Store, provider market.Provider, opts BackfillOptions) *BackfillCandlesWorker {
	opts.Depth = cmp.Or(opts.Depth, DefaultHistoryDays*24*time.Hour)
	opts.ChunkDays = cmp.Or(opts.ChunkDays, 5)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &BackfillCandlesWorker{db: db, store: store, provider: provider, opts: opts}
}

// backfillOutput is what a run records on its job row.
type backfillOutput struct {
	Chunks int   `json:"chunks"`
	Bars   int64 `json:"bars"`
	Days   int   `json:"daily_bars"`
}

// DefaultHistoryDays is the minute history's default depth: a year, as the original system kept.
const DefaultHistoryDays = 365

// Work loads the asset's minute bars chunk by chunk. The span already loaded, [from, to) in
// backfill_state, grows one committed chunk at a time: first forwards from its end to now (a
// re-run after a pause), then backwards from its start (or from now, the first time) to the start
// of the day Depth ago, newest first so that a chart is useful early. After the newest chunk, the
// daily bars before the span are loaded in one call and one transaction (see candles/daily.go for
// the rule where they meet the minutes). A retry therefore resumes where the failed attempt
// stopped, and re-fetching a chunk is harmless because writes replace.
func (w *BackfillCandlesWorker) Work(ctx context.Context, job *river.Job[BackfillCandlesArgs]) error {
	asset, err := models.CandleAssetByID(ctx, w.db, job.Args.AssetID)
	if errors.Is(err, models.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("jobs: backfill: asset %d no longer exists", job.Args.AssetID))
	}
	if err != nil {
		return fmt.Errorf("jobs: backfill: %w", err)
	}
	class := market.AssetClass(asset.Class)
	state, err := models.BackfillStateOf(ctx, w.db, asset.ID)
	if errors.Is(err, models.ErrNotFound) {
		state, err = &models.BackfillState{AssetID: asset.ID}, nil
	}
	if err != nil {
		return fmt.Errorf("jobs: backfill: %w", err)
	}
	now := w.opts.Now().UTC().Truncate(time.Minute)
	state.Status, state.LastError, state.StartedAt, state.FinishedAt = models.BackfillRunning, "", &now, nil
	if err := models.SaveBackfillState(ctx, w.db, state); err != nil {
		return fmt.Errorf("jobs: backfill: %w", err)
	}

	out, err := w.fill(ctx, asset, class, state, now)
	if err != nil {
		state.Status, state.LastError = models.BackfillFailed, err.Error()
		if saveErr := models.SaveBackfillState(context.WithoutCancel(ctx), w.db, state); saveErr != nil {
			err = errors.Join(err, saveErr)
		}
		return err // River retries with back-off, resuming from the saved span
	}
	finished := w.opts.Now().UTC()
	state.Status, state.FinishedAt = models.BackfillDone, &finished
	if err := models.SaveBackfillState(ctx, w.db, state); err != nil {
		return fmt.Errorf("jobs: backfill: %w", err)
	}
	if err := river.RecordOutput(ctx, out); err != nil {
		return fmt.Errorf("jobs: backfill: record output: %w", err)
	}
	return nil
}

// fill loads the chunks missing from state's span up to now and Depth back.
func (w *BackfillCandlesWorker) fill(ctx context.Context, asset *models.CandleAsset, class market.AssetClass, state *models.BackfillState, now time.Time) (backfillOutput, error) {
	var out backfillOutput
	oldest := w.store.DayStart(class, now.Add(-w.opts.Depth))
	if state.BackfilledTo != nil {
		for start := *state.BackfilledTo; start.Before(now); {
			end := w.store.ChunkForward(class, start, w.opts.ChunkDays, now)
			if err := w.chunk(ctx, asset, class, state, start, end, &out); err != nil {
				return out, err
			}
			start = end
		}
	}
	end := now
	if state.BackfilledFrom != nil {
		end = *state.BackfilledFrom
	}
	for end.After(oldest) {
		start := w.store.ChunkBack(class, end, w.opts.ChunkDays, oldest)
		if err := w.chunk(ctx, asset, class, state, start, end, &out); err != nil {
			return out, err
		}
		end = start
		if err := w.daily(ctx, asset, class, state, now, &out); err != nil {
			return out, err
		}
	}
	return out, w.daily(ctx, asset, class, state, now, &out)
}

// daily loads the daily bars from DailyDepth ago up to what is loaded already: up to the start of
// the minute span the first time, then up to where the last daily load began. It does nothing
// once they reach back far enough. One provider call and one transaction, which also records how
// far they reach.
func (w *BackfillCandlesWorker) daily(ctx context.Context, asset *models.CandleAsset, class market.AssetClass, state *models.BackfillState, now time.Time, out *backfillOutput) error {
	if w.opts.DailyDepth <= 0 {
		return nil
	}
	floor := w.store.DayStart(class, now.Add(-w.opts.DailyDepth))
	boundary := w.store.DayStart(class, now)
	if state.BackfilledFrom != nil {
		boundary = *state.BackfilledFrom
	}
	to := boundary
	if state.DailyFrom != nil {
		to = *state.DailyFrom
	}
	if !to.After(floor) {
		return nil
	}
	bars, err := w.provider.Bars(ctx, market.BarsRequest{Symbol: asset.Symbol, Timeframe: market.Day1, Start: floor, End: to})
	if err != nil {
		return fmt.Errorf("jobs: backfill %s daily %s–%s: %w", asset.Symbol, floor.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	next := *state
	next.DailyFrom = &floor
	var stored int
	err = w.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if stored, err = w.store.UpsertDailyBarsTx(ctx, tx, asset.ID, class, bars, boundary); err != nil {
			return err
		}
		next.DailyBars += int64(stored)
		return models.SaveBackfillState(ctx, tx, &next)
	})
	if err != nil {
		return fmt.Errorf("jobs: backfill %s daily: %w", asset.Symbol, err)
	}
	*state = next
	out.Days += stored
	return nil
}

// chunk fetches [start, end) and, in one transaction, writes its bars and widens the recorded
// span to include it.
func (w *BackfillCandlesWorker) chunk(ctx context.Context, asset *models.CandleAsset, class market.AssetClass, state *models.BackfillState, start, end time.Time, out *backfillOutput) error {
	bars, err := w.provider.Bars(ctx, market.BarsRequest{Symbol: asset.Symbol, Timeframe: market.Min1, Start: start, End: end})
	if err != nil {
		return fmt.Errorf("jobs: backfill %s %s–%s: %w", asset.Symbol, start.Format(time.RFC3339), end.Format(time.RFC3339), err)
	}
	next := *state
	if next.BackfilledFrom == nil || start.Before(*next.BackfilledFrom) {
		next.BackfilledFrom = &start
	}
	if next.BackfilledTo == nil || end.After(*next.BackfilledTo) {
		next.BackfilledTo = &end
	}
	next.BarsLoaded += int64(len(bars))
	err = w.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := w.store.UpsertMinuteBarsTx(ctx, tx, asset.ID, class, bars, candles.Backfill); err != nil {
			return err
		}
		return models.SaveBackfillState(ctx, tx, &next)
	})
	if err != nil {
		return fmt.Errorf("jobs: backfill %s: %w", asset.Symbol, err)
	}
	*state = next
	out.Chunks++
	out.Bars += int64(len(bars))
	return nil
}

// Timeout bounds one attempt; a retry resumes from the last committed chunk.
func (w *BackfillCandlesWorker) Timeout(*river.Job[BackfillCandlesArgs]) time.Duration {
	return 15 * time.Minute
}
