package app

import (
	"context"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"alpacawrapper/models"
)

// Issue 20: sign-in with OpenID Connect, against mockoidc, a real provider (discovery, keys,
// authorisation and token endpoints, PKCE) running in the test. mockoidc has no login page: its
// authorisation endpoint approves at once whoever the test queued, which still takes the browser
// (here the test's cookie-keeping client) through the provider's redirects.

// oidcTest is an app with one provider, "mock", and the provider.
type oidcTest struct {
	*testApp
	mock *mockoidc.MockOIDC
	// deny makes the provider answer the next authorisation with error=access_denied.
	deny atomic.Bool
}

func newOIDCTest(t *testing.T, vars map[string]string) *oidcTest {
	t.Helper()
	o := &oidcTest{}
	m := startMockOIDC(t, &o.deny)
	if vars == nil {
		vars = map[string]string{}
	}
	for k, v := range mockOIDCVars(m) {
		vars[k] = v
	}
	o.testApp, o.mock = newTestApp(t, vars), m
	return o
}

// startMockOIDC runs mockoidc on a real port until the test ends. When deny is set, the next
// authorisation is answered with error=access_denied (and deny cleared).
func startMockOIDC(t *testing.T, deny *atomic.Bool) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == mockoidc.AuthorizationEndpoint && deny.Swap(false) {
				back, _ := url.Parse(r.URL.Query().Get("redirect_uri"))
				back.RawQuery = url.Values{"error": {"access_denied"}, "state": {r.URL.Query().Get("state")}}.Encode()
				http.Redirect(w, r, back.String(), http.StatusFound)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return m
}

// mockOIDCVars configure the app with one provider, "mock" (shown as "Mock ID"), that is m.
func mockOIDCVars(m *mockoidc.MockOIDC) map[string]string {
	return map[string]string{
		"OIDC_PROVIDERS":          "mock",
		"OIDC_MOCK_NAME":          "Mock ID",
		"OIDC_MOCK_ISSUER":        m.Issuer(),
		"OIDC_MOCK_CLIENT_ID":     m.ClientID,
		"OIDC_MOCK_CLIENT_SECRET": m.ClientSecret,
	}
}

// person is who the provider signs in: a mockoidc user whose ID token can be bent for the
// tampering cases.
type person struct {
	Subject, Email, Name string
	Unverified           bool
	Audience             []string  // replaces the audience (our client id)
	Nonce                string    // replaces the nonce the app sent
	IssuedAt             time.Time // replaces the issue time
}

func (p person) ID() string { return p.Subject }

func (p person) Userinfo([]string) ([]byte, error) { return []byte(`{"sub":"` + p.Subject + `"}`), nil }

type personClaims struct {
	*mockoidc.IDTokenClaims
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name,omitempty"`
}

func (p person) Claims(_ []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if p.Audience != nil {
		c.Audience = p.Audience
	}
	if p.Nonce != "" {
		c.Nonce = p.Nonce
	}
	if !p.IssuedAt.IsZero() {
		c.IssuedAt = jwt.NewNumericDate(p.IssuedAt)
	}
	return personClaims{IDTokenClaims: c, Email: p.Email, EmailVerified: !p.Unverified, Name: p.Name}, nil
}

// atProvider posts a start form (from the page it was on) and follows the provider's redirects as
// a browser would, returning the callback URL the provider sent the browser back to.
func (o *oidcTest) atProvider(t *testing.T, b *browser, startPath string, form url.Values) *url.URL {
	t.Helper()
	resp, body := b.post(startPath, form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start %s: %d\n%s", startPath, resp.StatusCode, body)
	}
	to, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(to.String(), o.mock.AuthorizationEndpoint()) {
		t.Fatalf("start sent the browser to %q, want the provider", resp.Header.Get("Location"))
	}
	q := to.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("the authorisation request lacks PKCE, nonce or state: %s", to.RawQuery)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	presp, err := client.Get(to.String())
	if err != nil {
		t.Fatal(err)
	}
	presp.Body.Close()
	back, err := url.Parse(presp.Header.Get("Location"))
	if presp.StatusCode != http.StatusFound || err != nil || back.Host != "app.test" {
		t.Fatalf("the provider answered %d, Location %q", presp.StatusCode, presp.Header.Get("Location"))
	}
	return back
}

// callback delivers the provider's redirect to the app in browser b.
func (o *oidcTest) callback(t *testing.T, b *browser, back *url.URL) (*http.Response, string) {
	t.Helper()
	return b.get(back.RequestURI())
}

