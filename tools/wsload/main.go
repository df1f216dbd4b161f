// Command wsload is the load tool and benchmark of the live WebSocket endpoint (/ws/market): it
// starts the application server as a child process on a free loopback port with the simulated feed
// running fast, opens N concurrent clients each following a mix of stocks and crypto, measures what
// they receive, stops everything and prints the results. It is bounded (every phase has a
// deadline and the whole run a hard one) and loopback only.
//
//	go run ./tools/wsload -clients 5000 -duration 30s
//
// `make bench` runs it under `devdb run`, which sets DATABASE_URL; the tool then creates (and drops
// afterwards) its own database on that cluster. With -url it measures a server already running on
// this machine instead (no server memory unless -server-pid is given).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	clients    int
	symbols    int
	perIP      int
	connectPar int
	warmup     time.Duration
	duration   time.Duration
	tick       time.Duration
	rate       int
	starveGap  time.Duration
	serverBin  string
	srcDir     string
	rawURL     string
	serverPID  int
	strict     bool
	p99Target  time.Duration
	rssTarget  int64
	seed       uint64
	serverEnv  envList
	serverLog  string
}

// envList is a repeatable KEY=VALUE flag.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*e = append(*e, v)
	return nil
}

func parseConfig(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("wsload", flag.ContinueOnError)
	fs.IntVar(&c.clients, "clients", 5000, "concurrent WebSocket clients")
	fs.IntVar(&c.symbols, "symbols", 20, "symbols each client follows")
	fs.IntVar(&c.perIP, "per-ip", 16, "clients per source loopback address (the server allows a guest 20 per IP)")
	fs.IntVar(&c.connectPar, "connect-parallel", 64, "handshakes in flight at once while connecting")
	fs.DurationVar(&c.warmup, "warmup", 10*time.Second, "time after every client connected before measuring")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "measurement window")
	fs.DurationVar(&c.tick, "tick", 50*time.Millisecond, "simulated feed tick (SIM_TICK_INTERVAL of the child server)")
	fs.IntVar(&c.rate, "rate", 4, "per-symbol updates per second per connection (LIVE_UPDATES_PER_SECOND of the child server)")
	fs.DurationVar(&c.starveGap, "starve", 5*time.Second, "a client with no update for this long in the window is starved")
	fs.StringVar(&c.serverBin, "server-bin", "", "prebuilt application binary (default: go build the module in -src)")
	fs.StringVar(&c.srcDir, "src", ".", "module root to build the server from")
	fs.StringVar(&c.rawURL, "url", "", "measure an already running server at this loopback base URL instead of starting one")
	fs.IntVar(&c.serverPID, "server-pid", 0, "with -url: the server's pid, to read its memory")
	fs.BoolVar(&c.strict, "strict", false, "exit 1 when a target is missed")
	fs.DurationVar(&c.p99Target, "p99-target", 250*time.Millisecond, "target for the p99 latency beyond the batching interval")
	fs.Var(&c.serverEnv, "server-env", "extra KEY=VALUE for the child server's environment (repeatable), e.g. GODEBUG=gctrace=1")
	fs.StringVar(&c.serverLog, "server-log", "", "copy the child server's log to this file at the end")
	var rssMB int64
	fs.Int64Var(&rssMB, "rss-target-mb", 400, "target for the server's resident memory, MB")
	fs.Uint64Var(&c.seed, "seed", 1, "seed for the symbols each client picks")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.rssTarget = rssMB << 20
	switch {
	case c.clients < 1:
		return c, errors.New("wsload: -clients must be at least 1")
	case c.symbols < 1 || c.symbols > 50:
		return c, errors.New("wsload: -symbols must be 1 to 50 (the server's per-connection limit)")
	case c.perIP < 1 || c.perIP > 20:
		return c, errors.New("wsload: -per-ip must be 1 to 20 (the server's guest limit per IP)")
	case c.clients/c.perIP >= 250*250*250:
		return c, errors.New("wsload: too many clients for the loopback addresses")
	case c.connectPar < 1:
		return c, errors.New("wsload: -connect-parallel must be at least 1")
	case c.duration <= 0 || c.duration > 10*time.Minute || c.warmup < 0 || c.warmup > 5*time.Minute:
		return c, errors.New("wsload: -duration must be in (0, 10m] and -warmup in [0, 5m]")
	}
	if c.rawURL != "" {
		if _, err := checkLoopback(c.rawURL); err != nil {
			return c, err
		}
	}
	return c, nil
}

