package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// DataRefreshStatus is where a refresh, or one asset of it, stands.
type DataRefreshStatus string

// The statuses. A refresh is running until every asset in it has finished; it is then done, or
// failed when any asset failed. Cancelled stops the assets not yet finished.
const (
	RefreshPending   DataRefreshStatus = "pending" // an asset waiting for its job
	RefreshRunning   DataRefreshStatus = "running"
	RefreshDone      DataRefreshStatus = "done"
	RefreshFailed    DataRefreshStatus = "failed"
	RefreshCancelled DataRefreshStatus = "cancelled"
)

// Finished reports whether nothing more will happen to a refresh or an asset in this status.
func (s DataRefreshStatus) Finished() bool {
	return s == RefreshDone || s == RefreshFailed || s == RefreshCancelled
}

// DataRefresh is an operator's request to fetch the last Days of minute bars of some assets
// again and rebuild their candles (migration 00029).
type DataRefresh struct {
	ID             int64
	RequestedBy    *int64
	RequestedEmail string
	WatchlistID    *int64
	Scope          string
	Days           int
	WindowEnd      time.Time // the refreshed window ends here: the request's minute
	Status         DataRefreshStatus
	CreatedAt      time.Time
	FinishedAt     *time.Time
}

// TableName is the table's name.
func (DataRefresh) TableName() string { return "data_refreshes" }

// DataRefreshItem is one asset of a refresh and its progress. A chunk is one provider call and
// one transaction (a trading day of minute bars).
type DataRefreshItem struct {
	RefreshID   int64 `gorm:"primaryKey"`
	AssetID     int64 `gorm:"primaryKey"`
	Symbol      string
	Position    int
	JobID       *int64
	Status      DataRefreshStatus
	ChunksTotal int
	ChunksDone  int
	Fetched     int64
	Built       int64
	Error       *string
	StartedAt   *time.Time
	FinishedAt  *time.Time
}

// TableName is the table's name.
func (DataRefreshItem) TableName() string { return "data_refresh_items" }

// Percent is the share of the item's chunks done: 100 only once it is done.
func (i *DataRefreshItem) Percent() int {
	if i.Status == RefreshDone {
		return 100
	}
	if i.ChunksTotal == 0 {
		return 0
	}
	return min(99, 100*i.ChunksDone/i.ChunksTotal)
}

// DataRefreshSummary is a refresh with its assets' progress added up.
type DataRefreshSummary struct {
	DataRefresh
	Assets, AssetsDone, AssetsFailed int
	// ChunksTotal and ChunksDone add up every asset's; a finished asset counts in full.
	ChunksTotal, ChunksDone int64
	Fetched, Built          int64
}

// Percent is the share of the whole refresh done: 100 only once every asset is done.
func (s *DataRefreshSummary) Percent() int {
	if s.Status == RefreshDone {
		return 100
	}
	if s.ChunksTotal == 0 {
		return 0
	}
	return int(min(99, 100*s.ChunksDone/s.ChunksTotal))
}

// maxRefreshErrorBytes bounds an asset's recorded error message.
const maxRefreshErrorBytes = 2000

// CreateDataRefresh writes r and its items in tx; r.ID is set.
func CreateDataRefresh(ctx context.Context, tx *gorm.DB, r *DataRefresh, items []DataRefreshItem) error {
	if err := tx.WithContext(ctx).Omit("CreatedAt", "FinishedAt").Create(r).Error; err != nil {
		return fmt.Errorf("models: create data refresh: %w", err)
	}
	for i := range items {
		items[i].RefreshID = r.ID
		items[i].Position = i + 1
		items[i].Status = RefreshPending
	}
	if err := tx.WithContext(ctx).Create(&items).Error; err != nil {
		return fmt.Errorf("models: create data refresh items: %w", err)
	}
	return nil
}

// SetDataRefreshJob records the River job that refreshes one asset.
func SetDataRefreshJob(ctx context.Context, tx *gorm.DB, refreshID, assetID, jobID int64) error {
	err := tx.WithContext(ctx).Model(&DataRefreshItem{}).Where("refresh_id = ? AND asset_id = ?", refreshID, assetID).
		Update("job_id", jobID).Error
	if err != nil {
		return fmt.Errorf("models: data refresh %d job: %w", refreshID, err)
	}
	return nil
}

// AssetsBeingRefreshed maps those of assetIDs that a running refresh has not finished yet to that
// refresh's id.
func AssetsBeingRefreshed(ctx context.Context, db *gorm.DB, assetIDs []int64) (map[int64]int64, error) {
	var rows []struct{ AssetID, RefreshID int64 }
	err := db.WithContext(ctx).Model(&DataRefreshItem{}).Select("asset_id, refresh_id").
		Where("asset_id IN ? AND status IN ?", assetIDs, []DataRefreshStatus{RefreshPending, RefreshRunning}).
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: assets being refreshed: %w", err)
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.AssetID] = r.RefreshID
	}
	return out, nil
}

