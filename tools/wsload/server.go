package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// benchDatabase is the database the child server runs against, created afresh on the cluster named
// by DATABASE_URL and dropped afterwards, so the benchmark never touches the tests' databases.
const benchDatabase = "aw_wsload"

// childServer is the application server under test, run as a separate process so its memory can
// be read apart from the load generator's.
type childServer struct {
	name    string // "server", or "feed" and "web1"… when scaled out
	cmd     *exec.Cmd
	baseURL string
	logPath string
	exited  chan struct{}
	waitErr error
}

// serverOptions are what the child is started with.
type serverOptions struct {
	name      string // names the log file
	roles     string // ROLES
	web       bool   // serves HTTP (the web role), so it gets a port
	noMigrate bool   // the migrations already ran (scaled out: once, before any process starts)
	bin       string // the application binary
	tmpDir    string // the log and the embedded database's data, when there is no DATABASE_URL
	tick      time.Duration
	rate      int      // LIVE_UPDATES_PER_SECOND; 0 leaves the server's default
	env       []string // extra variables, last so they win
}

// buildServer compiles the application once into dir.
func buildServer(ctx context.Context, srcDir, dir string) (string, error) {
	bin := filepath.Join(dir, "alpacawrapper")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = srcDir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("wsload: build server: %w", err)
	}
	return bin, nil
}

// freshDatabase creates benchDatabase on the cluster of base and returns its URL.
func freshDatabase(ctx context.Context, base string) (string, error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("wsload: connect to DATABASE_URL: %w", err)
	}
	defer conn.Close(ctx)
	name := pgx.Identifier{benchDatabase}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("wsload: drop old bench database: %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("wsload: create bench database: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("wsload: DATABASE_URL: %w", err)
	}
	u.Path = "/" + benchDatabase
	return u.String(), nil
}

// dropDatabase removes benchDatabase again; failures are only reported.
func dropDatabase(base string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("wsload: connect to DATABASE_URL: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{benchDatabase}.Sanitize()+" WITH (FORCE)")
	return err
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("wsload: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts one child with the roles of opts: web (the WebSocket endpoints), feed (the
// simulated market, ticking fast) and worker (its start-up asset sync fills the catalogue the
// endpoints validate against). It inherits this process's raised open-file limit.
func startServer(opts serverOptions, dbURL string) (*childServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(opts.tmpDir, opts.name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("wsload: server log: %w", err)
	}
	cmd := exec.Command(opts.bin, "serve")
	cmd.Env = append(childEnv(opts, dbURL),
		"HOST=127.0.0.1",
		"PORT="+strconv.Itoa(port),
		"BASE_URL=http://127.0.0.1:"+strconv.Itoa(port),
		"ROLES="+opts.roles,
		"MIGRATE_ON_START="+strconv.FormatBool(!opts.noMigrate),
	)
	cmd.Env = append(cmd.Env, opts.env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so a Ctrl-C on the terminal reaches only us and we stop it in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("wsload: start server: %w", err)
	}
	s := &childServer{name: opts.name, cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	if opts.web {
		s.baseURL = "http://127.0.0.1:" + strconv.Itoa(port)
	}
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	return s, nil
}

// childEnv is what every child process of one run shares: the test configuration, the fast
// always-open simulated market, the data directory and the database.
func childEnv(opts serverOptions, dbURL string) []string {
	env := append(os.Environ(),
		"APP_ENV=test",
		"LOG_LEVEL=warn",
		"SIM_ALWAYS_OPEN=true",
		"SIM_TICK_INTERVAL="+opts.tick.String(),
		"DATA_DIR="+filepath.Join(opts.tmpDir, "data"),
	)
	if dbURL != "" {
		env = append(env, "DATABASE_URL="+dbURL)
	}
	if opts.rate > 0 {
		env = append(env, "LIVE_UPDATES_PER_SECOND="+strconv.Itoa(opts.rate))
	}
	return env
}

// stop sends SIGTERM and waits for a graceful exit, killing the child if it takes too long.
func (s *childServer) stop(grace time.Duration) error {
	select {
	case <-s.exited:
		return s.waitErr
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return nil
	case <-time.After(grace):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("wsload: server did not stop within %s after SIGTERM; killed", grace)
	}
}

// logTail is the end of the child's log, for error reports.
func (s *childServer) logTail(n int) string {
	data, err := os.ReadFile(s.logPath)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitReady polls until the asset catalogue has been synced (GET /api/v1/assets reports a total),
// which also proves the web role is serving.
func waitReady(ctx context.Context, base string, exited <-chan struct{}) error {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		n, err := assetTotal(ctx, base)
		if err == nil && n > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wsload: server not ready (assets synced) in time: last error %v", err)
		case <-exited:
			return errors.New("wsload: server exited during start-up")
		case <-t.C:
		}
	}
}

func assetTotal(ctx context.Context, base string) (int64, error) {
	var out struct {
		Total int64 `json:"total"`
	}
	if err := getJSON(ctx, base+"/api/v1/assets?limit=1", &out); err != nil {
		return 0, err
	}
	return out.Total, nil
}

// symbolPool is the active symbols the server knows: the stocks first, then crypto, so clients can
// take a mix of both.
func symbolPool(ctx context.Context, base string) (stocks, crypto []string, err error) {
	for _, class := range []string{"us_equity", "crypto"} {
		var out struct {
			Assets []struct {
				Symbol string `json:"symbol"`
				Active bool   `json:"active"`
			} `json:"assets"`
		}
		if err := getJSON(ctx, base+"/api/v1/assets?limit=1000&class="+class, &out); err != nil {
			return nil, nil, err
		}
		for _, a := range out.Assets {
			if !a.Active {
				continue
			}
			if class == "crypto" {
				crypto = append(crypto, a.Symbol)
			} else {
				stocks = append(stocks, a.Symbol)
			}
		}
	}
	if len(stocks)+len(crypto) == 0 {
		return nil, nil, errors.New("wsload: the server lists no active assets")
	}
	return stocks, crypto, nil
}

func getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// procStatus reads the resident set (VmRSS) and its peak (VmHWM) of a process, in bytes.
func procStatus(pid int) (rss, hwm int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("wsload: read process status: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			hwm = kb << 10
		}
	}
	return rss, hwm, nil
}

// cpuTime is the user+system CPU a process has used so far (from /proc/<pid>/stat, in clock ticks
// of 1/100 s, which is what Linux reports on every common architecture).
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("wsload: read process stat: %w", err)
	}
	// The command name, in parentheses, may hold spaces; fields are counted after it.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, errors.New("wsload: unexpected /proc stat format")
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("wsload: unexpected /proc stat format")
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// machineCPU is the CPU time all processes have used so far and the number of CPUs, from
// /proc/stat: busy is everything but idle and iowait. Comparing it with the server's and the
// tool's own use shows how much of the machine other work took during the window.
func machineCPU() (busy time.Duration, cpus int, err error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, fmt.Errorf("wsload: read /proc/stat: %w", err)
	}
	var total, idle int64
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) > 5 && f[0] == "cpu":
			for i, v := range f[1:] {
				n, _ := strconv.ParseInt(v, 10, 64)
				if i >= 8 { // guest time is already counted in user
					break
				}
				total += n
				if i == 3 || i == 4 {
					idle += n
				}
			}
		case strings.HasPrefix(f0(f), "cpu"):
			cpus++
		}
	}
	return time.Duration(total-idle) * 10 * time.Millisecond, cpus, nil
}

func f0(f []string) string {
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
