package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// watchlistAPI is a test app with a few assets, two people and an admin, each with an access token.
type watchlistAPI struct {
	*testApp
	alice, bob, root string // "Bearer …" headers
}

func newWatchlistAPI(t *testing.T) *watchlistAPI {
	t.Helper()
	a := newTestApp(t, nil)
	for _, asset := range []struct{ symbol, name, class string }{
		{"AAPL", "Apple Inc. Common Stock", "us_equity"},
		{"MSFT", "Microsoft Corporation Common Stock", "us_equity"},
		{"BTC/USD", "Bitcoin / US Dollar", "crypto"},
	} {
		err := a.db.Gorm.Exec(`INSERT INTO assets (symbol, name, class, exchange, active, tradable, synced_at)
			VALUES (?, ?, ?, CASE WHEN ? = 'crypto' THEN 'CRYPTO' ELSE 'NASDAQ' END, true, true, now())`, asset.symbol, asset.name, asset.class, asset.class).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	bearer := func(email string) string {
		access, _ := a.tokens(email, goodPassword)
		return "Bearer " + access
	}
	a.createUser("alice@example.com", goodPassword)
	a.createUser("bob@example.com", goodPassword)
	if _, _, err := a.svc.Accounts.CreateAdmin(context.Background(), "root@example.com", "Root Operator", goodPassword); err != nil {
		t.Fatal(err)
	}
	return &watchlistAPI{testApp: a, alice: bearer("alice@example.com"), bob: bearer("bob@example.com"), root: bearer("root@example.com")}
}

// as sends a request with the given Authorization header and fails the test unless the status is want.
func (w *watchlistAPI) as(auth string, want int, method, path string, body any) map[string]any {
	w.t.Helper()
	resp, out := w.api(method, path, body, "Authorization", auth)
	if resp.StatusCode != want {
		w.t.Fatalf("%s %s: status %d, want %d: %v", method, path, resp.StatusCode, want, out)
	}
	return out
}

// create makes a list and returns its path.
func (w *watchlistAPI) create(auth, name string, global bool) string {
	w.t.Helper()
	out := w.as(auth, http.StatusCreated, http.MethodPost, "/api/v1/watchlists", map[string]any{"name": name, "global": global})
	return fmt.Sprintf("/api/v1/watchlists/%d", int64(out["id"].(float64)))
}

// assetSymbols lists the symbols of a list as answered, checking positions and the count.
func assetSymbols(t *testing.T, list map[string]any) []string {
	t.Helper()
	assets, _ := list["assets"].([]any)
	out := make([]string, len(assets))
	for i, raw := range assets {
		a := raw.(map[string]any)
		out[i] = a["symbol"].(string)
		if a["position"].(float64) != float64(i+1) {
			t.Errorf("%s at index %d has position %v", out[i], i, a["position"])
		}
	}
	if list["asset_count"].(float64) != float64(len(assets)) {
		t.Errorf("asset_count %v but %d assets", list["asset_count"], len(assets))
	}
	return out
}

func TestAPIWatchlistsNeedCredentials(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	routes := []struct{ method, path string }{
		{http.MethodGet, "/api/v1/watchlists"},
		{http.MethodPost, "/api/v1/watchlists"},
		{http.MethodGet, "/api/v1/watchlists/1"},
		{http.MethodPatch, "/api/v1/watchlists/1"},
		{http.MethodDelete, "/api/v1/watchlists/1"},
		{http.MethodPut, "/api/v1/watchlists/1/default"},
		{http.MethodPost, "/api/v1/watchlists/1/assets"},
		{http.MethodDelete, "/api/v1/watchlists/1/assets/AAPL"},
		{http.MethodPut, "/api/v1/watchlists/1/order"},
	}
	for _, r := range routes {
		resp, out := a.api(r.method, r.path, map[string]any{"name": "x"})
		if resp.StatusCode != http.StatusUnauthorized || out["code"] != "authentication_required" {
			t.Errorf("%s %s: %d %v", r.method, r.path, resp.StatusCode, out)
		}
	}
}

func TestAPIWatchlistLifecycle(t *testing.T) {
	t.Parallel()
	w := newWatchlistAPI(t)
	const post, get, patch, put, del = http.MethodPost, http.MethodGet, http.MethodPatch, http.MethodPut, http.MethodDelete

	resp, created := w.api(post, "/api/v1/watchlists", map[string]any{"name": "  Tech  "}, "Authorization", w.alice)
	if resp.StatusCode != http.StatusCreated || created["name"] != "Tech" || created["global"] != false ||
		created["editable"] != true || resp.Header.Get("Location") == "" {
		t.Fatalf("create: %d %v (Location %q)", resp.StatusCode, created, resp.Header.Get("Location"))
	}
	path := resp.Header.Get("Location")

	w.as(w.alice, http.StatusCreated, post, path+"/assets", map[string]string{"symbol": "aapl"})
	w.as(w.alice, http.StatusCreated, post, path+"/assets", map[string]string{"symbol": "BTCUSD"})
	list := w.as(w.alice, http.StatusCreated, post, path+"/assets", map[string]string{"symbol": "MSFT"})
	if got := assetSymbols(t, list); !slices.Equal(got, []string{"AAPL", "BTC/USD", "MSFT"}) {
		t.Fatalf("assets %v", got)
	}
	first := list["assets"].([]any)[0].(map[string]any)
	if first["name"] != "Apple Inc. Common Stock" || first["class"] != "us_equity" || first["exchange"] != "NASDAQ" {
		t.Errorf("asset %v", first)
	}
	// Adding again changes nothing and says so with a 200.
	again := w.as(w.alice, http.StatusOK, post, path+"/assets", map[string]string{"symbol": "AAPL"})
	if !slices.Equal(assetSymbols(t, again), []string{"AAPL", "BTC/USD", "MSFT"}) {
		t.Errorf("re-adding changed the list")
	}

	list = w.as(w.alice, http.StatusOK, put, path+"/order", map[string]any{"symbols": []string{"MSFT", "BTC/USD", "AAPL"}})
	if got := assetSymbols(t, list); !slices.Equal(got, []string{"MSFT", "BTC/USD", "AAPL"}) {
		t.Errorf("after reorder %v", got)
	}
	// A crypto pair in the path: as it is, escaped, or without the slash.
	for i, symbol := range []string{"BTC/USD", "BTC%2FUSD", "BTCUSD"} {
		if i > 0 {
			w.as(w.alice, http.StatusCreated, post, path+"/assets", map[string]string{"symbol": "BTC/USD"})
		}
		list = w.as(w.alice, http.StatusOK, del, path+"/assets/"+symbol, nil)
		if got := assetSymbols(t, list); !slices.Equal(got, []string{"MSFT", "AAPL"}) {
			t.Errorf("after removing %s: %v", symbol, got)
		}
	}

	list = w.as(w.alice, http.StatusOK, patch, path, map[string]string{"name": "Big tech"})
	if list["name"] != "Big tech" || len(assetSymbols(t, list)) != 2 {
		t.Errorf("after rename %v", list)
	}
	lists := w.as(w.alice, http.StatusOK, get, "/api/v1/watchlists", nil)["watchlists"].([]any)
	if len(lists) != 1 || lists[0].(map[string]any)["asset_count"].(float64) != 2 {
		t.Errorf("lists %v", lists)
	}

	w.as(w.alice, http.StatusNoContent, del, path, nil)
	w.as(w.alice, http.StatusNotFound, get, path, nil)
}

func TestAPIWatchlistRefusals(t *testing.T) {
	t.Parallel()
	w := newWatchlistAPI(t)
	path := w.create(w.alice, "Tech", false)
	w.create(w.alice, "Other", false)
	w.as(w.alice, http.StatusCreated, http.MethodPost, path+"/assets", map[string]string{"symbol": "AAPL"})

	cases := []struct {
		name, method, path string
		body               any
		status             int
		field              string // the field the problem names, if any
	}{
		{"a duplicate name", http.MethodPost, "/api/v1/watchlists", map[string]any{"name": "tech"}, 422, "name"},
		{"renaming onto another list", http.MethodPatch, path, map[string]any{"name": "OTHER"}, 422, "name"},
		{"renaming without a name", http.MethodPatch, path, map[string]any{}, 422, "name"},
		{"a blank name", http.MethodPost, "/api/v1/watchlists", map[string]any{"name": " "}, 422, "name"},
		{"a name of the wrong type", http.MethodPost, "/api/v1/watchlists", `{"name": 7}`, 422, "name"},
		{"an unknown symbol", http.MethodPost, path + "/assets", map[string]any{"symbol": "NOPE"}, 422, "symbol"},
		{"an order missing an asset", http.MethodPut, path + "/order", map[string]any{"symbols": []string{}}, 422, "symbols"},
		{"an order without symbols", http.MethodPut, path + "/order", map[string]any{}, 422, "symbols"},
		{"removing what is not there", http.MethodDelete, path + "/assets/MSFT", nil, 404, ""},
		{"a global list, not being an admin", http.MethodPost, "/api/v1/watchlists", map[string]any{"name": "For all", "global": true}, 403, ""},
		{"an id that is not a number", http.MethodGet, "/api/v1/watchlists/abc", nil, 404, ""},
		{"a list that does not exist", http.MethodGet, "/api/v1/watchlists/999999", nil, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, out := w.api(c.method, c.path, c.body, "Authorization", w.alice)
			if resp.StatusCode != c.status || out["detail"] == "" {
				t.Fatalf("%d %v, want %d with a detail", resp.StatusCode, out, c.status)
			}
			if c.field != "" {
				errs, _ := out["errors"].(map[string]any)
				if msg, _ := errs[c.field].(string); msg == "" {
					t.Errorf("problem names %v, want %q", errs, c.field)
				}
			}
		})
	}
}

