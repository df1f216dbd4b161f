package app

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"alpacawrapper/models"
)

// marketAdmin is an app with the simulated catalogue stored and a signed-in administrator, and an
// act helper that posts a form and checks the status and the audit log: one new entry with the
// action named, or none at all for "".
type marketAdmin struct {
	a       *testApp
	root    *models.User
	b       *browser
	entries int
}

func newMarketAdmin(t *testing.T) *marketAdmin {
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	root, b := makeAdmin(t, a, "root@example.com")
	b.get("/admin/market")
	return &marketAdmin{a: a, root: root, b: b}
}

func (m *marketAdmin) act(t *testing.T, path string, form url.Values, wantStatus int, wantAction string) (*http.Response, string) {
	t.Helper()
	resp, body := m.b.post(path, form)
	if resp.StatusCode != wantStatus {
		t.Fatalf("POST %s: %d, want %d\n%s", path, resp.StatusCode, wantStatus, body)
	}
	if wantAction == "" {
		wantAuditCount(t, m.a, m.entries, "after the refused "+path)
		return resp, body
	}
	m.entries++
	got := auditEntries(t, m.a)
	if len(got) != m.entries || got[0].Action != wantAction || got[0].UserID != m.root.ID {
		t.Fatalf("after %s: %d entries, newest %+v", path, len(got), got[0])
	}
	return resp, body
}