// DataRefreshByID loads a refresh, or ErrNotFound.
func DataRefreshByID(ctx context.Context, db *gorm.DB, id int64) (*DataRefresh, error) {
	var r DataRefresh
	if err := db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, fmt.Errorf("models: data refresh %d: %w", id, notFound(err))
	}
	return &r, nil
}

// LockDataRefresh loads a refresh and locks its row for the rest of tx, or ErrNotFound. Every
// change to a refresh's status holds it, so finishing the last asset and cancelling cannot cross.
func LockDataRefresh(ctx context.Context, tx *gorm.DB, id int64) (*DataRefresh, error) {
	var r DataRefresh
	if err := tx.WithContext(ctx).Clauses(lockForUpdate()).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, fmt.Errorf("models: lock data refresh %d: %w", id, notFound(err))
	}
	return &r, nil
}

// DataRefreshItems lists a refresh's assets in the order they were asked for.
func DataRefreshItems(ctx context.Context, db *gorm.DB, refreshID int64) ([]DataRefreshItem, error) {
	items := []DataRefreshItem{}
	if err := db.WithContext(ctx).Where("refresh_id = ?", refreshID).Order("position").Find(&items).Error; err != nil {
		return nil, fmt.Errorf("models: data refresh %d items: %w", refreshID, err)
	}
	return items, nil
}

// DataRefreshItemOf loads one asset of a refresh, or ErrNotFound.
func DataRefreshItemOf(ctx context.Context, db *gorm.DB, refreshID, assetID int64) (*DataRefreshItem, error) {
	var it DataRefreshItem
	if err := db.WithContext(ctx).Where("refresh_id = ? AND asset_id = ?", refreshID, assetID).Take(&it).Error; err != nil {
		return nil, fmt.Errorf("models: data refresh %d asset %d: %w", refreshID, assetID, notFound(err))
	}
	return &it, nil
}

// summaryColumns add up a refresh's items (see DataRefreshSummary).
const summaryColumns = `data_refreshes.*,
	count(i.asset_id) AS assets,
	count(i.asset_id) FILTER (WHERE i.status = 'done') AS assets_done,
	count(i.asset_id) FILTER (WHERE i.status = 'failed') AS assets_failed,
	coalesce(sum(i.chunks_total), 0) AS chunks_total,
	coalesce(sum(CASE WHEN i.status = 'done' THEN i.chunks_total ELSE i.chunks_done END), 0) AS chunks_done,
	coalesce(sum(i.fetched), 0) AS fetched,
	coalesce(sum(i.built), 0) AS built`

// RecentDataRefreshes lists the latest refreshes, newest first, with their progress.
func RecentDataRefreshes(ctx context.Context, db *gorm.DB, limit int) ([]DataRefreshSummary, error) {
	out := []DataRefreshSummary{}
	err := db.WithContext(ctx).Table("data_refreshes").Select(summaryColumns).
		Joins("LEFT JOIN data_refresh_items i ON i.refresh_id = data_refreshes.id").
		Group("data_refreshes.id").Order("data_refreshes.created_at DESC, data_refreshes.id DESC").
		Limit(max(limit, 1)).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: recent data refreshes: %w", err)
	}
	return out, nil
}

// DataRefreshSummaryOf is one refresh with its progress, or ErrNotFound.
func DataRefreshSummaryOf(ctx context.Context, db *gorm.DB, id int64) (*DataRefreshSummary, error) {
	var out []DataRefreshSummary
	err := db.WithContext(ctx).Table("data_refreshes").Select(summaryColumns).
		Joins("LEFT JOIN data_refresh_items i ON i.refresh_id = data_refreshes.id").
		Where("data_refreshes.id = ?", id).Group("data_refreshes.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: data refresh %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("models: data refresh %d: %w", id, ErrNotFound)
	}
	return &out[0], nil
}

