package watchlist_test

import (
	"slices"
	"testing"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/watchlist"
)

// changes are every way of changing a list, so each rule is checked against all of them.
var changes = []struct {
	name string
	do   func(f *fixture, actor *models.User, id int64) error
}{
	{"rename", func(f *fixture, a *models.User, id int64) error {
		_, err := f.svc.Rename(f.ctx, a, id, "Renamed")
		return err
	}},
	{"delete", func(f *fixture, a *models.User, id int64) error { return f.svc.Delete(f.ctx, a, id) }},
	{"add asset", func(f *fixture, a *models.User, id int64) error {
		_, _, err := f.svc.AddAsset(f.ctx, a, id, "TSLA")
		return err
	}},
	{"remove asset", func(f *fixture, a *models.User, id int64) error {
		_, err := f.svc.RemoveAsset(f.ctx, a, id, "AAPL")
		return err
	}},
	{"reorder", func(f *fixture, a *models.User, id int64) error {
		_, err := f.svc.Reorder(f.ctx, a, id, []string{"MSFT", "AAPL"})
		return err
	}},
	{"set default", func(f *fixture, a *models.User, id int64) error { _, err := f.svc.SetDefault(f.ctx, a, id); return err }},
}

// unchanged fails unless list id still has its name and assets in order, as readable by owner.
func (f *fixture) unchanged(t *testing.T, owner *models.User, id int64, name string, want []string) {
	t.Helper()
	d, err := f.svc.Get(f.ctx, owner, id)
	if err != nil {
		t.Fatalf("list %d is gone: %v", id, err)
	}
	if d.Name != name || !slices.Equal(symbols(t, d), want) {
		t.Errorf("list %d is now %q %v, want %q %v", id, d.Name, symbols(t, d), name, want)
	}
}

func TestUsersCannotSeeOrChangeOtherPeoplesLists(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	bobs := f.list(t, f.bob, "Bob's picks", false, "AAPL", "MSFT")

	if _, err := f.svc.Get(f.ctx, f.alice, bobs.ID); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Errorf("alice reads bob's list: %v, want NotFound", err)
	}
	lists, err := f.svc.List(f.ctx, f.alice)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 0 {
		t.Errorf("alice's lists include %v", lists)
	}
	// Admins are no exception: a personal list is its owner's alone.
	for _, actor := range []*models.User{f.alice, f.root} {
		for _, c := range changes {
			t.Run(actor.Email+" "+c.name, func(t *testing.T) {
				rej := wantKind(t, c.do(f, actor, bobs.ID), apperr.KindNotFound)
				if rej.Code != "watchlist_not_found" {
					t.Errorf("code %q", rej.Code)
				}
			})
		}
	}
	f.unchanged(t, f.bob, bobs.ID, "Bob's picks", []string{"AAPL", "MSFT"})
}

func TestOrdinaryUsersCannotChangeGlobalLists(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	global := f.list(t, f.root, "Big tech", true, "AAPL", "MSFT")

	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			wantKind(t, c.do(f, f.alice, global.ID), apperr.KindForbidden)
		})
	}
	t.Run("create a global list", func(t *testing.T) {
		_, err := f.svc.Create(f.ctx, f.alice, "Mine for all", true)
		wantKind(t, err, apperr.KindForbidden)
	})
	f.unchanged(t, f.alice, global.ID, "Big tech", []string{"AAPL", "MSFT"})
	if lists, _ := f.svc.List(f.ctx, nil); len(lists) != 1 {
		t.Errorf("global lists: %v", lists)
	}
}

func TestGuestsCannotChangeAnything(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	global := f.list(t, f.root, "Big tech", true, "AAPL", "MSFT")

	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			wantKind(t, c.do(f, nil, global.ID), apperr.KindUnauthenticated)
		})
	}
	_, err := f.svc.Create(f.ctx, nil, "Anonymous", false)
	wantKind(t, err, apperr.KindUnauthenticated)
	f.unchanged(t, nil, global.ID, "Big tech", []string{"AAPL", "MSFT"})
}