func main() {
	cfg, err := parseConfig(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// Self-stopping: whatever happens, the run ends. Setup (a cold build, migrations, the asset
	// sync) and connecting get 4 and 2 minutes of their own but share this bound with the measured
	// phases, which take their own length.
	hard := 5*time.Minute + cfg.warmup + cfg.duration + 30*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), hard)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	res, err := run(ctx, cfg)
	stop()
	cancel()
	if res != nil {
		res.print(os.Stdout, cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if cfg.strict && !res.pass(cfg) {
		fmt.Fprintln(os.Stderr, "wsload: targets missed (-strict)")
		os.Exit(1)
	}
}

// raiseFileLimit lifts the soft open-file limit to the hard one: each client is a socket here and
// another in the server, which inherits the limit from this process.
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("wsload: getrlimit: %w", err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("wsload: setrlimit: %w", err)
	}
	return lim.Cur, nil
}

// run does the whole benchmark and returns what it measured, even when it fails part-way.
func run(ctx context.Context, cfg config) (*results, error) {
	res := &results{started: time.Now()}
	limit, err := raiseFileLimit()
	if err != nil {
		return nil, err
	}
	res.fileLimit = limit
	res.notes = append(res.notes, fmt.Sprintf("open-file limit raised to %d (the server inherits it)", limit))
	if need := uint64(cfg.clients) + 256; cfg.rawURL == "" && limit < 2*need || limit < need {
		return nil, fmt.Errorf("wsload: open-file limit %d is too low for %d clients (ulimit -Hn)", limit, cfg.clients)
	}

	base, pid := cfg.rawURL, cfg.serverPID
	if base == "" {
		srv, cleanup, err := setupServer(ctx, cfg, res)
		if srv != nil {
			defer func() {
				if err := srv.stop(20 * time.Second); err != nil {
					res.notes = append(res.notes, "server stop: "+err.Error())
				} else {
					res.notes = append(res.notes, "server stopped cleanly on SIGTERM")
				}
				if cfg.serverLog != "" {
					if data, err := os.ReadFile(srv.logPath); err == nil {
						_ = os.WriteFile(cfg.serverLog, data, 0o644)
					}
				}
				cleanup()
			}()
		}
		if err != nil {
			if srv != nil {
				err = fmt.Errorf("%w\n--- server log (tail) ---\n%s", err, srv.logTail(30))
			}
			return res, err
		}
		base, pid = srv.baseURL, srv.cmd.Process.Pid
	}
	base = strings.TrimRight(base, "/")
	res.pid = pid

	stocks, crypto, err := symbolPool(ctx, base)
	if err != nil {
		return res, err
	}
	res.poolStocks, res.poolCrypto = len(stocks), len(crypto)
	var sampler *rssSampler
	if pid > 0 {
		res.rssBefore = settleRSS(ctx, pid)
		sampler = startRSSSampler(pid)
	}

	u, _ := url.Parse(base)
	wsURL := "ws://" + u.Host + "/ws/market"
	t := &totals{}
	interval := time.Duration(0)
	if cfg.rate > 0 {
		interval = time.Second / time.Duration(cfg.rate)
	}
	rng := rand.New(rand.NewPCG(cfg.seed, 0))
	clients := make([]*client, cfg.clients)
	httpClients := map[string]*httpClientEntry{}
	for i := range clients {
		src := sourceAddr(i, cfg.perIP)
		hc := httpClients[src.String()]
		if hc == nil {
			hc = &httpClientEntry{c: httpClientFor(src)}
			httpClients[src.String()] = hc
		}
		clients[i] = &client{id: i, wsURL: wsURL, origin: base, symbols: pickSymbols(rng, stocks, crypto, cfg.symbols),
			interval: interval, http: hc.c, t: t}
	}

	// Connect, a bounded number of handshakes at a time, and start each client's reader.
	runCtx, stopClients := context.WithCancel(ctx)
	defer stopClients()
	var readers sync.WaitGroup
	connectStart := time.Now()
	connectCtx, connectDone := context.WithTimeout(ctx, 2*time.Minute)
	sem := make(chan struct{}, cfg.connectPar)
	var dialers sync.WaitGroup
	for _, c := range clients {
		sem <- struct{}{}
		if connectCtx.Err() != nil {
			break
		}
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			defer func() { <-sem }()
			if err := c.dial(connectCtx); err != nil {
				t.dialFailures.Add(1)
				t.noteError("dial: %v", err)
				if c.conn != nil {
					c.conn.CloseNow()
					t.open.Add(-1)
					c.conn = nil
				}
				return
			}
			readers.Add(1)
			go func() {
				defer readers.Done()
				c.run(runCtx)
			}()
		}()
	}
	dialers.Wait()
	connectDone()
	res.connectTime = time.Since(connectStart)
	res.connected = t.connected.Load()
	fmt.Fprintf(os.Stderr, "wsload: %d/%d clients connected in %s; warming up %s\n", res.connected, cfg.clients,
		res.connectTime.Round(time.Millisecond), cfg.warmup)

	sleepCtx(ctx, cfg.warmup)
	var cpuStart, selfCPUStart time.Duration
	if pid > 0 {
		cpuStart, _ = cpuTime(pid)
	}
	selfCPUStart, _ = cpuTime(os.Getpid())
	machineStart, _, _ := machineCPU()
	windowStart := time.Now()
	t.windowStart.Store(windowStart.UnixNano())
	t.measuring.Store(true)
	fmt.Fprintf(os.Stderr, "wsload: measuring for %s\n", cfg.duration)
	sleepCtx(ctx, cfg.duration)
	t.measuring.Store(false)
	windowEnd := time.Now()
	res.window = windowEnd.Sub(windowStart)
	if pid > 0 {
		res.rssAfter, _, _ = procStatus(pid)
		res.rssPeak = max(sampler.stop(), res.rssAfter)
		cpuEnd, _ := cpuTime(pid)
		res.serverCPU = cpuEnd - cpuStart
	}
	selfCPUEnd, _ := cpuTime(os.Getpid())
	res.toolCPU = selfCPUEnd - selfCPUStart
	machineEnd, cpus, _ := machineCPU()
	res.machineCPU, res.cpus = machineEnd-machineStart, cpus
	res.toolRSS, _, _ = procStatus(os.Getpid())
	res.heldAtEnd = t.open.Load()

	// Close every client (a normal closure, in parallel, bounded) and wait for the readers.
	stopClients()
	readers.Wait()
	closeAll(clients)

	res.collect(t, clients, windowEnd, cfg)
	if ctx.Err() != nil {
		return res, fmt.Errorf("wsload: run cut short: %w", context.Cause(ctx))
	}
	return res, nil
}

