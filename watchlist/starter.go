package watchlist

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"alpacawrapper/models"
)

// starterSeed names the one-time seed of the starter lists in the seeds table.
const starterSeed = "starter_watchlists"

// starterList is a global list a fresh install starts with.
type starterList struct {
	name    string
	symbols []string
}

// starterLists are the global lists a fresh install starts with, so a visitor's first page is
// alive without any set-up: the most followed instruments, the ETFs people benchmark against, and
// the largest crypto pairs. The first becomes the default list that guests see; it ends with two
// crypto pairs because they trade at night and at weekends, when stocks do not, so the home page
// moves at any hour.
func starterLists() []starterList {
	return []starterList{
		{"Popular", []string{"AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY", "QQQ", "BTC/USD", "ETH/USD"}},
		{"Index ETFs", []string{"SPY", "QQQ", "DIA", "IWM", "VTI", "GLD", "TLT"}},
		{"Crypto", []string{"BTC/USD", "ETH/USD", "SOL/USD", "DOGE/USD", "LTC/USD", "AVAX/USD"}},
	}
}

// errNoStarterAssets leaves the seed for a later sync: the catalogue holds none of the symbols yet.
var errNoStarterAssets = errors.New("watchlist: starter lists: none of their symbols is in the catalogue yet")

// SeedStarterLists makes the starter global lists once per install, after the asset catalogue has
// been synced (it runs after every sync and does nothing once seeded). An install whose
// administrators already made global lists keeps theirs and gets none. Symbols missing from the
// catalogue (a provider without crypto, say) are left out; a list with none of its symbols is not
// made. Each asset added starts its candle backfill like any other addition. It reports how many
// lists it made.
func (s *Service) SeedStarterLists(ctx context.Context) (int, error) {
	made := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		made = 0
		if err := models.LockWatchlistOwner(ctx, tx, nil); err != nil {
			return err
		}
		first, err := models.MarkSeeded(ctx, tx, starterSeed)
		if err != nil || !first {
			return err
		}
		existing, err := models.CountWatchlists(ctx, tx, nil)
		if err != nil || existing > 0 {
			return err
		}
		for _, l := range starterLists() {
			ok, err := s.createStarter(ctx, tx, l, made == 0)
			if err != nil {
				return err
			}
			if ok {
				made++
			}
		}
		if made == 0 {
			return errNoStarterAssets // roll back the seed record too, so the next sync tries again
		}
		return nil
	})
	if errors.Is(err, errNoStarterAssets) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("watchlist: starter lists: %w", err)
	}
	return made, nil
}

// createStarter makes one starter list with the symbols the catalogue has, unless it has none.
func (s *Service) createStarter(ctx context.Context, tx *gorm.DB, l starterList, isDefault bool) (bool, error) {
	var assets []*models.Asset
	for _, sym := range l.symbols {
		a, err := models.WatchableAssetBySymbol(ctx, tx, sym)
		if errors.Is(err, models.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		if a.Active {
			assets = append(assets, a)
		}
	}
	if len(assets) == 0 {
		return false, nil
	}
	w := &models.Watchlist{Name: l.name, IsDefault: isDefault}
	if err := models.CreateWatchlist(ctx, tx, w); err != nil {
		return false, err
	}
	for _, a := range assets {
		added, err := models.AddWatchlistAsset(ctx, tx, w.ID, a.ID)
		if err != nil {
			return false, err
		}
		if added && s.onAssetAdded != nil {
			if err := s.onAssetAdded(ctx, tx, a.ID, a.Symbol); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}
