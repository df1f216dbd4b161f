package watchlist

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// AddAsset puts the asset with that symbol at the end of list id, and reports whether it was new:
// an asset already on the list stays where it is and nothing else happens. The service's
// AssetAddedHook runs in the same transaction; if it fails, the asset is not added.
func (s *Service) AddAsset(ctx context.Context, actor *models.User, id int64, symbol string) (*Detail, bool, error) {
	var out *Detail
	var added bool
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := lockForChange(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		// Checked after the permission, so the answer says nothing about a list one may not touch.
		symbol, err := cleanSymbol(symbol)
		if err != nil {
			return err
		}
		asset, err := models.WatchableAssetBySymbol(ctx, tx, symbol)
		if errors.Is(err, models.ErrNotFound) {
			return apperr.Invalid(map[string]string{"symbol": fmt.Sprintf(
				"There is no asset with the symbol %s. Check the spelling, or search the asset list.", symbol)})
		}
		if err != nil {
			return err
		}
		if !asset.Active {
			return apperr.Invalid(map[string]string{"symbol": fmt.Sprintf(
				"%s is no longer traded, so it cannot be added to a watchlist.", asset.Symbol)})
		}
		items, err := models.WatchlistItems(ctx, tx, w.ID)
		if err != nil {
			return err
		}
		if !onList(items, asset.ID) {
			if len(items) >= MaxAssetsPerList {
				return errListFull()
			}
			if added, err = models.AddWatchlistAsset(ctx, tx, w.ID, asset.ID); err != nil {
				return err
			}
			if err := models.UpdateWatchlist(ctx, tx, w.ID, map[string]any{}); err != nil {
				return err
			}
			if s.onAssetAdded != nil {
				if err := s.onAssetAdded(ctx, tx, asset.ID, asset.Symbol); err != nil {
					return fmt.Errorf("after adding %s: %w", asset.Symbol, err)
				}
			}
		}
		out, err = reload(ctx, tx, actor, w.ID)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("watchlist: add asset: %w", err)
	}
	return out, added, nil
}

// RemoveAsset takes the asset with that symbol off list id; the assets after it move up. A symbol
// not on the list is NotFound.
func (s *Service) RemoveAsset(ctx context.Context, actor *models.User, id int64, symbol string) (*Detail, error) {
	var out *Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := lockForChange(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		typed, err := cleanSymbol(symbol)
		if err != nil {
			return err
		}
		items, err := models.WatchlistItems(ctx, tx, w.ID)
		if err != nil {
			return err
		}
		item, ok := findItem(items, typed)
		if !ok {
			return errNotOnList(typed)
		}
		if _, err := models.RemoveWatchlistAsset(ctx, tx, w.ID, item.AssetID); err != nil {
			return err
		}
		if err := models.UpdateWatchlist(ctx, tx, w.ID, map[string]any{}); err != nil {
			return err
		}
		out, err = reload(ctx, tx, actor, w.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("watchlist: remove asset: %w", err)
	}
	return out, nil
}

// Reorder puts list id's assets in the order of symbols, which must name every asset on the list
// exactly once.
func (s *Service) Reorder(ctx context.Context, actor *models.User, id int64, symbols []string) (*Detail, error) {
	var out *Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := lockForChange(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		items, err := models.WatchlistItems(ctx, tx, w.ID)
		if err != nil {
			return err
		}
		order, err := permutation(items, symbols)
		if err != nil {
			return err
		}
		if err := models.SetWatchlistOrder(ctx, tx, w.ID, order); err != nil {
			return err
		}
		if err := models.UpdateWatchlist(ctx, tx, w.ID, map[string]any{}); err != nil {
			return err
		}
		out, err = reload(ctx, tx, actor, w.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("watchlist: reorder: %w", err)
	}
	return out, nil
}

// permutation maps symbols to the asset ids of items, refusing anything but a reordering of
// exactly the items, with the first problem found named so it can be fixed.
func permutation(items []models.WatchlistItem, symbols []string) ([]int64, error) {
	refuse := func(msg string) error { return apperr.Invalid(map[string]string{"symbols": msg}) }
	seen := make(map[int64]bool, len(items))
	order := make([]int64, 0, len(symbols))
	for _, raw := range symbols {
		typed, err := cleanSymbol(raw)
		if err != nil {
			return nil, refuse(fmt.Sprintf("“%s” is not a symbol on this watchlist.", strings.TrimSpace(raw)))
		}
		item, ok := findItem(items, typed)
		if !ok {
			return nil, refuse(fmt.Sprintf("%s is not on this watchlist: list only the assets it holds.", typed))
		}
		if seen[item.AssetID] {
			return nil, refuse(fmt.Sprintf("%s appears more than once: list each asset exactly once.", item.Symbol))
		}
		seen[item.AssetID] = true
		order = append(order, item.AssetID)
	}
	if len(order) < len(items) {
		var missing []string
		for _, it := range items {
			if !seen[it.AssetID] {
				missing = append(missing, it.Symbol)
			}
		}
		return nil, refuse(fmt.Sprintf("The new order must list every asset on the watchlist; missing: %s.", strings.Join(missing, ", ")))
	}
	return order, nil
}

func onList(items []models.WatchlistItem, assetID int64) bool {
	for _, it := range items {
		if it.AssetID == assetID {
			return true
		}
	}
	return false
}

func findItem(items []models.WatchlistItem, typed string) (models.WatchlistItem, bool) {
	for _, it := range items {
		if sameSymbol(typed, it.Symbol) {
			return it, true
		}
	}
	return models.WatchlistItem{}, false
}

// reload reads list id again inside tx, after a change.
func reload(ctx context.Context, tx *gorm.DB, viewer *models.User, id int64) (*Detail, error) {
	w, err := models.WatchlistByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return detail(ctx, tx, viewer, w)
}
