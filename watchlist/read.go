package watchlist

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"alpacawrapper/models"
)

// List returns the lists viewer may read: their own first, then the global ones, each in order,
// with asset counts. A guest (nil) gets the global lists only.
func (s *Service) List(ctx context.Context, viewer *models.User) ([]List, error) {
	var viewerID *int64
	if viewer != nil {
		viewerID = &viewer.ID
	}
	rows, err := models.VisibleWatchlists(ctx, s.db, viewerID)
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	out := make([]List, len(rows))
	for i := range rows {
		out[i] = List{Watchlist: rows[i].Watchlist, AssetCount: rows[i].AssetCount, Editable: canChange(viewer, &rows[i].Watchlist)}
	}
	return out, nil
}

// Search is List narrowed to the lists whose name or description contains text, or that hold a
// symbol starting with it.
func (s *Service) Search(ctx context.Context, viewer *models.User, text string) ([]List, error) {
	var viewerID *int64
	if viewer != nil {
		viewerID = &viewer.ID
	}
	rows, err := models.VisibleWatchlistsMatching(ctx, s.db, viewerID, strings.TrimSpace(text))
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	out := make([]List, len(rows))
	for i := range rows {
		out[i] = List{Watchlist: rows[i].Watchlist, AssetCount: rows[i].AssetCount, Editable: canChange(viewer, &rows[i].Watchlist)}
	}
	return out, nil
}

// Get returns list id with its assets, if viewer (nil: a guest) may read it. Another person's
// list is NotFound, exactly like a list that does not exist.
func (s *Service) Get(ctx context.Context, viewer *models.User, id int64) (*Detail, error) {
	w, err := models.WatchlistByID(ctx, s.db, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && !canRead(viewer, w)) {
		return nil, errListNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	return detail(ctx, s.db, viewer, w)
}

// DefaultGlobal returns the global list shown to guests, with its assets: the one marked default,
// or failing that the first global list. NotFound when there are no global lists yet.
func (s *Service) DefaultGlobal(ctx context.Context) (*Detail, error) {
	w, err := models.DefaultGlobalWatchlist(ctx, s.db)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errListNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	return detail(ctx, s.db, nil, w)
}

// SymbolsWatched lists every active asset on anyone's list, the most-watched first, so that the
// market-data feed subscribes to what people are looking at, the most important first when it
// cannot carry them all.
func (s *Service) SymbolsWatched(ctx context.Context) ([]string, error) {
	symbols, err := models.WatchedSymbols(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	return symbols, nil
}
