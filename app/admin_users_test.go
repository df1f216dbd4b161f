package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"alpacawrapper/models"
)

// makeAdmin creates a signed-in administrator's browser.
func makeAdmin(t *testing.T, a *testApp, email string) (*models.User, *browser) {
	t.Helper()
	u, _, err := a.svc.Accounts.CreateAdmin(context.Background(), email, "Root Operator", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	b := a.browser()
	b.login(email, goodPassword)
	return u, b
}

// insertUsers writes n plain accounts straight to the table, a second apart and newer than anyone
// created through the service, named "<prefix> NN" with addresses <prefix>NN@example.com.
func insertUsers(t *testing.T, a *testApp, prefix string, n int) {
	t.Helper()
	base := time.Now().UTC().Add(time.Hour)
	for i := 1; i <= n; i++ {
		at := base.Add(time.Duration(i) * time.Second)
		u := &models.User{Email: fmt.Sprintf("%s%02d@example.com", prefix, i), Name: fmt.Sprintf("%s %02d", prefix, i),
			PasswordHash: "x", Role: models.RoleUser, Active: true, TimeZone: "UTC",
			TermsAcceptedAt: at, CredentialsChangedAt: at, CreatedAt: at, UpdatedAt: at}
		if err := models.CreateUser(context.Background(), a.db.Gorm, u); err != nil {
			t.Fatal(err)
		}
	}
}

func userPath(u *models.User, action string) string {
	return "/admin/users/" + strconv.FormatInt(u.ID, 10) + "/" + action
}

func accountActive(t *testing.T, a *testApp, email string) bool {
	t.Helper()
	return mustUser(t, a, email).Active
}

func TestAdminPagesAreForAdministratorsOnly(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	target := a.createUser("target@example.com", goodPassword)
	// A disabled account too, so that an "enable" that got through would show.
	disabled := a.createUser("disabled@example.com", goodPassword)
	if err := a.svc.Accounts.SetActive(context.Background(), disabled.ID, false); err != nil {
		t.Fatal(err)
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		if !accountActive(t, a, "target@example.com") || accountActive(t, a, "disabled@example.com") {
			t.Error("an account's status changed")
		}
	}

	t.Run("guests are sent to log in", func(t *testing.T) {
		for path, next := range map[string]string{"/admin/users?q=x": "%2Fadmin%2Fusers%3Fq%3Dx", "/admin": "%2Fadmin"} {
			resp, _ := a.browser().get(path)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+next {
				t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		guest := a.browser()
		guest.get("/login")
		for _, path := range []string{userPath(target, "disable"), userPath(disabled, "enable")} {
			if resp, _ := guest.post(path, nil); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Errorf("guest POST %s: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		unchanged(t)
	})

	a.createUser("mallory@example.com", goodPassword)
	b := a.browser()
	b.login("mallory@example.com", goodPassword)
	_, home := b.get("/settings/profile")
	if strings.Contains(home, `data-testid="menu-admin"`) {
		t.Error("a non-admin's menu links to the admin pages")
	}
	t.Run("signed-in non-admins get 404", func(t *testing.T) {
		for _, path := range []string{"/admin", "/admin/users", "/admin/users?q=target"} {
			if resp, body := b.get(path); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "target@example.com") {
				t.Errorf("GET %s: %d", path, resp.StatusCode)
			}
		}
		for _, path := range []string{userPath(target, "disable"), userPath(disabled, "enable")} {
			if resp, _ := b.post(path, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s with a valid CSRF token: %d", path, resp.StatusCode)
			}
			if resp, _ := b.post(path, url.Values{"_csrf": nil}); resp.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s without a CSRF token: %d, want the same 404", path, resp.StatusCode)
			}
		}
		unchanged(t)
	})
}

func TestAdminListsAndSearchesUsers(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	a.createUser("grace@example.com", goodPassword)
	a.db.Gorm.Exec("UPDATE users SET name = 'Ada Lovelace' WHERE email = 'ada@example.com'")
	_, b := makeAdmin(t, a, "root@example.com")
	insertUsers(t, a, "bulk", 30)

	resp, body := b.get("/admin/users")
	if resp.StatusCode != 200 {
		t.Fatalf("list: %d", resp.StatusCode)
	}
	if n := strings.Count(body, `data-testid="admin-user-row"`); n != adminUsersPerPage {
		t.Errorf("first page has %d rows, want %d", n, adminUsersPerPage)
	}
	if !strings.Contains(body, "Showing 1–25 of 33 users.") {
		t.Error("the total is missing")
	}
	if i, j := strings.Index(body, "bulk30@example.com"), strings.Index(body, "bulk29@example.com"); i < 0 || j < 0 || i > j {
		t.Error("the newest account is not first")
	}
	if strings.Contains(body, "ada@example.com") {
		t.Error("the oldest accounts belong on page 2")
	}
	if !strings.Contains(body, `data-testid="menu-admin"`) {
		t.Error("the admin's menu has no Admin link")
	}

	t.Run("page 2", func(t *testing.T) {
		_, body := b.get("/admin/users?page=2")
		if n := strings.Count(body, `data-testid="admin-user-row"`); n != 8 {
			t.Errorf("page 2 has %d rows, want 8", n)
		}
		for _, want := range []string{"ada@example.com", "grace@example.com", "root@example.com", "Showing 26–33 of 33 users."} {
			if !strings.Contains(body, want) {
				t.Errorf("page 2 lacks %q", want)
			}
		}
		if !strings.Contains(body, `data-testid="admin-user-self"`) {
			t.Error("the admin's own row is not marked")
		}
	})
	t.Run("a page past the end shows the last", func(t *testing.T) {
		for _, page := range []string{"99", "99999999999999999999"} {
			if _, body := b.get("/admin/users?page=" + page); !strings.Contains(body, "Page 2 of 2") {
				t.Errorf("page=%s is not the last page", page)
			}
		}
		if _, body := b.get("/admin/users?page=-3"); !strings.Contains(body, "Page 1 of 2") {
			t.Error("page=-3 is not the first page")
		}
	})
	t.Run("search by name, ignoring case", func(t *testing.T) {
		_, body := b.get("/admin/users?q=LOVELACE")
		if !strings.Contains(body, "ada@example.com") || strings.Contains(body, "grace@example.com") || strings.Contains(body, "bulk01@") {
			t.Error("q=LOVELACE must find Ada and no one else")
		}
		if !strings.Contains(body, `value="LOVELACE"`) {
			t.Error("the search box does not keep the search")
		}
	})
	t.Run("search by e-mail", func(t *testing.T) {
		_, body := b.get("/admin/users?q=" + url.QueryEscape("GRACE@EXAMPLE"))
		if !strings.Contains(body, "grace@example.com") || strings.Contains(body, "ada@example.com") {
			t.Error("the e-mail search must find Grace only")
		}
	})
	t.Run("wildcards are literal", func(t *testing.T) {
		for _, q := range []string{"%", "_", "bulk_1"} {
			if _, body := b.get("/admin/users?q=" + url.QueryEscape(q)); strings.Contains(body, `data-testid="admin-user-row"`) {
				t.Errorf("q=%q matched someone", q)
			}
		}
	})
	t.Run("pagination keeps the search", func(t *testing.T) {
		_, body := b.get("/admin/users?q=bulk")
		if !strings.Contains(body, "Showing 1–25 of 30 users.") {
			t.Error("the search's total is wrong")
		}
		if !strings.Contains(body, `href="/admin/users?page=2&amp;q=bulk"`) {
			t.Error("the next-page link drops the search")
		}
		_, body = b.get("/admin/users?page=2&q=bulk")
		if n := strings.Count(body, `data-testid="admin-user-row"`); n != 5 || !strings.Contains(body, "bulk01@example.com") {
			t.Errorf("page 2 of the search has %d rows", n)
		}
	})
	t.Run("htmx gets the results alone", func(t *testing.T) {
		hx := *b
		hx.htmx = true
		resp, body := hx.get("/admin/users?q=lovelace")
		if resp.StatusCode != 200 || strings.Contains(body, "<html") || !strings.HasPrefix(strings.TrimSpace(body), `<div id="admin-users-results"`) {
			t.Fatalf("status %d, body starts %.80q", resp.StatusCode, body)
		}
		if !strings.Contains(body, "ada@example.com") || !strings.Contains(resp.Header.Get("Vary"), hxRequest) {
			t.Error("the fragment lacks the match, or the answer does not vary on HX-Request")
		}
		req, _ := http.NewRequest(http.MethodGet, "/admin/users?q=lovelace", nil)
		req.Header.Set(hxHistoryRestore, "true")
		if _, body := hx.send(req); !strings.Contains(body, "<html") {
			t.Error("a history restore needs the whole page")
		}
	})
}

func TestAdminDisablesAndEnablesAccounts(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	victim := a.createUser("ada@example.com", goodPassword)
	other := a.createUser("grace@example.com", goodPassword)
	ada := a.browser()
	ada.login("ada@example.com", goodPassword)
	_, admin := makeAdmin(t, a, "root@example.com")

	_, list := admin.get("/admin/users")
	if !strings.Contains(list, `action="`+userPath(victim, "disable")+`"`) || !strings.Contains(list, "hx-confirm=") {
		t.Fatal("the list has no confirmed disable form for ada")
	}

	resp, _ := admin.post(userPath(victim, "disable"), url.Values{"q": {"ada"}, "page": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/users?q=ada" {
		t.Fatalf("disable: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := admin.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "Test ada (ada@example.com) is disabled") || !strings.Contains(body, `data-testid="admin-enable-form"`) {
		t.Error("no flash, or no enable button, after disabling")
	}
	if accountActive(t, a, "ada@example.com") || !accountActive(t, a, "grace@example.com") {
		t.Fatal("the wrong account changed")
	}
	if resp, _ := ada.get("/settings/profile"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("the disabled person's next request: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	fresh := a.browser()
	fresh.get("/login")
	if resp, body := fresh.post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "disabled") {
		t.Errorf("a disabled account logged in: %d", resp.StatusCode)
	}

	t.Run("enable restores login", func(t *testing.T) {
		admin.htmx = true
		defer func() { admin.htmx = false }()
		resp, _ := admin.post(userPath(victim, "enable"), nil)
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get(hxRedirect) != "/admin/users" {
			t.Fatalf("htmx enable: %d %q", resp.StatusCode, resp.Header.Get(hxRedirect))
		}
		if !accountActive(t, a, "ada@example.com") {
			t.Fatal("not enabled")
		}
		ada.login("ada@example.com", goodPassword)
		if resp, _ := ada.get("/settings/profile"); resp.StatusCode != 200 {
			t.Errorf("after enabling: %d", resp.StatusCode)
		}
	})
	t.Run("unknown ids are 404", func(t *testing.T) {
		for _, path := range []string{"/admin/users/999999/disable", "/admin/users/abc/disable", "/admin/users/-1/enable", "/admin/users/0/enable"} {
			if resp, _ := admin.post(path, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d", path, resp.StatusCode)
			}
		}
	})
	t.Run("CSRF", func(t *testing.T) {
		for name, token := range map[string][]string{"missing": nil, "wrong": {"not-the-token"}} {
			if resp, _ := admin.post(userPath(other, "disable"), url.Values{"_csrf": token}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s token: %d, want 403", name, resp.StatusCode)
			}
		}
		if !accountActive(t, a, "grace@example.com") {
			t.Error("disabled without a valid CSRF token")
		}
	})
}

func TestAdminCannotDisableThemselves(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	root, b := makeAdmin(t, a, "root@example.com")

	_, list := b.get("/admin/users")
	if strings.Contains(list, userPath(root, "disable")) {
		t.Error("the admin's own row offers a disable button")
	}
	const msg = "You can&#39;t disable your own account."
	resp, body := b.post(userPath(root, "disable"), nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, msg) {
		t.Errorf("plain post: %d", resp.StatusCode)
	}
	b.htmx = true
	resp, body = b.post(userPath(root, "disable"), nil)
	if resp.StatusCode != http.StatusConflict || resp.Header.Get(hxRetarget) != "#flashes" || !strings.Contains(body, msg) {
		t.Errorf("htmx post: %d %q", resp.StatusCode, resp.Header.Get(hxRetarget))
	}
	b.htmx = false
	if !accountActive(t, a, "root@example.com") {
		t.Fatal("the admin disabled their own account")
	}
	if resp, _ := b.get("/admin/users"); resp.StatusCode != 200 {
		t.Errorf("the admin was signed out: %d", resp.StatusCode)
	}
}
