package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/auth"
	"alpacawrapper/models"
)

// confirmLink follows a confirmation link the way a person does: opens it, then presses the
// page's button, which POSTs the token with the page's CSRF token.
func (b *browser) confirmLink(token string) (*http.Response, string) {
	b.app.t.Helper()
	resp, body := b.get("/verify?token=" + url.QueryEscape(token))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="verify-sign-in"`) {
		return resp, body
	}
	return b.post("/verify", url.Values{"token": {token}})
}

// signUpUnconfirmed signs a person up through the service and returns their confirmation token.
func (a *testApp) signUpUnconfirmed(email string) string {
	a.t.Helper()
	err := a.svc.Accounts.SignUp(context.Background(), auth.SignUpInput{Name: "Test " + strings.Split(email, "@")[0],
		Email: email, Password: goodPassword, PasswordConfirm: goodPassword, AcceptTerms: true})
	if err != nil {
		a.t.Fatal(err)
	}
	return a.tokenFromMail(email, "/verify?token=")
}

// Issue 10, security 2: a redirect taken from the request never leaves the site, whatever a
// browser does with tabs, newlines and backslashes in a Location.
func TestLoginNextStaysOnSite(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	bad := []string{"/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\\evil.example", "/x\\..\\\\evil.example",
		"//evil.example", "https://evil.example", "/\x00/evil.example", "evil.example", "/\u0085/evil.example"}
	for _, next := range bad {
		if got := safeNext(next); got != afterLogin {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
	for _, next := range []string{"/settings/sessions", "/instruments?q=ap&page=2", "/chart/BTC/USD"} {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q, want it kept", next, got)
		}
	}

	t.Run("the login page and its post", func(t *testing.T) {
		b := a.browser()
		if _, body := b.get("/login?next=/%09/evil.example"); strings.Contains(body, "evil.example") {
			t.Error("the login page carries the foreign next")
		}
		resp, _ := b.post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}, "next": {"/\t/evil.example"}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != afterLogin {
			t.Errorf("after login: %d Location %q", resp.StatusCode, loc)
		}
		if resp, _ := b.get("/login?next=/%09/evil.example"); resp.Header.Get("Location") != afterLogin {
			t.Errorf("signed in: Location %q", resp.Header.Get("Location"))
		}
	})
	t.Run("htmx", func(t *testing.T) {
		b := a.browser()
		b.get("/login")
		b.htmx = true
		resp, _ := b.post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}, "next": {"/\t/evil.example"}})
		if got := resp.Header.Get(hxRedirect); got != afterLogin {
			t.Errorf("HX-Redirect %q", got)
		}
	})
}

// Issue 10, security 3: opening a confirmation link confirms the address but signs no one in;
// signing in takes a POST from the page.
func TestVerifyLinkDoesNotSignIn(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	victimUser := a.createUser("victim@example.com", goodPassword)
	token := a.signUpUnconfirmed("mallory@example.com")

	victim := a.browser()
	victim.login("victim@example.com", goodPassword)
	session := victim.cookies["aw_session"]
	resp, body := victim.get("/verify?token=" + token)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="verify-sign-in"`) || !strings.Contains(body, "mallory@example.com") {
		t.Fatalf("opening the link: %d, want the page with the button naming the account", resp.StatusCode)
	}
	if victim.cookies["aw_session"] != session {
		t.Error("opening someone else's link replaced the session")
	}
	if _, body := victim.get("/settings/profile"); !strings.Contains(body, victimUser.Name) {
		t.Error("the victim is no longer signed in as themselves")
	}
	if u, _ := models.UserByEmail(context.Background(), a.db.Gorm, "mallory@example.com"); !u.EmailVerified() {
		t.Error("opening the link does not confirm the address")
	}

	t.Run("a scanner's GET spends nothing", func(t *testing.T) {
		token := a.signUpUnconfirmed("grace@example.com")
		scanner := a.browser()
		for range 3 {
			if resp, _ := scanner.get("/verify?token=" + token); resp.StatusCode != http.StatusOK {
				t.Fatalf("scanner: %d", resp.StatusCode)
			}
		}
		if scanner.cookies["aw_session"] != "" {
			if resp, _ := scanner.get("/settings/profile"); resp.StatusCode == http.StatusOK {
				t.Fatal("a GET signed the scanner in")
			}
		}
		person := a.browser()
		if resp, body := person.confirmLink(token); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="verify-ok"`) {
			t.Fatalf("the person's click: %d", resp.StatusCode)
		}
		if resp, _ := person.get("/settings/profile"); resp.StatusCode != http.StatusOK {
			t.Error("the POST did not sign in")
		}
	})
	t.Run("the POST needs the CSRF token", func(t *testing.T) {
		token := a.signUpUnconfirmed("eve@example.com")
		b := a.browser()
		resp, _ := b.post("/verify", url.Values{"token": {token}, "_csrf": {"forged"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("forged POST: %d, want 403", resp.StatusCode)
		}
		req := httptest.NewRequest(http.MethodPost, "/verify", strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, _ := b.send(req); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST without a token: %d, want 403", resp.StatusCode)
		}
	})
}

// postFrom submits a form from the client address ip.
func (b *browser) postFrom(ip, path string, form url.Values) (*http.Response, string) {
	b.app.t.Helper()
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", b.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(fiber.HeaderXForwardedFor, ip) // the harness's peer (0.0.0.0) is a trusted proxy: see testProxyVars
	return b.send(req)
}

// testProxyVars trust app.Test's peer, 0.0.0.0, as a proxy, so a test chooses each request's
// client address with X-Forwarded-For.
func testProxyVars(vars map[string]string) map[string]string {
	vars["TRUSTED_PROXIES"] = "0.0.0.0/32"
	return vars
}

// Issue 10, security 4: wrong passwords slow down the client that sends them, progressively, and
// never keep the right password from a client that has not failed.
func TestLoginFailuresSlowDownWithoutLockingOut(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testProxyVars(map[string]string{"RATE_LIMIT_AUTH": "10/15m"}))
	a.createUser("ada@example.com", goodPassword)
	attacker := a.browser()
	attacker.get("/login")
	wrong := func() url.Values { return url.Values{"email": {"ada@example.com"}, "password": {"not the password"}} }

	// Three free failures, then each attempt must wait longer than the last.
	for i := 1; i <= 3; i++ {
		if resp, _ := attacker.postFrom("198.51.100.7", "/login", wrong()); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i, resp.StatusCode)
		}
	}
	var waits []int
	for i := 0; i < 4; i++ {
		if resp, _ := attacker.postFrom("198.51.100.7", "/login", wrong()); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt after the wait: %d, want 401", resp.StatusCode)
		}
		resp, body := attacker.postFrom("198.51.100.7", "/login", wrong())
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		if resp.StatusCode != http.StatusTooManyRequests || secs < 1 || !strings.Contains(body, "Too many attempts") {
			t.Fatalf("an attempt inside the wait: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		waits = append(waits, secs)
		a.clock.Advance(time.Duration(secs) * time.Second)
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] <= waits[i-1] {
			t.Fatalf("waits %v do not grow", waits)
		}
	}

	// Meanwhile the person, on their own device, logs in at once.
	person := a.browser()
	person.get("/login")
	if resp, _ := person.postFrom("203.0.113.9", "/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the right password from a client that has not failed: %d, want 303", resp.StatusCode)
	}
	// The person's success does not forgive the attacker's address: its next failure makes it
	// wait again.
	if resp, _ := attacker.postFrom("198.51.100.7", "/login", wrong()); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the attacker after its wait: %d, want 401", resp.StatusCode)
	}
	if resp, _ := attacker.postFrom("198.51.100.7", "/login", wrong()); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the attacker right after a failure: %d, want 429", resp.StatusCode)
	}
}

// Issue 10, security 5: at most the configured number of password hashes run at once; beyond a
// short wait the answer is 503 with Retry-After, as a page or as problem JSON.
func TestPasswordHashingIsBounded(t *testing.T) {
	t.Parallel()
	hasher := auth.NewFastHasher().Limit(1, 50*time.Millisecond)
	a := newTestAppWith(t, testAppOptions{hasher: hasher})
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	b.get("/login")

	release, err := hasher.Acquire(context.Background()) // every slot busy
	if err != nil {
		t.Fatal(err)
	}
	resp, body := b.post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "busy") {
		t.Fatalf("login while every slot is busy: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/token", strings.NewReader(`{"email":"ada@example.com","password":"`+goodPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, body = a.do(req)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("token while every slot is busy: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	release()
	if resp, _ := b.post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login with a free slot: %d", resp.StatusCode)
	}
	t.Run("never more than the bound at once", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = hasher.Hash(context.Background(), "a password to hash")
			}()
		}
		wg.Wait()
		// The bound is observable only through Acquire: had a hash leaked its slot, this would wait.
		release, err := hasher.Acquire(context.Background())
		if err != nil {
			t.Fatalf("a slot leaked: %v", err)
		}
		release()
	})
}

