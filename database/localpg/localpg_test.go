package localpg

import (
	"alpacawrapper/internal/testwait"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// helperEnv names the cluster folder for TestHelperProcess, which the tests
// run as a separate process to hold a lease the way another program would.
const helperEnv = "LOCALPG_TEST_HELPER_DIR"

// requireBinaries skips the test when the machine has no PostgreSQL server.
func requireBinaries(t *testing.T) {
	t.Helper()
	if _, err := findBinaries(context.Background(), "", ""); err != nil {
		t.Skipf("skipping: needs PostgreSQL server binaries: %v", err)
	}
}

// testDir makes a cluster folder the postgres user can reach when the tests
// run as root, so that the cluster stays in place (t.TempDir's folders are
// 0700, which would relocate it; TestRootRelocatesBehindClosedFolder covers
// that), and stops the server in it before removing it.
func testDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "localpg-test-*")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := Stop(context.Background(), dir); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		os.RemoveAll(dir)
	})
	return dir
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// testLogger sends the package's log messages to t.Log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// start calls Start and logs how long it took.
func start(t *testing.T, ctx context.Context, opts Options, what string) *Cluster {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	began := time.Now()
	c, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	t.Logf("%s took %v (port %d)", what, time.Since(began).Round(time.Millisecond), c.Port())
	return c
}

func release(t *testing.T, ctx context.Context, c *Cluster) {
	t.Helper()
	if err := c.Release(ctx); err != nil {
		t.Fatalf("release: %v", err)
	}
}

