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
//
// With -web N it starts the scaled-out deployment of the Procfile instead of one process: the
// migrations run once, one process runs the feed and the jobs (ROLES=worker,feed), N processes serve
// the web role only, all on the one database, and the clients are spread evenly over the web
// processes. Their quotes then cross the relay (feed hub → NOTIFY → each web process's hub), and
// the results add a line per web process.
//
//	go run ./tools/wsload -web 3 -clients 6000
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
	webURLs    []string // rawURL split at commas: the web processes to spread clients over
	serverPID  int
	web        int // web-only processes to start (0: one process with every role)
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
	fs.StringVar(&c.rawURL, "url", "", "measure an already running server at this loopback base URL instead of starting one (several, comma-separated: clients are spread over them)")
	fs.IntVar(&c.web, "web", 0, "start one feed+worker process and this many web-only processes on one database (needs DATABASE_URL); 0 runs one process with every role")
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
	if c.web < 0 || c.web > 16 {
		return c, errors.New("wsload: -web must be 0 to 16")
	}
	if c.rawURL != "" {
		if c.web > 0 {
			return c, errors.New("wsload: -web starts its own processes; it cannot be used with -url")
		}
		for _, u := range strings.Split(c.rawURL, ",") {
			if _, err := checkLoopback(u); err != nil {
				return c, err
			}
			c.webURLs = append(c.webURLs, strings.TrimRight(u, "/"))
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

	webs, pids := cfg.webURLs, []int(nil)
	if cfg.serverPID > 0 {
		pids = []int{cfg.serverPID}
	}
	if len(webs) == 0 {
		dep, cleanup, err := setupDeployment(ctx, cfg, res)
		defer func() {
			dep.stop(res)
			if cfg.serverLog != "" {
				dep.copyLogs(cfg.serverLog)
			}
			cleanup()
		}()
		if err != nil {
			return res, fmt.Errorf("%w\n--- server logs (tail) ---\n%s", err, dep.logTails(30))
		}
		webs, pids = dep.webURLs(), dep.pids()
	}
	res.pids = pids

	stocks, crypto, err := symbolPool(ctx, webs[0])
	if err != nil {
		return res, err
	}
	res.poolStocks, res.poolCrypto = len(stocks), len(crypto)
	var sampler *rssSampler
	if len(pids) > 0 {
		res.rssBefore = settleRSS(ctx, pids)
		sampler = startRSSSampler(pids)
		for i := range res.processes {
			res.processes[i].rssBefore, _, _ = procStatus(res.processes[i].pid)
		}
	}

	t := &totals{}
	groups := make([]*group, len(webs))
	for k, base := range webs {
		u, _ := url.Parse(base)
		groups[k] = &group{base: base, wsURL: "ws://" + u.Host + "/ws/market"}
	}
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
		g := groups[i%len(groups)]
		clients[i] = &client{id: i, wsURL: g.wsURL, origin: g.base, symbols: pickSymbols(rng, stocks, crypto, cfg.symbols),
			interval: interval, http: hc.c, t: t, g: g}
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
	cpuStart = cpuTimes(pids)
	for i := range res.processes {
		res.processes[i].cpuStart, _ = cpuTime(res.processes[i].pid)
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
	if len(pids) > 0 {
		res.rssAfter = rssOf(pids)
		peaks := sampler.stop()
		res.rssPeak = max(peaks.sum, res.rssAfter)
		res.rssPeakEach = peaks.each
		res.serverCPU = cpuTimes(pids) - cpuStart
	}
	for i := range res.processes {
		p := &res.processes[i]
		p.rssAfter, _, _ = procStatus(p.pid)
		if i < len(res.rssPeakEach) { // processes and pids are both in start order
			p.rssPeak = res.rssPeakEach[i]
		}
		end, _ := cpuTime(p.pid)
		p.cpuUsed = end - p.cpuStart
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

	res.collect(t, groups, clients, windowEnd, cfg)
	if ctx.Err() != nil {
		return res, fmt.Errorf("wsload: run cut short: %w", context.Cause(ctx))
	}
	return res, nil
}

// httpClientEntry is the shared HTTP client of one source address.
type httpClientEntry struct{ c *http.Client }

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

// settleRSS waits for the servers' resident memory to stop falling after start-up (the asset sync
// and migrations allocate, and the Go runtime returns memory gradually), so that the growth measured
// afterwards is the clients'. It gives up after 20 s and returns the last reading (the sum over pids).
func settleRSS(ctx context.Context, pids []int) int64 {
	prev := rssOf(pids)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		sleepCtx(ctx, time.Second)
		cur := rssOf(pids)
		if d := prev - cur; d < 1<<20 && d > -(1<<20) {
			return cur
		}
		prev = cur
	}
	return prev
}

// rssOf is the resident memory of the processes together.
func rssOf(pids []int) int64 {
	var sum int64
	for _, pid := range pids {
		rss, _, _ := procStatus(pid)
		sum += rss
	}
	return sum
}

// cpuTimes is the CPU the processes have used so far, together.
func cpuTimes(pids []int) time.Duration {
	var sum time.Duration
	for _, pid := range pids {
		d, _ := cpuTime(pid)
		sum += d
	}
	return sum
}

// rssSampler records the largest resident set of the servers together, and of each, from its start
// to stop, so the peak reported is that of the load, not of the servers' start-up (which VmHWM
// would include).
type rssSampler struct {
	done chan struct{}
	peak chan rssPeaks
}

// rssPeaks are the sampled peaks: of the sum, and of each process in the order sampled.
type rssPeaks struct {
	sum  int64
	each []int64
}

func startRSSSampler(pids []int) *rssSampler {
	s := &rssSampler{done: make(chan struct{}), peak: make(chan rssPeaks, 1)}
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		peaks := rssPeaks{each: make([]int64, len(pids))}
		for {
			var sum int64
			for i, pid := range pids {
				rss, _, _ := procStatus(pid)
				sum += rss
				peaks.each[i] = max(peaks.each[i], rss)
			}
			peaks.sum = max(peaks.sum, sum)
			select {
			case <-s.done:
				s.peak <- peaks
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the peaks seen.
func (s *rssSampler) stop() rssPeaks {
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