// Issue 10, security 9: page views of guests write no session row; their forms still work, with
// and without JavaScript.
func TestGuestPagesWriteNoSessionRow(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	for _, path := range []string{"/login", "/signup", "/password/forgot", "/", "/markets", "/login", "/terms"} {
		if resp, _ := a.browser().get(path); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
	}
	if n := countRows(t, a, "SELECT count(*) FROM sessions"); n != 0 {
		t.Fatalf("%d session rows after guests' page views, want 0", n)
	}

	for _, htmx := range []bool{false, true} {
		b := a.browser()
		b.get("/login")
		if b.csrf == "" {
			t.Fatal("the login page has no CSRF token")
		}
		b.htmx = htmx
		resp, _ := b.post("/login", url.Values{"email": {"ada@example.com"}, "password": {"wrong password"}})
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("htmx %v: a wrong password: %d", htmx, resp.StatusCode)
		}
		resp, _ = b.post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
		if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusNoContent {
			t.Fatalf("htmx %v: login: %d", htmx, resp.StatusCode)
		}
		if resp, _ := b.get("/settings/profile"); resp.StatusCode != http.StatusOK {
			t.Fatalf("htmx %v: not signed in", htmx)
		}
	}

	t.Run("a guest's token is no one else's", func(t *testing.T) {
		mine, theirs := a.browser(), a.browser()
		mine.get("/login")
		theirs.get("/login")
		theirs.csrf = mine.csrf
		if resp, _ := theirs.post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("another browser's guest token: %d, want 403", resp.StatusCode)
		}
	})
	t.Run("signing up", func(t *testing.T) {
		b := a.browser()
		b.get("/signup")
		resp, _ := b.post("/signup", url.Values{"name": {"Grace"}, "email": {"grace@example.com"},
			"password": {goodPassword}, "password_confirm": {goodPassword}, "accept_terms": {"on"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-up: %d", resp.StatusCode)
		}
	})
}

// Issue 10, security 11: the CSRF token is read from the header or the body, never the query.
func TestCSRFTokenNotFromQuery(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	b.login("ada@example.com", goodPassword)
	b.get("/settings/profile")
	form := url.Values{"name": {"Changed"}, "time_zone": {"UTC"}}
	req := httptest.NewRequest(http.MethodPost, "/settings/profile?_csrf="+url.QueryEscape(b.csrf), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, _ := b.send(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("token in the query: %d, want 403", resp.StatusCode)
	}
	req = httptest.NewRequest(http.MethodPost, "/settings/profile", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", b.csrf)
	if resp, _ := b.send(req); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("token in the header: %d, want 303", resp.StatusCode)
	}
}

// Issue 10, security 11: /signup/done names the address from the session, never from the link.
func TestSignupDoneShowsOnlyTheSessionsAddress(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	if _, body := a.browser().get("/signup/done?email=Call+0800+SCAM+now"); strings.Contains(body, "SCAM") {
		t.Error("the page shows text from the link")
	}
	b := a.browser()
	b.get("/signup")
	resp, _ := b.post("/signup", url.Values{"name": {"Ada"}, "email": {"ada@example.com"},
		"password": {goodPassword}, "password_confirm": {goodPassword}, "accept_terms": {"on"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-up: %d", resp.StatusCode)
	}
	if _, body := b.get(resp.Header.Get("Location")); !strings.Contains(body, `data-testid="signup-email">ada@example.com<`) {
		t.Error("the page does not name the address the person signed up with")
	}
}

// Issue 10, security 10: a password change or reset revokes the account's API keys, and the page
// and the e-mail say so.
func TestPasswordChangeRevokesAPIKeys(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	b.login("ada@example.com", goodPassword)
	keyWorks := func(keyID, secret string) bool {
		resp, _ := a.api(http.MethodGet, "/api/v1/me", nil, "APCA-API-KEY-ID", keyID, "APCA-API-SECRET-KEY", secret)
		return resp.StatusCode == http.StatusOK
	}

	keyID, secret := createKey(t, b, "bot")
	_, page := b.get("/settings/password")
	if !strings.Contains(page, "revokes your API keys") {
		t.Error("the change-password page does not say the keys will be revoked")
	}
	const second = "new passphrase 2026"
	resp, _ := b.post("/settings/password", url.Values{"current_password": {goodPassword}, "password": {second}, "password_confirm": {second}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: %d", resp.StatusCode)
	}
	if keyWorks(keyID, secret) {
		t.Error("an API key survived the password change")
	}
	msgs := a.mails("ada@example.com")
	if last := msgs[len(msgs)-1]; !strings.Contains(last.Text, "every API key was revoked") {
		t.Errorf("the e-mail does not say the keys were revoked:\n%s", last.Text)
	}

	t.Run("reset", func(t *testing.T) {
		keyID, secret := createKey(t, b, "the attacker's bot")
		guest := a.browser()
		guest.get("/password/forgot")
		guest.post("/password/forgot", url.Values{"email": {"ada@example.com"}})
		token := a.tokenFromMail("ada@example.com", "/password/reset?token=")
		if _, page := guest.get("/password/reset?token=" + token); !strings.Contains(page, "API keys will be revoked") {
			t.Error("the reset page does not say the keys will be revoked")
		}
		const third = "third passphrase 2026"
		resp, _ := guest.post("/password/reset", url.Values{"token": {token}, "password": {third}, "password_confirm": {third}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d", resp.StatusCode)
		}
		if keyWorks(keyID, secret) {
			t.Error("an API key survived the password reset")
		}
	})
}

// Issue 10, security 11: refreshing keeps an API login alive, but never past its maximum age.
func TestRefreshFamilyLifeIsCapped(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	_, refresh := a.tokens("ada@example.com", goodPassword)
	for day := 6; day < 30; day += 6 {
		a.clock.Advance(6 * 24 * time.Hour)
		resp, out := a.api(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh": refresh})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("refresh on day %d: %d %v", day, resp.StatusCode, out)
		}
		refresh = out["refresh"].(string)
	}
	a.clock.Advance(6 * 24 * time.Hour) // day 30: the login is as old as a login may be
	resp, out := a.api(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh": refresh})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("refresh on day 30: %d %v, want 401", resp.StatusCode, out)
	}
}

// Issue 10, security 11: the account rate-limit keys are keyed with the secret, so the table
// cannot be searched for a guessed address.
func TestAccountRateLimitKeyIsKeyed(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	b := a.browser()
	b.get("/password/forgot")
	if resp, _ := b.post("/password/forgot", url.Values{"email": {"ada@example.com"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("forgot: %d", resp.StatusCode)
	}
	plain := sha256.Sum256([]byte("ada@example.com"))
	if n := countRows(t, a, "SELECT count(*) FROM rate_limits WHERE key LIKE ?", "%:acct:%"); n == 0 {
		t.Fatal("no account key was counted")
	}
	if n := countRows(t, a, "SELECT count(*) FROM rate_limits WHERE key LIKE ?", "%"+hex.EncodeToString(plain[:])+"%"); n != 0 {
		t.Error("an account key is the plain SHA-256 of the address")
	}
}

// Issue 10, security 11: every process the Procfile starts, and the image, run in production.
func TestProcfileAndDockerfileRunProduction(t *testing.T) {
	t.Parallel()
	procfile, err := os.ReadFile("../Procfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(procfile)), "\n") {
		name, command, _ := strings.Cut(line, ":")
		if !strings.Contains(" "+command+" ", " APP_ENV=production ") {
			t.Errorf("Procfile %s does not set APP_ENV=production: %q", name, command)
		}
	}
	dockerfile, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^ENV APP_ENV=production\b`).Match(dockerfile) {
		t.Error("the Dockerfile does not set ENV APP_ENV=production")
	}
}