// httpClientEntry is the shared HTTP client of one source address.
type httpClientEntry struct{ c *http.Client }

// setupServer builds (unless given) and starts the child server on a fresh database and waits until
// it serves a synced catalogue. cleanup drops the database and temporary files.
func setupServer(ctx context.Context, cfg config, res *results) (*childServer, func(), error) {
	tmp, err := os.MkdirTemp("", "wsload-")
	if err != nil {
		return nil, func() {}, fmt.Errorf("wsload: temp dir: %w", err)
	}
	cleanup := func() { os.RemoveAll(tmp) }
	setupCtx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	bin := cfg.serverBin
	if bin == "" {
		start := time.Now()
		if bin, err = buildServer(setupCtx, cfg.srcDir, tmp); err != nil {
			return nil, cleanup, err
		}
		res.notes = append(res.notes, fmt.Sprintf("built the server in %s", time.Since(start).Round(100*time.Millisecond)))
	}
	base := os.Getenv("DATABASE_URL")
	dbURL := ""
	if base != "" {
		if dbURL, err = freshDatabase(setupCtx, base); err != nil {
			return nil, cleanup, err
		}
		prev := cleanup
		cleanup = func() {
			if err := dropDatabase(base); err != nil {
				fmt.Fprintln(os.Stderr, "wsload: drop bench database:", err)
			}
			prev()
		}
	} else {
		res.notes = append(res.notes, "DATABASE_URL unset: the server started its own embedded database")
	}
	srv, err := startServer(serverOptions{bin: bin, tmpDir: tmp, env: cfg.serverEnv, tick: cfg.tick, rate: cfg.rate}, dbURL)
	if err != nil {
		return nil, cleanup, err
	}
	start := time.Now()
	if err := waitReady(setupCtx, srv.baseURL, srv.exited); err != nil {
		return srv, cleanup, err
	}
	res.notes = append(res.notes, fmt.Sprintf("server ready (catalogue synced) %s after start", time.Since(start).Round(100*time.Millisecond)))
	return srv, cleanup, nil
}

