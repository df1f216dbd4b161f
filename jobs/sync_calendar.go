package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"alpacawrapper/database"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// The calendar window each sync copies: a month back (so recent early closes and unscheduled
// closures are corrected) and a little over a year ahead. Days before the window are kept, so
// history accumulates.
const (
	SyncCalendarEvery = 24 * time.Hour
	CalendarDaysBack  = 30
	CalendarDaysAhead = 400
)

// syncCalendarLockKey serialises calendar syncs like syncAssetsLockKey does catalogue syncs.
// ("aw_calen" in ASCII.)
const syncCalendarLockKey int64 = 0x61775f63616c656e

// SyncCalendarArgs refreshes the trading calendar from the market-data provider.
type SyncCalendarArgs struct{}

// Kind names the job in River's tables.
func (SyncCalendarArgs) Kind() string { return "sync_calendar" }

// InsertOpts coalesces requests within a minute as SyncAssetsArgs does.
func (SyncCalendarArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: syncUniqueOpts()}
}

// EnqueueSyncCalendar asks for a calendar sync now; one already queued or running absorbs it.
func EnqueueSyncCalendar(ctx context.Context, client *database.RiverClient) error {
	if _, err := client.Insert(ctx, SyncCalendarArgs{}, nil); err != nil {
		return fmt.Errorf("jobs: enqueue calendar sync: %w", err)
	}
	return nil
}

// SyncCalendarWorker copies the provider's trading calendar into the market_days table.
type SyncCalendarWorker struct {
	river.WorkerDefaults[SyncCalendarArgs]
	db       *gorm.DB
	provider market.Provider
	now      func() time.Time
	daysBack int
}

// NewSyncCalendarWorker returns a worker that reads p's calendar into db.
func NewSyncCalendarWorker(db *gorm.DB, p market.Provider) *SyncCalendarWorker {
	return &SyncCalendarWorker{db: db, provider: p, now: time.Now, daysBack: CalendarDaysBack}
}

// reaching widens the synced window back to cover history minutes deep (and a month more), so
// that the candles of every backfilled minute find their trading day.
func (w *SyncCalendarWorker) reaching(history time.Duration) *SyncCalendarWorker {
	w.daysBack = max(w.daysBack, int(history/(24*time.Hour))+CalendarDaysBack)
	return w
}

// errEmptyCalendar stops a sync that would delete every day of the window because the provider
// answered with nothing.
var errEmptyCalendar = errors.New("jobs: sync calendar: the provider returned no trading days")

// Work fetches the window's trading days, then in one transaction upserts them, deletes the days
// of the window the provider no longer lists (an unscheduled closure declared after the last sync)
// and records the run. Failures are recorded and returned for River to retry.
func (w *SyncCalendarWorker) Work(ctx context.Context, job *river.Job[SyncCalendarArgs]) error {
	runID, err := models.StartSyncRun(ctx, w.db, models.SyncCalendar, job.ID, w.now())
	if err != nil {
		return fmt.Errorf("jobs: sync calendar: %w", err)
	}
	out := syncOutput{RunID: runID}
	if err := w.sync(ctx, runID, &out); err != nil {
		recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if ferr := models.FinishSyncRun(recordCtx, w.db, runID, w.now(), 0, 0, err); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return err
	}
	if err := river.RecordOutput(ctx, out); err != nil {
		return fmt.Errorf("jobs: sync calendar: record output: %w", err)
	}
	return nil
}

func (w *SyncCalendarWorker) sync(ctx context.Context, runID int64, out *syncOutput) error {
	now := w.now()
	from, to := now.AddDate(0, 0, -w.daysBack), now.AddDate(0, 0, CalendarDaysAhead)
	days, err := w.provider.Calendar(ctx, from, to)
	if err != nil {
		return fmt.Errorf("jobs: sync calendar: fetch from %s: %w", w.provider.Name(), err)
	}
	if len(days) == 0 {
		return errEmptyCalendar
	}
	return w.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", syncCalendarLockKey).Error; err != nil {
			return fmt.Errorf("jobs: sync calendar: lock: %w", err)
		}
		var err error
		if out.Upserted, err = models.UpsertMarketDays(ctx, tx, days, now); err != nil {
			return err
		}
		// Only inside the span the provider answered for: it may read the window's ends as dates in
		// another zone, and a day just outside what it looked at is not a withdrawn day.
		first, last := calendarSpan(days)
		if out.Deactivated, err = models.RemoveMarketDaysMissing(ctx, tx, first, last, days); err != nil {
			return err
		}
		return models.FinishSyncRun(ctx, tx, runID, w.now(), out.Upserted, out.Deactivated, nil)
	})
}

// Timeout bounds one run; the calendar is a few hundred rows.
func (w *SyncCalendarWorker) Timeout(*river.Job[SyncCalendarArgs]) time.Duration { return time.Minute }

// calendarSpan is the first and last regular open among days (which need not be sorted).
func calendarSpan(days []market.CalendarDay) (first, last time.Time) {
	for i, d := range days {
		if i == 0 || d.Open.Before(first) {
			first = d.Open
		}
		if i == 0 || d.Open.After(last) {
			last = d.Open
		}
	}
	return first, last
}
