package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"alpacawrapper/auth"
	"alpacawrapper/config"
	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/mail"
	"alpacawrapper/market"
	"alpacawrapper/market/sim"
	"alpacawrapper/models"
)

// testClock is a clock tests move by hand, to expire tokens and sessions without waiting.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testApp is the whole web application on a database of its own, with a controllable clock and the
// log captured, driven in-process.
type testApp struct {
	t     *testing.T
	srv   *Server
	svc   *Services
	db    *database.DB
	logs  *syncBuffer
	clock *testClock
}

// newTestApp builds the app. vars override environment variables (e.g. "RATE_LIMIT_AUTH": "3/1m").
func newTestApp(t *testing.T, vars map[string]string) *testApp {
	t.Helper()
	return newTestAppWith(t, testAppOptions{vars: vars})
}

// testAppOptions tune newTestAppWith. The zero value is newTestApp's app.
type testAppOptions struct {
	// vars override environment variables, as newTestApp's argument does.
	vars map[string]string
	// provider replaces the harness's market (the simulator with seed 7 on the test clock, whose
	// prices stand still until the clock is moved).
	provider market.Provider
	// hasher replaces the harness's fast password hasher (to bound it differently).
	hasher *auth.Hasher
	// configuredProvider leaves the choice to configuration, as `serve` does: Alpaca when the
	// ALPACA_* variables are set, else the simulated market on the real clock.
	configuredProvider bool
	// db is the database to run on (a cluster of the test's own, to stop or freeze); default: a
	// fresh migrated database from dbtest.
	db *database.DB
}

// newTestAppWith builds the app with the given options.
func newTestAppWith(t *testing.T, o testAppOptions) *testApp {
	t.Helper()
	a := buildTestApp(t, o)
	a.t = t
	return a
}

// buildTestApp is newTestAppWith for any testing.TB (a fuzz target builds its app once, on the
// *testing.F); the caller sets the returned app's t before using its helpers.
func buildTestApp(t testing.TB, o testAppOptions) *testApp {
	t.Helper()
	vars := o.vars
	env := map[string]string{
		"APP_ENV": "test", "DATABASE_URL": "postgres://unused/app", "DATA_DIR": t.TempDir(),
		"BASE_URL": "http://app.test", "RATE_LIMIT_AUTH": "100/1m",
	}
	for k, v := range vars {
		env[k] = v
	}
	cfg, err := config.Load(func(name string) (string, bool) { v, ok := env[name]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	db := o.db
	if db == nil {
		db = dbtest.DB(t)
	}
	migrator, err := database.NewMigrator(db.SQL, nil)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := &testClock{now: time.Now().UTC()}
	provider := o.provider
	if provider == nil && !o.configuredProvider {
		provider = sim.New(sim.Options{Seed: 7, Now: clock.Now})
	}
	hasher := o.hasher
	if hasher == nil {
		hasher = auth.NewFastHasher()
	}
	svc, err := NewServices(cfg, db, log, ServicesOptions{Now: clock.Now, Hasher: hasher, Provider: provider})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(ServerDeps{Config: cfg, Logger: log, Version: "test", Ready: readiness{db, migrator}, Services: svc})
	return &testApp{srv: srv, svc: svc, db: db, logs: logs, clock: clock}
}

// do sends one request through the whole stack.
func (a *testApp) do(req *http.Request) (*http.Response, string) {
	a.t.Helper()
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := a.srv.Handler().Test(req, -1)
	if err != nil {
		a.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// Every exchange with the JSON API is checked against its OpenAPI document.
	checkAPIExchange(a.t, req, reqBody, resp.StatusCode, resp.Header, body)
	return resp, string(body)
}

// createUser signs a person up through the real service and confirms their address.
func (a *testApp) createUser(email, password string) *models.User {
	a.t.Helper()
	ctx := context.Background()
	err := a.svc.Accounts.SignUp(ctx, auth.SignUpInput{Name: "Test " + strings.Split(email, "@")[0], Email: email,
		Password: password, PasswordConfirm: password, AcceptTerms: true})
	if err != nil {
		a.t.Fatalf("sign up %s: %v", email, err)
	}
	if _, err := a.svc.Accounts.VerifyEmail(ctx, a.tokenFromMail(email, "/verify?token=")); err != nil {
		a.t.Fatalf("verify %s: %v", email, err)
	}
	u, err := models.UserByEmail(ctx, a.db.Gorm, email)
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// mails returns the e-mails queued for an address, oldest first, read from River's job table: what
// the worker would send.
func (a *testApp) mails(to string) []mail.Message {
	a.t.Helper()
	var rows []string
	err := a.db.Gorm.Raw("SELECT args::text FROM river_job WHERE kind = 'send_email' ORDER BY id").Scan(&rows).Error
	if err != nil {
		a.t.Fatal(err)
	}
	var out []mail.Message
	for _, r := range rows {
		var args struct {
			Message mail.Message `json:"message"`
		}
		if err := json.Unmarshal([]byte(r), &args); err != nil {
			a.t.Fatal(err)
		}
		if strings.EqualFold(args.Message.To, to) {
			out = append(out, args.Message)
		}
	}
	return out
}

var linkPattern = regexp.MustCompile(`https?://\S+`)

// tokenFromMail finds, in the newest e-mail to `to`, the link containing marker and returns its token.
func (a *testApp) tokenFromMail(to, marker string) string {
	a.t.Helper()
	msgs := a.mails(to)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, link := range linkPattern.FindAllString(msgs[i].Text, -1) {
			if strings.Contains(link, marker) {
				u, _ := url.Parse(link)
				return u.Query().Get("token")
			}
		}
	}
	a.t.Fatalf("no e-mail to %s with a link containing %q", to, marker)
	return ""
}

// browser is a cookie-keeping client that behaves like a person's browser: it remembers the CSRF
// token of the last page it saw and sends it with forms.
type browser struct {
	app     *testApp
	cookies map[string]string
	csrf    string
	htmx    bool
}

func (a *testApp) browser() *browser { return &browser{app: a, cookies: map[string]string{}} }

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)

func (b *browser) send(req *http.Request) (*http.Response, string) {
	b.app.t.Helper()
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if b.htmx {
		req.Header.Set(hxRequest, "true")
	}
	resp, body := b.app.do(req)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	if m := csrfMeta.FindStringSubmatch(body); m != nil && m[1] != "" {
		b.csrf = m[1]
	}
	return resp, body
}

func (b *browser) get(path string) (*http.Response, string) {
	b.app.t.Helper()
	return b.send(httptest.NewRequest(http.MethodGet, path, nil))
}

// post submits a form with the page's CSRF token (unless the form sets _csrf itself).
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.app.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", b.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

// login goes through the login page like a person.
func (b *browser) login(email, password string) *http.Response {
	b.app.t.Helper()
	b.get("/login")
	resp, body := b.post("/login", url.Values{"email": {email}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		b.app.t.Fatalf("login %s: status %d\n%s", email, resp.StatusCode, body)
	}
	return resp
}
