package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/candles"
	"alpacawrapper/database"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// The bounds of one data refresh. A refresh repairs recent history; the backfill loads the rest.
const (
	MaxRefreshAssets = 50  // assets in one refresh (a watchlist holds up to 200: refresh it in parts)
	MaxRefreshDays   = 366 // days back from now
)

// Refreshes starts and cancels operators' data refreshes (jobs of kind refresh_asset), each in the
// caller's transaction so that the caller's audit entry commits with it.
type Refreshes struct {
	river *database.RiverClient
	store *candles.Store
}

// NewRefreshes returns the entry point; store must be the one the workers write through.
func NewRefreshes(river *database.RiverClient, store *candles.Store) *Refreshes {
	return &Refreshes{river: river, store: store}
}

// RefreshRequest asks for a refresh of Assets over the last Days.
type RefreshRequest struct {
	Assets []models.CandleAsset
	// WatchlistID and Scope say what was asked for: a watchlist, or the assets themselves.
	WatchlistID *int64
	Scope       string
	Days        int
	// RequestedBy and RequestedEmail say who asked.
	RequestedBy    int64
	RequestedEmail string
	Now            time.Time
}

// Start records the refresh and queues one job per asset, in tx. It refuses, changing nothing, a
// request with no assets or too many, days out of bounds, or an asset that a refresh still
// running has not finished (two would rewrite the same candles at once).
func (r *Refreshes) Start(ctx context.Context, tx *gorm.DB, req RefreshRequest) (*models.DataRefresh, []models.DataRefreshItem, error) {
	switch {
	case len(req.Assets) == 0:
		return nil, nil, apperr.Invalid(map[string]string{"symbols": "Choose at least one asset, or a watchlist that has assets on it."})
	case len(req.Assets) > MaxRefreshAssets:
		return nil, nil, apperr.Invalid(map[string]string{"symbols": fmt.Sprintf(
			"A refresh covers at most %d assets; this asks for %d. Refresh them in parts.", MaxRefreshAssets, len(req.Assets))})
	case req.Days < 1 || req.Days > MaxRefreshDays:
		return nil, nil, apperr.Invalid(map[string]string{"days": fmt.Sprintf("Days must be a whole number from 1 to %d.", MaxRefreshDays)})
	}
	sqlTx, err := database.SQLTx(tx)
	if err != nil {
		return nil, nil, fmt.Errorf("jobs: start refresh: %w", err)
	}
	ids := make([]int64, len(req.Assets))
	for i, a := range req.Assets {
		ids[i] = a.ID
	}
	// Serialised like Backfills.Request, so that two refreshes of one asset cannot both pass.
	if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", refreshStartLockKey).Error; err != nil {
		return nil, nil, fmt.Errorf("jobs: start refresh: lock: %w", err)
	}
	busy, err := models.AssetsBeingRefreshed(ctx, tx, ids)
	if err != nil {
		return nil, nil, err
	}
	var clash []string
	for _, a := range req.Assets {
		if id, ok := busy[a.ID]; ok {
			clash = append(clash, fmt.Sprintf("%s (refresh #%d)", a.Symbol, id))
		}
	}
	if len(clash) > 0 {
		return nil, nil, apperr.New(apperr.KindConflict, "refresh_running", fmt.Sprintf(
			"Already being refreshed: %s. Wait for it to finish or cancel it; nothing was started.", strings.Join(clash, ", ")))
	}

	end := req.Now.UTC().Truncate(time.Minute)
	refresh := &models.DataRefresh{WatchlistID: req.WatchlistID, Scope: req.Scope, Days: req.Days, WindowEnd: end,
		Status: models.RefreshRunning, RequestedEmail: req.RequestedEmail}
	if req.RequestedBy != 0 {
		refresh.RequestedBy = &req.RequestedBy
	}
	items := make([]models.DataRefreshItem, len(req.Assets))
	params := make([]river.InsertManyParams, len(req.Assets))
	for i, a := range req.Assets {
		items[i] = models.DataRefreshItem{AssetID: a.ID, Symbol: a.Symbol,
			ChunksTotal: len(RefreshChunks(r.store, market.AssetClass(a.Class), end, req.Days))}
	}
	if err := models.CreateDataRefresh(ctx, tx, refresh, items); err != nil {
		return nil, nil, err
	}
	for i, a := range req.Assets {
		params[i] = river.InsertManyParams{Args: RefreshAssetArgs{RefreshID: refresh.ID, AssetID: a.ID, Symbol: a.Symbol}}
	}
	res, err := r.river.InsertManyTx(ctx, sqlTx, params)
	if err != nil {
		return nil, nil, fmt.Errorf("jobs: start refresh: %w", err)
	}
	for i, j := range res {
		if err := models.SetDataRefreshJob(ctx, tx, refresh.ID, req.Assets[i].ID, j.Job.ID); err != nil {
			return nil, nil, err
		}
		items[i].JobID = &j.Job.ID
	}
	return refresh, items, nil
}

// refreshStartLockKey serialises Start's check-then-insert. ("aw_rfrsh" in ASCII.)
const refreshStartLockKey int64 = 0x61775f7266727368

// Cancel stops refresh id in tx: its unfinished assets are marked cancelled and their jobs
// cancelled in River (a running one stops before its next day; the day in progress rolls back).
// It returns the refresh as it was. A refresh that is missing is NotFound; one already finished
// is a conflict that changes nothing.
func (r *Refreshes) Cancel(ctx context.Context, tx *gorm.DB, id int64, now time.Time) (*models.DataRefresh, error) {
	refresh, err := models.LockDataRefresh(ctx, tx, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, apperr.New(apperr.KindNotFound, "refresh_not_found", "There is no such data refresh.")
	}
	if err != nil {
		return nil, err
	}
	if refresh.Status.Finished() {
		return nil, apperr.New(apperr.KindConflict, "already_changed", fmt.Sprintf(
			"Refresh #%d has already %s; nothing was changed. Reload the page to see the current state.", id, finishedWord(refresh.Status)))
	}
	jobIDs, err := models.CancelDataRefresh(ctx, tx, id, now)
	if err != nil {
		return nil, err
	}
	sqlTx, err := database.SQLTx(tx)
	if err != nil {
		return nil, fmt.Errorf("jobs: cancel refresh: %w", err)
	}
	for _, j := range jobIDs {
		if _, err := r.river.JobCancelTx(ctx, sqlTx, j); err != nil && !errors.Is(err, rivertype.ErrNotFound) {
			return nil, fmt.Errorf("jobs: cancel refresh %d job %d: %w", id, j, err)
		}
	}
	return refresh, nil
}

func finishedWord(s models.DataRefreshStatus) string {
	switch s {
	case models.RefreshDone:
		return "finished"
	case models.RefreshFailed:
		return "failed"
	}
	return "been cancelled"
}

// EnqueueSyncAssetsTx asks for a catalogue sync in tx (the admin page's button, whose audit entry
// commits with it). It reports whether a new job was queued: false when a sync queued, running or
// finished within the minute absorbed the request.
func EnqueueSyncAssetsTx(ctx context.Context, tx *gorm.DB, client *database.RiverClient) (bool, error) {
	sqlTx, err := database.SQLTx(tx)
	if err != nil {
		return false, fmt.Errorf("jobs: enqueue asset sync: %w", err)
	}
	res, err := client.InsertTx(ctx, sqlTx, SyncAssetsArgs{}, nil)
	if err != nil {
		return false, fmt.Errorf("jobs: enqueue asset sync: %w", err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}