// StartDataRefreshItem marks an asset running (again, on a retry) and returns it; ok is false
// when it has already finished or been cancelled, and there is nothing to do.
func StartDataRefreshItem(ctx context.Context, db *gorm.DB, refreshID, assetID int64, at time.Time) (*DataRefreshItem, bool, error) {
	res := db.WithContext(ctx).Model(&DataRefreshItem{}).
		Where("refresh_id = ? AND asset_id = ? AND status IN ?", refreshID, assetID, []DataRefreshStatus{RefreshPending, RefreshRunning}).
		Updates(map[string]any{"status": RefreshRunning, "started_at": gorm.Expr("coalesce(started_at, ?)", at.UTC())})
	if res.Error != nil {
		return nil, false, fmt.Errorf("models: start data refresh %d asset %d: %w", refreshID, assetID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, false, nil
	}
	it, err := DataRefreshItemOf(ctx, db, refreshID, assetID)
	return it, err == nil, err
}

// AdvanceDataRefreshItem records one more chunk done, in the chunk's own transaction. ok is false
// when the asset is no longer running (the refresh was cancelled): the caller rolls back and stops.
func AdvanceDataRefreshItem(ctx context.Context, tx *gorm.DB, refreshID, assetID int64, fetched, built int) (bool, error) {
	res := tx.WithContext(ctx).Model(&DataRefreshItem{}).
		Where("refresh_id = ? AND asset_id = ? AND status = ?", refreshID, assetID, RefreshRunning).
		Updates(map[string]any{
			"chunks_done": gorm.Expr("chunks_done + 1"),
			"fetched":     gorm.Expr("fetched + ?", fetched),
			"built":       gorm.Expr("built + ?", built),
			"error":       nil,
		})
	if res.Error != nil {
		return false, fmt.Errorf("models: advance data refresh %d asset %d: %w", refreshID, assetID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// NoteDataRefreshError records an attempt's error on a running asset that River will retry.
func NoteDataRefreshError(ctx context.Context, db *gorm.DB, refreshID, assetID int64, runErr error) error {
	err := db.WithContext(ctx).Model(&DataRefreshItem{}).
		Where("refresh_id = ? AND asset_id = ? AND status = ?", refreshID, assetID, RefreshRunning).
		Update("error", refreshError(runErr)).Error
	if err != nil {
		return fmt.Errorf("models: note data refresh %d error: %w", refreshID, err)
	}
	return nil
}

// FinishDataRefreshItem records an asset's end (done, or failed with runErr) unless it already
// finished or was cancelled, and finishes the refresh when it was the last asset running: done,
// or failed when any asset failed. The refresh's row is locked first, so two assets finishing at
// once cannot each leave the refresh running for the other.
func FinishDataRefreshItem(ctx context.Context, db *gorm.DB, refreshID, assetID int64, at time.Time, runErr error) error {
	status := RefreshDone
	var msg *string
	if runErr != nil {
		status, msg = RefreshFailed, refreshError(runErr)
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := LockDataRefresh(ctx, tx, refreshID); err != nil {
			return err
		}
		err := tx.Model(&DataRefreshItem{}).
			Where("refresh_id = ? AND asset_id = ? AND status IN ?", refreshID, assetID, []DataRefreshStatus{RefreshPending, RefreshRunning}).
			Updates(map[string]any{"status": status, "error": msg, "finished_at": at.UTC()}).Error
		if err != nil {
			return fmt.Errorf("models: finish data refresh %d asset %d: %w", refreshID, assetID, err)
		}
		err = tx.Exec(`UPDATE data_refreshes r SET finished_at = ?,
				status = CASE WHEN EXISTS (SELECT 1 FROM data_refresh_items WHERE refresh_id = r.id AND status = 'failed')
					THEN 'failed' ELSE 'done' END
			WHERE r.id = ? AND r.status = 'running'
				AND NOT EXISTS (SELECT 1 FROM data_refresh_items WHERE refresh_id = r.id AND status IN ('pending', 'running'))`,
			at.UTC(), refreshID).Error
		if err != nil {
			return fmt.Errorf("models: finish data refresh %d: %w", refreshID, err)
		}
		return nil
	})
}

// CancelDataRefresh marks refresh r (locked by the caller in tx) and its unfinished assets
// cancelled, and returns the River jobs of those assets, for the caller to cancel in tx too.
func CancelDataRefresh(ctx context.Context, tx *gorm.DB, id int64, at time.Time) (jobIDs []int64, err error) {
	var ids []*int64
	err = tx.WithContext(ctx).Raw(`UPDATE data_refresh_items SET status = 'cancelled', finished_at = ?
		WHERE refresh_id = ? AND status IN ('pending', 'running') RETURNING job_id`, at.UTC(), id).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("models: cancel data refresh %d: %w", id, err)
	}
	err = tx.Model(&DataRefresh{}).Where("id = ?", id).
		Updates(map[string]any{"status": RefreshCancelled, "finished_at": at.UTC()}).Error
	if err != nil {
		return nil, fmt.Errorf("models: cancel data refresh %d: %w", id, err)
	}
	for _, j := range ids {
		if j != nil {
			jobIDs = append(jobIDs, *j)
		}
	}
	return jobIDs, nil
}

func refreshError(err error) *string {
	s := strings.ToValidUTF8(err.Error(), "")
	if len(s) > maxRefreshErrorBytes {
		s = strings.ToValidUTF8(s[:maxRefreshErrorBytes], "") + "…"
	}
	return &s
}
