package watchlist_test

import (
	"context"
	"slices"
	"testing"

	"gorm.io/gorm"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/watchlist"
)

func TestStarterListsSeedAFreshInstallOnce(t *testing.T) {
	t.Parallel()
	var hooked []string
	f := setup(t, func(_ context.Context, _ *gorm.DB, _ int64, symbol string) error {
		hooked = append(hooked, symbol)
		return nil
	})
	made, err := f.svc.SeedStarterLists(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's catalogue has AAPL, MSFT, TSLA and BTC/USD of the starter symbols, and none of
	// the index ETFs: that list is left out rather than made empty.
	if made != 2 {
		t.Fatalf("made %d lists, want 2", made)
	}
	d, err := f.svc.DefaultGlobal(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "Popular" || !slices.Equal(symbols(t, d), []string{"AAPL", "MSFT", "TSLA", "BTC/USD"}) {
		t.Errorf("default list %q with %v", d.Name, symbols(t, d))
	}
	if !slices.Equal(hooked, []string{"AAPL", "MSFT", "TSLA", "BTC/USD", "BTC/USD"}) {
		t.Errorf("backfill hook saw %v", hooked)
	}
	// Later syncs change nothing, even after an administrator deletes the lists.
	if err := f.svc.Delete(f.ctx, f.root, d.ID); err != nil {
		t.Fatal(err)
	}
	if made, err = f.svc.SeedStarterLists(f.ctx); err != nil || made != 0 {
		t.Fatalf("second seed: made %d, %v", made, err)
	}
	lists, err := f.svc.List(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 1 || lists[0].Name != "Crypto" {
		t.Errorf("global lists after deleting the default and seeding again: %+v", lists)
	}
}

func TestStarterListsLeaveAnAdministratorsListsAlone(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.list(t, f.root, "Our picks", true, "MSFT")
	if made, err := f.svc.SeedStarterLists(f.ctx); err != nil || made != 0 {
		t.Fatalf("made %d, %v; want none beside an administrator's list", made, err)
	}
	d, err := f.svc.DefaultGlobal(f.ctx)
	if err != nil || d.Name != "Our picks" {
		t.Fatalf("default %v, %v", d, err)
	}
}

func TestStarterListsWaitForTheCatalogue(t *testing.T) {
	t.Parallel()
	db := dbtest.Tx(t)
	svc := watchlist.New(db, nil)
	if made, err := svc.SeedStarterLists(t.Context()); err != nil || made != 0 {
		t.Fatalf("empty catalogue: made %d, %v", made, err)
	}
	// The catalogue arrives with the next sync: the seed was not spent on the empty one.
	f := setupOn(t, db, nil)
	if made, err := f.svc.SeedStarterLists(f.ctx); err != nil || made != 2 {
		t.Fatalf("after the catalogue: made %d, %v; want 2", made, err)
	}
}
