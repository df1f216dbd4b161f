package watchlist_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/database"
	"alpacawrapper/watchlist"
)

func TestAddAsset(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	d := f.list(t, f.alice, "Picks", false)

	t.Run("symbols are found whatever their case, crypto with or without the slash", func(t *testing.T) {
		for _, typed := range []string{"aapl", " MSFT ", "btcusd", "BRK.B"} {
			var err error
			if d, _, err = f.svc.AddAsset(f.ctx, f.alice, d.ID, typed); err != nil {
				t.Fatalf("%q: %v", typed, err)
			}
		}
		if got := symbols(t, d); !slices.Equal(got, []string{"AAPL", "MSFT", "BTC/USD", "BRK.B"}) {
			t.Errorf("items %v", got)
		}
		if it := d.Items[2]; it.Name != "Bitcoin / US Dollar" || it.Class != "crypto" || it.Exchange != "CRYPTO" {
			t.Errorf("item %+v", it)
		}
	})
	t.Run("an asset already there is a no-op", func(t *testing.T) {
		again, added, err := f.svc.AddAsset(f.ctx, f.alice, d.ID, "AAPL")
		if err != nil || added {
			t.Fatalf("added %v, err %v", added, err)
		}
		if !slices.Equal(symbols(t, again), symbols(t, d)) {
			t.Errorf("list changed to %v", symbols(t, again))
		}
	})
	refusals := []struct{ name, symbol, hint string }{
		{"empty", "  ", "Enter a symbol"},
		{"unknown", "NOPE", "no asset with the symbol NOPE"},
		{"not a symbol at all", "DROP TABLE", "is not a symbol"},
		{"inactive", "gone", "GONE is no longer traded"},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := f.svc.AddAsset(f.ctx, f.alice, d.ID, c.symbol)
			if msg := wantField(t, err, "symbol"); !strings.Contains(msg, c.hint) {
				t.Errorf("message %q does not say %q", msg, c.hint)
			}
		})
	}
	if got, _ := f.svc.Get(f.ctx, f.alice, d.ID); len(got.Items) != 4 {
		t.Errorf("refusals changed the list: %v", symbols(t, got))
	}
}

func TestAddAssetRunsTheHookInItsTransaction(t *testing.T) {
	t.Parallel()
	type call struct {
		assetID int64
		symbol  string
	}
	var calls []call
	fail := false
	hook := func(ctx context.Context, tx *gorm.DB, assetID int64, symbol string) error {
		// The hook must be able to enqueue with River's InsertTx: it needs the SQL transaction,
		// and that transaction must already hold the new item.
		if _, err := database.SQLTx(tx); err != nil {
			t.Errorf("hook outside a transaction: %v", err)
		}
		var n int
		if err := tx.Raw("SELECT count(*) FROM watchlist_assets WHERE asset_id = ?", assetID).Scan(&n).Error; err != nil || n != 1 {
			t.Errorf("the hook does not see the new item: %d rows, %v", n, err)
		}
		calls = append(calls, call{assetID, symbol})
		if fail {
			return errors.New("queue unavailable")
		}
		return nil
	}
	f := setup(t, hook)
	d := f.list(t, f.alice, "Picks", false, "AAPL")
	var aapl int64
	f.db.Raw("SELECT id FROM assets WHERE symbol = 'AAPL'").Scan(&aapl)
	if len(calls) != 1 || calls[0] != (call{aapl, "AAPL"}) {
		t.Fatalf("calls %v, want one for AAPL (%d)", calls, aapl)
	}

	if _, added, err := f.svc.AddAsset(f.ctx, f.alice, d.ID, "aapl"); err != nil || added || len(calls) != 1 {
		t.Errorf("re-adding: added %v, err %v, %d calls; want a no-op without the hook", added, err, len(calls))
	}

	fail = true
	before, _ := f.svc.Get(f.ctx, f.alice, d.ID)
	_, _, err := f.svc.AddAsset(f.ctx, f.alice, d.ID, "MSFT")
	if err == nil || !strings.Contains(err.Error(), "queue unavailable") {
		t.Fatalf("err %v, want the hook's", err)
	}
	after, _ := f.svc.Get(f.ctx, f.alice, d.ID)
	if !slices.Equal(symbols(t, after), []string{"AAPL"}) || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("a failed hook left %v (updated %v → %v)", symbols(t, after), before.UpdatedAt, after.UpdatedAt)
	}
}

func TestAssetLimit(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	all := f.manyAssets(watchlist.MaxAssetsPerList + 1)
	d := f.list(t, f.alice, "Full", false, all[:watchlist.MaxAssetsPerList]...)
	if d.AssetCount != watchlist.MaxAssetsPerList {
		t.Fatalf("count %d", d.AssetCount)
	}
	_, _, err := f.svc.AddAsset(f.ctx, f.alice, d.ID, all[watchlist.MaxAssetsPerList])
	wantKind(t, err, apperr.KindConflict)
	// Re-adding what is there is still fine on a full list.
	if _, added, err := f.svc.AddAsset(f.ctx, f.alice, d.ID, all[0]); err != nil || added {
		t.Errorf("re-adding on a full list: %v %v", added, err)
	}
	// Removing one makes room.
	if _, err := f.svc.RemoveAsset(f.ctx, f.alice, d.ID, all[0]); err != nil {
		t.Fatal(err)
	}
	if _, added, err := f.svc.AddAsset(f.ctx, f.alice, d.ID, all[watchlist.MaxAssetsPerList]); err != nil || !added {
		t.Errorf("adding after a removal: %v %v", added, err)
	}
}

