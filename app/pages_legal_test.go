package app

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"alpacawrapper/config"
)

// TestPrivacyAndContactPages (issue 14, item 17): the original had Privacy and Contact pages
// beside Terms; here they state what this installation stores and how to reach its operator,
// as configured, and every page's footer links all three.
func TestPrivacyAndContactPages(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, config.Development)

	resp, body := get(t, s, "/privacy")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/privacy: %d", resp.StatusCode)
	}
	// The session limits quoted are this installation's own (SESSION_IDLE_TIMEOUT 72h,
	// SESSION_MAX_AGE 30 days by default).
	for _, want := range []string{`data-testid="privacy-page"`, "after 3 days without use", "at most 30 days after sign-in",
		"Argon2id", `href="/contact"`, `data-testid="footer-terms"`, `data-testid="footer-privacy"`, `data-testid="footer-contact"`} {
		if !strings.Contains(body, want) {
			t.Errorf("/privacy lacks %q", want)
		}
	}

	// Nothing configured: the page says so and links nowhere, rather than pretend.
	_, body = get(t, s, "/contact")
	if !strings.Contains(body, `data-testid="contact-none"`) || strings.Contains(body, "mailto:") {
		t.Errorf("/contact with no address configured should say none was published:\n%s", body)
	}

	s.cfg.Contact = config.Contact{Email: "ops@example.com", URL: "https://example.com/help"}
	resp, body = get(t, s, "/contact")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/contact: %d", resp.StatusCode)
	}
	for _, want := range []string{`href="mailto:ops@example.com"`, `href="https://example.com/help"`} {
		if !strings.Contains(body, want) {
			t.Errorf("/contact lacks %q", want)
		}
	}
	if strings.Contains(body, `data-testid="contact-none"`) {
		t.Error("/contact says no address was published although one is configured")
	}
}

func TestSpanWords(t *testing.T) {
	t.Parallel()
	for d, want := range map[string]string{"72h": "3 days", "720h": "30 days", "24h": "1 day", "36h": "36 hours", "90m": "90 minutes", "45s": "45s"} {
		dur, err := time.ParseDuration(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := spanWords(dur); got != want {
			t.Errorf("spanWords(%s) = %q, want %q", d, got, want)
		}
	}
}
