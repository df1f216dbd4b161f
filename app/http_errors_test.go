package app

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/config"
)

// rawExchange sends raw bytes to addr, as a client fasthttp refuses before routing would, and
// reads the one response.
func rawExchange(t *testing.T, addr, head string, body io.Reader) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	go func() {
		_, _ = io.WriteString(conn, head)
		if body != nil {
			_, _ = io.Copy(conn, body)
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(raw)
}

// chunkedBody is an endless chunked body, 64 KiB a chunk, up to max bytes.
func chunkedBody(max int) io.Reader {
	chunk := fmt.Sprintf("%x\r\n%s\r\n", 64<<10, strings.Repeat("a", 64<<10))
	return strings.NewReader(strings.Repeat(chunk, max/(64<<10)) + "0\r\n\r\n")
}

func assertProblem(t *testing.T, what string, resp *http.Response, body string, want int) {
	t.Helper()
	var p Problem
	if resp.StatusCode != want || resp.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal([]byte(body), &p) != nil || p.Status != want {
		t.Errorf("%s: %d %q, want %d problem JSON:\n%.300s", what, resp.StatusCode, resp.Header.Get("Content-Type"), want, body)
	}
}

func TestHTTPLayerErrorsOnTheAPIAreProblemJSON(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.srv.Serve(ln) }()
	t.Cleanup(func() { _ = a.srv.Handler().Shutdown() })
	addr := ln.Addr().String()

	resp, body := rawExchange(t, addr, "POST /api/v1/auth/token HTTP/1.1\r\nHost: app.test\r\nContent-Type: application/json\r\n"+
		"Accept: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", chunkedBody(5<<20))
	assertProblem(t, "chunked body over the limit", resp, body, http.StatusRequestEntityTooLarge)

	resp, body = rawExchange(t, addr, "GET /api/v1/market/clock HTTP/1.1\r\nHost: app.test\r\nAccept: application/json\r\n"+
		"X-Padding: "+strings.Repeat("a", 16<<10)+"\r\n\r\n", nil)
	assertProblem(t, "headers too large", resp, body, http.StatusRequestHeaderFieldsTooLarge)

	// A request that was parsed keeps its kind: a page is still a page.
	resp, _ = rawExchange(t, addr, "GET /no-such-page HTTP/1.1\r\nHost: app.test\r\nAccept: text/html\r\n\r\n", nil)
	if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("page 404: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestDevelopmentProblemsNeverShowHowToReachTheDatabase(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(func(name string) (string, bool) {
		v, ok := map[string]string{"APP_ENV": "development", "DATABASE_URL": "postgres://app:hunter2@db.internal:5432/app"}[name]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	s := newBareServer(ServerDeps{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.fiber.Get("/api/v1/leak", func(*fiber.Ctx) error {
		// What pgx says when a query fails for a reason that is not the connection's.
		return errors.New("models: list: failed to connect to `user=app database=app host=db.internal`: 10.1.2.3:5432 ([::1]:5432): " +
			"server error: postgres://app:hunter2@db.internal:5432/app")
	})
	resp, body := get(t, s, "/api/v1/leak")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, secret := range []string{"hunter2", "db.internal", "10.1.2.3", "5432", "user=app", "::1"} {
		if strings.Contains(body, secret) {
			t.Errorf("development problem shows %q: %s", secret, body)
		}
	}
	if !strings.Contains(body, "models: list") {
		t.Errorf("the rest of the error is still shown in development: %s", body)
	}
}
