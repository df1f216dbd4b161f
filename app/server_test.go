package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/config"
	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m, writeAPIContractReport) }

// syncBuffer collects log output written from Fiber's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testBundle struct {
	logs *syncBuffer
	db   *database.DB
}

// setup builds a server on its own database. env picks development or production behaviour.
func setup(t testing.TB, env config.Env) (*Server, *testBundle) {
	t.Helper()
	cfg, err := config.Load(func(name string) (string, bool) {
		switch name {
		case "APP_ENV":
			return string(env), true
		case "DATABASE_URL":
			return "postgres://unused/app", true
		case "SECRET_KEY":
			return "k3J9xq2LmP8vR5tZ1wB7nC4yH6dF0sGa-Qe", true
		case "SMTP_HOST":
			return "smtp.invalid", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	db := dbtest.DB(t)
	migrator, err := database.NewMigrator(db.SQL, nil)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	deps := ServerDeps{
		Config: cfg, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Version: "test-version", Ready: readiness{db, migrator},
	}
	s := newBareServer(deps)
	s.fiber.Get("/boom", func(*fiber.Ctx) error { return errors.New("pq: password authentication failed for user secret_user") })
	s.fiber.Get("/panic", func(*fiber.Ctx) error { panic("nil map write in handler") })
	s.fiber.Get("/rejected", func(*fiber.Ctx) error {
		return apperr.Invalid(map[string]string{"qty": "Quantity must be greater than zero."})
	})
	s.routes()
	return s, &testBundle{logs: logs, db: db}
}

func do(t *testing.T, s *Server, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := s.Handler().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func get(t *testing.T, s *Server, path string, headers ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, s, req)
}

func TestLandingPage(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, config.Development)
	resp, body := get(t, s, "/")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != fiber.MIMETextHTMLCharsetUTF8 {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{`data-testid="landing-hero"`, "<title>", "/static/css/app.css?v=", "test-version"} {
		if !strings.Contains(body, want) {
			t.Errorf("landing page lacks %q", want)
		}
	}
}

func TestNotFoundByRequestKind(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, config.Production)

	t.Run("page", func(t *testing.T) {
		resp, body := get(t, s, "/no/such/page")
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "<html") {
			t.Fatalf("status %d, full page %v", resp.StatusCode, strings.Contains(body, "<html"))
		}
		if !strings.Contains(body, "Not Found") || !strings.Contains(body, resp.Header.Get("X-Request-ID")) {
			t.Error("404 page must name the error and show the request id")
		}
	})
	t.Run("htmx fragment", func(t *testing.T) {
		resp, body := get(t, s, "/no/such/page", hxRequest, "true")
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "<html") || !strings.Contains(body, "Not Found") {
			t.Fatalf("status %d body %q", resp.StatusCode, body)
		}
	})
	t.Run("json problem", func(t *testing.T) {
		resp, body := get(t, s, "/api/v1/nothing")
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var p Problem
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		if p.Status != 404 || p.Title != "Not Found" || p.RequestID != resp.Header.Get("X-Request-ID") {
			t.Errorf("problem = %+v", p)
		}
	})
}

func TestInternalErrorsAreHiddenInProduction(t *testing.T) {
	t.Parallel()
	const secret = "secret_user"
	prod, prodBundle := setup(t, config.Production)
	dev, _ := setup(t, config.Development)

	for _, path := range []string{"/boom", "/panic"} {
		resp, body := get(t, prod, path)
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("%s: status %d", path, resp.StatusCode)
		}
		if strings.Contains(body, secret) || strings.Contains(body, "nil map") || strings.Contains(body, "goroutine") {
			t.Errorf("%s: production page shows internals", path)
		}
		if !strings.Contains(body, internalErrorDetail) {
			t.Errorf("%s: production page lacks the friendly message", path)
		}
		_, jsonBody := get(t, prod, path, "Accept", "application/json")
		if strings.Contains(jsonBody, secret) || strings.Contains(jsonBody, "nil map") {
			t.Errorf("%s: production JSON shows internals: %s", path, jsonBody)
		}
	}
	if logs := prodBundle.logs.String(); !strings.Contains(logs, secret) || !strings.Contains(logs, "goroutine") {
		t.Error("the real error and the panic's stack must reach the log")
	}

	_, body := get(t, dev, "/boom")
	if !strings.Contains(body, secret) {
		t.Error("development shows the real error to the developer")
	}
}

func TestRejectionsReachThePersonInEveryEnvironment(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, config.Production)
	resp, body := get(t, s, "/rejected", "Accept", "application/json")
	var p Problem
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 422 || p.Code != "invalid_input" || p.Detail != "Quantity must be greater than zero." || p.Errors["qty"] == "" {
		t.Errorf("status %d problem %+v", resp.StatusCode, p)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, b := setup(t, config.Development)

	readyz := func() (int, map[string]any) {
		resp, body := get(t, s, "/readyz")
		var out map[string]any
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("readyz body %q: %v", body, err)
		}
		return resp.StatusCode, out
	}

	if resp, body := get(t, s, "/healthz"); resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz: %d %s", resp.StatusCode, body)
	}
	if code, out := readyz(); code != 200 || out["status"] != "ready" {
		t.Errorf("readyz on a migrated database: %d %v", code, out)
	}

	migrator, _ := database.NewMigrator(b.db.SQL, nil)
	if _, err := migrator.Down(ctx); err != nil {
		t.Fatal(err)
	}
	code, out := readyz()
	if checks, _ := out["checks"].(map[string]any); code != 503 || checks["migrations"] != "pending" {
		t.Errorf("readyz with a pending migration: %d %v", code, out)
	}
	if _, err := migrator.Up(ctx); err != nil {
		t.Fatal(err)
	}

	dbtest.TakeDown(t, b.db)
	code, out = readyz()
	if checks, _ := out["checks"].(map[string]any); code != 503 || checks["database"] != "unreachable" {
		t.Errorf("readyz with the database down: %d %v", code, out)
	}
	if resp, _ := get(t, s, "/healthz"); resp.StatusCode != 200 {
		t.Error("healthz must stay up while the database is down: the process itself is fine")
	}
}

func TestCommonHeaders(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, config.Development)

	resp, _ := get(t, s, "/", "X-Request-ID", "proxy-given-id-123")
	if resp.Header.Get("X-Request-ID") != "proxy-given-id-123" {
		t.Errorf("a well-formed proxy request id is kept, got %q", resp.Header.Get("X-Request-ID"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	if resp.Header.Get("Referrer-Policy") != "same-origin" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("missing security headers")
	}

	resp, _ = get(t, s, "/", "X-Request-ID", "bad id\nwith newline")
	if id := resp.Header.Get("X-Request-ID"); strings.Contains(id, " ") || len(id) != 24 {
		t.Errorf("a malformed request id must be replaced, got %q", id)
	}
}

func TestStaticFilesAreCachedAndCompressed(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, config.Development)

	resp, body := get(t, s, "/static/css/app.css?v=abc", "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 || len(body) == 0 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("versioned URL Cache-Control = %q", cc)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Content-Encoding = %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
	resp, _ = get(t, s, "/static/js/htmx.min.js")
	if cc := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || cc != "public, max-age=300" {
		t.Errorf("bare URL: status %d Cache-Control %q", resp.StatusCode, cc)
	}
	if resp, _ := get(t, s, "/static/nope.js"); resp.StatusCode != 404 {
		t.Errorf("missing static file: %d", resp.StatusCode)
	}
}
