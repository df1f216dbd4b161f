// Package watchlist is the domain service for watchlists: named, ordered lists of assets that a
// person keeps for themselves, and global lists that administrators keep for everyone (one of
// them is what guests see).
//
// Every method takes the person acting and applies one rule: anyone may read the global lists and
// their own; ordinary users change only their own lists; administrators change the global lists
// and their own, never another person's. A list someone may not read does not exist as far as
// they are told (NotFound), so ids reveal nothing about other people's lists.
package watchlist

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"alpacawrapper/models"
)

// The limits. They keep a page of lists readable and bound the work each list causes upstream.
const (
	MaxListsPerOwner = 50  // lists per person, and global lists in all
	MaxAssetsPerList = 200 // assets on one list
	MaxNameLength    = 60  // characters in a list's name
	MaxDescription   = 280 // characters in a list's description
)

// AssetAddedHook is called when an asset is put on a list, inside the transaction that puts it
// there, so that work it starts (the candle backfill job, enqueued with River's InsertTx on tx)
// happens if, and only if, the asset really was added. An error undoes the addition.
type AssetAddedHook func(ctx context.Context, tx *gorm.DB, assetID int64, symbol string) error

// Service reads and changes watchlists on behalf of a person. Build it with New.
type Service struct {
	db           *gorm.DB
	onAssetAdded AssetAddedHook
}

// New builds the service. onAssetAdded may be nil when nothing needs to follow an addition.
func New(db *gorm.DB, onAssetAdded func(ctx context.Context, tx *gorm.DB, assetID int64, symbol string) error) *Service {
	return &Service{db: db, onAssetAdded: onAssetAdded}
}

// In returns the service working inside tx: its changes commit or roll back with the caller's
// transaction (each method's own transaction becomes a savepoint in it). An administrator's
// change to a global list uses it, so that the audit entry written in tx commits with the change.
func (s *Service) In(tx *gorm.DB) *Service {
	return &Service{db: tx, onAssetAdded: s.onAssetAdded}
}

// List is a watchlist as one viewer sees it.
type List struct {
	models.Watchlist
	// AssetCount is the number of assets on the list, counted from the rows that Detail.Items
	// lists, so the two always agree.
	AssetCount int
	// Editable reports whether the viewer may change the list (rename, delete, add, remove, reorder).
	Editable bool
}

// Detail is a list with its assets in order.
type Detail struct {
	List
	Items []models.WatchlistItem
}

// canRead reports whether viewer (nil: a guest) may see w.
func canRead(viewer *models.User, w *models.Watchlist) bool {
	return w.IsGlobal() || (viewer != nil && w.OwnedBy(viewer.ID))
}

// canChange reports whether actor may change w: their own list, or a global one if an admin.
func canChange(actor *models.User, w *models.Watchlist) bool {
	if actor == nil {
		return false
	}
	if w.IsGlobal() {
		return actor.IsAdmin()
	}
	return w.OwnedBy(actor.ID)
}

// lockForChange locks list id for the rest of tx and checks that actor may change it. A list the
// actor may not even read is NotFound; one they may read but not change is Forbidden.
func lockForChange(ctx context.Context, tx *gorm.DB, actor *models.User, id int64) (*models.Watchlist, error) {
	if actor == nil {
		return nil, errLoginRequired()
	}
	w, err := models.LockWatchlist(ctx, tx, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errListNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	if !canRead(actor, w) {
		return nil, errListNotFound()
	}
	if !canChange(actor, w) {
		return nil, errGlobalAdminOnly()
	}
	return w, nil
}

// detail loads w's items for viewer.
func detail(ctx context.Context, db *gorm.DB, viewer *models.User, w *models.Watchlist) (*Detail, error) {
	items, err := models.WatchlistItems(ctx, db, w.ID)
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	if items == nil {
		items = []models.WatchlistItem{} // an empty list, not an absent one
	}
	return &Detail{
		List:  List{Watchlist: *w, AssetCount: len(items), Editable: canChange(viewer, w)},
		Items: items,
	}, nil
}
