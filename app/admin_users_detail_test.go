package app

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"alpacawrapper/auth"
	"alpacawrapper/live"
	"alpacawrapper/models"
)

func TestAdminUserListFiltersAndSorts(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("zed@example.com", goodPassword)
	a.createUser("amy@example.com", goodPassword)
	off := a.createUser("off@example.com", goodPassword)
	if err := a.svc.Accounts.SetActive(context.Background(), off.ID, false); err != nil {
		t.Fatal(err)
	}
	a.db.Gorm.Exec("UPDATE users SET email_verified_at = NULL WHERE email IN ('zed@example.com', 'off@example.com')")
	_, admin := makeAdmin(t, a, "root@example.com")

	emails := func(path string) string {
		t.Helper()
		resp, body := admin.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		var out []string
		for _, part := range strings.Split(body, `data-testid="admin-user-email">`)[1:] {
			out = append(out, part[:strings.Index(part, "<")])
		}
		return strings.Join(out, " ")
	}
	for path, want := range map[string]string{
		"/admin/users?role=admin":                        "root@example.com",
		"/admin/users?status=disabled":                   "off@example.com",
		"/admin/users?email=verified&role=user":          "amy@example.com",
		"/admin/users?email=unverified&sort=email":       "off@example.com zed@example.com",
		"/admin/users?sort=email":                        "amy@example.com off@example.com root@example.com zed@example.com",
		"/admin/users?sort=nonsense&role=nonsense&q=amy": "amy@example.com",
	} {
		if got := emails(path); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
	// An action keeps the list as it was.
	back := "/admin/users?role=user&sort=email"
	if resp, _ := admin.post(userPath(off, "enable"), url.Values{"back": {back}}); resp.Header.Get("Location") != back {
		t.Errorf("back to %q", resp.Header.Get("Location"))
	}
	if resp, _ := admin.post(userPath(off, "disable"), url.Values{"back": {"https://evil.example/admin"}}); resp.Header.Get("Location") != "/admin/users" {
		t.Errorf("an outside back address was followed: %q", resp.Header.Get("Location"))
	}
}

func TestAdminUserPageAndActions(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	ctx := context.Background()
	ada := a.createUser("ada@example.com", goodPassword)
	a.db.Gorm.Exec("UPDATE users SET email_verified_at = NULL WHERE id = ?", ada.ID)
	adaBrowser := a.browser()
	adaBrowser.login("ada@example.com", goodPassword)
	key, err := a.svc.APIKeys.Create(ctx, ada.ID, "ada's bot")
	if err != nil {
		t.Fatal(err)
	}
	root, admin := makeAdmin(t, a, "root@example.com")
	page := "/admin/users/" + strconv.FormatInt(ada.ID, 10)

	resp, body := admin.get(page)
	if resp.StatusCode != 200 {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	for _, want := range []string{"ada@example.com", `data-testid="admin-user-account"`, `data-testid="admin-user-session"`,
		key.KeyID, "ada&#39;s bot", `data-testid="submit-admin-user-verify"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "secret") && strings.Contains(body, key.Secret) {
		t.Error("the page shows the key's secret")
	}
	entries := 0
	act := func(t *testing.T, path string, form url.Values, wantStatus int, wantAction string) string {
		t.Helper()
		form.Set("back", page)
		resp, body := admin.post(path, form)
		if resp.StatusCode != wantStatus {
			t.Fatalf("POST %s: %d, want %d\n%s", path, resp.StatusCode, wantStatus, body)
		}
		if wantAction != "" {
			entries++
			got := auditEntries(t, a)
			if len(got) != entries || got[0].Action != wantAction || got[0].UserID != root.ID {
				t.Fatalf("after %s: %d entries, newest %+v", path, len(got), got[0])
			}
		} else {
			wantAuditCount(t, a, entries, "after a refused "+path)
		}
		return body
	}

	t.Run("mark verified", func(t *testing.T) {
		act(t, page+"/verify", url.Values{}, http.StatusSeeOther, "user.verify")
		if !mustUser(t, a, "ada@example.com").EmailVerified() {
			t.Error("not verified")
		}
		if body := act(t, page+"/verify", url.Values{}, http.StatusConflict, ""); !strings.Contains(body, "already verified") {
			t.Error("no clear message when already verified")
		}
	})
	t.Run("send a password reset", func(t *testing.T) {
		before := len(a.mails("ada@example.com"))
		act(t, page+"/password-reset", url.Values{}, http.StatusSeeOther, "user.password_reset")
		if len(a.mails("ada@example.com")) != before+1 {
			t.Error("no reset e-mail")
		}
	})
	t.Run("revoke a session", func(t *testing.T) {
		sessions, err := a.svc.Sessions.List(ctx, ada.ID)
		if err != nil || len(sessions) != 1 {
			t.Fatalf("%d sessions %v", len(sessions), err)
		}
		handle := auth.Handle(&sessions[0])
		act(t, page+"/sessions/"+handle+"/revoke", url.Values{}, http.StatusSeeOther, "session.revoke")
		if resp, _ := adaBrowser.get("/settings/profile"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the revoked browser still reaches its settings: %d", resp.StatusCode)
		}
		if body := act(t, page+"/sessions/"+handle+"/revoke", url.Values{}, http.StatusNotFound, ""); !strings.Contains(body, "already ended") {
			t.Error("no clear message for an ended session")
		}
	})
	t.Run("revoke a key", func(t *testing.T) {
		path := page + "/keys/" + strconv.FormatInt(key.ID, 10) + "/revoke"
		act(t, path, url.Values{}, http.StatusSeeOther, "api_key.revoke")
		if _, err := a.svc.APIKeys.Authenticate(ctx, key.KeyID, key.Secret); err == nil {
			t.Error("the revoked key still works")
		}
		if body := act(t, path, url.Values{}, http.StatusConflict, ""); !strings.Contains(body, "already revoked") {
			t.Error("no clear message for a revoked key")
		}
		// Another person's key through ada's address is not found.
		rootKey, _ := a.svc.APIKeys.Create(ctx, root.ID, "root's")
		act(t, page+"/keys/"+strconv.FormatInt(rootKey.ID, 10)+"/revoke", url.Values{}, http.StatusNotFound, "")
	})
	t.Run("change role, and the last admin", func(t *testing.T) {
		act(t, page+"/role", url.Values{"role": {"admin"}}, http.StatusSeeOther, "user.role")
		if !mustUser(t, a, "ada@example.com").IsAdmin() {
			t.Fatal("not promoted")
		}
		act(t, page+"/role", url.Values{"role": {"admin"}}, http.StatusConflict, "")
		act(t, page+"/role", url.Values{"role": {"superuser"}}, http.StatusUnprocessableEntity, "")
		// Demoting oneself needs a confirmation; with it, and another admin left, it works.
		self := "/admin/users/" + strconv.FormatInt(root.ID, 10) + "/role"
		if body := act(t, self, url.Values{"role": {"user"}}, http.StatusConflict, ""); !strings.Contains(body, "confirming") {
			t.Error("no message for an unconfirmed self-demotion")
		}
		act(t, page+"/role", url.Values{"role": {"user"}}, http.StatusSeeOther, "user.role")
		// root is now the only active administrator: neither demotion nor disabling is allowed.
		if body := act(t, self, url.Values{"role": {"user"}, "confirm_self": {"yes"}}, http.StatusConflict, ""); !strings.Contains(body, "last active administrator") {
			t.Error("the last admin could be demoted")
		}
		act(t, userPath(root, "disable"), url.Values{"confirm_self": {"yes"}}, http.StatusConflict, "")
		if u := mustUser(t, a, "root@example.com"); !u.IsAdmin() || !u.Active {
			t.Error("the last admin lost their access")
		}
	})
	t.Run("CSRF and missing users", func(t *testing.T) {
		for _, path := range []string{page + "/verify", page + "/role", page + "/password-reset", userPath(ada, "disable")} {
			if resp, _ := admin.post(path, url.Values{"_csrf": {"forged"}, "role": {"admin"}}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s with a forged token: %d", path, resp.StatusCode)
			}
		}
		for _, path := range []string{"/admin/users/999999", "/admin/users/x"} {
			if resp, _ := admin.get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d", path, resp.StatusCode)
			}
		}
		act(t, "/admin/users/999999/role", url.Values{"role": {"admin"}}, http.StatusNotFound, "")
		act(t, "/admin/users/999999/password-reset", url.Values{}, http.StatusNotFound, "")
		if mustUser(t, a, "ada@example.com").IsAdmin() {
			t.Error("a forged post changed the role")
		}
	})
}

// A disabled person's open trading page loses its WebSocket at once, and one disabled through
// another process (straight in the database here) within the stream check's period.
func TestDisablingEndsOpenStreams(t *testing.T) {
	t.Parallel()
	w := startWSApp(t, nil)
	_, admin := makeAdmin(t, w.testApp, "root@example.com")
	open := func(email string) *websocket.Conn {
		t.Helper()
		w.createUser(email, goodPassword)
		b := w.browser()
		b.login(email, goodPassword)
		var cookies []string
		for k, v := range b.cookies {
			cookies = append(cookies, k+"="+v)
		}
		c, _, err := w.dial("/ws/trading", func(o *websocket.DialOptions) { o.HTTPHeader.Set("Cookie", strings.Join(cookies, "; ")) })
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, hello, err := c.Read(ctx); err != nil || string(hello) != wsTradingHello {
			t.Fatalf("hello %q %v", hello, err)
		}
		return c
	}
	closed := func(c *websocket.Conn, within time.Duration) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), within)
		defer cancel()
		for {
			_, _, err := c.Read(ctx)
			if err == nil {
				continue // a frame sent before the close
			}
			var ce websocket.CloseError
			if !errors.As(err, &ce) || int(ce.Code) != live.ClosePolicy {
				t.Fatalf("the connection did not close with the policy code: %v", err)
			}
			return
		}
	}
	ada := open("ada@example.com")
	if resp, _ := admin.post(userPath(mustUser(t, w.testApp, "ada@example.com"), "disable"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	closed(ada, 5*time.Second)

	bob := open("bob@example.com")
	if err := w.db.Gorm.Model(&models.User{}).Where("email = ?", "bob@example.com").Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	closed(bob, 15*time.Second)
}