// continueWith signs in through the provider as p from the login page: start, provider,
// callback; it returns the callback's answer.
func (o *oidcTest) continueWith(t *testing.T, b *browser, p person, next string) (*http.Response, string) {
	t.Helper()
	b.get("/login")
	o.mock.QueueUser(p)
	form := url.Values{}
	if next != "" {
		form.Set("next", next)
	}
	return o.callback(t, b, o.atProvider(t, b, "/auth/oidc/mock", form))
}

// refusedWith follows a refused callback to the login (or settings) page and checks that the page
// says msg and that the browser is not signed in as anyone new.
func (o *oidcTest) refusedWith(t *testing.T, b *browser, resp *http.Response, msg string) string {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: %d, want 303 to a page with the reason", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	var body string
	for range 3 { // the login page sends a signed-in person on
		r, b2 := b.get(loc)
		body = b2
		if r.StatusCode != http.StatusSeeOther {
			break
		}
		loc = r.Header.Get("Location")
	}
	if !strings.Contains(html.UnescapeString(body), msg) {
		t.Fatalf("the page after the callback does not say %q", msg)
	}
	return body
}

func (o *oidcTest) identities(t *testing.T, email string) int64 {
	return countRows(t, o.testApp, `SELECT count(*) FROM user_identities i JOIN users u ON u.id = i.user_id WHERE u.email = ?`, email)
}

func signedInAs(t *testing.T, b *browser, name string) {
	t.Helper()
	resp, body := b.get("/settings/profile")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, name) {
		t.Fatalf("not signed in as %q: /settings/profile answered %d", name, resp.StatusCode)
	}
}

func signedOut(t *testing.T, b *browser) {
	t.Helper()
	if resp, _ := b.get("/settings/profile"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed in: /settings/profile answered %d", resp.StatusCode)
	}
}

