package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/market"
)

// Watchlist is a named, ordered list of assets. With no owner it is global: everyone sees it and
// only administrators change it.
type Watchlist struct {
	ID      int64
	OwnerID *int64 // nil: a global list
	Name    string
	// Description says what the list is for (at most 280 characters; "" when none).
	Description string
	Position    int // order among the owner's lists
	IsDefault   bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// IsGlobal reports whether the list belongs to no one in particular.
func (w *Watchlist) IsGlobal() bool { return w.OwnerID == nil }

// OwnedBy reports whether userID owns the list.
func (w *Watchlist) OwnedBy(userID int64) bool { return w.OwnerID != nil && *w.OwnerID == userID }

// WatchlistSummary is a list with the number of assets on it, counted from the same rows that
// WatchlistItems returns, so the two always agree.
type WatchlistSummary struct {
	Watchlist
	AssetCount int
}

// WatchlistItem is an asset on a list, with what a person needs to recognise it.
type WatchlistItem struct {
	AssetID  int64
	Symbol   string
	Name     string
	Class    market.AssetClass
	Exchange string
	Position int // 1-based
	AddedAt  time.Time
}

// watchlistOwnerKey is the owner key the unique index uses: globals share 0.
func watchlistOwnerKey(ownerID *int64) int64 {
	if ownerID == nil {
		return 0
	}
	return *ownerID
}

// VisibleWatchlists lists what a viewer may read, with asset counts: their own lists first, then
// the global ones, each in position order. viewerID nil (a guest) gives the global lists only.
func VisibleWatchlists(ctx context.Context, db *gorm.DB, viewerID *int64) ([]WatchlistSummary, error) {
	return VisibleWatchlistsMatching(ctx, db, viewerID, "")
}

// VisibleWatchlistsMatching is VisibleWatchlists narrowed to the lists whose name or description
// contains text, or that hold a symbol starting with it (case-insensitive); "" keeps them all.
func VisibleWatchlistsMatching(ctx context.Context, db *gorm.DB, viewerID *int64, text string) ([]WatchlistSummary, error) {
	q := db.WithContext(ctx).Table("watchlists AS w").
		Select("w.*, (SELECT count(*) FROM watchlist_assets wa WHERE wa.watchlist_id = w.id) AS asset_count")
	if viewerID == nil {
		q = q.Where("w.owner_id IS NULL")
	} else {
		q = q.Where("(w.owner_id IS NULL OR w.owner_id = ?)", *viewerID)
	}
	if text != "" {
		q = q.Where(`(w.name ILIKE ? ESCAPE '\' OR w.description ILIKE ? ESCAPE '\' OR EXISTS (
			SELECT 1 FROM watchlist_assets wa JOIN assets a ON a.id = wa.asset_id
			WHERE wa.watchlist_id = w.id AND upper(a.symbol) LIKE ? ESCAPE '\'))`,
			containsPattern(text), containsPattern(text), assetLikeEscaper.Replace(strings.ToUpper(text))+"%")
	}
	var out []WatchlistSummary
	err := q.Order("w.owner_id IS NULL, w.position, w.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: visible watchlists: %w", err)
	}
	return out, nil
}

// WatchlistByID loads a list.
func WatchlistByID(ctx context.Context, db *gorm.DB, id int64) (*Watchlist, error) {
	var w Watchlist
	if err := db.WithContext(ctx).First(&w, id).Error; err != nil {
		return nil, fmt.Errorf("models: watchlist %d: %w", id, notFound(err))
	}
	return &w, nil
}

// LockWatchlist loads a list with a row lock, so changes to it and its items (the limit check,
// positions) do not interleave.
func LockWatchlist(ctx context.Context, tx *gorm.DB, id int64) (*Watchlist, error) {
	var w Watchlist
	if err := tx.WithContext(ctx).Clauses(lockForUpdate()).First(&w, id).Error; err != nil {
		return nil, fmt.Errorf("models: lock watchlist %d: %w", id, notFound(err))
	}
	return &w, nil
}

// LockWatchlistOwner serialises creating lists for one owner (0 for the globals) until the
// transaction ends, so two requests at once cannot both pass the per-owner limit. It is an
// advisory lock, so it needs no row to exist.
func LockWatchlistOwner(ctx context.Context, tx *gorm.DB, ownerID *int64) error {
	err := tx.WithContext(ctx).Exec("SELECT pg_advisory_xact_lock(hashtextextended('watchlists', ?))",
		watchlistOwnerKey(ownerID)).Error
	if err != nil {
		return fmt.Errorf("models: lock watchlist owner: %w", err)
	}
	return nil
}

// CountWatchlists counts an owner's lists (nil: the global lists).
func CountWatchlists(ctx context.Context, db *gorm.DB, ownerID *int64) (int, error) {
	var n int64
	q := db.WithContext(ctx).Model(&Watchlist{})
	if ownerID == nil {
		q = q.Where("owner_id IS NULL")
	} else {
		q = q.Where("owner_id = ?", *ownerID)
	}
	if err := q.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count watchlists: %w", err)
	}
	return int(n), nil
}