func TestAdminsManageGlobalLists(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := f.ctx

	d, err := f.svc.Create(ctx, f.root, "Big tech", true)
	if err != nil {
		t.Fatal(err)
	}
	if !d.IsGlobal() || !d.IsDefault || !d.Editable {
		t.Fatalf("first global list: global %v default %v editable %v", d.IsGlobal(), d.IsDefault, d.Editable)
	}
	if d, err = f.svc.Rename(ctx, f.root, d.ID, "Mega caps"); err != nil || d.Name != "Mega caps" {
		t.Fatalf("rename: %v %v", d, err)
	}
	for _, s := range []string{"AAPL", "MSFT", "TSLA"} {
		if _, _, err := f.svc.AddAsset(ctx, f.root, d.ID, s); err != nil {
			t.Fatalf("add %s: %v", s, err)
		}
	}
	if d, err = f.svc.Reorder(ctx, f.root, d.ID, []string{"TSLA", "AAPL", "MSFT"}); err != nil {
		t.Fatal(err)
	}
	if d, err = f.svc.RemoveAsset(ctx, f.root, d.ID, "AAPL"); err != nil {
		t.Fatal(err)
	}
	if got := symbols(t, d); !slices.Equal(got, []string{"TSLA", "MSFT"}) {
		t.Errorf("items %v", got)
	}

	// Everyone sees it, and only the admin may change it.
	for _, viewer := range []*models.User{nil, f.alice, f.root} {
		got, err := f.svc.Get(ctx, viewer, d.ID)
		if err != nil {
			t.Fatalf("%v reads the global list: %v", viewer, err)
		}
		if want := viewer == f.root; got.Editable != want {
			t.Errorf("editable for %v: %v, want %v", viewer, got.Editable, want)
		}
	}

	if err := f.svc.Delete(ctx, f.root, d.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Get(ctx, f.root, d.ID)
	wantKind(t, err, apperr.KindNotFound)
}

func TestAdminsKeepTheirOwnListsToo(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	own := f.list(t, f.root, "Admin's own", false, "AAPL")
	if own.IsGlobal() {
		t.Fatal("a personal list came out global")
	}
	if lists, _ := f.svc.List(f.ctx, f.alice); len(lists) != 0 {
		t.Errorf("alice sees the admin's personal list: %v", lists)
	}
	if _, err := f.svc.Rename(f.ctx, f.root, own.ID, "Still mine"); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.SetDefault(f.ctx, f.root, own.ID)
	wantKind(t, err, apperr.KindConflict)
}

func TestWhoSeesWhat(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	g1 := f.list(t, f.root, "Big tech", true, "AAPL", "MSFT")
	g2 := f.list(t, f.root, "Crypto", true, "BTC/USD")
	a1 := f.list(t, f.alice, "Alice one", false, "TSLA")
	a2 := f.list(t, f.alice, "Alice two", false)
	f.list(t, f.bob, "Bob's", false, "AAPL")

	ids := func(lists []watchlist.List) []int64 {
		out := make([]int64, len(lists))
		for i, l := range lists {
			out[i] = l.ID
		}
		return out
	}
	cases := []struct {
		name   string
		viewer *models.User
		want   []int64
	}{
		{"guest: the global lists only", nil, []int64{g1.ID, g2.ID}},
		{"user: their own lists first, then the global ones", f.alice, []int64{a1.ID, a2.ID, g1.ID, g2.ID}},
		{"admin: the global lists; no one else's", f.root, []int64{g1.ID, g2.ID}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lists, err := f.svc.List(f.ctx, c.viewer)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(lists); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}

	t.Run("a guest cannot read a personal list", func(t *testing.T) {
		_, err := f.svc.Get(f.ctx, nil, a1.ID)
		wantKind(t, err, apperr.KindNotFound)
	})
	t.Run("a missing list is NotFound too", func(t *testing.T) {
		_, err := f.svc.Get(f.ctx, f.alice, 1<<40)
		wantKind(t, err, apperr.KindNotFound)
	})
	t.Run("counts agree with the items", func(t *testing.T) {
		lists, err := f.svc.List(f.ctx, f.alice)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lists {
			d, err := f.svc.Get(f.ctx, f.alice, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if l.AssetCount != len(d.Items) {
				t.Errorf("%q: count %d, items %d", l.Name, l.AssetCount, len(d.Items))
			}
		}
	})
}

func TestDefaultGlobalList(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := f.ctx

	_, err := f.svc.DefaultGlobal(ctx)
	wantKind(t, err, apperr.KindNotFound)

	f.list(t, f.alice, "Personal lists never count", false, "AAPL")
	first := f.list(t, f.root, "First", true, "AAPL")
	f.list(t, f.root, "Second", true, "MSFT")
	third := f.list(t, f.root, "Third", true, "TSLA")
	defaultID := func() int64 {
		t.Helper()
		d, err := f.svc.DefaultGlobal(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Items) != 1 || d.Editable {
			t.Errorf("guests' list: %d items, editable %v", len(d.Items), d.Editable)
		}
		return d.ID
	}
	if got := defaultID(); got != first.ID {
		t.Fatalf("default %d, want the first global list %d", got, first.ID)
	}
	if _, err := f.svc.SetDefault(ctx, f.root, third.ID); err != nil {
		t.Fatal(err)
	}
	if got := defaultID(); got != third.ID {
		t.Fatalf("default %d after SetDefault, want %d", got, third.ID)
	}
	var defaults int
	f.db.Raw("SELECT count(*) FROM watchlists WHERE is_default").Scan(&defaults)
	if defaults != 1 {
		t.Errorf("%d lists marked default", defaults)
	}
	// Deleting the default hands the role to the first remaining global list.
	if err := f.svc.Delete(ctx, f.root, third.ID); err != nil {
		t.Fatal(err)
	}
	if got := defaultID(); got != first.ID {
		t.Fatalf("default %d after deleting it, want %d", got, first.ID)
	}
	if d, _ := f.svc.Get(ctx, nil, first.ID); !d.IsDefault {
		t.Error("the promoted list is not marked default")
	}
}