func TestRemoveAsset(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	d := f.list(t, f.alice, "Picks", false, "AAPL", "MSFT", "TSLA", "BTC/USD")

	d, err := f.svc.RemoveAsset(f.ctx, f.alice, d.ID, "msft")
	if err != nil {
		t.Fatal(err)
	}
	// symbols checks that the positions closed up.
	if got := symbols(t, d); !slices.Equal(got, []string{"AAPL", "TSLA", "BTC/USD"}) {
		t.Errorf("items %v", got)
	}
	if d, err = f.svc.RemoveAsset(f.ctx, f.alice, d.ID, "BTCUSD"); err != nil {
		t.Fatal(err)
	}
	// Removed means gone: no hidden rows for a count to disagree with.
	var rows int
	f.db.Raw("SELECT count(*) FROM watchlist_assets WHERE watchlist_id = ?", d.ID).Scan(&rows)
	if rows != 2 || d.AssetCount != 2 {
		t.Errorf("%d rows, count %d; want 2", rows, d.AssetCount)
	}
	lists, _ := f.svc.List(f.ctx, f.alice)
	if lists[0].AssetCount != 2 {
		t.Errorf("listed count %d", lists[0].AssetCount)
	}

	for _, symbol := range []string{"MSFT", "NOPE"} {
		_, err := f.svc.RemoveAsset(f.ctx, f.alice, d.ID, symbol)
		if rej := wantKind(t, err, apperr.KindNotFound); !strings.Contains(rej.Message, symbol+" is not on this watchlist") {
			t.Errorf("message %q", rej.Message)
		}
	}
}

func TestReorder(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	d := f.list(t, f.alice, "Picks", false, "AAPL", "MSFT", "TSLA")

	got, err := f.svc.Reorder(f.ctx, f.alice, d.ID, []string{"tsla", "AAPL", "MSFT"})
	if err != nil {
		t.Fatal(err)
	}
	if s := symbols(t, got); !slices.Equal(s, []string{"TSLA", "AAPL", "MSFT"}) {
		t.Errorf("order %v", s)
	}
	// New assets still go to the end of the new order.
	if got, _, err = f.svc.AddAsset(f.ctx, f.alice, d.ID, "BRK.B"); err != nil {
		t.Fatal(err)
	}
	if s := symbols(t, got); !slices.Equal(s, []string{"TSLA", "AAPL", "MSFT", "BRK.B"}) {
		t.Errorf("order after adding %v", s)
	}

	refusals := []struct {
		name    string
		symbols []string
		hint    string
	}{
		{"one missing", []string{"TSLA", "AAPL", "MSFT"}, "missing: BRK.B"},
		{"none", nil, "missing: TSLA, AAPL, MSFT, BRK.B"},
		{"one not on the list", []string{"TSLA", "AAPL", "MSFT", "BRK.B", "BTC/USD"}, "BTC/USD is not on this watchlist"},
		{"one twice", []string{"TSLA", "AAPL", "tsla", "MSFT", "BRK.B"}, "TSLA appears more than once"},
		{"a blank", []string{"TSLA", "", "AAPL", "MSFT", "BRK.B"}, "is not a symbol on this watchlist"},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Reorder(f.ctx, f.alice, d.ID, c.symbols)
			if msg := wantField(t, err, "symbols"); !strings.Contains(msg, c.hint) {
				t.Errorf("message %q does not say %q", msg, c.hint)
			}
		})
	}
	after, _ := f.svc.Get(f.ctx, f.alice, d.ID)
	if s := symbols(t, after); !slices.Equal(s, []string{"TSLA", "AAPL", "MSFT", "BRK.B"}) {
		t.Errorf("refused orders changed it to %v", s)
	}

	t.Run("an empty list has one order: empty", func(t *testing.T) {
		empty := f.list(t, f.alice, "Empty", false)
		if _, err := f.svc.Reorder(f.ctx, f.alice, empty.ID, []string{}); err != nil {
			t.Error(err)
		}
	})
}

func TestSymbolsWatched(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	got, err := f.svc.SymbolsWatched(f.ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("nothing watched yet: %v %v", got, err)
	}
	f.list(t, f.alice, "Alice", false, "AAPL", "TSLA")
	f.list(t, f.bob, "Bob", false, "BTC/USD", "TSLA")
	global := f.list(t, f.root, "Global", true, "MSFT", "BTC/USD", "TSLA")
	// An asset delisted after it was added is no longer asked for upstream.
	f.db.Exec("UPDATE assets SET active = false WHERE symbol = 'MSFT'")

	got, _ = f.svc.SymbolsWatched(f.ctx)
	if want := []string{"TSLA", "BTC/USD", "AAPL"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (most-watched first)", got, want)
	}
	if err := f.svc.Delete(f.ctx, f.root, global.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = f.svc.SymbolsWatched(f.ctx)
	if want := []string{"TSLA", "AAPL", "BTC/USD"}; !slices.Equal(got, want) {
		t.Errorf("after deleting the global list: got %v, want %v", got, want)
	}
}
