package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// loginAdminInBrowser makes an administrator and signs them in through the login page.
func loginAdminInBrowser(t *testing.T, ctx context.Context, a *testApp, base string) {
	t.Helper()
	if _, _, err := a.svc.Accounts.CreateAdmin(context.Background(), "root@example.com", "Root Operator", goodPassword); err != nil {
		t.Fatal(err)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/login?next=%2Fadmin%2Fusers"),
		chromedp.WaitVisible(css(`#login-form`)),
		chromedp.SendKeys(css(`#login-form input[name="email"]`), "root@example.com"),
		chromedp.SendKeys(css(`#login-form input[name="password"]`), goodPassword),
		chromedp.Click(css(`[data-testid="submit-login"]`)),
		chromedp.WaitVisible(css(`[data-testid="admin-users"]`))); err != nil {
		t.Fatalf("log in: %v", err)
	}
}

// TestBrowserJobDashboard: River's own UI renders at /admin/jobs under its CSP, with no script
// error or CSP violation, lists a queued job, and its API answers the page's polls.
func TestBrowserJobDashboard(t *testing.T) {
	ctx := newBrowserWithin(t, 3*time.Minute)
	a := newTestApp(t, nil)
	scheduledJob(t, a)
	base := serveLive(t, a)
	loginAdminInBrowser(t, ctx, a, base)

	pageErrors := collectPageErrors(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/jobs/jobs?state=scheduled")); err != nil {
		t.Fatal(err)
	}
	// River's React app has drawn its navigation and the job list, from its JSON API.
	if err := waitJSWithin(ctx, `document.body.innerText.includes('Queues') && document.body.innerText.includes('sync_calendar')`, time.Minute); err != nil {
		screenshot(t, ctx, "failed-admin-jobs")
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("River's UI did not render the scheduled job: %v\n%s", err, body)
	}
	if errs := pageErrors(); len(errs) > 0 {
		t.Errorf("errors on /admin/jobs (script exceptions, CSP violations):\n%s", strings.Join(errs, "\n"))
	}
}

// waitJSWithin waits until expr holds, for up to d, across navigations.
func waitJSWithin(ctx context.Context, expr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond) // a navigation interrupted the poll: retry it; the loop ends on the expression holding
	}
}