// execSQL runs SQL statements on url.
func execSQL(t *testing.T, ctx context.Context, url string, sql ...string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	defer conn.Close(ctx)
	for _, q := range sql {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// queryInt runs a query returning one integer.
func queryInt(t *testing.T, ctx context.Context, url, sql string) int {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func status(t *testing.T, dir string) Info {
	t.Helper()
	info, err := Status(dir)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return info
}

func wantRunning(t *testing.T, dir string, running bool) Info {
	t.Helper()
	info := status(t, dir)
	if info.Running != running {
		t.Fatalf("running = %v, want %v (status %+v)", info.Running, running, info)
	}
	return info
}

func TestFirstStartReleaseAndReuse(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	ctx, dir := testCtx(t), testDir(t)

	if info := status(t, dir); info.Initialized || info.Running {
		t.Fatalf("fresh folder: status %+v", info)
	}

	c := start(t, ctx, Options{Dir: dir}, "first start (initdb)")
	if n := queryInt(t, ctx, c.URL(""), "SELECT 1"); n != 1 {
		t.Fatalf("SELECT 1 = %d", n)
	}
	if !strings.HasSuffix(c.URL(""), "/app?sslmode=disable") || !strings.HasPrefix(c.URL(""), "postgres://app@127.0.0.1:") {
		t.Errorf("URL = %q", c.URL(""))
	}
	execSQL(t, ctx, c.URL(""), "CREATE TABLE kept (x int)", "INSERT INTO kept VALUES (42)")

	info := wantRunning(t, dir, true)
	if !info.Initialized || info.Port != c.Port() || info.Leases != 1 || info.State != "ready" || info.SocketDir != c.SocketDir() {
		t.Errorf("status %+v, cluster port %d socket %s", info, c.Port(), c.SocketDir())
	}
	if info.URL("app") != c.URL("app") {
		t.Errorf("Info.URL = %q, Cluster.URL = %q", info.URL("app"), c.URL("app"))
	}
	if c.SocketDir() != filepath.Join(dir, "run") || c.Dir() != dir {
		t.Errorf("SocketDir = %q, Dir = %q", c.SocketDir(), c.Dir())
	}
	if _, err := os.Stat(filepath.Join(c.BinDir(), "pg_ctl")); err != nil {
		t.Errorf("BinDir %q: %v", c.BinDir(), err)
	}
	if args := c.PsqlCommand(ctx, "").Args; !strings.Contains(strings.Join(args, " "), "-h "+c.SocketDir()+" -p "+strconv.Itoa(c.Port())+" -U app -d app") {
		t.Errorf("psql args = %q", args)
	}
	pgVersion, err := os.Stat(filepath.Join(dir, "data", "PG_VERSION"))
	if err != nil {
		t.Fatal(err)
	}

	release(t, ctx, c)
	release(t, ctx, c) // a second Release is a no-op
	if info := wantRunning(t, dir, false); info.Leases != 0 || !info.Initialized {
		t.Errorf("after release: %+v", info)
	}

	// A start that fails shows the end of the server log.
	conf := filepath.Join(dir, "data", "postgresql.conf")
	good, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, append(good, "shared_buffers = 'lots'\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Start(ctx, Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "shared_buffers") {
		t.Fatalf("start with a broken config: err = %v, want the log tail naming shared_buffers", err)
	}
	t.Logf("broken start: %v", err)
	if err := os.WriteFile(conf, good, 0o600); err != nil {
		t.Fatal(err)
	}

	began := time.Now()
	c = start(t, ctx, Options{Dir: dir}, "second start (reused data)")
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("reused start took %v, want < 5s", took)
	}
	defer release(t, ctx, c)
	again, err := os.Stat(filepath.Join(dir, "data", "PG_VERSION"))
	if err != nil || !os.SameFile(pgVersion, again) || !again.ModTime().Equal(pgVersion.ModTime()) {
		t.Errorf("data folder was re-initialised")
	}
	if n := queryInt(t, ctx, c.URL(""), "SELECT x FROM kept"); n != 42 {
		t.Errorf("kept row = %d, want 42", n)
	}
}

func TestTwoHandlesInOneProcess(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	ctx, dir := testCtx(t), testDir(t)

	a := start(t, ctx, Options{Dir: dir}, "start a")
	b := start(t, ctx, Options{Dir: dir, Database: "other"}, "start b")
	if a.Port() != b.Port() {
		t.Fatalf("two servers: ports %d and %d", a.Port(), b.Port())
	}
	if n := queryInt(t, ctx, b.URL(""), "SELECT 1"); n != 1 {
		t.Fatal("database other not usable")
	}
	if info := wantRunning(t, dir, true); info.Leases != 2 {
		t.Errorf("leases = %d, want 2", info.Leases)
	}
	release(t, ctx, a)
	wantRunning(t, dir, true)
	release(t, ctx, b)
	wantRunning(t, dir, false)
}

func TestLeaseHeldByAnotherProcess(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	ctx, dir := testCtx(t), testDir(t)

	helper, stdin := startHelper(t, dir)
	c := start(t, ctx, Options{Dir: dir}, "start beside helper")
	release(t, ctx, c)
	if info := wantRunning(t, dir, true); info.Leases != 1 {
		t.Errorf("leases = %d, want the helper's 1", info.Leases)
	}

	stdin.Close() // the helper releases and exits
	if err := helper.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	wantRunning(t, dir, false)
}

func TestConcurrentFirstStarts(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	dir := testDir(t)

	// Several processes race to initialise and start one fresh cluster,
	// like the packages of "go test ./..." do.
	helpers := make([]*helperProc, 4)
	for i := range helpers {
		helpers[i] = spawnHelper(t, dir)
	}
	port := helpers[0].ready(t)
	for _, h := range helpers[1:] {
		if p := h.ready(t); p != port {
			t.Errorf("helpers got ports %d and %d: more than one server", port, p)
		}
	}
	if info := wantRunning(t, dir, true); info.Leases != len(helpers) {
		t.Errorf("leases = %d, want %d", info.Leases, len(helpers))
	}
	for _, h := range helpers {
		h.stdin.Close()
	}
	for _, h := range helpers {
		if err := h.cmd.Wait(); err != nil {
			t.Errorf("helper: %v", err)
		}
	}
	wantRunning(t, dir, false)
}

func TestDeadLeasesAreIgnored(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	ctx, dir := testCtx(t), testDir(t)

	// A real process that took a lease and was killed before releasing.
	helper, _ := startHelper(t, dir)
	helper.Process.Kill()
	helper.Wait()
	// A plain "<pid>" lease of a finished process, and a lease naming our
	// own pid with a wrong start time (as if the pid had been reused).
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	leases := filepath.Join(dir, "leases")
	os.WriteFile(filepath.Join(leases, strconv.Itoa(gone.Process.Pid)), nil, 0o644)
	os.WriteFile(filepath.Join(leases, fmt.Sprintf("%d-reused", os.Getpid())), []byte(fmt.Sprintf("%d 1\n", os.Getpid())), 0o644)

	if info := wantRunning(t, dir, true); info.Leases != 0 {
		t.Errorf("live leases = %d, want 0", info.Leases)
	}
	c := start(t, ctx, Options{Dir: dir}, "start after helper was killed")
	release(t, ctx, c)
	wantRunning(t, dir, false)
	if entries, _ := os.ReadDir(leases); len(entries) != 0 {
		t.Errorf("leases left: %v", entries)
	}
}

func TestRestartAfterKill(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	ctx, dir := testCtx(t), testDir(t)

	c := start(t, ctx, Options{Dir: dir}, "start")
	execSQL(t, ctx, c.URL(""), "CREATE TABLE survivor (x int)", "INSERT INTO survivor VALUES (7)")

	pid := status(t, dir).PID
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	testwait.Until(t, 10*time.Second, fmt.Sprintf("postmaster %d to die after SIGKILL", pid), func() bool { return !processAlive(pid) })
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); err != nil {
		t.Fatalf("expected a stale postmaster.pid: %v", err)
	}
	wantRunning(t, dir, false)

	c2 := start(t, ctx, Options{Dir: dir}, "start after SIGKILL")
	if n := queryInt(t, ctx, c2.URL(""), "SELECT x FROM survivor"); n != 7 {
		t.Errorf("survivor row = %d, want 7", n)
	}
	release(t, ctx, c)
	wantRunning(t, dir, true)
	release(t, ctx, c2)
	wantRunning(t, dir, false)
}

func TestPersistentLeaseAndStop(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	ctx, dir := testCtx(t), testDir(t)

	p := start(t, ctx, Options{Dir: dir, Persistent: true}, "persistent start")
	release(t, ctx, p)
	if info := wantRunning(t, dir, true); !info.Persistent || info.Leases != 1 {
		t.Errorf("status %+v, want the manual lease", info)
	}
	c := start(t, ctx, Options{Dir: dir}, "start beside manual lease")
	release(t, ctx, c)
	wantRunning(t, dir, true)

	if err := Stop(ctx, dir); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if info := wantRunning(t, dir, false); info.Leases != 0 || info.Persistent {
		t.Errorf("after stop: %+v", info)
	}
	if err := Stop(ctx, dir); err != nil {
		t.Errorf("second stop: %v", err)
	}
}

func TestNoBinaries(t *testing.T) {
	t.Parallel()
	// The machine may well have PostgreSQL installed: BinDir must be the
	// only place looked at all the same.
	empty := t.TempDir()
	_, err := Start(context.Background(), Options{Dir: filepath.Join(t.TempDir(), "pg"), BinDir: empty})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "localpg: ") || !strings.Contains(msg, "in "+empty+" ") ||
		!strings.Contains(msg, "PG_BIN_DIR") || !strings.Contains(msg, "apt-get install postgresql") {
		t.Errorf("message %q: want one line naming %s, PG_BIN_DIR and the install command", msg, empty)
	}
	t.Log(msg)

	// Without BinDir the message names the default places and the other
	// way out, DATABASE_URL.
	msg = (&NoBinariesError{Looked: "on PATH and in " + debianBinGlob, Version: "15"}).Error()
	if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "localpg: PostgreSQL 15 ") || !strings.Contains(msg, debianBinGlob) ||
		!strings.Contains(msg, "DATABASE_URL") || strings.Contains(msg, "PG_BIN_DIR") {
		t.Errorf("message %q: want one line naming version 15, %s and DATABASE_URL", msg, debianBinGlob)
	}
}