// WatchlistNameTaken reports whether the owner (nil: the globals) has another list of that name,
// ignoring case, other than exceptID (0 for none).
func WatchlistNameTaken(ctx context.Context, db *gorm.DB, ownerID *int64, name string, exceptID int64) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&Watchlist{}).
		Where("coalesce(owner_id, 0) = ? AND lower(name) = lower(?) AND id <> ?", watchlistOwnerKey(ownerID), name, exceptID).
		Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("models: watchlist name taken: %w", err)
	}
	return n > 0, nil
}

// CreateWatchlist inserts w at the end of its owner's lists. A duplicate name surfaces as
// gorm.ErrDuplicatedKey.
func CreateWatchlist(ctx context.Context, tx *gorm.DB, w *Watchlist) error {
	var last int
	err := tx.WithContext(ctx).Model(&Watchlist{}).Select("coalesce(max(position), 0)").
		Where("coalesce(owner_id, 0) = ?", watchlistOwnerKey(w.OwnerID)).Scan(&last).Error
	if err != nil {
		return fmt.Errorf("models: create watchlist: %w", err)
	}
	w.Position = last + 1
	if err := tx.WithContext(ctx).Create(w).Error; err != nil {
		return fmt.Errorf("models: create watchlist: %w", err)
	}
	return nil
}

// UpdateWatchlist writes the given columns of list id and marks it changed. A duplicate name
// surfaces as gorm.ErrDuplicatedKey.
func UpdateWatchlist(ctx context.Context, tx *gorm.DB, id int64, columns map[string]any) error {
	columns["updated_at"] = time.Now().UTC()
	if err := tx.WithContext(ctx).Model(&Watchlist{}).Where("id = ?", id).Updates(columns).Error; err != nil {
		return fmt.Errorf("models: update watchlist %d: %w", id, err)
	}
	return nil
}

// DeleteWatchlist deletes a list; its items go with it.
func DeleteWatchlist(ctx context.Context, tx *gorm.DB, id int64) error {
	if err := tx.WithContext(ctx).Delete(&Watchlist{}, id).Error; err != nil {
		return fmt.Errorf("models: delete watchlist %d: %w", id, err)
	}
	return nil
}

// SetDefaultWatchlist makes global list id the one guests see, and no other. id 0 picks the first
// global list by position, if any (after the default was deleted).
func SetDefaultWatchlist(ctx context.Context, tx *gorm.DB, id int64) error {
	db := tx.WithContext(ctx)
	// Cleared first: the unique index allows one default at a time, even within a statement.
	if err := db.Exec("UPDATE watchlists SET is_default = false WHERE is_default AND id <> ?", id).Error; err != nil {
		return fmt.Errorf("models: set default watchlist: %w", err)
	}
	if id == 0 {
		err := db.Exec(`UPDATE watchlists SET is_default = true WHERE id =
			(SELECT id FROM watchlists WHERE owner_id IS NULL ORDER BY position, id LIMIT 1)`).Error
		if err != nil {
			return fmt.Errorf("models: set default watchlist: %w", err)
		}
		return nil
	}
	if err := db.Exec("UPDATE watchlists SET is_default = true WHERE id = ? AND owner_id IS NULL", id).Error; err != nil {
		return fmt.Errorf("models: set default watchlist %d: %w", id, err)
	}
	return nil
}

// DefaultGlobalWatchlist returns the global list guests see: the default, or failing that the
// first global list. ErrNotFound when there are no global lists.
func DefaultGlobalWatchlist(ctx context.Context, db *gorm.DB) (*Watchlist, error) {
	var w Watchlist
	err := db.WithContext(ctx).Where("owner_id IS NULL").Order("is_default DESC, position, id").First(&w).Error
	if err != nil {
		return nil, fmt.Errorf("models: default watchlist: %w", notFound(err))
	}
	return &w, nil
}

// WatchlistItems lists a list's assets in position order, in one query.
func WatchlistItems(ctx context.Context, db *gorm.DB, listID int64) ([]WatchlistItem, error) {
	var out []WatchlistItem
	err := db.WithContext(ctx).Raw(`
		SELECT a.id AS asset_id, a.symbol, a.name, a.class, coalesce(a.exchange, '') AS exchange, wa.position, wa.added_at
		FROM watchlist_assets wa JOIN assets a ON a.id = wa.asset_id
		WHERE wa.watchlist_id = ?
		ORDER BY wa.position, a.symbol`, listID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: watchlist %d items: %w", listID, err)
	}
	return out, nil
}

