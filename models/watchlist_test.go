package models_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/models"
)

// watchlistFixture is a rolled-back transaction with two users and three assets.
type watchlistFixture struct {
	ctx        context.Context
	tx         *gorm.DB
	ann, ben   *models.User
	aapl, msft int64
	btc        int64
}

func newWatchlistFixture(t *testing.T) *watchlistFixture {
	t.Helper()
	f := &watchlistFixture{ctx: context.Background(), tx: dbtest.Tx(t)}
	now := time.Now().UTC()
	person := func(email string) *models.User {
		u := &models.User{Email: email, Name: "X", PasswordHash: "x", Role: models.RoleUser, Active: true,
			TimeZone: "UTC", TermsAcceptedAt: now, CredentialsChangedAt: now}
		if err := models.CreateUser(f.ctx, f.tx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.ann, f.ben = person("ann@example.com"), person("ben@example.com")
	f.aapl = f.asset(t, "AAPL", "us_equity")
	f.msft = f.asset(t, "MSFT", "us_equity")
	f.btc = f.asset(t, "BTC/USD", "crypto")
	return f
}

func (f *watchlistFixture) asset(t *testing.T, symbol, class string) int64 {
	t.Helper()
	var id int64
	err := f.tx.Raw(`INSERT INTO assets (symbol, name, class, exchange, active, synced_at)
		VALUES (?, ?, ?, 'TEST', true, now()) RETURNING id`, symbol, symbol+" Inc.", class).Scan(&id).Error
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *watchlistFixture) create(t *testing.T, owner *models.User, name string) *models.Watchlist {
	t.Helper()
	w := &models.Watchlist{Name: name}
	if owner != nil {
		w.OwnerID = &owner.ID
	}
	if err := models.CreateWatchlist(f.ctx, f.tx, w); err != nil {
		t.Fatalf("create %q: %v", name, err)
	}
	return w
}

// try runs fn in a savepoint, so a failing statement does not spoil the test's transaction.
func (f *watchlistFixture) try(fn func(tx *gorm.DB) error) error {
	return f.tx.Transaction(fn)
}

func (f *watchlistFixture) items(t *testing.T, listID int64) []string {
	t.Helper()
	items, err := models.WatchlistItems(f.ctx, f.tx, listID)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Symbol
		if it.Position != i+1 {
			t.Errorf("%s has position %d at index %d", it.Symbol, it.Position, i)
		}
	}
	return out
}

func TestWatchlistSchemaRules(t *testing.T) {
	t.Parallel()
	f := newWatchlistFixture(t)
	f.create(t, f.ann, "Tech")
	f.create(t, nil, "Tech") // a global list may share a person's list's name
	f.create(t, f.ben, "tech")

	cases := []struct {
		name string
		w    models.Watchlist
		dup  bool // refused as a duplicate (gorm.ErrDuplicatedKey) rather than by a check
	}{
		{"the same name for the same owner, in another case", models.Watchlist{OwnerID: &f.ann.ID, Name: "TECH"}, true},
		{"two global lists of one name", models.Watchlist{Name: "tech"}, true},
		{"an empty name", models.Watchlist{OwnerID: &f.ann.ID, Name: ""}, false},
		{"a name with spaces around it", models.Watchlist{OwnerID: &f.ann.ID, Name: " Padded "}, false},
		{"a name over 60 characters", models.Watchlist{OwnerID: &f.ann.ID, Name: strings.Repeat("n", 61)}, false},
		{"a personal default", models.Watchlist{OwnerID: &f.ann.ID, Name: "Mine", IsDefault: true}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := f.try(func(tx *gorm.DB) error { w := c.w; return models.CreateWatchlist(f.ctx, tx, &w) })
			if err == nil {
				t.Fatal("accepted")
			}
			if got := errors.Is(err, gorm.ErrDuplicatedKey); got != c.dup {
				t.Errorf("duplicate %v, want %v: %v", got, c.dup, err)
			}
		})
	}

	t.Run("one default at most", func(t *testing.T) {
		a, b := f.create(t, nil, "A"), f.create(t, nil, "B")
		if err := models.SetDefaultWatchlist(f.ctx, f.tx, a.ID); err != nil {
			t.Fatal(err)
		}
		err := f.try(func(tx *gorm.DB) error {
			return tx.Exec("UPDATE watchlists SET is_default = true WHERE id = ?", b.ID).Error
		})
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Errorf("a second default: %v", err)
		}
		if err := models.SetDefaultWatchlist(f.ctx, f.tx, b.ID); err != nil {
			t.Fatal(err)
		}
		got, err := models.DefaultGlobalWatchlist(f.ctx, f.tx)
		if err != nil || got.ID != b.ID {
			t.Errorf("default %v %v, want %d", got, err, b.ID)
		}
	})
}

