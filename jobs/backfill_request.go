package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/candles"
	"alpacawrapper/database"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// BackfillLimits bound the backfills people ask for. Zero values take the documented defaults.
type BackfillLimits struct {
	// PerPerson is how many on-demand backfills one person (or guest IP) may have queued or
	// running at once (BACKFILL_MAX_PER_PERSON). Default 3.
	PerPerson int
	// Total is how many backfills, whoever asked, may be queued or running at once before an
	// on-demand one is refused (BACKFILL_MAX_TOTAL). Default 20.
	Total int
}

// staleAfter is how old the newest loaded minute may be before opening the chart tops it up. The
// hourly gap filler (GapFillOptions.Window, 6 hours) keeps younger stretches complete.
const staleAfter = 5 * time.Hour

// backfillRequestLockKey serialises Request's count-then-insert, so that two requests at once
// cannot both pass a bound with one place left.
const backfillRequestLockKey int64 = 0x61775f6266726571 // "aw_bfreq"

// Backfills starts the backfills people ask for, within bounds, and reports where an asset's
// history stands. It is the entry point for anything that wants an asset's history loaded now: a
// chart opened on a symbol whose history is missing, or an operator's data refresh (Force).
// Watchlists queue theirs with EnqueueBackfill, unbounded per person, but counted in the total.
type Backfills struct {
	db     *gorm.DB
	river  *database.RiverClient
	store  *candles.Store
	opts   BackfillOptions
	limits BackfillLimits
}

// NewBackfills returns the entry point. opts must be the backfill worker's, so that what it calls
// complete is what the worker loads.
func NewBackfills(db *gorm.DB, river *database.RiverClient, store *candles.Store, opts BackfillOptions, limits BackfillLimits) *Backfills {
	opts.Depth = cmp.Or(opts.Depth, DefaultHistoryDays*24*time.Hour)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	limits.PerPerson = cmp.Or(limits.PerPerson, 3)
	limits.Total = cmp.Or(limits.Total, 20)
	return &Backfills{db: db, river: river, store: store, opts: opts, limits: limits}
}

// BackfillRequest asks for an asset's history.
type BackfillRequest struct {
	AssetID int64
	// Person says who asks ("user:42", "ip:203.0.113.9"): the per-person bound counts by it.
	Person string
	// Force queues a run even when the history looks complete (an operator's refresh: the run
	// tops up to now and re-reads nothing already loaded). The bounds still apply.
	Force bool
}

// History is where an asset's history stands.
type History struct {
	// Status is the backfill's (pending, running, done, failed), empty when none was ever queued.
	Status models.BackfillStatus
	// Loading: a backfill of the asset is queued or running.
	Loading bool
	// Complete: the minutes reach Target and now (within staleAfter), and the daily bars reach
	// their depth. Nothing more would be loaded.
	Complete bool
	// [MinutesFrom, MinutesTo) is the minute span loaded; nil before any.
	MinutesFrom, MinutesTo *time.Time
	// Target is how far back the minutes should reach.
	Target time.Time
	// DailyFrom is how far back daily candles reach; nil before they are loaded.
	DailyFrom *time.Time
	// BarsLoaded and DailyBars count the minute and daily bars stored.
	BarsLoaded, DailyBars int64
	// Percent is the share of the minute span loaded, 100 only when Complete.
	Percent int
}

// Progress reports where an asset's history stands.
func (b *Backfills) Progress(ctx context.Context, assetID int64) (History, error) {
	asset, err := models.CandleAssetByID(ctx, b.db, assetID)
	if err != nil {
		return History{}, fmt.Errorf("jobs: history: %w", err)
	}
	active, err := models.ActiveJobsOfKind(ctx, b.db, BackfillCandlesArgs{}.Kind())
	if err != nil {
		return History{}, fmt.Errorf("jobs: history: %w", err)
	}
	state, err := b.state(ctx, b.db, assetID)
	if err != nil {
		return History{}, err
	}
	return b.history(market.AssetClass(asset.Class), state, loadingOf(active, assetID)), nil
}

