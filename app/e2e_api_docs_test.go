package app

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAPIDocs opens the API reference page in Chromium: the vendored viewer draws the
// served document, lists every operation, and nothing on the page breaks the CSP or throws.
func TestBrowserAPIDocs(t *testing.T) {
	t.Parallel()
	live := startLiveApp(t, liveOptions{})
	ctx := newBrowserWithin(t, 3*time.Minute)
	pageErrors := collectPageErrors(t, ctx)

	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, item := range c.doc.Paths.Map() {
		want += len(item.Operations())
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(live.base+"/api/docs"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="api-docs-page"]`))); err != nil {
		t.Fatal(err)
	}
	// A deadline for a loaded machine, not a pause: the poll ends as soon as the viewer has drawn
	// every operation.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#api-reference .opblock').length >= `+itoa(int64(want)),
		chromedp.WithPollingTimeout(2*time.Minute))); err != nil {
		screenshot(t, ctx, "failed-api-docs")
		t.Fatalf("the reference page did not list the %d operations: %v (errors: %v)", want, err, pageErrors())
	}
	listed, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#api-reference .opblock').length`))
	if err != nil {
		t.Fatal(err)
	}
	summaries, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll('#api-reference .opblock-summary-path')).map(e => e.textContent).join('\n')`))
	if err != nil {
		t.Fatal(err)
	}
	if listed != want {
		t.Errorf("%d operations listed, want %d", listed, want)
	}
	for _, path := range []string{"/api/v1/watchlists/{id}", "/api/v1/auth/token", "/api/v1/assets/{symbol}/candles"} {
		if !strings.Contains(summaries, path) {
			t.Errorf("%s is not listed", path)
		}
	}
	if errs := pageErrors(); len(errs) > 0 {
		t.Errorf("errors on the reference page (script exceptions, CSP violations):\n%s", strings.Join(errs, "\n"))
	}
	t.Logf("the reference page lists %d operations", listed)
}