func TestOIDCCreatesAnAccountThenSignsInAgain(t *testing.T) {
	t.Parallel()
	o := newOIDCTest(t, nil)
	ctx := context.Background()
	ada := person{Subject: "ada-sub", Email: "ada@example.com", Name: "Ada Lovelace"}

	b := o.browser()
	resp, _ := o.continueWith(t, b, ada, "/portfolio")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/portfolio" {
		t.Fatalf("callback: %d to %q, want 303 to /portfolio", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, ok := b.cookies["aw_oidc"]; ok {
		t.Error("the flow cookie outlives the callback")
	}
	signedInAs(t, b, "Ada Lovelace")
	u, err := models.UserByEmail(ctx, o.db.Gorm, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !u.EmailVerified() || u.PasswordHash != "" || !u.Active {
		t.Errorf("new account: verified %v, password %q, active %v; want verified, no password, active", u.EmailVerified(), u.PasswordHash, u.Active)
	}
	if n := countRows(t, o.testApp, `SELECT count(*) FROM paper_accounts WHERE user_id = ?`, u.ID); n != 1 {
		t.Errorf("paper accounts: %d, want the first one opened at sign-up", n)
	}
	if n := countRows(t, o.testApp, `SELECT count(*) FROM user_identities WHERE user_id = ? AND subject = 'ada-sub' AND issuer = ?`, u.ID, o.mock.Issuer()); n != 1 {
		t.Errorf("identities keyed by issuer and subject: %d, want 1", n)
	}

	t.Run("again, from another browser", func(t *testing.T) {
		other := o.browser()
		// The provider now gives another address: the identity, not the address, finds the account.
		resp, _ := o.continueWith(t, other, person{Subject: "ada-sub", Email: "ada@new.example", Name: "Ada L."}, "")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != afterLogin {
			t.Fatalf("callback: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		signedInAs(t, other, "Ada Lovelace")
		if n := countRows(t, o.testApp, `SELECT count(*) FROM users`); n != 1 {
			t.Errorf("users: %d, want still 1", n)
		}
	})
	t.Run("the password form does not open it", func(t *testing.T) {
		nb := o.browser()
		nb.get("/login")
		if resp, _ := nb.post("/login", url.Values{"email": {"ada@example.com"}, "password": {""}}); resp.StatusCode == http.StatusSeeOther {
			t.Error("an empty password signed in to a provider-made account")
		}
	})
	t.Run("a foreign next is dropped", func(t *testing.T) {
		nb := o.browser()
		resp, _ := o.continueWith(t, nb, ada, "//evil.example/x")
		if loc := resp.Header.Get("Location"); loc != afterLogin {
			t.Errorf("Location %q, want %q", loc, afterLogin)
		}
	})
}

func TestOIDCLinkFromSettingsAndUnlink(t *testing.T) {
	t.Parallel()
	o := newOIDCTest(t, nil)
	grace := o.createUser("grace@example.com", goodPassword)
	b := o.browser()
	b.login("grace@example.com", goodPassword)
	if _, body := b.get("/settings/sign-in"); !strings.Contains(body, `data-testid="link-mock"`) {
		t.Fatal("the sign-in methods page has no Link button")
	}
	// The provider account's address differs: linking is by who signed in at the provider.
	o.mock.QueueUser(person{Subject: "grace-sub", Email: "hopper@navy.example", Name: "G. Hopper"})
	resp, _ := o.callback(t, b, o.atProvider(t, b, "/settings/sign-in/mock/link", nil))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/settings/sign-in" {
		t.Fatalf("link callback: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := b.get("/settings/sign-in")
	if !strings.Contains(body, "hopper@navy.example") || !strings.Contains(body, "is linked") {
		t.Fatal("the settings page does not list the linked identity")
	}
	if n := o.identities(t, "grace@example.com"); n != 1 {
		t.Fatalf("identities: %d", n)
	}

	nb := o.browser()
	o.continueWith(t, nb, person{Subject: "grace-sub", Email: "hopper@navy.example"}, "")
	signedInAs(t, nb, grace.Name)

	t.Run("an identity linked elsewhere is refused", func(t *testing.T) {
		o.createUser("other@example.com", goodPassword)
		ob := o.browser()
		ob.login("other@example.com", goodPassword)
		o.mock.QueueUser(person{Subject: "grace-sub", Email: "hopper@navy.example"})
		resp, _ := o.callback(t, ob, o.atProvider(t, ob, "/settings/sign-in/mock/link", nil))
		o.refusedWith(t, ob, resp, "already linked to another")
		if n := o.identities(t, "other@example.com"); n != 0 {
			t.Errorf("identities of the other account: %d", n)
		}
	})

	t.Run("a link finishes only in the session that started it", func(t *testing.T) {
		o.mock.QueueUser(person{Subject: "grace-second", Email: "g2@example.com"})
		back := o.atProvider(t, b, "/settings/sign-in/mock/link", nil)
		stolen := o.browser()
		stolen.login("other@example.com", goodPassword)
		stolen.cookies["aw_oidc"] = b.cookies["aw_oidc"]
		resp, _ := o.callback(t, stolen, back)
		o.refusedWith(t, stolen, resp, "no longer signed in as the person who started it")
		if n := countRows(t, o.testApp, `SELECT count(*) FROM user_identities WHERE subject = 'grace-second'`); n != 0 {
			t.Errorf("linked from another session: %d", n)
		}
	})

	t.Run("unlink", func(t *testing.T) {
		_, body := b.get("/settings/sign-in")
		id := between(body, `/settings/sign-in/`, `/unlink`)
		resp, _ := b.post("/settings/sign-in/"+id+"/unlink", nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("unlink: %d", resp.StatusCode)
		}
		if n := o.identities(t, "grace@example.com"); n != 0 {
			t.Fatalf("identities after unlink: %d", n)
		}
		// The provider account is a stranger again: its verified address has no account, so a new
		// one is made for it; Grace's is not opened.
		nb := o.browser()
		o.continueWith(t, nb, person{Subject: "grace-sub", Email: "hopper@navy.example", Name: "Someone New"}, "")
		signedInAs(t, nb, "Someone New")
	})

	t.Run("not the last way to sign in", func(t *testing.T) {
		nb := o.browser()
		o.continueWith(t, nb, person{Subject: "solo-sub", Email: "solo@example.com", Name: "Solo"}, "")
		_, body := nb.get("/settings/sign-in")
		if !strings.Contains(body, `data-testid="unlink-blocked"`) || strings.Contains(body, `data-testid="unlink-identity"`) {
			t.Error("the page offers to unlink the only way to sign in")
		}
		var id int64
		o.db.Gorm.Raw(`SELECT id FROM user_identities WHERE subject = 'solo-sub'`).Scan(&id)
		resp, _ := nb.post("/settings/sign-in/"+itoa(id)+"/unlink", nil)
		o.refusedWith(t, nb, resp, "This is your only way to sign in.")
		if n := o.identities(t, "solo@example.com"); n != 1 {
			t.Errorf("identities: %d, want the last one kept", n)
		}
		// Someone else's identity is not found, whatever its id.
		_, _ = b.post("/settings/sign-in/"+itoa(id)+"/unlink", nil)
		if n := o.identities(t, "solo@example.com"); n != 1 {
			t.Error("another user unlinked it")
		}
	})
}

func TestOIDCRefusesAnUnverifiedAddress(t *testing.T) {
	t.Parallel()
	o := newOIDCTest(t, nil)
	o.createUser("known@example.com", goodPassword)
	const msg = "did not confirm that the e-mail address of this account is verified"
	var pages []string
	for _, email := range []string{"known@example.com", "nobody@example.com"} {
		b := o.browser()
		resp, _ := o.continueWith(t, b, person{Subject: "sub-" + email, Email: email, Unverified: true}, "")
		pages = append(pages, stripVolatile(o.refusedWith(t, b, resp, msg)))
		signedOut(t, b)
	}
	if pages[0] != pages[1] {
		t.Errorf("the refusal differs for a known address:\n%s\n%s", pages[0], pages[1])
	}
	if n := countRows(t, o.testApp, `SELECT count(*) FROM users`); n != 1 {
		t.Errorf("users: %d, want none created", n)
	}
	if n := countRows(t, o.testApp, `SELECT count(*) FROM user_identities`); n != 0 {
		t.Errorf("identities: %d, want none", n)
	}
}

// The pre-hijack of the original system: someone signs up with a victim's address first. Here that
// unverified account is neither signed in to nor linked when the victim comes with a provider.
func TestOIDCDoesNotTakeOverAnAccountWithTheSameAddress(t *testing.T) {
	t.Parallel()
	o := newOIDCTest(t, nil)
	o.signUpUnconfirmed("victim@example.com") // the attacker's account, with the victim's address
	victim := o.browser()
	resp, _ := o.continueWith(t, victim, person{Subject: "victim-sub", Email: "victim@example.com", Name: "Victim"}, "")
	o.refusedWith(t, victim, resp, "An account already uses the e-mail address Mock ID gave")
	signedOut(t, victim)
	if n := o.identities(t, "victim@example.com"); n != 0 {
		t.Errorf("the identity was linked to the existing account (%d)", n)
	}
	u := mustUser(t, o.testApp, "victim@example.com")
	if u.EmailVerified() {
		t.Error("the attacker's account was marked verified")
	}
	if n := countRows(t, o.testApp, `SELECT count(*) FROM sessions WHERE user_id = ?`, u.ID); n != 0 {
		t.Errorf("sessions of the existing account: %d", n)
	}
}

func TestOIDCRefusesADisabledAccount(t *testing.T) {
	t.Parallel()
	o := newOIDCTest(t, nil)
	p := person{Subject: "eve-sub", Email: "eve@example.com", Name: "Eve"}
	o.continueWith(t, o.browser(), p, "")
	u := mustUser(t, o.testApp, "eve@example.com")
	if err := o.svc.Accounts.SetActive(context.Background(), u.ID, false); err != nil {
		t.Fatal(err)
	}
	b := o.browser()
	resp, _ := o.continueWith(t, b, p, "")
	o.refusedWith(t, b, resp, "This account has been disabled")
	signedOut(t, b)
}

func TestOIDCRefusesForgedAnswers(t *testing.T) {
	t.Parallel()
	o := newOIDCTest(t, nil)
	ada := person{Subject: "ada-sub", Email: "ada@example.com", Name: "Ada"}
	const unverifiable = "could not be verified"
	const mismatch = "could not be matched to this browser"

	for _, tc := range []struct {
		name    string
		run     func(b *browser) (*http.Response, string)
		message string
	}{
		{"state changed", func(b *browser) (*http.Response, string) {
			b.get("/login")
			o.mock.QueueUser(ada)
			back := o.atProvider(t, b, "/auth/oidc/mock", url.Values{})
			q := back.Query()
			q.Set("state", q.Get("state")+"x")
			back.RawQuery = q.Encode()
			return o.callback(t, b, back)
		}, mismatch},
		{"another browser's callback", func(b *browser) (*http.Response, string) {
			victim := o.browser()
			victim.get("/login")
			o.mock.QueueUser(ada)
			back := o.atProvider(t, victim, "/auth/oidc/mock", url.Values{})
			b.get("/login")
			o.atProvider(t, b, "/auth/oidc/mock", url.Values{}) // b has a flow of its own
			return o.callback(t, b, back)
		}, mismatch},
		{"no flow at all", func(b *browser) (*http.Response, string) {
			o.mock.QueueUser(ada)
			b.get("/login")
			back := o.atProvider(t, b, "/auth/oidc/mock", url.Values{})
			delete(b.cookies, "aw_oidc")
			return o.callback(t, b, back)
		}, mismatch},
		{"nonce changed", func(b *browser) (*http.Response, string) {
			p := ada
			p.Nonce = "not-the-apps-nonce"
			return o.continueWith(t, b, p, "")
		}, unverifiable},
		{"ID token for another audience", func(b *browser) (*http.Response, string) {
			p := ada
			p.Audience = []string{"another-client"}
			return o.continueWith(t, b, p, "")
		}, unverifiable},
		{"ID token issued before the flow", func(b *browser) (*http.Response, string) {
			p := ada
			p.IssuedAt = time.Now().Add(-time.Hour)
			return o.continueWith(t, b, p, "")
		}, unverifiable},
		{"ID token from the future", func(b *browser) (*http.Response, string) {
			p := ada
			p.IssuedAt = time.Now().Add(10 * time.Minute)
			return o.continueWith(t, b, p, "")
		}, unverifiable},
		{"refused at the provider", func(b *browser) (*http.Response, string) {
			o.deny.Store(true)
			return o.continueWith(t, b, ada, "")
		}, "Signing in with Mock ID was cancelled or refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Each case is one forged answer; the limits that several of them trip are
			// TestOIDCCallbackHasTheLoginLimits' subject.
			if err := o.db.Gorm.Exec(`DELETE FROM rate_limits`).Error; err != nil {
				t.Fatal(err)
			}
			b := o.browser()
			resp, _ := tc.run(b)
			o.refusedWith(t, b, resp, tc.message)
			signedOut(t, b)
			if n := countRows(t, o.testApp, `SELECT count(*) FROM users`); n != 0 {
				t.Errorf("users: %d, want none", n)
			}
		})
	}
}

// The login page's limits apply to the callback: a client that failed at the password form waits
// at the callback too, and forged callbacks count as failures at the password form.
func TestOIDCCallbackHasTheLoginLimits(t *testing.T) {
	t.Parallel()
	o := newOIDCTest(t, testProxyVars(map[string]string{"RATE_LIMIT_AUTH": "3/10m"}))
	o.createUser("ada@example.com", goodPassword)

	b := o.browser()
	b.get("/login")
	for i := range 3 {
		b.post("/login", url.Values{"email": {"ada@example.com"}, "password": {"wrong " + itoa(int64(i))}})
	}
	o.mock.QueueUser(person{Subject: "s1", Email: "s1@example.com"})
	back := o.atProvider(t, b, "/auth/oidc/mock", url.Values{})
	if resp, _ := o.callback(t, b, back); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("callback after 3 failed logins: %d, want 429 with Retry-After", resp.StatusCode)
	}

	t.Run("forged callbacks count at the login form", func(t *testing.T) {
		c := o.browser()
		c.get("/login")
		for range 3 {
			c.sendFrom("198.51.100.7", "/auth/oidc/mock/callback?state=forged&code=x")
		}
		resp, _ := c.postFrom("198.51.100.7", "/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("login after 3 forged callbacks: %d, want 429", resp.StatusCode)
		}
	})
}

func TestOIDCWithoutProvidersChangesNothing(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	for _, page := range []string{"/login", "/signup"} {
		if _, body := b.get(page); strings.Contains(body, "oidc-buttons") || strings.Contains(body, "Continue with") {
			t.Errorf("%s shows provider buttons", page)
		}
	}
	b.login("ada@example.com", goodPassword)
	if _, body := b.get("/settings/profile"); strings.Contains(body, "/settings/sign-in") {
		t.Error("the settings navigation links the sign-in methods page")
	}
	if resp, _ := b.get("/settings/sign-in"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/settings/sign-in: %d, want 404", resp.StatusCode)
	}
	b.get("/login")
	if resp, _ := b.post("/auth/oidc/google", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("start with an unconfigured provider: %d, want 404", resp.StatusCode)
	}
}

func TestOIDCButtonsAndPolicy(t *testing.T) {
	t.Parallel()
	o := newOIDCTest(t, nil)
	for _, page := range []string{"/login", "/signup"} {
		resp, body := o.browser().get(page)
		if !strings.Contains(body, `data-testid="oidc-mock"`) || !strings.Contains(body, "Continue with Mock ID") {
			t.Errorf("%s has no Continue with button", page)
		}
		origin := strings.TrimSuffix(o.mock.Issuer(), "/oidc")
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+origin) {
			t.Errorf("%s: form-action does not allow the provider: %q", page, csp)
		}
	}
}

// sendFrom GETs path as a client at ip (behind the trusted proxy testProxyVars sets).
func (b *browser) sendFrom(ip, path string) (*http.Response, string) {
	b.app.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("X-Forwarded-For", ip)
	return b.send(req)
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return ""
}
