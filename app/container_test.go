package app

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"alpacawrapper/database/dbtest"
)

// TestStartsAsTheDockerImageRunsIt runs the built binary the way the Dockerfile's image does: as an
// unprivileged user (the image's nonroot; here nobody when the tests run as root), in the working
// directory /, which that user cannot write, with APP_ENV=production and a DATABASE_URL. The
// default DATA_DIR (.data, relative to /) cannot be made there; the app must start and serve anyway.
func TestStartsAsTheDockerImageRunsIt(t *testing.T) {
	t.Parallel()
	built, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	// The build's folder is private to its owner; the image's user needs a binary it may run.
	dir, err := os.MkdirTemp("", "aw-image-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "alpacawrapper")
	data, err := os.ReadFile(built)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}

	port := freeTCPPort(t)
	cmd := exec.Command(bin, "serve")
	cmd.Dir = "/"
	// The image's environment (Dockerfile ENV, distroless's PATH and HOME) and what a deployment
	// must add. HOST is loopback rather than the image's 0.0.0.0 only to keep the test private.
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/home/nonroot",
		"APP_ENV=production", "HOST=127.0.0.1", "PORT=" + strconv.Itoa(port),
		"DATABASE_URL=" + dbtest.URL(t), "SECRET_KEY=Zq8vN3kR7wT1yB5mC9xL2pH6dF4sGa0J-eUi",
		"SMTP_HOST=smtp.invalid", "LOG_FORMAT=text"}
	if os.Geteuid() == 0 {
		uid, gid := unprivilegedUser(t)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	}
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	logs := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs <- sc.Text()
		}
		close(logs)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	started := time.Now()
	deadline := started.Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("the server exited at start (%v):\n%s", err, drain(logs))
		default:
		}
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 30s:\n%s", drain(logs))
		}
		time.Sleep(100 * time.Millisecond) // polling the container's port until /readyz answers; the loop ends on the answer
	}
	t.Logf("ready %s after start", time.Since(started).Round(time.Millisecond))
	resp, err := http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /login: %d", resp.StatusCode)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("SIGTERM must end the process with status 0: %v\n%s", err, drain(logs))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30s of SIGTERM")
	}
	t.Logf("log:\n%s", drain(logs))
}

// TestTakenPortIsReportedBeforeTheDatabaseStarts: with the embedded database, a taken port was
// found only after initdb and the cluster's start. Here there are no PostgreSQL binaries at all, so
// reaching the database step would fail with another message.
func TestTakenPortIsReportedBeforeTheDatabaseStarts(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	r := run(t, []string{"APP_ENV=development", "DATA_DIR=" + t.TempDir(), "PG_BIN_DIR=" + t.TempDir(),
		fmt.Sprintf("PORT=%d", port)}, "serve")
	assertOneLineFailure(t, r, "the port is already in use")
}

// unprivilegedUser is the nobody account, the nearest thing to the image's nonroot user.
func unprivilegedUser(t *testing.T) (uid, gid uint32) {
	t.Helper()
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no unprivileged user to run as: %v", err)
	}
	id, _ := strconv.ParseUint(u.Uid, 10, 32)
	g, _ := strconv.ParseUint(u.Gid, 10, 32)
	return uint32(id), uint32(g)
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// drain returns the log lines received so far.
func drain(logs chan string) string {
	var out []string
	for {
		select {
		case l, ok := <-logs:
			if !ok {
				return strings.Join(out, "\n")
			}
			out = append(out, l)
		case <-time.After(200 * time.Millisecond):
			return strings.Join(out, "\n")
		}
	}
}

// TestAvatarsNeedNoDataFolder: the data folder cannot hold anything (it is a file, which even
// root cannot make a folder in); pictures live in PostgreSQL, so the upload works and is served.
func TestAvatarsNeedNoDataFolder(t *testing.T) {
	t.Parallel()
	notAFolder := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(notAFolder, []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, map[string]string{"DATA_DIR": notAFolder})
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	b.login("ada@example.com", goodPassword)
	b.get("/settings/profile")
	if resp, _ := b.upload("/settings/profile/avatar", "avatar", "me.png", pngOf(64, 64)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload with no data folder: %d", resp.StatusCode)
	}
	u := mustUser(t, a, "ada@example.com")
	if u.AvatarFile == nil {
		t.Fatal("the picture was not recorded")
	}
	if resp, _ := b.get("/avatars/" + *u.AvatarFile); resp.StatusCode != http.StatusOK {
		t.Errorf("serving it: %d", resp.StatusCode)
	}
}
