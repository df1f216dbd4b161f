package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"alpacawrapper/database"
	"alpacawrapper/database/localpg"
)

// ownCluster is a PostgreSQL cluster of the test's own, migrated, that the test may stop or freeze
// without touching the cluster every other test shares.
type ownCluster struct {
	t      *testing.T
	dir    string
	pg     *localpg.Cluster
	db     *database.DB
	paused []int
}

func newOwnCluster(t *testing.T) *ownCluster {
	t.Helper()
	// A folder the postgres user can enter when tests run as root (t.TempDir's are 0700).
	dir, err := os.MkdirTemp("", "aw-outage-*")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	oc := &ownCluster{t: t, dir: dir}
	t.Cleanup(func() {
		oc.resume()
		if oc.db != nil {
			oc.db.Close()
		}
		_ = localpg.Stop(context.Background(), dir)
		_ = os.RemoveAll(dir)
	})
	if oc.pg, err = localpg.Start(ctx, localpg.Options{Dir: filepath.Join(dir, "pg"), BinDir: os.Getenv("PG_BIN_DIR")}); err != nil {
		t.Fatal(err)
	}
	if oc.db, err = database.Open(ctx, database.Options{URL: oc.pg.URL(""), MaxConns: 8, Logger: quietLog()}); err != nil {
		t.Fatal(err)
	}
	m, err := database.NewMigrator(oc.db.SQL, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	return oc
}

// stop shuts the server down as an operator would (pg_ctl stop, fast mode): open connections are
// ended with "terminating connection due to administrator command", new ones are refused.
func (oc *ownCluster) stop() {
	oc.t.Helper()
	if err := localpg.Stop(context.Background(), filepath.Join(oc.dir, "pg")); err != nil {
		oc.t.Fatal(err)
	}
}

// pause freezes the server: SIGSTOP to the postmaster and every backend, so connections are
// accepted by the kernel and queries sent, but nothing ever answers. Cleanup resumes it.
func (oc *ownCluster) pause() {
	oc.t.Helper()
	pidFile, err := os.ReadFile(filepath.Join(oc.pg.DataDir(), "postmaster.pid"))
	if err != nil {
		oc.t.Fatal(err)
	}
	postmaster, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0]))
	if err != nil {
		oc.t.Fatal(err)
	}
	// The postmaster first, so it forks no new backend while we stop the others.
	pids := append([]int{postmaster}, childrenOf(postmaster)...)
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			oc.t.Fatalf("SIGSTOP %d: %v", pid, err)
		}
		oc.paused = append(oc.paused, pid)
	}
}

func (oc *ownCluster) resume() {
	for _, pid := range oc.paused {
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
	oc.paused = nil
}

// childrenOf lists the processes whose parent is pid, from /proc.
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

// tokenRequest is a JSON API request that needs the database (credentials are looked up).
func tokenRequest() *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/token",
		strings.NewReader(`{"email":"ann@example.com","password":"a long passphrase"}`))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// assertUnavailable checks the answer to a request made while the database is away: 503 with
// Retry-After, in the shape the client asked for, naming no host, port, user or connection string.
func assertUnavailable(t *testing.T, resp *http.Response, body, wantType string, oc *ownCluster) {
	t.Helper()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503:\n%.600s", resp.StatusCode, body)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("a 503 must say when to retry (Retry-After)")
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, wantType) {
		t.Errorf("content type %q, want %s", ct, wantType)
	}
	for _, secret := range []string{"127.0.0.1", strconv.Itoa(oc.pg.Port()), "user=", localpg.User + "@", "postgres://", "dial tcp", "failed to connect"} {
		if strings.Contains(body, secret) {
			t.Errorf("the answer shows %q:\n%.600s", secret, body)
		}
	}
}

func TestDatabaseOutageAnswers503(t *testing.T) {
	oc := newOwnCluster(t)
	// Development shows internal errors' text; a database outage must still show none of its own.
	app := newTestAppWith(t, testAppOptions{db: oc.db, vars: map[string]string{"APP_ENV": "development", "REQUEST_TIMEOUT": "3s"}})
	app.createUser("ann@example.com", "a long passphrase")
	b := app.browser()
	b.login("ann@example.com", "a long passphrase")

	oc.stop()

	resp, body := b.get("/settings/profile")
	assertUnavailable(t, resp, body, "text/html", oc)
	if !strings.Contains(body, "cannot reach its database") {
		t.Errorf("the page does not say what is wrong:\n%.600s", body)
	}
	b.htmx = true
	resp, body = b.get("/settings/profile")
	assertUnavailable(t, resp, body, "text/html", oc)
	resp, body = app.do(tokenRequest())
	assertUnavailable(t, resp, body, "application/problem+json", oc)
	if !strings.Contains(body, `"status":503`) {
		t.Errorf("problem JSON: %s", body)
	}
}

func TestFrozenDatabaseAnswers503WithinTheRequestDeadline(t *testing.T) {
	oc := newOwnCluster(t)
	const deadline = time.Second
	app := newTestAppWith(t, testAppOptions{db: oc.db, vars: map[string]string{"REQUEST_TIMEOUT": deadline.String()}})
	app.createUser("ann@example.com", "a long passphrase")
	b := app.browser()
	b.login("ann@example.com", "a long passphrase")

	oc.pause()

	for _, tc := range []struct {
		name     string
		send     func() (*http.Response, string)
		wantType string
	}{
		{"page", func() (*http.Response, string) { return b.get("/settings/profile") }, "text/html"},
		{"api", func() (*http.Response, string) { return app.do(tokenRequest()) }, "application/problem+json"},
	} {
		start := time.Now()
		resp, body := tc.send()
		took := time.Since(start)
		t.Logf("%s: %d after %s (deadline %s)", tc.name, resp.StatusCode, took.Round(time.Millisecond), deadline)
		assertUnavailable(t, resp, body, tc.wantType, oc)
		if took > deadline+2*time.Second {
			t.Errorf("%s: answered after %s; the deadline is %s", tc.name, took, deadline)
		}
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