func TestAPIWatchlistsOfOthers(t *testing.T) {
	t.Parallel()
	w := newWatchlistAPI(t)
	const post, get, patch, put, del = http.MethodPost, http.MethodGet, http.MethodPatch, http.MethodPut, http.MethodDelete
	bobs := w.create(w.bob, "Bob's", false)
	w.as(w.bob, http.StatusCreated, post, bobs+"/assets", map[string]string{"symbol": "AAPL"})
	global := w.create(w.root, "Big tech", true)
	w.as(w.root, http.StatusCreated, post, global+"/assets", map[string]string{"symbol": "MSFT"})

	writes := []struct {
		method, suffix string
		body           any
	}{
		{patch, "", map[string]string{"name": "Mine now"}},
		{del, "", nil},
		{post, "/assets", map[string]string{"symbol": "MSFT"}},
		{del, "/assets/AAPL", nil},
		{put, "/order", map[string]any{"symbols": []string{"AAPL"}}},
		{put, "/default", nil},
	}
	t.Run("another person's list does not exist for anyone else, admins included", func(t *testing.T) {
		for _, who := range []string{w.alice, w.root} {
			w.as(who, http.StatusNotFound, get, bobs, nil)
			for _, wr := range writes {
				w.as(who, http.StatusNotFound, wr.method, bobs+wr.suffix, wr.body)
			}
		}
		list := w.as(w.bob, http.StatusOK, get, bobs, nil)
		if list["name"] != "Bob's" || !slices.Equal(assetSymbols(t, list), []string{"AAPL"}) {
			t.Errorf("bob's list changed: %v", list)
		}
	})
	t.Run("a global list is read by all and changed by admins only", func(t *testing.T) {
		list := w.as(w.alice, http.StatusOK, get, global, nil)
		if list["global"] != true || list["default"] != true || list["editable"] != false {
			t.Errorf("as alice: %v", list)
		}
		for _, wr := range writes {
			w.as(w.alice, http.StatusForbidden, wr.method, global+wr.suffix, wr.body)
		}
		if list := w.as(w.root, http.StatusOK, get, global, nil); list["editable"] != true {
			t.Errorf("as admin: %v", list)
		}
		w.as(w.root, http.StatusOK, patch, global, map[string]string{"name": "Mega caps"})
	})
	t.Run("each sees their own lists and the global ones", func(t *testing.T) {
		names := func(auth string) []string {
			var out []string
			for _, l := range w.as(auth, http.StatusOK, get, "/api/v1/watchlists", nil)["watchlists"].([]any) {
				out = append(out, l.(map[string]any)["name"].(string))
			}
			return out
		}
		if got := names(w.alice); !slices.Equal(got, []string{"Mega caps"}) {
			t.Errorf("alice: %v", got)
		}
		if got := names(w.bob); !slices.Equal(got, []string{"Bob's", "Mega caps"}) {
			t.Errorf("bob: %v", got)
		}
	})
}
