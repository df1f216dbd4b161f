package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"alpacawrapper/models"

	"alpacawrapper/trading/fill"
)

// Issue 18's coverage: what a signed-in person does on the accounts, trade, orders, portfolio
// and activity pages and in Settings → API keys, through /api/v1 with a token or an API key,
// against a real PostgreSQL. Every exchange is also validated against the OpenAPI document
// (testApp.do → checkAPIExchange).

// apiCaller sends JSON API requests with one person's access token.
type apiCaller struct {
	a      *testApp
	bearer string
}

func (a *testApp) apiAs(email string) apiCaller {
	access, _ := a.tokens(email, goodPassword)
	return apiCaller{a: a, bearer: "Bearer " + access}
}

func (c apiCaller) call(t *testing.T, method, path string, body any, want int) map[string]any {
	t.Helper()
	resp, out := c.a.api(method, path, body, "Authorization", c.bearer)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %v, want %d", method, path, resp.StatusCode, out, want)
	}
	return out
}

func accountPath(id int64, rest ...string) string {
	return "/api/v1/accounts/" + itoa(id) + strings.Join(rest, "")
}

func TestAPIPaperAccounts(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, _, first := a.trader("ada@example.com")
	api := a.apiAs("ada@example.com")

	list := api.call(t, http.MethodGet, "/api/v1/accounts", nil, 200)["accounts"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["primary"] != true || list[0].(map[string]any)["equity"] != "100000" {
		t.Fatalf("accounts: %v", list)
	}

	resp, opened := a.api(http.MethodPost, "/api/v1/accounts", map[string]any{"name": "Harsh", "starting_cash": "$25,000",
		"realism": "harsh", "commission": "per_share", "margin": false, "shorting_enabled": false}, "Authorization", api.bearer)
	if resp.StatusCode != http.StatusCreated || opened["starting_cash"] != "25000" || opened["realism"] != "harsh" ||
		opened["commission"] != "per_share" || opened["margin"] != false || opened["primary"] != false {
		t.Fatalf("open: %d %v", resp.StatusCode, opened)
	}
	id := int64(opened["id"].(float64))
	if loc := resp.Header.Get("Location"); loc != accountPath(id) {
		t.Errorf("Location %q", loc)
	}
	if got := api.call(t, http.MethodGet, accountPath(id), nil, 200); got["name"] != "Harsh" || got["cash"] != "25000" {
		t.Errorf("get: %v", got)
	}

	t.Run("settings, incl. realism and the commission schedule", func(t *testing.T) {
		got := api.call(t, http.MethodPatch, accountPath(id), map[string]any{"realism": "easy", "commission": "free", "regulatory_fees": true}, 200)
		if got["realism"] != "easy" || got["commission"] != "free" || got["regulatory_fees"] != true || got["name"] != "Harsh" {
			t.Errorf("patch: %v", got)
		}
		stored := a.account(id)
		if stored.Realism != "easy" || stored.Commission != "free" || !stored.RegulatoryFees || stored.Margin {
			t.Errorf("stored: %+v", stored)
		}
		bad := api.call(t, http.MethodPatch, accountPath(id), map[string]any{"realism": "brutal", "shorting_enabled": true}, 422)
		errs, _ := bad["errors"].(map[string]any)
		if errs["realism"] == nil || errs["shorting_enabled"] == nil {
			t.Errorf("refusal: %v", bad)
		}
		if a.account(id).Realism != "easy" {
			t.Error("a refused change was saved")
		}
	})

	t.Run("switch the primary account", func(t *testing.T) {
		got := api.call(t, http.MethodPut, accountPath(id, "/primary"), nil, 200)
		if got["primary"] != true {
			t.Errorf("primary: %v", got)
		}
		list := api.call(t, http.MethodGet, "/api/v1/accounts", nil, 200)["accounts"].([]any)
		if int64(list[0].(map[string]any)["id"].(float64)) != id || list[1].(map[string]any)["primary"] != false {
			t.Errorf("after the switch: %v", list)
		}
		if n := countRows(t, a, `SELECT count(*) FROM paper_accounts WHERE user_id = ? AND is_primary`, ada.ID); n != 1 {
			t.Errorf("%d primary accounts", n)
		}
		api.call(t, http.MethodPut, accountPath(first.ID, "/primary"), nil, 200)
	})

	t.Run("history and statistics", func(t *testing.T) {
		a.market(ada, first.ID, fill.Buy, "0.01")
		h := api.call(t, http.MethodGet, accountPath(first.ID, "/history?range=1W"), nil, 200)
		if h["range"] != "1W" || len(h["points"].([]any)) == 0 {
			t.Errorf("history: %v", h)
		}
		api.call(t, http.MethodGet, accountPath(first.ID, "/history?range=2Y"), nil, 422)
		st := api.call(t, http.MethodGet, accountPath(first.ID, "/statistics"), nil, 200)
		if st["period"] != float64(1) || st["start_equity"] != "100000" || st["sharpe"] != nil {
			t.Errorf("statistics: %v", st)
		}
	})

	t.Run("reset closes the period", func(t *testing.T) {
		bad := api.call(t, http.MethodPost, accountPath(id, "/reset"), map[string]any{"confirm_name": "harsh", "starting_cash": "lots"}, 422)
		errs, _ := bad["errors"].(map[string]any)
		if errs["confirm_name"] == nil || errs["starting_cash"] == nil {
			t.Errorf("refusal: %v", bad)
		}
		if a.account(id).Period != 1 {
			t.Fatal("a refused reset reset the account")
		}
		done := api.call(t, http.MethodPost, accountPath(id, "/reset"), map[string]any{"confirm_name": "Harsh", "starting_cash": "50000"}, 200)
		acct := done["account"].(map[string]any)
		if done["closed_period"] != float64(1) || acct["period"] != float64(2) || acct["starting_cash"] != "50000" || acct["cash"] != "50000" {
			t.Errorf("reset: %v", done)
		}
		if n := countRows(t, a, `SELECT count(*) FROM paper_account_periods WHERE account_id = ?`, id); n < 1 {
			t.Errorf("the closed period was not kept (%d rows)", n)
		}
	})
}

func TestAPITrading(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	_, _, acct := a.trader("ada@example.com")
	api := a.apiAs("ada@example.com")
	orders := accountPath(acct.ID, "/orders")
	buy := func(qty string) map[string]any {
		return map[string]any{"symbol": "BTC/USD", "side": "buy", "type": "market", "time_in_force": "gtc", "qty": qty}
	}

	t.Run("preview", func(t *testing.T) {
		pv := api.call(t, http.MethodPost, orders+"/preview", buy("0.01"), 200)
		if pv["outcome"] != "fills_now" || pv["symbol"] != "BTC/USD" || pv["qty"] != "0.01" || pv["buying_power_after"] == pv["buying_power_before"] {
			t.Errorf("preview: %v", pv)
		}
		rests := api.call(t, http.MethodPost, orders+"/preview", map[string]any{"symbol": "BTC/USD", "side": "buy", "type": "limit",
			"time_in_force": "gtc", "qty": "0.01", "limit_price": "1"}, 200)
		if rests["outcome"] != "rests" {
			t.Errorf("a far limit: %v", rests)
		}
		bad := api.call(t, http.MethodPost, orders+"/preview", buy("a lot"), 422)
		if errs, _ := bad["errors"].(map[string]any); errs["qty"] == nil {
			t.Errorf("refusal: %v", bad)
		}
		if n := countRows(t, a, `SELECT count(*) FROM orders WHERE account_id = ?`, acct.ID); n != 0 {
			t.Errorf("a preview wrote %d orders", n)
		}
	})

	filled := api.call(t, http.MethodPost, orders, buy("0.02"), 201)
	if filled["status"] != "filled" || filled["filled_qty"] != "0.02" {
		t.Fatalf("market order: %v", filled)
	}
	resting := api.call(t, http.MethodPost, orders, map[string]any{"symbol": "BTC/USD", "side": "buy", "type": "limit",
		"time_in_force": "gtc", "qty": "0.01", "limit_price": "1000"}, 201)
	if resting["status"] != "new" && resting["status"] != "accepted" {
		t.Fatalf("limit order: %v", resting)
	}
	api.call(t, http.MethodPost, orders, map[string]any{"symbol": "BTC/USD", "side": "sell", "type": "market", "time_in_force": "gtc", "qty": "5"}, 403)

	t.Run("orders page by cursor", func(t *testing.T) {
		p1 := api.call(t, http.MethodGet, orders+"?limit=1", nil, 200)
		next, _ := p1["next_cursor"].(string)
		if len(p1["orders"].([]any)) != 1 || next == "" || p1["orders"].([]any)[0].(map[string]any)["id"] != resting["id"] {
			t.Fatalf("first page: %v", p1)
		}
		p2 := api.call(t, http.MethodGet, orders+"?limit=1&before="+url.QueryEscape(next), nil, 200)
		if len(p2["orders"].([]any)) != 1 || p2["orders"].([]any)[0].(map[string]any)["id"] != filled["id"] || p2["next_cursor"] != nil {
			t.Fatalf("second and last page: %v", p2)
		}
		open := api.call(t, http.MethodGet, orders+"?status=open", nil, 200)
		if len(open["orders"].([]any)) != 1 || open["next_cursor"] != nil {
			t.Errorf("open orders: %v", open)
		}
		api.call(t, http.MethodGet, orders+"?before=not-a-cursor", nil, 422)
		api.call(t, http.MethodGet, orders+"?limit=1000", nil, 422)
	})

	t.Run("an order and its fill receipts", func(t *testing.T) {
		got := api.call(t, http.MethodGet, orders+"/"+filled["id"].(string), nil, 200)
		if got["id"] != filled["id"] || got["status"] != "filled" {
			t.Errorf("get: %v", got)
		}
		fills := api.call(t, http.MethodGet, orders+"/"+filled["id"].(string)+"/fills", nil, 200)["fills"].([]any)
		if len(fills) != 1 || fills[0].(map[string]any)["qty"] != "0.02" || fills[0].(map[string]any)["receipt"] == nil {
			t.Errorf("fills: %v", fills)
		}
	})

	t.Run("replace and cancel", func(t *testing.T) {
		next := api.call(t, http.MethodPatch, orders+"/"+resting["id"].(string), map[string]any{"limit_price": "1100"}, 200)
		if next["replaces"] != resting["id"] || next["limit_price"] != "1100" {
			t.Fatalf("replace: %v", next)
		}
		if old := api.call(t, http.MethodGet, orders+"/"+resting["id"].(string), nil, 200); old["status"] != "replaced" {
			t.Errorf("the replaced order: %v", old)
		}
		api.call(t, http.MethodPatch, orders+"/"+next["id"].(string), map[string]any{"qty": "-1"}, 422)
		canceled := api.call(t, http.MethodDelete, orders+"/"+next["id"].(string), nil, 200)
		if canceled["status"] != "canceled" {
			t.Errorf("cancel: %v", canceled)
		}
	})

	t.Run("positions, activity and closing", func(t *testing.T) {
		pos := api.call(t, http.MethodGet, accountPath(acct.ID, "/positions"), nil, 200)["positions"].([]any)
		if len(pos) != 1 || pos[0].(map[string]any)["symbol"] != "BTC/USD" || pos[0].(map[string]any)["qty"] != "0.02" {
			t.Fatalf("positions: %v", pos)
		}
		acts := api.call(t, http.MethodGet, accountPath(acct.ID, "/activities?limit=1"), nil, 200)
		next, _ := acts["next_cursor"].(string)
		if len(acts["activities"].([]any)) != 1 || next == "" {
			t.Fatalf("activity: %v", acts)
		}
		older := api.call(t, http.MethodGet, accountPath(acct.ID, "/activities?limit=1&before="+url.QueryEscape(next)), nil, 200)
		if len(older["activities"].([]any)) != 1 || older["activities"].([]any)[0].(map[string]any)["id"] == acts["activities"].([]any)[0].(map[string]any)["id"] {
			t.Errorf("next page: %v", older)
		}
		fills := api.call(t, http.MethodGet, accountPath(acct.ID, "/activities?kind=fills"), nil, 200)["activities"].([]any)
		if len(fills) != 1 || fills[0].(map[string]any)["activity_type"] != "FILL" {
			t.Errorf("fills: %v", fills)
		}
		api.call(t, http.MethodGet, accountPath(acct.ID, "/activities?kind=dividends"), nil, 422)
		api.call(t, http.MethodGet, accountPath(acct.ID, "/activities?before=garbage"), nil, 422)

		closing := api.call(t, http.MethodDelete, accountPath(acct.ID, "/positions/BTC%2FUSD?qty=0.005"), nil, 200)
		if closing["side"] != "sell" || closing["status"] != "filled" || closing["filled_qty"] != "0.005" {
			t.Errorf("close: %v", closing)
		}
		api.call(t, http.MethodDelete, accountPath(acct.ID, "/positions/ETH/USD"), nil, 404)
		left := api.call(t, http.MethodGet, accountPath(acct.ID, "/positions"), nil, 200)["positions"].([]any)
		if q, _ := decimal.NewFromString(left[0].(map[string]any)["qty"].(string)); !q.Equal(decimal.RequireFromString("0.015")) {
			t.Errorf("left: %v", left)
		}
	})
}

func TestAPIProfile(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	u := a.createUser("ada@example.com", goodPassword)
	api := a.apiAs("ada@example.com")
	got := api.call(t, http.MethodPatch, "/api/v1/me", map[string]any{"name": "Ada King", "time_zone": "Europe/London"}, 200)
	if got["name"] != "Ada King" || got["time_zone"] != "Europe/London" || got["email"] != "ada@example.com" {
		t.Errorf("patch: %v", got)
	}
	bad := api.call(t, http.MethodPatch, "/api/v1/me", map[string]any{"time_zone": "Mars/Olympus"}, 422)
	if errs, _ := bad["errors"].(map[string]any); errs["time_zone"] == nil {
		t.Errorf("refusal: %v", bad)
	}
	var stored models.User
	if err := a.db.Gorm.Where("id = ?", u.ID).Take(&stored).Error; err != nil || stored.Name != "Ada King" || stored.TimeZone != "Europe/London" {
		t.Errorf("stored: %+v %v", stored, err)
	}
}

func TestAPIKeysThroughTheAPI(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	_, _, acct := a.trader("ada@example.com")
	api := a.apiAs("ada@example.com")

	resp, made := a.api(http.MethodPost, "/api/v1/api-keys", map[string]any{"label": "My bot"}, "Authorization", api.bearer)
	secret, _ := made["secret"].(string)
	if resp.StatusCode != http.StatusCreated || secret == "" || made["label"] != "My bot" || made["account_id"] != float64(acct.ID) {
		t.Fatalf("create: %d %v", resp.StatusCode, made)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("the secret's answer may be cached")
	}
	keyID := made["key_id"].(string)
	if r, me := a.api(http.MethodGet, "/api/v1/me", nil, headerAPIKeyID, keyID, headerAPISecretKey, secret); r.StatusCode != 200 || me["email"] != "ada@example.com" {
		t.Fatalf("the new key does not work: %d %v", r.StatusCode, me)
	}
	keys := api.call(t, http.MethodGet, "/api/v1/api-keys", nil, 200)["keys"].([]any)
	if len(keys) != 1 || keys[0].(map[string]any)["key_id"] != keyID || keys[0].(map[string]any)["secret"] != nil {
		t.Fatalf("list: %v", keys)
	}
	bad := api.call(t, http.MethodPost, "/api/v1/api-keys", map[string]any{"label": "Other", "account_id": 999999}, 422)
	if errs, _ := bad["errors"].(map[string]any); errs["account_id"] == nil {
		t.Errorf("another account: %v", bad)
	}
	api.call(t, http.MethodDelete, "/api/v1/api-keys/"+fmt.Sprint(made["id"]), nil, 204)
	if r, _ := a.api(http.MethodGet, "/api/v1/me", nil, headerAPIKeyID, keyID, headerAPISecretKey, secret); r.StatusCode != 401 {
		t.Errorf("a revoked key answered %d", r.StatusCode)
	}
	api.call(t, http.MethodDelete, "/api/v1/api-keys/"+fmt.Sprint(made["id"]), nil, 404)
}

// TestAPIAnotherPersonsObjects is the authorisation test for each object type of the JSON API:
// a paper account, an order, an API key and a watchlist of Ada's, named by Grace, is a 404 for
// every operation, and nothing of Ada's changes.
func TestAPIAnotherPersonsObjects(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, _, adaAcct := a.trader("ada@example.com")
	_, _, graceAcct := a.trader("grace@example.com")
	adaAPI, grace := a.apiAs("ada@example.com"), a.apiAs("grace@example.com")

	a.market(ada, adaAcct.ID, fill.Buy, "0.01")
	resting := adaAPI.call(t, http.MethodPost, accountPath(adaAcct.ID, "/orders"), map[string]any{"symbol": "BTC/USD", "side": "buy",
		"type": "limit", "time_in_force": "gtc", "qty": "0.01", "limit_price": "1000"}, 201)
	orderID := resting["id"].(string)
	key := adaAPI.call(t, http.MethodPost, "/api/v1/api-keys", map[string]any{"label": "Ada's bot"}, 201)
	list := adaAPI.call(t, http.MethodPost, "/api/v1/watchlists", map[string]any{"name": "Ada's list"}, 201)
	before := *a.account(adaAcct.ID)

	acct := accountPath(adaAcct.ID)
	order := func(accountID int64) string { return accountPath(accountID, "/orders/", orderID) }
	cases := []struct {
		method, path string
		body         any
	}{
		// The account.
		{http.MethodGet, acct, nil},
		{http.MethodPatch, acct, map[string]any{"name": "Mine now", "realism": "harsh"}},
		{http.MethodPut, acct + "/primary", nil},
		{http.MethodPost, acct + "/reset", map[string]any{"confirm_name": before.Name}},
		{http.MethodGet, acct + "/history", nil},
		{http.MethodGet, acct + "/statistics", nil},
		{http.MethodPost, acct + "/orders/preview", map[string]any{"symbol": "BTC/USD", "side": "buy", "type": "market", "time_in_force": "gtc", "qty": "0.01"}},
		{http.MethodGet, acct + "/orders", nil},
		{http.MethodPost, acct + "/orders", map[string]any{"symbol": "BTC/USD", "side": "buy", "type": "market", "time_in_force": "gtc", "qty": "0.01"}},
		{http.MethodGet, acct + "/positions", nil},
		{http.MethodDelete, acct + "/positions/BTC%2FUSD", nil},
		{http.MethodGet, acct + "/activities", nil},
		// The order, through Ada's account and through Grace's own.
		{http.MethodGet, order(adaAcct.ID), nil},
		{http.MethodPatch, order(adaAcct.ID), map[string]any{"limit_price": "900"}},
		{http.MethodDelete, order(adaAcct.ID), nil},
		{http.MethodGet, order(adaAcct.ID) + "/fills", nil},
		{http.MethodGet, order(graceAcct.ID), nil},
		{http.MethodPatch, order(graceAcct.ID), map[string]any{"limit_price": "900"}},
		{http.MethodDelete, order(graceAcct.ID), nil},
		{http.MethodGet, order(graceAcct.ID) + "/fills", nil},
		// The API key.
		{http.MethodDelete, "/api/v1/api-keys/" + fmt.Sprint(key["id"]), nil},
		// The watchlist.
		{http.MethodGet, "/api/v1/watchlists/" + fmt.Sprint(list["id"]), nil},
		{http.MethodPatch, "/api/v1/watchlists/" + fmt.Sprint(list["id"]), map[string]any{"name": "Grace's"}},
		{http.MethodDelete, "/api/v1/watchlists/" + fmt.Sprint(list["id"]), nil},
	}
	for _, tc := range cases {
		out := grace.call(t, tc.method, tc.path, tc.body, 404)
		if out["status"] != float64(404) || out["title"] != "Not Found" {
			t.Errorf("%s %s: %v is not a problem document", tc.method, tc.path, out)
		}
	}

	// Nothing of Ada's changed.
	after := a.account(adaAcct.ID)
	if after.Name != before.Name || after.Realism != before.Realism || after.Period != before.Period || !after.Cash.Equal(before.Cash) || !after.IsPrimary {
		t.Errorf("Ada's account changed: %+v → %+v", before, *after)
	}
	if n := countRows(t, a, `SELECT count(*) FROM orders WHERE account_id = ?`, graceAcct.ID); n != 0 {
		t.Errorf("Grace's account got %d orders", n)
	}
	if got := adaAPI.call(t, http.MethodGet, order(adaAcct.ID), nil, 200); got["status"] != resting["status"] || got["limit_price"] != "1000" {
		t.Errorf("Ada's order changed: %v", got)
	}
	if keys := adaAPI.call(t, http.MethodGet, "/api/v1/api-keys", nil, 200)["keys"].([]any); len(keys) != 1 {
		t.Errorf("Ada's key was revoked: %v", keys)
	}
	if wl := adaAPI.call(t, http.MethodGet, "/api/v1/watchlists/"+fmt.Sprint(list["id"]), nil, 200); wl["name"] != "Ada's list" {
		t.Errorf("Ada's list changed: %v", wl)
	}
	if pos := adaAPI.call(t, http.MethodGet, accountPath(adaAcct.ID, "/positions"), nil, 200)["positions"].([]any); len(pos) != 1 {
		t.Errorf("Ada's position changed: %v", pos)
	}
}