// pickSymbols is n distinct symbols, about a quarter of them crypto (all of them if there are few).
func pickSymbols(rng *rand.Rand, stocks, crypto []string, n int) []string {
	nc := min(len(crypto), max(1, n/4))
	if len(stocks) == 0 {
		nc = min(len(crypto), n)
	}
	ns := min(len(stocks), n-nc)
	out := make([]string, 0, ns+nc)
	for _, i := range rng.Perm(len(stocks))[:ns] {
		out = append(out, stocks[i])
	}
	for _, i := range rng.Perm(len(crypto))[:nc] {
		out = append(out, crypto[i])
	}
	sort.Strings(out)
	return out
}

// closeAll sends a normal closure on every connection, 256 at a time, each with a short deadline.
func closeAll(clients []*client) {
	sem := make(chan struct{}, 256)
	var wg sync.WaitGroup
	for _, c := range clients {
		if c.conn == nil {
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// Close waits up to 5 s for the server's close frame; the reader already stopped, so
			// CloseNow is enough to free the socket promptly.
			c.conn.CloseNow()
		}()
	}
	wg.Wait()
}

// settleRSS waits for the server's resident memory to stop falling after start-up (the asset sync
// and migrations allocate, and the Go runtime returns memory gradually), so that the growth measured
// afterwards is the clients'. It gives up after 20 s and returns the last reading.
func settleRSS(ctx context.Context, pid int) int64 {
	prev, _, _ := procStatus(pid)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		sleepCtx(ctx, time.Second)
		cur, _, _ := procStatus(pid)
		if d := prev - cur; d < 1<<20 && d > -(1<<20) {
			return cur
		}
		prev = cur
	}
	return prev
}

// rssSampler records the largest resident set of a process from its start to stop, so the peak
// reported is that of the load, not of the server's start-up (which VmHWM would include).
type rssSampler struct {
	done chan struct{}
	peak chan int64
}

func startRSSSampler(pid int) *rssSampler {
	s := &rssSampler{done: make(chan struct{}), peak: make(chan int64, 1)}
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		var peak int64
		for {
			if rss, _, err := procStatus(pid); err == nil && rss > peak {
				peak = rss
			}
			select {
			case <-s.done:
				s.peak <- peak
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the peak seen.
func (s *rssSampler) stop() int64 {
	close(s.done)
	return <-s.peak
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
