package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// assertBadText checks the refusal of bytes that are not text: 422 that says why, never a 500.
func assertBadText(t *testing.T, what string, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("%s: status %d, want 422:\n%.400s", what, resp.StatusCode, body)
		return
	}
	if !strings.Contains(htmlText(body), "not allowed (invalid UTF-8 or a NUL byte)") {
		t.Errorf("%s: the refusal does not say why:\n%.400s", what, body)
	}
}

func TestInvalidUTF8AndNULAreRefusedWith422(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, false)

	for _, tc := range []struct {
		name string
		path string
		form url.Values
	}{
		{"watchlist name with 0xFF", "/watchlists", url.Values{"name": {"Growth \xff"}}},
		{"watchlist name with NUL", "/watchlists", url.Values{"name": {"Growth\x00"}}},
		{"order symbol with NUL", "/orders", tradeTicket("symbol", "AA\x00PL")},
		{"order symbol with 0xFF", "/orders", tradeTicket("symbol", "AAPL\xff")},
		{"client_order_id with 0xFF", "/orders", tradeTicket("client_order_id", "bot-\xff-1")},
		{"client_order_id with NUL", "/orders", tradeTicket("client_order_id", "bot-\x00-1")},
	} {
		resp, body := b.post(tc.path, tc.form)
		assertBadText(t, tc.name, resp, body)
	}
	for _, path := range []string{"/instruments?q=%FF", "/instruments?q=a%00", "/instruments/AA%FFPL", "/instruments/AA%00PL"} {
		resp, body := b.get(path)
		assertBadText(t, "GET "+path, resp, body)
	}
	if n := len(p.orders(p.alice)); n != 0 {
		t.Errorf("%d orders placed from refused forms", n)
	}

	access, _ := p.tokens(p.alice.Email, goodPassword)
	for _, body := range []string{`{"name":"a\u0000b"}`, "{\"name\":\"a\xffb\"}"} {
		resp, out := p.api(http.MethodPost, "/api/v1/watchlists", body, "Authorization", "Bearer "+access)
		if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("API %s: %d %s %v", body, resp.StatusCode, resp.Header.Get("Content-Type"), out)
		}
	}
	// An escaped backslash before u0000 is a backslash and text, not a NUL.
	resp, out := p.api(http.MethodPost, "/api/v1/watchlists", `{"name":"a\\u0000b"}`, "Authorization", "Bearer "+access)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf(`API "a\\u0000b": %d %v`, resp.StatusCode, out)
	}
}

func TestOddUserAgentStillSignsInAndIsStoredClean(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ua@example.com", goodPassword)
	b := a.browser()
	ua := "Mozilla/5.0 \xff\xfe (X11\x00; Linux) " + strings.Repeat("é", 200) // 400+ bytes, cut mid-letter by a byte limit
	withUA := func(req *http.Request) (*http.Response, string) {
		req.Header.Set("User-Agent", ua)
		return b.send(req)
	}
	if resp, body := withUA(httptest.NewRequest(http.MethodGet, "/login", nil)); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /login: %d\n%.400s", resp.StatusCode, body)
	}
	form := url.Values{"email": {"ua@example.com"}, "password": {goodPassword}, "_csrf": {b.csrf}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, body := withUA(req); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /login: %d\n%.400s", resp.StatusCode, body)
	}
	var stored []string
	if err := a.db.Gorm.WithContext(context.Background()).Raw(
		"SELECT s.user_agent FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ?", "ua@example.com").Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 {
		t.Fatalf("%d sessions for the user, want 1", len(stored))
	}
	got := stored[0]
	if !utf8.ValidString(got) || strings.ContainsRune(got, 0) || !strings.HasPrefix(got, "Mozilla/5.0 ") || len(got) > 300 {
		t.Errorf("stored user agent %q", got)
	}
}
