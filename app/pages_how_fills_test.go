package app

import (
	"net/http"
	"strings"
	"testing"

	"alpacawrapper/config"
)

// The "How orders fill" page is public, lists the presets as the fill model defines them, and
// compares each rule with Alpaca's; every page's footer links to it.
func TestHowOrdersFillPage(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, config.Development)
	resp, body := get(t, s, "/how-orders-fill")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("guest: status %d", resp.StatusCode)
	}
	for _, want := range []string{
		`data-testid="how-fills-page"`, "<title>How orders fill",
		// The presets, from fill.Easy, fill.Realistic and fill.Harsh.
		">Easy<", ">Realistic<", ">Harsh<", "5 minutes", "1 minute", "15 seconds",
		"Only when the quote goes through the limit", "Fills capped at the displayed size",
		// Rules from issue 11 and the comparison with Alpaca.
		"you buy at 95, not 100", "300-share ask fills 300 shares in all", "for at most 90 days",
		`data-testid="fill-comparison"`, "10% of eligible orders get a random-size partial fill", "Shown as held.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	_, landing := get(t, s, "/")
	if !strings.Contains(landing, `data-testid="footer-how-fills"`) || !strings.Contains(landing, `href="/how-orders-fill"`) {
		t.Error("the footer does not link to the page")
	}
}