// AddWatchlistAsset puts an asset at the end of a list and reports whether it was new; an asset
// already there stays where it is. Call it with the list locked (LockWatchlist) so positions do
// not collide.
func AddWatchlistAsset(ctx context.Context, tx *gorm.DB, listID, assetID int64) (bool, error) {
	res := tx.WithContext(ctx).Exec(`
		INSERT INTO watchlist_assets (watchlist_id, asset_id, position)
		SELECT ?, ?, coalesce(max(position), 0) + 1 FROM watchlist_assets WHERE watchlist_id = ?
		ON CONFLICT (watchlist_id, asset_id) DO NOTHING`, listID, assetID, listID)
	if res.Error != nil {
		return false, fmt.Errorf("models: add asset %d to watchlist %d: %w", assetID, listID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// RemoveWatchlistAsset deletes an asset from a list, closes the gap it leaves in the positions, and
// reports whether it was there. Call it with the list locked.
func RemoveWatchlistAsset(ctx context.Context, tx *gorm.DB, listID, assetID int64) (bool, error) {
	var removed []int
	err := tx.WithContext(ctx).Raw(`DELETE FROM watchlist_assets WHERE watchlist_id = ? AND asset_id = ? RETURNING position`,
		listID, assetID).Scan(&removed).Error
	if err != nil {
		return false, fmt.Errorf("models: remove asset %d from watchlist %d: %w", assetID, listID, err)
	}
	if len(removed) == 0 {
		return false, nil
	}
	err = tx.WithContext(ctx).Exec(`UPDATE watchlist_assets SET position = position - 1 WHERE watchlist_id = ? AND position > ?`,
		listID, removed[0]).Error
	if err != nil {
		return false, fmt.Errorf("models: remove asset %d from watchlist %d: %w", assetID, listID, err)
	}
	return true, nil
}

// SwapWatchlistWithNeighbour swaps w's position with the owner's list just before it (by -1) or
// just after it (by +1), and reports whether there was one. The caller holds the owner's lock.
func SwapWatchlistWithNeighbour(ctx context.Context, tx *gorm.DB, w *Watchlist, by int) (bool, error) {
	q := tx.WithContext(ctx).Model(&Watchlist{}).Where("coalesce(owner_id, 0) = ? AND id <> ?", watchlistOwnerKey(w.OwnerID), w.ID)
	if by < 0 {
		q = q.Where("(position, id) < (?, ?)", w.Position, w.ID).Order("position DESC, id DESC")
	} else {
		q = q.Where("(position, id) > (?, ?)", w.Position, w.ID).Order("position, id")
	}
	var other Watchlist
	err := q.Take(&other).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("models: watchlist %d neighbour: %w", w.ID, err)
	}
	// Equal positions (never written by the app, but the column allows them) still swap order.
	mine, theirs := other.Position, w.Position
	if mine == theirs {
		mine += by
	}
	for id, pos := range map[int64]int{w.ID: mine, other.ID: theirs} {
		if err := tx.WithContext(ctx).Model(&Watchlist{}).Where("id = ?", id).Update("position", pos).Error; err != nil {
			return false, fmt.Errorf("models: move watchlist %d: %w", id, err)
		}
	}
	return true, nil
}

// SetWatchlistOrder gives the list's assets positions 1, 2, … in the order of assetIDs, which the
// caller has checked is a permutation of the list's assets.
func SetWatchlistOrder(ctx context.Context, tx *gorm.DB, listID int64, assetIDs []int64) error {
	if len(assetIDs) == 0 {
		return nil
	}
	// One statement whatever the length: a VALUES list of (asset, position) pairs.
	var sql strings.Builder
	sql.WriteString("UPDATE watchlist_assets AS wa SET position = v.position FROM (VALUES ")
	args := make([]any, 0, 2*len(assetIDs)+1)
	for i, id := range assetIDs {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(?::bigint, ?::integer)")
		args = append(args, id, i+1)
	}
	sql.WriteString(") AS v(asset_id, position) WHERE wa.watchlist_id = ? AND wa.asset_id = v.asset_id")
	args = append(args, listID)
	err := tx.WithContext(ctx).Exec(sql.String(), args...).Error
	if err != nil {
		return fmt.Errorf("models: order watchlist %d: %w", listID, err)
	}
	return nil
}

// WatchableAssetBySymbol finds an asset to put on a list by its symbol in any case, like
// AssetBySymbol; a crypto pair may also be typed without its slash ("BTCUSD" for "BTC/USD"), as
// Alpaca's own API accepts. ErrNotFound when there is none.
func WatchableAssetBySymbol(ctx context.Context, db *gorm.DB, symbol string) (*Asset, error) {
	a, err := AssetBySymbol(ctx, db, symbol)
	if !errors.Is(err, ErrNotFound) || strings.Contains(symbol, "/") {
		return a, err
	}
	var pair Asset
	err = db.WithContext(ctx).Where("class = 'crypto' AND upper(replace(symbol, '/', '')) = ?", strings.ToUpper(strings.TrimSpace(symbol))).
		Order("symbol").First(&pair).Error
	if err != nil {
		return nil, fmt.Errorf("models: asset %q: %w", symbol, notFound(err))
	}
	return &pair, nil
}

// WatchedSymbols lists every active asset on any list, the most-watched first (then by symbol),
// so that when the market-data feed can carry only so many symbols the ones most people watch
// come first.
func WatchedSymbols(ctx context.Context, db *gorm.DB) ([]string, error) {
	var out []string
	err := db.WithContext(ctx).Raw(`
		SELECT a.symbol FROM watchlist_assets wa JOIN assets a ON a.id = wa.asset_id
		WHERE a.active
		GROUP BY a.symbol
		ORDER BY count(*) DESC, a.symbol`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: watched symbols: %w", err)
	}
	return out, nil
}
