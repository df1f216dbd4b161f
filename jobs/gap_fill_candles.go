package jobs

import (
	"cmp"
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

// GapFillCandlesEvery is how often the periodic schedule looks for missing minutes.
const GapFillCandlesEvery = time.Hour

// GapFillCandlesArgs fetches again the recent minutes missing from backfilled assets' candles:
// minutes lost while the stream was down, the process restarting, or the aggregator shedding load.
type GapFillCandlesArgs struct{}

// Kind names the job in River's tables.
func (GapFillCandlesArgs) Kind() string { return "gap_fill_candles" }

// InsertOpts makes the job unique per period, so a leader change or RunOnStart never queues two
// for the same hour. Few attempts: the next hour's run covers the same window.
func (GapFillCandlesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: GapFillCandlesEvery}}
}

// GapFillOptions tune the gap filler. Zero values take the documented defaults.
type GapFillOptions struct {
	// Window is how far back minutes are checked. Default 6 hours: each minute is looked at by
	// several hourly runs, so one failed run loses nothing.
	Window time.Duration
	// Grace leaves the newest minutes alone, since their bars may still be on the way. Default 3m.
	Grace time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// GapFillCandlesWorker runs GapFillCandlesArgs.
type GapFillCandlesWorker struct {
	river.WorkerDefaults[GapFillCandlesArgs]
	db       *gorm.DB
	store    *candles.Store
	provider market.Provider
	opts     GapFillOptions
}

// NewGapFillCandlesWorker returns a worker that fetches from provider and writes through store.
func NewGapFillCandlesWorker(db *gorm.DB, store *candles.Store, provider market.Provider, opts GapFillOptions) *GapFillCandlesWorker {
	opts.Window = cmp.Or(opts.Window, 6*time.Hour)
	opts.Grace = cmp.Or(opts.Grace, 3*time.Minute)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &GapFillCandlesWorker{db: db, store: store, provider: provider, opts: opts}
}

// gapFillOutput is what a run records on its job row.
type gapFillOutput struct {
	Assets  int `json:"assets"`
	Missing int `json:"missing_minutes"`
	Fetched int `json:"bars_fetched"`
	Failed  int `json:"assets_failed"`
}

// Work checks every backfilled asset. Only minutes the calendar says should have a bar count as
// missing (crypto: all; stocks: regular sessions), so nights, weekends and holidays are never
// gaps. The missing minutes of an asset are fetched in one provider call spanning the first to
// the last of them; bars already stored come back too and replace themselves unchanged. A
// stock minute nobody traded stays missing and is asked for again by the next runs within the
// window: one call per asset per hour at most. One asset's failure does not stop the others;
// the run then fails so River retries it.
func (w *GapFillCandlesWorker) Work(ctx context.Context, _ *river.Job[GapFillCandlesArgs]) error {
	assets, err := models.BackfilledAssets(ctx, w.db)
	if err != nil {
		return fmt.Errorf("jobs: gap fill: %w", err)
	}
	to := w.opts.Now().UTC().Add(-w.opts.Grace).Truncate(time.Minute)
	from := to.Add(-w.opts.Window)
	out := gapFillOutput{Assets: len(assets)}
	var errs []error
	for _, a := range assets {
		missing, fetched, err := w.fillAsset(ctx, a, from, to)
		out.Missing += missing
		out.Fetched += fetched
		if err != nil {
			out.Failed++
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	if err := river.RecordOutput(ctx, out); err != nil {
		errs = append(errs, fmt.Errorf("jobs: gap fill: record output: %w", err))
	}
	return errors.Join(errs...)
}

func (w *GapFillCandlesWorker) fillAsset(ctx context.Context, a models.CandleAsset, from, to time.Time) (missing, fetched int, err error) {
	class := market.AssetClass(a.Class)
	gaps, err := w.store.MissingMinutes(ctx, a.ID, class, from, to)
	if err != nil || len(gaps) == 0 {
		return 0, 0, err
	}
	req := market.BarsRequest{Symbol: a.Symbol, Timeframe: market.Min1, Start: gaps[0], End: gaps[len(gaps)-1].Add(time.Minute)}
	bars, err := w.provider.Bars(ctx, req)
	if err != nil {
		return len(gaps), 0, fmt.Errorf("jobs: gap fill %s: %w", a.Symbol, err)
	}
	if err := w.store.UpsertMinuteBars(ctx, a.ID, class, bars, candles.Backfill); err != nil {
		return len(gaps), 0, fmt.Errorf("jobs: gap fill %s: %w", a.Symbol, err)
	}
	return len(gaps), len(bars), nil
}

// Timeout bounds one run.
func (w *GapFillCandlesWorker) Timeout(*river.Job[GapFillCandlesArgs]) time.Duration {
	return 10 * time.Minute
}
