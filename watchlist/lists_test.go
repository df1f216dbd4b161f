package watchlist_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"alpacawrapper/apperr"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/watchlist"
)

func TestNamesAreValidated(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	cases := []struct {
		name, input string
		want        string // the stored name; "" for a refusal
		hint        string // part of the refusal's message
	}{
		{"empty", "", "", "Give the watchlist a name"},
		{"blank", "   \t ", "", "Give the watchlist a name"},
		{"too long", strings.Repeat("x", watchlist.MaxNameLength+1), "", "61"},
		{"control characters", "Tech\nstocks", "", "line breaks"},
		{"trimmed", "  Tech  ", "Tech", ""},
		{"the longest allowed, counted in characters", strings.Repeat("é", watchlist.MaxNameLength), strings.Repeat("é", watchlist.MaxNameLength), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := f.svc.Create(f.ctx, f.alice, c.input, false)
			if c.want == "" {
				if msg := wantField(t, err, "name"); !strings.Contains(msg, c.hint) {
					t.Errorf("message %q does not say %q", msg, c.hint)
				}
				return
			}
			if err != nil || d.Name != c.want {
				t.Fatalf("got %v, %v; want %q", d, err, c.want)
			}
		})
	}
}

func TestDuplicateNames(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := f.ctx
	tech := f.list(t, f.alice, "Tech", false)
	other := f.list(t, f.alice, "Other", false)
	f.list(t, f.root, "Tech", true)

	t.Run("the same person, any case", func(t *testing.T) {
		_, err := f.svc.Create(ctx, f.alice, "TECH", false)
		if msg := wantField(t, err, "name"); !strings.Contains(msg, "You already have a watchlist called “TECH”") {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("renaming onto another of one's lists", func(t *testing.T) {
		_, err := f.svc.Rename(ctx, f.alice, other.ID, "tech")
		wantField(t, err, "name")
	})
	t.Run("two global lists", func(t *testing.T) {
		_, err := f.svc.Create(ctx, f.root, "tech", true)
		if msg := wantField(t, err, "name"); !strings.Contains(msg, "global") {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("two people may both have Tech", func(t *testing.T) {
		if _, err := f.svc.Create(ctx, f.bob, "Tech", false); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("renaming a list to itself in another case", func(t *testing.T) {
		d, err := f.svc.Rename(ctx, f.alice, tech.ID, "TECH")
		if err != nil || d.Name != "TECH" {
			t.Fatalf("%v %v", d, err)
		}
	})
}

// TestConcurrentRenamesGiveAFieldError races renames of two lists onto one name, so that one of
// them may pass the check and meet the unique index instead: either way the loser must get the
// field error, never an internal one.
func TestConcurrentRenamesGiveAFieldError(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	f := setupOn(t, db.Gorm, nil)
	for round := range 10 {
		a := f.list(t, f.alice, fmt.Sprintf("A%d", round), false)
		b := f.list(t, f.alice, fmt.Sprintf("B%d", round), false)
		target := fmt.Sprintf("Same %d", round)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, id := range []int64{a.ID, b.ID} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.svc.Rename(f.ctx, f.alice, id, target)
			}()
		}
		wg.Wait()
		failed := 0
		for _, err := range errs {
			if err != nil {
				failed++
				wantField(t, err, "name")
			}
		}
		if failed != 1 {
			t.Fatalf("round %d: %d renames failed, want exactly 1: %v", round, failed, errs)
		}
	}
}

func TestListLimit(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	var last *watchlist.Detail
	for i := range watchlist.MaxListsPerOwner {
		last = f.list(t, f.alice, fmt.Sprintf("List %d", i+1), false)
	}
	_, err := f.svc.Create(f.ctx, f.alice, "One too many", false)
	if rej := wantKind(t, err, apperr.KindConflict); !strings.Contains(rej.Message, "Delete one") {
		t.Errorf("message %q", rej.Message)
	}
	// The limit is per person, and counts only lists that exist.
	if _, err := f.svc.Create(f.ctx, f.bob, "Bob's first", false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(f.ctx, f.root, "A global one", true); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Delete(f.ctx, f.alice, last.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(f.ctx, f.alice, "Room again", false); err != nil {
		t.Fatal(err)
	}
}

func TestDeleteRemovesTheItems(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	d := f.list(t, f.alice, "Doomed", false, "AAPL", "MSFT")
	if err := f.svc.Delete(f.ctx, f.alice, d.ID); err != nil {
		t.Fatal(err)
	}
	var rows int
	f.db.Raw("SELECT count(*) FROM watchlist_assets WHERE watchlist_id = ?", d.ID).Scan(&rows)
	if rows != 0 {
		t.Errorf("%d items left behind", rows)
	}
	wantKind(t, f.svc.Delete(f.ctx, f.alice, d.ID), apperr.KindNotFound)
}
