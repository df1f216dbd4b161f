package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"alpacawrapper/models"
)

// TestBrowserAdminPages runs axe-core on every admin page, in light and dark, on a desktop and a
// phone, and fails on a critical or serious violation (River's own UI at /admin/jobs is only
// photographed: its markup is River's). With SCREENSHOTS=1 it photographs each page at
// 1440×900 and 390×844, light and dark, into artifacts/screenshots/admin-*.png.
func TestBrowserAdminPages(t *testing.T) {
	src, err := os.ReadFile(axeScript)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is not installed (npm ci): %v", err)
		}
		t.Skipf("axe-core is not installed (npm ci): %v", err)
	}
	ctx := newBrowserWithin(t, 15*time.Minute)
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	bg := context.Background()
	if _, err := a.svc.Watchlists.SeedStarterLists(bg); err != nil {
		t.Fatal(err)
	}
	ada := a.createUser("ada@example.com", goodPassword)
	base := serveLive(t, a)
	loginAdminInBrowser(t, ctx, a, base)

	// Something on every page: a sync run, a failed one, a refresh finished and one that failed.
	if id, err := models.StartSyncRun(bg, a.db.Gorm, models.SyncAssets, 0, time.Now().Add(-time.Hour)); err == nil {
		_ = models.FinishSyncRun(bg, a.db.Gorm, id, time.Now().Add(-59*time.Minute), 412, 3, nil)
	}
	if id, err := models.StartSyncRun(bg, a.db.Gorm, models.SyncCalendar, 0, time.Now().Add(-time.Minute)); err == nil {
		_ = models.FinishSyncRun(bg, a.db.Gorm, id, time.Now(), 0, 0, fmt.Errorf("fetch calendar: provider answered 503"))
	}
	admin := a.browser()
	admin.login("root@example.com", goodPassword)
	admin.get("/admin/market")
	resp, _ := admin.post("/admin/market/refreshes", url.Values{"symbols": {"BTC/USD ETH/USD AAPL"}, "days": {"2"}})
	refresh := resp.Header.Get("Location")
	if !strings.HasPrefix(refresh, "/admin/market/refreshes/") {
		t.Fatalf("refresh: %d %s", resp.StatusCode, refresh)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(refresh, "/admin/market/refreshes/"), 10, 64)
	items, err := models.DataRefreshItems(bg, a.db.Gorm, id)
	if err != nil || len(items) != 3 {
		t.Fatalf("items %v %v", items, err)
	}
	// One asset done, one half way, one failed: what an operator meets in practice.
	a.db.Gorm.Exec("UPDATE data_refresh_items SET status = 'running', chunks_done = 1, fetched = 1440, built = 1702 WHERE refresh_id = ?", id)
	_ = models.FinishDataRefreshItem(bg, a.db.Gorm, id, items[0].AssetID, time.Now(), nil)
	_ = models.FinishDataRefreshItem(bg, a.db.Gorm, id, items[2].AssetID, time.Now(), fmt.Errorf("jobs: refresh AAPL: fetch from sim: rate limited"))
	lists, err := a.svc.Watchlists.List(bg, nil)
	if err != nil || len(lists) == 0 {
		t.Fatalf("lists %v %v", lists, err)
	}

	pages := []struct{ name, path string }{
		{"admin-users", "/admin/users"},
		{"admin-user", "/admin/users/" + strconv.FormatInt(ada.ID, 10)},
		{"admin-market", "/admin/market"},
		{"admin-refresh", refresh},
		{"admin-watchlist", "/admin/market/watchlists/" + strconv.FormatInt(lists[0].ID, 10)},
		{"admin-audit", "/admin/audit"},
		{"admin-system", "/admin/system"},
		{"admin-jobs", "/admin/jobs/"},
	}
	var failures []string
	for _, p := range pages {
		if err := showPage(ctx, base+p.path, axeDesktop); err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		axe := p.name != "admin-jobs"
		if axe {
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(src))); err != nil {
				t.Fatalf("%s: load axe: %v", p.path, err)
			}
		}
		for _, theme := range []string{"light", "dark"} {
			if err := applyTheme(ctx, theme); err != nil {
				t.Fatal(err)
			}
			for _, vp := range []axeViewport{axeDesktop, axePhone} {
				if err := chromedp.Do(ctx, emulate(vp), chromedp.Sleep(200*time.Millisecond)); err != nil {
					t.Fatal(err)
				}
				if axe {
					out, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
					if err != nil {
						t.Fatalf("axe on %s: %v", p.path, err)
					}
					var found []axeFinding
					if err := json.Unmarshal([]byte(out), &found); err != nil {
						t.Fatalf("axe's answer on %s: %v", p.path, err)
					}
					for _, f := range found {
						failures = append(failures, fmt.Sprintf("%s [%s, %s]: %s (%s) %s\n    %s", p.path, theme, vp.name,
							f.ID, f.Impact, f.Help, strings.Join(f.Nodes, "\n    ")))
					}
				}
				if os.Getenv("SCREENSHOTS") != "" {
					if p.name == "admin-jobs" {
						time.Sleep(time.Second) // River's UI draws from its API after load
					}
					savePNG(t, ctx, p.name+"-"+vp.name+"-"+theme)
				}
			}
		}
		if err := applyTheme(ctx, "light"); err != nil {
			t.Fatal(err)
		}
	}
	if len(failures) > 0 {
		t.Errorf("axe found %d critical or serious violations on the admin pages:\n%s", len(failures), strings.Join(failures, "\n"))
	}
}