func (m *marketAdmin) count(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := m.a.db.Gorm.Raw(sql, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAdminMarketSyncNow(t *testing.T) {
	t.Parallel()
	m := newMarketAdmin(t)
	jobs := func() int64 { return m.count(t, "SELECT count(*) FROM river_job WHERE kind = 'sync_assets'") }

	m.act(t, "/admin/market/sync", url.Values{"_csrf": {"forged"}}, http.StatusForbidden, "")
	if jobs() != 0 {
		t.Fatal("a forged post queued a sync")
	}
	m.act(t, "/admin/market/sync", nil, http.StatusSeeOther, "market.sync_assets")
	if jobs() != 1 {
		t.Fatalf("%d sync jobs queued", jobs())
	}
	// A second press while the first is queued is absorbed, and recorded as such.
	m.act(t, "/admin/market/sync", nil, http.StatusSeeOther, "market.sync_assets")
	if jobs() != 1 {
		t.Errorf("%d sync jobs after a second press", jobs())
	}
	if _, body := m.b.get("/admin/market"); !strings.Contains(body, "A sync is queued or running.") {
		t.Error("the page does not say a sync is queued")
	}

	// A finished run, and a failed one, appear in the history with the error.
	ctx := context.Background()
	id, err := models.StartSyncRun(ctx, m.a.db.Gorm, models.SyncAssets, 0, time.Now().Add(-time.Minute))
	if err == nil {
		err = models.FinishSyncRun(ctx, m.a.db.Gorm, id, time.Now(), 0, 0, context.DeadlineExceeded)
	}
	if err != nil {
		t.Fatal(err)
	}
	_, body := m.b.get("/admin/market")
	if !strings.Contains(body, `data-testid="sync-run" data-state="failed"`) || !strings.Contains(body, "context deadline exceeded") {
		t.Error("the failed run and its error are not listed")
	}
}

func TestAdminDataRefresh(t *testing.T) {
	t.Parallel()
	m := newMarketAdmin(t)
	refreshes := func() int64 { return m.count(t, "SELECT count(*) FROM data_refreshes") }

	t.Run("bad input changes nothing", func(t *testing.T) {
		for _, c := range []struct {
			form url.Values
			want int
			msg  string
		}{
			{url.Values{"symbols": {"BTC/USD NOPE ZZZZ"}, "days": {"2"}}, http.StatusUnprocessableEntity, "No asset has the symbol NOPE, ZZZZ"},
			{url.Values{"symbols": {""}, "days": {"2"}}, http.StatusUnprocessableEntity, "Type at least one symbol"},
			{url.Values{"symbols": {"BTC/USD"}, "watchlist": {"1"}, "days": {"2"}}, http.StatusUnprocessableEntity, "not both"},
			{url.Values{"watchlist": {"999999"}, "days": {"2"}}, http.StatusUnprocessableEntity, "no longer exists"},
			{url.Values{"symbols": {"BTC/USD"}, "days": {"0"}}, http.StatusUnprocessableEntity, "from 1 to 366"},
			{url.Values{"symbols": {"BTC/USD"}, "days": {"many"}}, http.StatusUnprocessableEntity, "from 1 to 366"},
		} {
			_, body := m.act(t, "/admin/market/refreshes", c.form, c.want, "")
			if !strings.Contains(body, c.msg) || !strings.Contains(body, `data-testid="admin-market"`) {
				t.Errorf("%v: the page does not say %q", c.form, c.msg)
			}
		}
		m.act(t, "/admin/market/refreshes", url.Values{"_csrf": {"forged"}, "symbols": {"BTC/USD"}, "days": {"2"}}, http.StatusForbidden, "")
		if n := refreshes(); n != 0 {
			t.Fatalf("%d refreshes recorded after refused requests", n)
		}
	})

	var first string
	t.Run("start, a clash, and cancel", func(t *testing.T) {
		resp, _ := m.act(t, "/admin/market/refreshes", url.Values{"symbols": {"btcusd, ETH/USD"}, "days": {"3"}}, http.StatusSeeOther, "market.refresh_start")
		first = resp.Header.Get("Location")
		if !strings.HasPrefix(first, "/admin/market/refreshes/") {
			t.Fatalf("sent to %q", first)
		}
		if n := m.count(t, "SELECT count(*) FROM river_job WHERE kind = 'refresh_asset'"); n != 2 {
			t.Errorf("%d refresh jobs queued, want 2", n)
		}
		if n := m.count(t, "SELECT count(*) FROM data_refresh_items WHERE status = 'pending' AND chunks_total >= 3 AND job_id IS NOT NULL"); n != 2 {
			t.Errorf("%d items pending with their chunks and jobs, want 2", n)
		}
		// Another refresh of one of those assets while this one runs is refused, naming it.
		_, body := m.act(t, "/admin/market/refreshes", url.Values{"symbols": {"ETH/USD"}, "days": {"1"}}, http.StatusConflict, "")
		if !strings.Contains(body, "Already being refreshed: ETH/USD") {
			t.Error("the clash is not explained")
		}
		_, body = m.b.get(first)
		if !strings.Contains(body, `data-testid="refresh-live" data-status="running"`) || !strings.Contains(body, `hx-trigger="every 1s"`) {
			t.Error("the running refresh's page does not poll its progress")
		}
		m.act(t, first+"/cancel", url.Values{"_csrf": {"forged"}}, http.StatusForbidden, "")
		m.act(t, first+"/cancel", nil, http.StatusSeeOther, "market.refresh_cancel")
		if n := m.count(t, "SELECT count(*) FROM data_refresh_items WHERE status = 'cancelled'"); n != 2 {
			t.Errorf("%d items cancelled, want 2", n)
		}
		if n := m.count(t, "SELECT count(*) FROM river_job WHERE kind = 'refresh_asset' AND state = 'cancelled'"); n != 2 {
			t.Errorf("%d jobs cancelled in River, want 2", n)
		}
		_, body = m.act(t, first+"/cancel", nil, http.StatusConflict, "")
		if !strings.Contains(body, "already been cancelled") {
			t.Error("cancelling twice is not explained")
		}
		m.act(t, "/admin/market/refreshes/999999/cancel", nil, http.StatusNotFound, "")
		_, body = m.b.get(first)
		if strings.Contains(body, `hx-trigger="every 1s"`) || strings.Contains(body, "submit-refresh-cancel") {
			t.Error("a cancelled refresh still polls or offers to cancel")
		}
	})

	t.Run("runs to the end with per-asset counts", func(t *testing.T) {
		startWorkers(t, m.a)
		resp, _ := m.act(t, "/admin/market/refreshes", url.Values{"symbols": {"BTC/USD ETH/USD"}, "days": {"2"}}, http.StatusSeeOther, "market.refresh_start")
		page := resp.Header.Get("Location")
		deadline := time.Now().Add(time.Minute)
		for m.count(t, "SELECT count(*) FROM data_refreshes WHERE status = 'running'") > 0 {
			if time.Now().After(deadline) {
				t.Fatal("the refresh did not finish within a minute")
			}
			time.Sleep(100 * time.Millisecond)
		}
		if n := m.count(t, `SELECT count(*) FROM data_refresh_items i JOIN data_refreshes r ON r.id = i.refresh_id
			WHERE r.status = 'done' AND i.status = 'done' AND i.fetched > 0 AND i.built > i.fetched AND i.chunks_done = i.chunks_total`); n != 2 {
			t.Errorf("%d assets done with bars fetched and candles built, want 2", n)
		}
		m.b.htmx = true
		_, body := m.b.get(page)
		m.b.htmx = false
		if !strings.HasPrefix(strings.TrimSpace(body), `<div id="refresh-live"`) || !strings.Contains(body, `data-testid="refresh-progress-percent">100%`) ||
			strings.Contains(body, "hx-trigger") {
			t.Errorf("the finished refresh's fragment: %.400s", body)
		}
		_, body = m.b.get("/admin/market")
		if strings.Count(body, `data-testid="refresh-row"`) != 2 || !strings.Contains(body, `data-status="cancelled"`) {
			t.Error("the history does not list both refreshes")
		}
	})
}

func TestAdminGlobalWatchlists(t *testing.T) {
	t.Parallel()
	m := newMarketAdmin(t)
	ctx := context.Background()
	list := func(id string) string { return "/admin/market/watchlists/" + id }

	m.act(t, "/admin/market/watchlists", url.Values{"_csrf": {"forged"}, "name": {"Chips"}}, http.StatusForbidden, "")
	resp, _ := m.act(t, "/admin/market/watchlists", url.Values{"name": {"Chips"}}, http.StatusSeeOther, "watchlist.create")
	chips := strings.TrimPrefix(resp.Header.Get("Location"), list(""))
	m.act(t, "/admin/market/watchlists", url.Values{"name": {"Majors"}}, http.StatusSeeOther, "watchlist.create")
	if _, body := m.act(t, "/admin/market/watchlists", url.Values{"name": {"chips"}}, http.StatusUnprocessableEntity, ""); !strings.Contains(body, "already a global watchlist called") {
		t.Error("a taken name is not explained on the form")
	}
	if _, body := m.act(t, "/admin/market/watchlists", url.Values{"name": {"  "}}, http.StatusUnprocessableEntity, ""); !strings.Contains(body, `data-testid="error-name"`) {
		t.Error("an empty name is not explained under the field")
	}

	symbols := func() []string {
		d, err := m.a.svc.Watchlists.DefaultGlobal(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return itemSymbols(d)
	}
	t.Run("assets", func(t *testing.T) {
		m.act(t, list(chips)+"/assets", url.Values{"symbol": {"btcusd"}}, http.StatusSeeOther, "watchlist.add_asset")
		m.act(t, list(chips)+"/assets", url.Values{"symbol": {"ETH/USD"}}, http.StatusSeeOther, "watchlist.add_asset")
		if n := m.count(t, "SELECT count(*) FROM river_job WHERE kind = 'backfill_candles'"); n != 2 {
			t.Errorf("%d backfills queued with the additions, want 2", n)
		}
		if _, body := m.act(t, list(chips)+"/assets", url.Values{"symbol": {"BTC/USD"}}, http.StatusUnprocessableEntity, ""); !strings.Contains(body, "already on this list") {
			t.Error("a second addition is not explained")
		}
		if _, body := m.act(t, list(chips)+"/assets", url.Values{"symbol": {"NOPE"}}, http.StatusUnprocessableEntity, ""); !strings.Contains(body, "There is no asset with the symbol NOPE") {
			t.Error("an unknown symbol is not explained")
		}
		m.act(t, list(chips)+"/assets/move", url.Values{"symbol": {"ETH/USD"}, "direction": {"up"}}, http.StatusSeeOther, "watchlist.reorder")
		if got := strings.Join(symbols(), " "); got != "ETH/USD BTC/USD" {
			t.Errorf("order %s", got)
		}
		m.act(t, list(chips)+"/assets/move", url.Values{"symbol": {"ETH/USD"}, "direction": {"up"}}, http.StatusConflict, "")
		m.act(t, list(chips)+"/assets/move", url.Values{"symbol": {"ETH/USD"}, "direction": {"sideways"}}, http.StatusUnprocessableEntity, "")
		m.act(t, list(chips)+"/assets/remove", url.Values{"symbol": {"ETH/USD"}}, http.StatusSeeOther, "watchlist.remove_asset")
		m.act(t, list(chips)+"/assets/remove", url.Values{"symbol": {"ETH/USD"}}, http.StatusNotFound, "")
		if got := strings.Join(symbols(), " "); got != "BTC/USD" {
			t.Errorf("after the removal: %s", got)
		}
	})
	t.Run("rename, order, default, delete", func(t *testing.T) {
		m.act(t, list(chips)+"/rename", url.Values{"name": {"Crypto majors"}}, http.StatusSeeOther, "watchlist.rename")
		if _, body := m.act(t, list(chips)+"/rename", url.Values{"name": {"Majors"}}, http.StatusUnprocessableEntity, ""); !strings.Contains(body, "already a global watchlist called") {
			t.Error("renaming onto a taken name is not explained")
		}
		_, body := m.b.get("/admin/market")
		if i, j := strings.Index(body, `data-name="Crypto majors"`), strings.Index(body, `data-name="Majors"`); i < 0 || j < i {
			t.Fatal("the lists are not in creation order")
		}
		m.act(t, list(chips)+"/move", url.Values{"direction": {"down"}}, http.StatusSeeOther, "watchlist.move")
		m.act(t, list(chips)+"/move", url.Values{"direction": {"down"}}, http.StatusConflict, "")
		_, body = m.b.get("/admin/market")
		if i, j := strings.Index(body, `data-name="Crypto majors"`), strings.Index(body, `data-name="Majors"`); j > i {
			t.Error("the move did not change the order")
		}
		majors := m.count(t, "SELECT id FROM watchlists WHERE name = 'Majors'")
		majorsPath := list(strconv.FormatInt(majors, 10))
		m.act(t, majorsPath+"/default", nil, http.StatusSeeOther, "watchlist.set_default")
		m.act(t, majorsPath+"/default", nil, http.StatusConflict, "")
		if d, _ := m.a.svc.Watchlists.DefaultGlobal(ctx); d.Name != "Majors" {
			t.Errorf("guests see %s", d.Name)
		}
		m.act(t, list(chips)+"/delete", nil, http.StatusSeeOther, "watchlist.delete")
		m.act(t, list(chips)+"/delete", nil, http.StatusNotFound, "")
		if resp, _ := m.b.get(list(chips)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the deleted list's page: %d", resp.StatusCode)
		}
	})
	t.Run("an administrator's own list is not a global one", func(t *testing.T) {
		own, err := m.a.svc.Watchlists.Create(ctx, m.root, "Mine", false)
		if err != nil {
			t.Fatal(err)
		}
		p := list(strconv.FormatInt(own.ID, 10))
		if resp, _ := m.b.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
		m.act(t, p+"/rename", url.Values{"name": {"Hijacked"}}, http.StatusNotFound, "")
	})
}
