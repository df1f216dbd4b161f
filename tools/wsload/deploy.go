package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// deployment is the server processes one run started: one process with every role, or (with -web)
// a feed+worker process followed by the web-only processes.
type deployment struct {
	servers []*childServer
}

// setupDeployment builds the server (unless given), creates the benchmark's database and starts the
// processes, then waits until every web process serves a synced catalogue. What it started is
// returned even on failure, so the caller can stop it and show its logs; cleanup drops the database
// and the temporary files.
func setupDeployment(ctx context.Context, cfg config, res *results) (*deployment, func(), error) {
	dep := &deployment{}
	tmp, err := os.MkdirTemp("", "wsload-")
	if err != nil {
		return dep, func() {}, fmt.Errorf("wsload: temp dir: %w", err)
	}
	cleanup := func() { os.RemoveAll(tmp) }
	setupCtx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	bin := cfg.serverBin
	if bin == "" {
		start := time.Now()
		if bin, err = buildServer(setupCtx, cfg.srcDir, tmp); err != nil {
			return dep, cleanup, err
		}
		res.notes = append(res.notes, fmt.Sprintf("built the server in %s", time.Since(start).Round(100*time.Millisecond)))
	}
	base := os.Getenv("DATABASE_URL")
	dbURL := ""
	if base != "" {
		if dbURL, err = freshDatabase(setupCtx, base); err != nil {
			return dep, cleanup, err
		}
		prev := cleanup
		cleanup = func() {
			if err := dropDatabase(base); err != nil {
				fmt.Fprintln(os.Stderr, "wsload: drop bench database:", err)
			}
			prev()
		}
	} else if cfg.web > 0 {
		return dep, cleanup, errors.New("wsload: -web needs DATABASE_URL (the processes must share one database); run it under `devdb run`")
	} else {
		res.notes = append(res.notes, "DATABASE_URL unset: the server started its own embedded database")
	}

	opts := serverOptions{bin: bin, tmpDir: tmp, env: cfg.serverEnv, tick: cfg.tick, rate: cfg.rate}
	start := time.Now()
	if cfg.web == 0 {
		opts.name, opts.roles, opts.web = "server", "web,worker,feed", true
		if err := dep.start(opts, dbURL); err != nil {
			return dep, cleanup, err
		}
	} else {
		// As the Procfile's release line: the schema first, once, so no two processes migrate.
		if err := migrateOnce(setupCtx, opts, dbURL); err != nil {
			return dep, cleanup, err
		}
		opts.noMigrate = true
		opts.name, opts.roles = "feed", "worker,feed"
		if err := dep.start(opts, dbURL); err != nil {
			return dep, cleanup, err
		}
		opts.web, opts.roles = true, "web"
		for k := 1; k <= cfg.web; k++ {
			opts.name = fmt.Sprintf("web%d", k)
			if err := dep.start(opts, dbURL); err != nil {
				return dep, cleanup, err
			}
		}
	}
	for _, s := range dep.servers {
		if s.baseURL == "" {
			continue
		}
		if err := waitReady(setupCtx, s.baseURL, s.exited); err != nil {
			return dep, cleanup, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	res.notes = append(res.notes, fmt.Sprintf("%d server process(es) ready (catalogue synced) %s after start",
		len(dep.servers), time.Since(start).Round(100*time.Millisecond)))
	for _, s := range dep.servers {
		res.processes = append(res.processes, processInfo{name: s.name, pid: s.cmd.Process.Pid})
	}
	return dep, cleanup, nil
}

// migrateOnce runs `alpacawrapper migrate up` against the benchmark's database.
func migrateOnce(ctx context.Context, opts serverOptions, dbURL string) error {
	cmd := exec.CommandContext(ctx, opts.bin, "migrate", "up")
	cmd.Env = childEnv(opts, dbURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("wsload: migrate up: %w\n%s", err, out)
	}
	return nil
}

func (d *deployment) start(opts serverOptions, dbURL string) error {
	s, err := startServer(opts, dbURL)
	if err != nil {
		return err
	}
	d.servers = append(d.servers, s)
	return nil
}

// webURLs are the base URLs of the processes that serve HTTP, in start order.
func (d *deployment) webURLs() []string {
	var out []string
	for _, s := range d.servers {
		if s.baseURL != "" {
			out = append(out, s.baseURL)
		}
	}
	return out
}

// pids are every server process's, in start order.
func (d *deployment) pids() []int {
	out := make([]int, len(d.servers))
	for i, s := range d.servers {
		out[i] = s.cmd.Process.Pid
	}
	return out
}

// stop ends the processes, web first (no client is served by a process whose feed is gone), and
// notes how each stopped.
func (d *deployment) stop(res *results) {
	for i := len(d.servers) - 1; i >= 0; i-- {
		s := d.servers[i]
		if err := s.stop(20 * time.Second); err != nil {
			res.notes = append(res.notes, s.name+" stop: "+err.Error())
		} else {
			res.notes = append(res.notes, s.name+" stopped cleanly on SIGTERM")
		}
	}
}

// copyLogs writes every process's log, one after another under a header, to path.
func (d *deployment) copyLogs(path string) {
	var b strings.Builder
	for _, s := range d.servers {
		data, err := os.ReadFile(s.logPath)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "=== %s ===\n%s", s.name, data)
	}
	_ = os.WriteFile(path, []byte(b.String()), 0o644)
}

// logTails is the end of each process's log, for error reports.
func (d *deployment) logTails(n int) string {
	var b strings.Builder
	for _, s := range d.servers {
		fmt.Fprintf(&b, "=== %s ===\n%s\n", s.name, s.logTail(n))
	}
	return b.String()
}