func TestWatchlistItems(t *testing.T) {
	t.Parallel()
	f := newWatchlistFixture(t)
	w := f.create(t, f.ann, "Picks")
	for _, id := range []int64{f.aapl, f.msft, f.btc} {
		if added, err := models.AddWatchlistAsset(f.ctx, f.tx, w.ID, id); err != nil || !added {
			t.Fatalf("add %d: %v %v", id, added, err)
		}
	}
	if added, err := models.AddWatchlistAsset(f.ctx, f.tx, w.ID, f.aapl); err != nil || added {
		t.Errorf("adding twice: %v %v", added, err)
	}
	if got := f.items(t, w.ID); !slices.Equal(got, []string{"AAPL", "MSFT", "BTC/USD"}) {
		t.Fatalf("items %v", got)
	}

	if err := models.SetWatchlistOrder(f.ctx, f.tx, w.ID, []int64{f.btc, f.aapl, f.msft}); err != nil {
		t.Fatal(err)
	}
	if got := f.items(t, w.ID); !slices.Equal(got, []string{"BTC/USD", "AAPL", "MSFT"}) {
		t.Fatalf("after ordering %v", got)
	}

	if removed, err := models.RemoveWatchlistAsset(f.ctx, f.tx, w.ID, f.btc); err != nil || !removed {
		t.Fatalf("remove: %v %v", removed, err)
	}
	if removed, _ := models.RemoveWatchlistAsset(f.ctx, f.tx, w.ID, f.btc); removed {
		t.Error("removed twice")
	}
	// items checks the positions closed up after the first asset went.
	if got := f.items(t, w.ID); !slices.Equal(got, []string{"AAPL", "MSFT"}) {
		t.Fatalf("after removing %v", got)
	}

	summaries, err := models.VisibleWatchlists(f.ctx, f.tx, &f.ann.ID)
	if err != nil || len(summaries) != 1 || summaries[0].AssetCount != 2 || summaries[0].Name != "Picks" {
		t.Errorf("summaries %+v %v", summaries, err)
	}

	t.Run("an asset deleted from the catalogue leaves every list", func(t *testing.T) {
		f.tx.Exec("DELETE FROM assets WHERE id = ?", f.msft)
		if got := f.items(t, w.ID); !slices.Equal(got, []string{"AAPL"}) {
			t.Errorf("items %v", got)
		}
	})
	t.Run("a deleted user's lists go with them", func(t *testing.T) {
		f.tx.Exec("DELETE FROM users WHERE id = ?", f.ann.ID)
		if _, err := models.WatchlistByID(f.ctx, f.tx, w.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("list still there: %v", err)
		}
	})
}

func TestWatchableAssetBySymbol(t *testing.T) {
	t.Parallel()
	f := newWatchlistFixture(t)
	cases := []struct {
		typed string
		want  int64 // 0: not found
	}{
		{"AAPL", f.aapl},
		{"BTC/USD", f.btc},
		{"BTCUSD", f.btc},
		{"AAPLX", 0},
		{"MS", 0},
	}
	for _, c := range cases {
		got, err := models.WatchableAssetBySymbol(f.ctx, f.tx, c.typed)
		switch {
		case c.want == 0 && !errors.Is(err, models.ErrNotFound):
			t.Errorf("%s: %v %v, want not found", c.typed, got, err)
		case c.want != 0 && (err != nil || got.ID != c.want || !got.Active):
			t.Errorf("%s: %+v %v, want id %d", c.typed, got, err, c.want)
		}
	}
}
