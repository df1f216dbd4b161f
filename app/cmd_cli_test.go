package app

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"alpacawrapper/database/dbtest"
)

// binary builds the real executable once, so command-line behaviour (exit codes, what reaches the
// terminal, signals) is tested as a person or a process manager meets it.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "alpacawrapper-bin-*")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "alpacawrapper")
	out, err := exec.Command("go", "build", "-o", path, "..").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return path, nil
})

type result struct {
	code           int
	stdout, stderr string
}

// run executes the binary with only the given environment (plus PATH and HOME) and a deadline.
func run(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runWithInput(t, "", env, args...)
}

// runWithInput is run with text on standard input.
func runWithInput(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = strings.NewReader(stdin)
	err = cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, stdout.String(), stderr.String()}
}

// assertOneLineFailure checks the contract for bad input: a non-zero exit and a single line that
// says why, with no stack trace.
func assertOneLineFailure(t *testing.T, r result, want string) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("exit code 0, want failure; stderr=%q", r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 {
		t.Errorf("want one line on stderr, got %d:\n%s", len(lines), r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q does not say %q", r.stderr, want)
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
		t.Errorf("stderr shows a stack trace:\n%s", r.stderr)
	}
}

func TestBadEnvironmentValue(t *testing.T) {
	t.Parallel()
	r := run(t, []string{"APP_ENV=staging", "PORT=eighty"}, "serve")
	assertOneLineFailure(t, r, `APP_ENV="staging": must be one of development, test, production`)
	if !strings.Contains(r.stderr, `PORT="eighty"`) {
		t.Errorf("every bad variable is named: %q", r.stderr)
	}
}

func TestProductionRefusesToStartUnsafe(t *testing.T) {
	t.Parallel()
	r := run(t, []string{"APP_ENV=production", "SECRET_KEY=short"}, "serve")
	assertOneLineFailure(t, r, "DATABASE_URL: required in production")
	if !strings.Contains(r.stderr, "SECRET_KEY: too short") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestPortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	r := run(t, []string{"APP_ENV=test", "DATABASE_URL=" + dbtest.URL(t), fmt.Sprintf("PORT=%d", port), "LOG_LEVEL=error"}, "serve")
	assertOneLineFailure(t, r, "the port is already in use")
}

func TestUnreachableDatabase(t *testing.T) {
	t.Parallel()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	r := run(t, []string{"APP_ENV=test", fmt.Sprintf("DATABASE_URL=postgres://app:hunter2@127.0.0.1:%d/app", port)}, "migrate", "status")
	assertOneLineFailure(t, r, "database: ping")
	if strings.Contains(r.stderr, "hunter2") {
		t.Errorf("the password leaked: %q", r.stderr)
	}
}

func TestMissingPostgreSQL(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	r := run(t, []string{"APP_ENV=development", "DATA_DIR=" + t.TempDir(), "PG_BIN_DIR=" + empty}, "serve")
	assertOneLineFailure(t, r, "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")
	if !strings.Contains(r.stderr, "apt-get install postgresql") {
		t.Errorf("the message must say how to install them: %q", r.stderr)
	}
}

func TestUsageAndHelp(t *testing.T) {
	t.Parallel()
	r := run(t, nil, "help")
	if r.code != 0 || !strings.Contains(r.stdout, "migrate") || !strings.Contains(r.stdout, "devdb") {
		t.Errorf("help: %+v", r)
	}
	r = run(t, nil, "migrate", "--help")
	if r.code != 0 || !strings.Contains(r.stderr, "create NAME") || !strings.Contains(r.stderr, "-all") {
		t.Errorf("migrate --help: %+v", r)
	}
	r = run(t, nil, "frobnicate")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %+v", r)
	}
	r = run(t, nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "alpacawrapper ") {
		t.Errorf("version: %+v", r)
	}
}

func TestMigrateStatusShowsBothSets(t *testing.T) {
	t.Parallel()
	r := run(t, []string{"APP_ENV=test", "DATABASE_URL=" + dbtest.URL(t)}, "migrate", "status")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"app", "00001_extensions.sql", "river", "applied"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n")[1:] {
		if !strings.Contains(line, "applied") {
			t.Errorf("a migrated database has nothing pending: %q", line)
		}
	}
}

func TestServeAndGracefulShutdown(t *testing.T) {
	t.Parallel()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "APP_ENV=test", "LOG_LEVEL=info",
		"DATABASE_URL=" + dbtest.URL(t), fmt.Sprintf("PORT=%d", port), "SHUTDOWN_TIMEOUT=5s"}
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs <- sc.Text()
		}
		close(logs)
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server not ready within 30s")
		}
		time.Sleep(100 * time.Millisecond) // polling another process's port until it answers; the loop ends on the answer
	}
	resp, err := http.Get(base + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("landing page: %v %v", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte("landing-hero")) {
		t.Error("landing page not served")
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("SIGTERM must end the process cleanly with status 0: %v", err)
	}
	t.Logf("shut down in %s", time.Since(start))
	var all []string
	for line := range logs {
		all = append(all, line)
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{"job workers started", "listening", "shutting down", "stopped"} {
		if !strings.Contains(joined, want) {
			t.Errorf("log lacks %q:\n%s", want, joined)
		}
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the port must be closed after shutdown")
	}
}

func TestCreateAdmin(t *testing.T) {
	t.Parallel()
	env := []string{"APP_ENV=test", "DATABASE_URL=" + dbtest.URL(t), "DATA_DIR=" + t.TempDir()}

	r := runWithInput(t, "", env, "createadmin", "--email", "ops@example.com")
	assertOneLineFailure(t, r, "no password on standard input")
	r = runWithInput(t, "short\n", env, "createadmin", "--email", "ops@example.com")
	assertOneLineFailure(t, r, "password: Use at least 10 characters.")
	r = run(t, env, "createadmin")
	if r.code != 2 || !strings.Contains(r.stderr, "--email") {
		t.Errorf("no --email: %+v", r)
	}

	r = runWithInput(t, "a long admin passphrase\n", env, "createadmin", "--email", "ops@example.com")
	if r.code != 0 || !strings.Contains(r.stdout, "created administrator ops@example.com") {
		t.Fatalf("create: %+v", r)
	}
	r = runWithInput(t, "another admin passphrase\n", env, "createadmin", "--email", "ops@example.com")
	if r.code != 0 || !strings.Contains(r.stdout, "is now an administrator") {
		t.Errorf("again: %+v", r)
	}
	if strings.Contains(r.stdout+r.stderr, "passphrase") {
		t.Error("the password was printed")
	}
}