func TestFailedInitdbLeavesNoData(t *testing.T) {
	t.Parallel()
	// Fake binaries whose initdb dies halfway, after writing PG_VERSION.
	bin, err := os.MkdirTemp("", "localpg-fakebin-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bin) })
	os.Chmod(bin, 0o755)
	scripts := map[string]string{
		"initdb":   "#!/bin/sh\nmkdir -p \"$2\" && echo 15 > \"$2/PG_VERSION\"\necho 'initdb: error: disk on fire' >&2\nexit 1\n",
		"pg_ctl":   "#!/bin/sh\nexit 1\n",
		"postgres": "#!/bin/sh\nexit 1\n",
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	requirePostgresUserIfRoot(t)
	dir := testDir(t)
	_, err = Start(context.Background(), Options{Dir: dir, BinDir: bin})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v, want initdb's output", err)
	}
	t.Logf("failed initdb: %v", err)
	for _, name := range []string{"data", "data.initdb"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind (stat: %v)", name, err)
		}
	}
	if status(t, dir).Initialized {
		t.Error("status reports initialised")
	}
}

func TestRootRelocatesBehindClosedFolder(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the cluster to the postgres user")
	}
	requireBinaries(t)
	requirePostgresUserIfRoot(t)
	t.Parallel()
	ctx := testCtx(t)

	// Like a fresh checkout under /root: a 0700 folder above the cluster
	// that the postgres user cannot enter.
	closed, err := os.MkdirTemp("", "localpg-test-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(closed) })
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(closed, "project", ".data", "postgres")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(real))
	moved := filepath.Join("/var/tmp/alpacawrapper-pg", hex.EncodeToString(sum[:])[:16])
	if relocatedDir(dir) != moved {
		t.Fatalf("relocatedDir = %s, want %s", relocatedDir(dir), moved)
	}
	if _, err := os.Lstat(moved); err == nil {
		t.Fatalf("%s exists before the test; not touching it", moved)
	}
	t.Cleanup(func() {
		if err := Stop(context.Background(), dir); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		os.RemoveAll(moved)
	})

	var logs strings.Builder
	c := start(t, ctx, Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, "first start (relocated, initdb)")
	t.Log(strings.TrimSpace(logs.String()))
	if n := queryInt(t, ctx, c.URL(""), "SELECT 1"); n != 1 {
		t.Fatalf("SELECT 1 = %d", n)
	}
	if c.DataDir() != filepath.Join(moved, "data") || c.SocketDir() != filepath.Join(moved, "run") || c.Dir() != dir {
		t.Errorf("DataDir = %s, SocketDir = %s, Dir = %s; want the server files in %s", c.DataDir(), c.SocketDir(), c.Dir(), moved)
	}
	if !strings.Contains(logs.String(), "level=INFO") || !strings.Contains(logs.String(), "location="+moved) {
		t.Errorf("the relocation was not logged at info level:\n%s", logs.String())
	}
	note, err := os.ReadFile(filepath.Join(dir, "LOCATION"))
	if err != nil || !strings.HasPrefix(string(note), moved+"\n") || !strings.Contains(string(note), closed) {
		t.Errorf("LOCATION = %q (%v), want %s first and %s named", note, err, moved, closed)
	}
	if _, err := os.Lstat(filepath.Join(dir, "data")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s/data exists (stat: %v)", dir, err)
	}
	// The server's folder is postgres's; the closed folder and Dir are
	// left as they were.
	pg, _ := user.Lookup(serverUser)
	for path, want := range map[string]string{moved: pg.Uid, dir: "0"} {
		if fi, err := os.Stat(path); err != nil || strconv.Itoa(int(fi.Sys().(*syscall.Stat_t).Uid)) != want {
			t.Errorf("%s: owner is not uid %s (stat: %v)", path, want, err)
		}
	}
	if fi, _ := os.Stat(closed); fi.Mode().Perm() != 0o700 {
		t.Errorf("%s is now %v", closed, fi.Mode().Perm())
	}

	info := wantRunning(t, dir, true)
	if info.DataDir != c.DataDir() || info.Port != c.Port() || info.Leases != 1 || !info.Initialized {
		t.Errorf("status %+v, cluster port %d data %s", info, c.Port(), c.DataDir())
	}
	pgVersion, err := os.Stat(filepath.Join(moved, "data", "PG_VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	release(t, ctx, c)
	wantRunning(t, dir, false)

	logs.Reset()
	c = start(t, ctx, Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, "second start (relocated, reused)")
	if strings.Contains(logs.String(), "location=") || strings.Contains(logs.String(), "initialising") {
		t.Errorf("second start relocated or initialised again:\n%s", logs.String())
	}
	again, err := os.Stat(filepath.Join(moved, "data", "PG_VERSION"))
	if err != nil || !os.SameFile(pgVersion, again) || !again.ModTime().Equal(pgVersion.ModTime()) {
		t.Errorf("data folder was re-initialised")
	}
	if n := queryInt(t, ctx, c.URL(""), "SELECT 1"); n != 1 {
		t.Fatalf("SELECT 1 = %d", n)
	}

	// Stop finds the relocated server, even while a lease is held.
	if err := Stop(ctx, dir); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if info := wantRunning(t, dir, false); info.Leases != 0 || info.DataDir != c.DataDir() {
		t.Errorf("after stop: %+v", info)
	}
	release(t, ctx, c) // after Stop: nothing left to do, and no error
}

func TestRelocationErrors(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root relocates clusters")
	}
	requirePostgresUserIfRoot(t)
	t.Parallel()
	r, err := newRunner()
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.MkdirTemp("", "localpg-test-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	closed := filepath.Join(base, "closed") // 0700 root: postgres cannot enter
	open := filepath.Join(base, "open")     // 0777: anyone may plant files
	real := filepath.Join(base, "real")
	for path, mode := range map[string]os.FileMode{closed: 0o700, open: 0o777, real: 0o755} {
		if err := os.Mkdir(path, mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(path, mode)
	}
	if err := os.Symlink(real, filepath.Join(base, "link")); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(closed, "existing")
	if err := os.MkdirAll(filepath.Join(existing, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(existing, "data", "PG_VERSION"), []byte("15\n"), 0o644)

	for _, tc := range []struct {
		name, dir, fallback, want string
	}{
		{"fallback unreachable too", filepath.Join(closed, "pg"), filepath.Join(closed, "fallback", "x"), "fallback folder " + filepath.Join(closed, "fallback", "x") + " cannot be used either"},
		{"fallback is a symlink", filepath.Join(closed, "pg"), filepath.Join(base, "link", "x"), "is not a folder owned by root"},
		{"fallback writable by all", filepath.Join(closed, "pg"), filepath.Join(open, "x"), "is not a folder owned by root"},
		{"existing cluster", existing, filepath.Join(base, "x"), "cannot reach the existing cluster in " + filepath.Join(existing, "data")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.MkdirAll(tc.dir, 0o755)
			_, err := r.place(inPlace(tc.dir), tc.fallback, testLogger(t))
			if err == nil || !strings.HasPrefix(err.Error(), "localpg: ") || strings.Contains(err.Error(), "\n") ||
				!strings.Contains(err.Error(), "cannot enter "+closed+",") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one line naming %s and saying %q", err, closed, tc.want)
			}
			t.Log(err)
			for _, path := range []string{filepath.Join(tc.dir, "LOCATION"), tc.fallback} {
				if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s was created (stat: %v)", path, err)
				}
			}
		})
	}
}

