// Package jobs holds every background job: its River args type and its worker, one file per kind,
// and the periodic schedule. Jobs are enqueued inside the transaction that causes them and must be
// idempotent, because River retries a job that failed or whose process died mid-way.
package jobs

import (
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"alpacawrapper/candles"
	"alpacawrapper/mail"
	"alpacawrapper/market"
	"alpacawrapper/ratelimit"
)

// Deps are the services workers use. Every field is required.
type Deps struct {
	Logger   *slog.Logger
	Mailer   mail.Sender
	Sessions Pruner
	Tokens   Pruner
	Limiter  *ratelimit.Limiter
	DB       *gorm.DB
	Provider market.Provider
	Candles  *candles.Store
	// Backfill sizes the history the backfill job loads (HISTORY_DAYS, HISTORY_DAILY_YEARS); the
	// calendar is synced as far back as its minutes reach.
	Backfill BackfillOptions
	// Watchlists seeds the starter global lists after the first catalogue sync (a *watchlist.Service).
	Watchlists StarterSeeder
	// Trading expires orders and snapshots equity (a *trading.Service).
	Trading interface {
		OrderExpirer
		EquitySnapshotter
	}
}

// Workers registers every job kind's worker.
func Workers(deps Deps) *river.Workers {
	w := river.NewWorkers()
	river.AddWorker(w, &SendEmailWorker{mailer: deps.Mailer})
	river.AddWorker(w, NewPruneCredentialsWorker(deps.Sessions, deps.Tokens))
	river.AddWorker(w, NewPruneRateLimitsWorker(deps.Limiter))
	river.AddWorker(w, NewSyncAssetsWorker(deps.DB, deps.Provider, deps.Watchlists))
	backfill := NewBackfillCandlesWorker(deps.DB, deps.Candles, deps.Provider, deps.Backfill)
	river.AddWorker(w, NewSyncCalendarWorker(deps.DB, deps.Provider).reaching(backfill.opts.Depth))
	river.AddWorker(w, backfill)
	river.AddWorker(w, NewRefreshAssetWorker(deps.DB, deps.Candles, deps.Provider))
	river.AddWorker(w, NewGapFillCandlesWorker(deps.DB, deps.Candles, deps.Provider, GapFillOptions{}))
	river.AddWorker(w, NewExpireOrdersWorker(deps.Trading))
	river.AddWorker(w, NewEquitySnapshotsWorker(deps.Trading))
	return w
}

// Periodic is the schedule of recurring jobs. River runs it on the elected leader only, so several
// instances never duplicate a periodic job.
func Periodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PruneCredentialsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "prune_credentials", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(PruneRateLimitsEvery),
			func() (river.JobArgs, *river.InsertOpts) { return PruneRateLimitsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "prune_rate_limits", RunOnStart: true}),
		// The catalogue and the calendar change rarely; once a day, and at start so a new install
		// has them at once.
		river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return SyncAssetsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "sync_assets", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return SyncCalendarArgs{}, nil },
			&river.PeriodicJobOpts{ID: "sync_calendar", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return GapFillCandlesArgs{}, nil },
			&river.PeriodicJobOpts{ID: "gap_fill_candles"}),
		// Paper trading: day orders expire at the close (and at start for a close missed while the
		// app was down); equity is snapshotted for portfolio history.
		river.NewPeriodicJob(river.PeriodicInterval(ExpireOrdersEvery),
			func() (river.JobArgs, *river.InsertOpts) { return ExpireOrdersArgs{}, nil },
			&river.PeriodicJobOpts{ID: "expire_orders", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(EquitySnapshotsEvery),
			func() (river.JobArgs, *river.InsertOpts) { return EquitySnapshotsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "equity_snapshots", RunOnStart: true}),
	}
}
