package localpg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// server bundles what the init/start/stop steps need.
type server struct {
	l       layout
	bin     string // folder with initdb, pg_ctl, postgres
	r       *runner
	timeout time.Duration
	log     *slog.Logger
}

// command builds a command running the server program prog from bin in
// the folder of the server files, which the server user can always enter.
func (s *server) command(ctx context.Context, prog string, args ...string) *exec.Cmd {
	return s.r.command(ctx, s.l.srv, filepath.Join(s.bin, prog), args...)
}

// startAttempts bounds retries of pg_ctl start for transient failures: the
// free port we picked was taken before postgres bound it, or processes of a
// killed server have not yet let go of its shared memory.
const startAttempts = 3

// maxSocketPath is the longest unix socket path we let postgres create;
// sun_path holds 108 bytes on Linux and 104 on macOS, including the NUL.
const maxSocketPath = 103

// initdb creates the data folder. It builds it under a temporary name and
// renames it into place only on success, so an interrupted or failed initdb
// never leaves a half-made data folder that later runs would trust.
func (s *server) initdb(ctx context.Context) error {
	tmp := s.l.initTmp()
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("localpg: remove leftover %s: %w", tmp, err)
	}
	s.log.Info("localpg: initialising PostgreSQL cluster", "dir", s.l.dir)
	began := time.Now()
	base := []string{"-D", tmp, "-U", User, "--auth=trust", "-E", "UTF8"}
	// C.UTF-8 gives byte-order collation with Unicode-aware upper/lower;
	// systems without that locale (macOS) fall back to plain C.
	err := s.runInitdb(ctx, tmp, append(base, "--locale=C.UTF-8"))
	if err != nil && strings.Contains(err.Error(), "invalid locale") {
		err = s.runInitdb(ctx, tmp, append(base, "--no-locale"))
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, s.l.data()); err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("localpg: move new data folder into place: %w", err)
	}
	s.log.Info("localpg: initialised PostgreSQL cluster", "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// runInitdb runs initdb once, removing whatever it left in tmp on failure.
func (s *server) runInitdb(ctx context.Context, tmp string, args []string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	out, err := s.command(ctx, "initdb", args...).CombinedOutput()
	if err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("localpg: initdb failed: %w; its output ends with:\n%s", err, indent(lastLines(string(out), 10)))
	}
	return nil
}

// start launches the server on a free port and waits until it accepts
// connections. The caller holds the cluster lock and has checked that no
// server is running.
func (s *server) start(ctx context.Context) error {
	if err := s.prepareStart(); err != nil {
		return err
	}
	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		offset := logSize(s.l.logFile())
		began := time.Now()
		err = s.pgCtlStart(ctx, port)
		if err == nil {
			s.log.Info("localpg: started PostgreSQL", "port", port, "dir", s.l.dir, "took", time.Since(began).Round(time.Millisecond))
			return nil
		}
		tail := logTail(s.l.logFile(), offset, 10)
		lastErr = fmt.Errorf("localpg: start PostgreSQL: %w; the server log %s ends with:\n%s", err, s.l.logFile(), indent(tail))
		if !transientStartFailure(tail) {
			break
		}
		s.log.Warn("localpg: PostgreSQL did not start, retrying", "attempt", attempt, "reason", lastLines(tail, 1))
		select {
		case <-ctx.Done():
			return lastErr
		case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
		}
		s.clearZombiePidFile()
	}
	return lastErr
}