// requirePostgresUserIfRoot skips when running as root without the postgres
// system user, which root needs to run the server.
func requirePostgresUserIfRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	if _, err := user.Lookup(serverUser); err != nil {
		t.Skipf("skipping: running as root needs the %q user: %v", serverUser, err)
	}
}

func TestMissingDir(t *testing.T) {
	t.Parallel()
	if _, err := Start(context.Background(), Options{}); err == nil {
		t.Fatal("Start without Dir succeeded")
	}
}

// helperProc is a child process running TestHelperProcess.
type helperProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser // closing it makes the helper release and exit
	stdout *bufio.Reader
}

// spawnHelper starts a child process that starts the cluster in dir and
// holds its lease until its stdin is closed. Call ready to wait for it.
func spawnHelper(t *testing.T, dir string) *helperProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return &helperProc{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout)}
}

// ready waits until the helper holds its lease and returns the port it got.
func (h *helperProc) ready(t *testing.T) int {
	t.Helper()
	line, err := h.stdout.ReadString('\n')
	port, convErr := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "ready ")))
	if err != nil || convErr != nil {
		t.Fatalf("helper did not start: %q %v", line, err)
	}
	return port
}

// startHelper spawns a helper and waits for it.
func startHelper(t *testing.T, dir string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	h := spawnHelper(t, dir)
	h.ready(t)
	return h.cmd, h.stdin
}

// TestHelperProcess is not a test: it is the other process of
// startHelper, and does nothing in a normal run.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process for other tests")
	}
	ctx := context.Background()
	c, err := Start(ctx, Options{Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("ready", c.Port())
	io.Copy(io.Discard, os.Stdin)
	if err := c.Release(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}
