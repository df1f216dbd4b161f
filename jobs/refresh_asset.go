package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"alpacawrapper/candles"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// RefreshAssetArgs refreshes one asset of an operator's data refresh (models.DataRefresh): the
// minute bars of the refresh's window are fetched again, a trading day at a time, and every
// coarser candle they belong to is rebuilt. Progress is recorded on the refresh's item as each
// day commits, which is what the admin page's progress bar shows.
type RefreshAssetArgs struct {
	RefreshID int64  `json:"refresh_id" river:"unique"`
	AssetID   int64  `json:"asset_id" river:"unique"`
	Symbol    string `json:"symbol"`
}

// Kind names the job in River's tables.
func (RefreshAssetArgs) Kind() string { return "refresh_asset" }

// InsertOpts: one job per asset of a refresh; a few attempts, since a retry resumes from the
// last committed day and an operator can start another refresh anyway.
func (RefreshAssetArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// RefreshChunk is one provider call and one transaction of a refresh: [Start, End).
type RefreshChunk struct{ Start, End time.Time }

// RefreshChunks splits the window of days ending at end into chunks of one trading day (one UTC
// day for crypto), newest first, so the latest candles, the ones people look at, are rebuilt
// first. It is a pure function of its arguments, so every attempt and the progress count agree.
func RefreshChunks(store *candles.Store, class market.AssetClass, end time.Time, days int) []RefreshChunk {
	floor := store.DayStart(class, end.Add(-time.Duration(days)*24*time.Hour))
	var out []RefreshChunk
	for end.After(floor) {
		start := store.ChunkBack(class, end, 1, floor)
		if !start.Before(end) {
			break
		}
		out = append(out, RefreshChunk{Start: start, End: end})
		end = start
	}
	return out
}

// RefreshAssetWorker runs RefreshAssetArgs.
type RefreshAssetWorker struct {
	river.WorkerDefaults[RefreshAssetArgs]
	db       *gorm.DB
	store    *candles.Store
	provider market.Provider
	now      func() time.Time
}

// NewRefreshAssetWorker returns a worker that fetches from provider and rebuilds through store.
func NewRefreshAssetWorker(db *gorm.DB, store *candles.Store, provider market.Provider) *RefreshAssetWorker {
	return &RefreshAssetWorker{db: db, store: store, provider: provider, now: time.Now}
}

// errRefreshStopped ends a run whose asset was cancelled between two days.
var errRefreshStopped = errors.New("jobs: refresh cancelled")

// Work refreshes the days the item has not done yet. An asset already finished or cancelled is
// left alone. A failure is noted on the item and retried; the last attempt's marks it failed.
func (w *RefreshAssetWorker) Work(ctx context.Context, job *river.Job[RefreshAssetArgs]) error {
	a := job.Args
	item, ok, err := models.StartDataRefreshItem(ctx, w.db, a.RefreshID, a.AssetID, w.now())
	if err != nil {
		return fmt.Errorf("jobs: refresh %s: %w", a.Symbol, err)
	}
	if !ok {
		return nil
	}
	refresh, err := models.DataRefreshByID(ctx, w.db, a.RefreshID)
	if err != nil {
		return w.failed(ctx, job, err)
	}
	asset, err := models.CandleAssetByID(ctx, w.db, a.AssetID)
	if err != nil {
		return w.failed(ctx, job, err)
	}
	class := market.AssetClass(asset.Class)
	chunks := RefreshChunks(w.store, class, refresh.WindowEnd, refresh.Days)
	for _, ch := range chunks[min(item.ChunksDone, len(chunks)):] {
		bars, err := w.provider.Bars(ctx, market.BarsRequest{Symbol: asset.Symbol, Timeframe: market.Min1, Start: ch.Start, End: ch.End})
		if err != nil {
			return w.failed(ctx, job, fmt.Errorf("fetch %s–%s from %s: %w",
				ch.Start.Format(time.DateOnly), ch.End.Format(time.DateOnly), w.provider.Name(), err))
		}
		err = w.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			built, err := w.store.RebuildMinuteBarsTx(ctx, tx, asset.ID, class, bars, candles.Backfill)
			if err != nil {
				return err
			}
			running, err := models.AdvanceDataRefreshItem(ctx, tx, a.RefreshID, a.AssetID, len(bars), built)
			if err != nil {
				return err
			}
			if !running {
				return errRefreshStopped // cancelled meanwhile: this day's writes roll back too
			}
			return nil
		})
		if errors.Is(err, errRefreshStopped) {
			return nil
		}
		if err != nil {
			return w.failed(ctx, job, err)
		}
	}
	if err := models.FinishDataRefreshItem(ctx, w.db, a.RefreshID, a.AssetID, w.now(), nil); err != nil {
		return fmt.Errorf("jobs: refresh %s: %w", a.Symbol, err)
	}
	return nil
}

// failed records err on the item: as the last error while River will retry, or as the reason it
// failed on the last attempt. A cancelled item keeps its status. The record gets a moment of its
// own when the job's context is what failed.
func (w *RefreshAssetWorker) failed(ctx context.Context, job *river.Job[RefreshAssetArgs], err error) error {
	err = fmt.Errorf("jobs: refresh %s: %w", job.Args.Symbol, err)
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var recErr error
	if job.Attempt >= job.MaxAttempts {
		recErr = models.FinishDataRefreshItem(recordCtx, w.db, job.Args.RefreshID, job.Args.AssetID, w.now(), err)
	} else {
		recErr = models.NoteDataRefreshError(recordCtx, w.db, job.Args.RefreshID, job.Args.AssetID, err)
	}
	return errors.Join(err, recErr)
}

// Timeout bounds one attempt; a retry resumes from the last committed day.
func (w *RefreshAssetWorker) Timeout(*river.Job[RefreshAssetArgs]) time.Duration {
	return 15 * time.Minute
}