// prepareStart makes the folders and files the server writes, owned by the
// user it runs as.
func (s *server) prepareStart() error {
	if err := os.MkdirAll(s.l.run(), 0o755); err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	rotateLog(s.l.logFile())
	f, err := os.OpenFile(s.l.logFile(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	f.Close()
	if err := s.r.own(s.l.run(), s.l.logFile()); err != nil {
		return err
	}
	if err := s.r.ownTree(s.l.data()); err != nil {
		return err
	}
	s.clearZombiePidFile()
	return nil
}

// clearZombiePidFile removes postmaster.pid when the postmaster it names has
// exited but was not reaped by its parent. postgres itself treats any pid
// that kill(pid, 0) accepts as a live server and refuses to start, and some
// container init processes reap orphans late or never. Removing the file is
// safe: since PostgreSQL 12 the server still refuses to start while any old
// process is attached to the previous shared memory segment, which it finds
// from the data folder's inode rather than from postmaster.pid.
func (s *server) clearZombiePidFile() {
	pf, ok, _ := readPidFile(s.l.pidFile())
	if ok && processZombie(pf.pid) {
		s.log.Warn("localpg: removing postmaster.pid of an exited (zombie) server", "pid", pf.pid)
		_ = os.Remove(s.l.pidFile())
	}
}

// pgCtlStart runs "pg_ctl start" once.
func (s *server) pgCtlStart(ctx context.Context, port int) error {
	sock := s.l.run()
	if len(sock)+len("/.s.PGSQL.65535") > maxSocketPath {
		// Too long for a unix socket: serve TCP only rather than fail.
		s.log.Warn("localpg: cluster folder path too long for a unix socket; TCP only", "dir", sock)
		sock = ""
	}
	// pg_ctl hands -o to /bin/sh, hence the quoting.
	opts := strings.Join([]string{
		"-p", strconv.Itoa(port),
		"-k", shellQuote(sock),
		"-c", "listen_addresses=127.0.0.1",
		// go test runs packages in parallel, each with its own pool.
		"-c", "max_connections=200",
	}, " ")
	secs := strconv.Itoa(int(math.Ceil(s.timeout.Seconds())))
	ctx, cancel := context.WithTimeout(ctx, s.timeout+10*time.Second)
	defer cancel()
	cmd := s.command(ctx, "pg_ctl",
		"-D", s.l.data(), "-l", s.l.logFile(), "-o", opts, "-w", "-t", secs, "start")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl start: %w%s", err, pgCtlSays(out))
	}
	return nil
}

// pgCtlSays condenses pg_ctl's output for an error message, leaving out the
// progress dots and its pointer to the log, whose tail we show anyway.
func pgCtlSays(out []byte) string {
	var keep []string
	for _, line := range strings.Split(lastLines(string(out), 5), "\n") {
		if !strings.HasPrefix(line, "waiting for server") && !strings.HasPrefix(line, "Examine the log") {
			keep = append(keep, line)
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return " (" + strings.Join(keep, "; ") + ")"
}

// transientStartFailure reports whether the log of a failed start shows a
// cause that a retry can cure.
func transientStartFailure(logTail string) bool {
	for _, cause := range []string{
		"could not bind",
		"Address already in use",
		"pre-existing shared memory block",
		"lock file \"postmaster.pid\" already exists",
		"could not create lock file", // socket lock of the port we picked
	} {
		if strings.Contains(logTail, cause) {
			return true
		}
	}
	return false
}

// stop shuts the server down with "fast" mode (roll back open transactions,
// close connections, checkpoint) and, if that does not finish in time,
// "immediate" mode, which crash recovery repairs at the next start.
func (s *server) stop(ctx context.Context) error {
	if _, running, err := runningServer(s.l); err != nil || !running {
		return err
	}
	began := time.Now()
	err := s.pgCtlStop(ctx, "fast")
	if err != nil {
		s.log.Warn("localpg: fast shutdown failed; shutting down immediately", "err", err)
		err = s.pgCtlStop(ctx, "immediate")
	}
	if err != nil {
		return fmt.Errorf("localpg: stop PostgreSQL: %w", err)
	}
	s.log.Info("localpg: stopped PostgreSQL", "dir", s.l.dir, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// pgCtlStop runs "pg_ctl stop" once.
func (s *server) pgCtlStop(ctx context.Context, mode string) error {
	secs := strconv.Itoa(int(math.Ceil(s.timeout.Seconds())))
	ctx, cancel := context.WithTimeout(ctx, s.timeout+10*time.Second)
	defer cancel()
	out, err := s.command(ctx, "pg_ctl",
		"-D", s.l.data(), "-m", mode, "-w", "-t", secs, "stop").CombinedOutput()
	if err != nil {
		if _, statErr := os.Stat(s.l.pidFile()); errors.Is(statErr, fs.ErrNotExist) {
			return nil // it went away on its own meanwhile
		}
		return fmt.Errorf("pg_ctl stop -m %s: %w%s", mode, err, pgCtlSays(out))
	}
	return nil
}

// freePort asks the kernel for a free TCP port on 127.0.0.1. Another
// program may grab it before postgres binds it; start retries then.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("localpg: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// shellQuote quotes s for /bin/sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