// Request queues the asset's backfill unless its history is complete (and not Force) or a
// backfill of it is already queued or running, and reports where the history stands. A new
// backfill beyond the person's or the total bound is refused with an apperr.KindRateLimited
// that says which bound and what to do.
func (b *Backfills) Request(ctx context.Context, req BackfillRequest) (History, error) {
	asset, err := models.CandleAssetByID(ctx, b.db, req.AssetID)
	if errors.Is(err, models.ErrNotFound) {
		return History{}, apperr.New(apperr.KindNotFound, "asset_not_found", "There is no such asset.")
	}
	if err != nil {
		return History{}, fmt.Errorf("jobs: request backfill: %w", err)
	}
	class := market.AssetClass(asset.Class)
	var h History
	err = b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", backfillRequestLockKey).Error; err != nil {
			return fmt.Errorf("jobs: request backfill: lock: %w", err)
		}
		active, err := models.ActiveJobsOfKind(ctx, tx, BackfillCandlesArgs{}.Kind())
		if err != nil {
			return fmt.Errorf("jobs: request backfill: %w", err)
		}
		state, err := b.state(ctx, tx, asset.ID)
		if err != nil {
			return err
		}
		h = b.history(class, state, loadingOf(active, asset.ID))
		if h.Loading || (h.Complete && !req.Force) {
			return nil
		}
		if err := b.within(active, req.Person); err != nil {
			return err
		}
		if err := enqueueBackfill(ctx, tx, b.river, BackfillCandlesArgs{AssetID: asset.ID, Symbol: asset.Symbol, RequestedBy: req.Person}); err != nil {
			return err
		}
		h.Loading = true
		if h.Status == "" || h.Status == models.BackfillFailed {
			h.Status = models.BackfillPending
		}
		return nil
	})
	if err != nil {
		return History{}, err
	}
	return h, nil
}

// within refuses a new backfill beyond the bounds.
func (b *Backfills) within(active []models.ActiveJob, person string) error {
	if len(active) >= b.limits.Total {
		return &apperr.Error{Kind: apperr.KindRateLimited, Code: "backfill_limit_total", RetryAfterSeconds: 30,
			Message: fmt.Sprintf("The server is already loading the history of %s, the most it loads at once. Please open this chart again in a minute.", symbolsWord(len(active)))}
	}
	mine := 0
	for _, j := range active {
		if j.RequestedBy == person {
			mine++
		}
	}
	if person != "" && mine >= b.limits.PerPerson {
		return &apperr.Error{Kind: apperr.KindRateLimited, Code: "backfill_limit_person", RetryAfterSeconds: 30,
			Message: fmt.Sprintf("You are already loading the history of %s, the most one person may at once. Open this chart again when one of them has finished.", symbolsWord(mine))}
	}
	return nil
}

// symbolsWord is "1 symbol", "3 symbols".
func symbolsWord(n int) string {
	if n == 1 {
		return "1 symbol"
	}
	return fmt.Sprintf("%d symbols", n)
}

// state is the asset's backfill state, nil when none was ever queued.
func (b *Backfills) state(ctx context.Context, db *gorm.DB, assetID int64) (*models.BackfillState, error) {
	s, err := models.BackfillStateOf(ctx, db, assetID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: history: %w", err)
	}
	return s, nil
}

// history describes state against the depths the worker loads.
func (b *Backfills) history(class market.AssetClass, state *models.BackfillState, loading bool) History {
	now := b.opts.Now().UTC()
	h := History{Loading: loading, Target: b.store.DayStart(class, now.Add(-b.opts.Depth))}
	if state == nil {
		return h
	}
	h.Status, h.MinutesFrom, h.MinutesTo, h.DailyFrom = state.Status, state.BackfilledFrom, state.BackfilledTo, state.DailyFrom
	h.BarsLoaded, h.DailyBars = state.BarsLoaded, state.DailyBars
	if h.MinutesFrom == nil || h.MinutesTo == nil {
		return h
	}
	dailyDone := b.opts.DailyDepth <= 0 ||
		(h.DailyFrom != nil && !h.DailyFrom.After(b.store.DayStart(class, now.Add(-b.opts.DailyDepth))))
	h.Complete = state.Status == models.BackfillDone && !h.MinutesFrom.After(h.Target) &&
		!h.MinutesTo.Before(now.Add(-staleAfter)) && dailyDone
	if h.Complete {
		h.Percent = 100
		return h
	}
	if span := now.Sub(h.Target); span > 0 {
		h.Percent = min(99, max(0, int(100*now.Sub(*h.MinutesFrom).Seconds()/span.Seconds())))
	}
	return h
}

// loadingOf reports whether one of the active jobs is the asset's.
func loadingOf(active []models.ActiveJob, assetID int64) bool {
	for _, j := range active {
		if j.AssetID == assetID {
			return true
		}
	}
	return false
}
