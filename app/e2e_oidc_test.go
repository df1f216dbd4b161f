package app

import (
	"context"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"alpacawrapper/models"
)

// TestBrowserOIDCSignIn is issue 20's sign-in in a real browser: Chromium, on the login page of
// the whole app serving on a real port, clicks "Continue with Mock ID"; the form's POST sends it
// to mockoidc (a real provider on its own port: discovery, PKCE, signed ID token), which sends it
// back to the callback; it lands on the dashboard signed in, as a new, verified account with its
// first paper account. A second round signs the same person in again rather than making another
// account. A CSP that held the form's redirect to the provider (form-action), or a flow cookie
// the browser did not send back on the provider's redirect (SameSite), fails here and nowhere
// else, since the other OIDC tests use a Go client.
func TestBrowserOIDCSignIn(t *testing.T) {
	t.Parallel()
	var deny atomic.Bool
	mock := startMockOIDC(t, &deny)
	vars := mockOIDCVars(mock)
	// Two workers, not ten: the test database's pool has eight connections, and the periodic
	// jobs River starts with (candle backfills) can otherwise hold all of them for longer than
	// the callback's deadline on a loaded machine (seen: a 503 after 15 s waiting for a connection).
	vars["WORKER_CONCURRENCY"] = "2"
	live := startLiveApp(t, liveOptions{vars: vars})
	ctx := newBrowser(t)
	pageErrors := collectPageErrors(t, ctx)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			screenshot(t, ctx, "failed-oidc-"+name)
			t.Fatalf("%s: %v (page errors: %v)\nlog: %s", name, err, pageErrors(), tail(live.logs.String(), 3000))
		}
	}
	location := func() *url.URL {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ada := person{Subject: "ada-browser", Email: "ada@example.com", Name: "Ada Lovelace"}

	for round, what := range []string{"a new account", "signing in again"} {
		mock.QueueUser(ada)
		step("login page "+what,
			chromedp.Navigate(live.base+"/login"),
			chromedp.WaitVisible(css(`[data-testid="oidc-mock"]`)),
		)
		label, err := chromedp.Run(ctx, chromedp.Text(css(`[data-testid="oidc-mock"]`)))
		if err != nil || !strings.Contains(label, "Continue with Mock ID") {
			t.Fatalf("the provider's button reads %q (%v)", label, err)
		}
		step("continue with the provider "+what,
			chromedp.Click(css(`[data-testid="oidc-mock"]`)),
			chromedp.WaitVisible(css(`[data-testid="dashboard-page"]`)),
			chromedp.WaitVisible(css(`[data-testid="user-menu"]`)),
		)
		if u := location(); u.Host != strings.TrimPrefix(live.base, "http://") || u.Path != "/" {
			t.Errorf("%s: the browser ended at %s, want the dashboard at %s/", what, u, live.base)
		}
		if err := waitText(ctx, "Ada Lovelace"); err != nil {
			screenshot(t, ctx, "failed-oidc-dashboard")
			t.Fatalf("%s: the dashboard does not greet the person signed in: %v", what, err)
		}
		screenshot(t, ctx, "oidc-dashboard-"+itoa(int64(round)))
		if round == 0 {
			step("log out",
				chromedp.Click(css(`[data-testid="user-menu"] summary`)),
				chromedp.Click(css(`[data-testid="logout-form"] button`)),
				chromedp.WaitVisible(css(`[data-testid="login-link"]`)),
			)
		}
	}

	// One account, verified by the provider's word, with one identity and its first paper account.
	db := live.svc.DB.WithContext(context.Background())
	var u models.User
	if err := db.Where("email = ?", ada.Email).First(&u).Error; err != nil {
		t.Fatalf("no account for %s: %v", ada.Email, err)
	}
	if !u.EmailVerified() {
		t.Error("the account made by the provider's sign-in is not verified")
	}
	var identities, users, accounts int64
	db.Model(&models.User{}).Where("email = ?", ada.Email).Count(&users)
	db.Table("user_identities").Where("user_id = ?", u.ID).Count(&identities)
	db.Model(&models.PaperAccount{}).Where("user_id = ?", u.ID).Count(&accounts)
	if users != 1 || identities != 1 || accounts != 1 {
		t.Errorf("after two sign-ins: %d accounts, %d identities, %d paper accounts; want 1, 1, 1", users, identities, accounts)
	}
	if errs := pageErrors(); len(errs) > 0 {
		t.Errorf("errors on the way (script exceptions, CSP violations):\n%s", strings.Join(errs, "\n"))
	}
}

// tail is the end of s, at most n bytes, for a failure's message.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
