package watchlist_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/models"
	"alpacawrapper/watchlist"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a service on a rolled-back transaction, with two ordinary users, an admin and a few
// assets.
type fixture struct {
	ctx              context.Context
	db               *gorm.DB
	svc              *watchlist.Service
	alice, bob, root *models.User
}

// setup builds the fixture. hook, when given, is the service's AssetAddedHook.
func setup(t *testing.T, hook watchlist.AssetAddedHook) *fixture {
	t.Helper()
	return setupOn(t, dbtest.Tx(t), hook)
}

func setupOn(t *testing.T, db *gorm.DB, hook watchlist.AssetAddedHook) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), db: db, svc: watchlist.New(db, hook)}
	f.alice = f.user("alice@example.com", models.RoleUser)
	f.bob = f.user("bob@example.com", models.RoleUser)
	f.root = f.user("root@example.com", models.RoleAdmin)
	for _, a := range []struct {
		symbol, name, class string
		active              bool
	}{
		{"AAPL", "Apple Inc. Common Stock", "us_equity", true},
		{"MSFT", "Microsoft Corporation Common Stock", "us_equity", true},
		{"TSLA", "Tesla, Inc. Common Stock", "us_equity", true},
		{"BRK.B", "Berkshire Hathaway Inc. Class B", "us_equity", true},
		{"BTC/USD", "Bitcoin / US Dollar", "crypto", true},
		{"GONE", "Delisted Corp", "us_equity", false},
	} {
		f.asset(a.symbol, a.name, a.class, a.active)
	}
	return f
}

func (f *fixture) user(email string, role models.Role) *models.User {
	now := time.Now().UTC()
	u := &models.User{Email: email, Name: "Test " + email, PasswordHash: "x", Role: role, Active: true,
		TimeZone: "UTC", TermsAcceptedAt: now, CredentialsChangedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := models.CreateUser(f.ctx, f.db, u); err != nil {
		panic(err)
	}
	return u
}

// asset inserts an asset with plain SQL (the assets package owns the real import) and returns its id.
func (f *fixture) asset(symbol, name, class string, active bool) int64 {
	var id int64
	exchange := "NASDAQ"
	if class == "crypto" {
		exchange = "CRYPTO"
	}
	err := f.db.Raw(`INSERT INTO assets (provider_id, symbol, name, class, exchange, active, tradable, synced_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, now()) RETURNING id`, "id-"+symbol, symbol, name, class, exchange, active, active).Scan(&id).Error
	if err != nil {
		panic(err)
	}
	return id
}

// manyAssets inserts n active assets named SYM1…SYMn.
func (f *fixture) manyAssets(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("SYM%d", i+1)
		f.asset(out[i], "Asset "+out[i], "us_equity", true)
	}
	return out
}

// list creates a list or fails the test.
func (f *fixture) list(t *testing.T, actor *models.User, name string, global bool, symbols ...string) *watchlist.Detail {
	t.Helper()
	d, err := f.svc.Create(f.ctx, actor, name, global)
	if err != nil {
		t.Fatalf("create %q: %v", name, err)
	}
	for _, s := range symbols {
		if d, _, err = f.svc.AddAsset(f.ctx, actor, d.ID, s); err != nil {
			t.Fatalf("add %s to %q: %v", s, name, err)
		}
	}
	return d
}

// symbols lists a detail's symbols in order, checking that positions run 1, 2, … and that the
// count agrees with the items.
func symbols(t *testing.T, d *watchlist.Detail) []string {
	t.Helper()
	out := make([]string, len(d.Items))
	for i, it := range d.Items {
		out[i] = it.Symbol
		if it.Position != i+1 {
			t.Errorf("%s at index %d has position %d", it.Symbol, i, it.Position)
		}
	}
	if d.AssetCount != len(d.Items) {
		t.Errorf("asset count %d but %d items", d.AssetCount, len(d.Items))
	}
	return out
}

// wantKind fails unless err is a refusal of kind k.
func wantKind(t *testing.T, err error, k apperr.Kind) *apperr.Error {
	t.Helper()
	rej, ok := apperr.As(err)
	if !ok || rej.Kind != k {
		t.Fatalf("got %v (%T), want a refusal of kind %d", err, err, k)
	}
	return rej
}

// wantField fails unless err is an Invalid refusal naming field, and returns its message.
func wantField(t *testing.T, err error, field string) string {
	t.Helper()
	rej := wantKind(t, err, apperr.KindInvalid)
	msg, ok := rej.Fields[field]
	if !ok || msg == "" {
		t.Fatalf("refusal %v names fields %v, want %q", rej, rej.Fields, field)
	}
	return msg
}
