package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// results is what one run measured.
type results struct {
	started     time.Time
	fileLimit   uint64
	pids        []int         // the server processes measured (none with -url and no -server-pid)
	processes   []processInfo // the ones this run started, by name
	groups      []groupResult // per web process, when there are several
	poolStocks  int
	poolCrypto  int
	connectTime time.Duration
	connected   int64
	subscribed  int64
	heldAtEnd   int64
	window      time.Duration

	frames, updates, quotes uint64
	dialFailures, dropped   int64
	errorMsgs, badFrames    uint64
	resubscribes            int64
	rawP50, rawP99, rawMax  time.Duration
	beyP50, beyP99, beyMax  time.Duration
	samples                 uint64

	starved       int // clients with no update for longer than the starve gap (or none at all)
	minUpdates    uint64
	medianUpdates uint64
	worstGap      time.Duration
	rssBefore     int64
	rssAfter      int64
	rssPeak       int64   // of the server processes together
	rssPeakEach   []int64 // of each, in the order of pids
	serverCPU     time.Duration
	toolCPU       time.Duration
	toolRSS       int64
	machineCPU    time.Duration // every process, in the window
	cpus          int
	errors        []string
	closes        map[string]int
	notes         []string
}

// processInfo is one started server process's own share of memory and CPU.
type processInfo struct {
	name              string
	pid               int
	rssBefore         int64
	rssAfter          int64
	rssPeak           int64
	cpuStart, cpuUsed time.Duration
}

// groupResult is one web process's clients.
type groupResult struct {
	base                   string
	clients, held, starved int
	rawP50, rawP99         time.Duration
	beyP50, beyP99         time.Duration
}

// collect folds the clients' own results and the shared counters into r.
func (r *results) collect(t *totals, groups []*group, clients []*client, end time.Time, cfg config) {
	r.frames, r.updates, r.quotes = t.frames.Load(), t.updates.Load(), t.quotes.Load()
	r.dialFailures, r.dropped = t.dialFailures.Load(), t.dropped.Load()
	r.errorMsgs, r.badFrames = t.errorsMsg.Load(), t.badFrames.Load()
	r.resubscribes = t.resubscribes.Load()
	r.subscribed = t.subscribed.Load()
	r.samples = t.raw.count()
	r.rawP50, r.rawP99, r.rawMax = t.raw.quantile(0.50), t.raw.quantile(0.99), time.Duration(t.raw.max.Load())
	r.beyP50, r.beyP99, r.beyMax = t.beyond.quantile(0.50), t.beyond.quantile(0.99), time.Duration(t.beyond.max.Load())
	byGroup := map[*group]*groupResult{}
	if len(groups) > 1 {
		r.groups = make([]groupResult, len(groups))
		for i, g := range groups {
			r.groups[i] = groupResult{base: g.base, rawP50: g.raw.quantile(0.50), rawP99: g.raw.quantile(0.99),
				beyP50: g.beyond.quantile(0.50), beyP99: g.beyond.quantile(0.99)}
			byGroup[g] = &r.groups[i]
		}
	}
	var counts []uint64
	for _, c := range clients {
		gr := byGroup[c.g]
		if gr == nil {
			gr = &groupResult{} // one group: the totals say it all
		}
		gr.clients++
		if c.conn == nil {
			r.starved++
			gr.starved++
			continue
		}
		cr := c.finish(end)
		counts = append(counts, cr.updates)
		if cr.held {
			gr.held++
		}
		if cr.updates == 0 || cr.maxGap > cfg.starveGap || !cr.held {
			r.starved++
			gr.starved++
		}
		if cr.maxGap > r.worstGap {
			r.worstGap = cr.maxGap
		}
	}
	if len(counts) > 0 {
		sort.Slice(counts, func(i, j int) bool { return counts[i] < counts[j] })
		r.minUpdates, r.medianUpdates = counts[0], counts[len(counts)/2]
	}
	t.mu.Lock()
	r.errors = append(r.errors, t.firstErrors...)
	r.closes = t.closeCodes
	t.mu.Unlock()
}

// perConn is the server's memory growth per held connection.
func (r *results) perConn() int64 {
	if r.heldAtEnd <= 0 || r.rssAfter == 0 {
		return 0
	}
	return (r.rssAfter - r.rssBefore) / r.heldAtEnd
}

// pass reports whether the targets were met.
func (r *results) pass(cfg config) bool {
	ok := r.heldAtEnd == int64(cfg.clients) && r.starved == 0 && r.samples > 0 && r.beyP99 < cfg.p99Target
	if len(r.pids) > 0 {
		ok = ok && r.largestPeak() < cfg.rssTarget
	}
	return ok
}

// largestPeak is the largest resident set any one server process reached under load: the memory
// target is per process (a scaled-out deployment gives each its own).
func (r *results) largestPeak() int64 {
	if len(r.rssPeakEach) == 0 {
		return r.rssPeak
	}
	var m int64
	for _, p := range r.rssPeakEach {
		m = max(m, p)
	}
	return m
}

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

func perSec(n uint64, d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f/s", float64(n)/d.Seconds())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}

// print writes the results table (Markdown, so it can be pasted into docs/BENCHMARKS.md).
func (r *results) print(w io.Writer, cfg config) {
	fmt.Fprintf(w, "\n## wsload %s: %d clients × %d symbols, feed tick %s, %d updates/s per symbol, window %s after %s warm-up\n\n",
		r.started.UTC().Format(time.RFC3339), cfg.clients, cfg.symbols, cfg.tick, cfg.rate, r.window.Round(time.Millisecond), cfg.warmup)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, "| "+strings.Join(cells, "\t| ")+"\t|") }
	row("measure", "value", "target")
	row("---", "---", "---")
	row("connections established", fmt.Sprintf("%d (in %s; %d dial failures)", r.connected, r.connectTime.Round(time.Millisecond), r.dialFailures), fmt.Sprint(cfg.clients))
	row("subscriptions acknowledged", fmt.Sprintf("%d (%d sent again after an error reply)", r.subscribed, r.resubscribes), "")
	row("connections held at end", fmt.Sprintf("%d (%d closed by the server)", r.heldAtEnd, r.dropped), fmt.Sprintf("%d %s", cfg.clients, verdict(r.heldAtEnd == int64(cfg.clients))))
	row("frames received", perSec(r.frames, r.window), "")
	row("updates received (quote+trade+bar)", perSec(r.updates, r.window)+fmt.Sprintf(" (quotes %s)", perSec(r.quotes, r.window)), "")
	row("updates per client in window (min / median)", fmt.Sprintf("%d / %d", r.minUpdates, r.medianUpdates), "")
	row("starved clients (no update > "+cfg.starveGap.String()+")", fmt.Sprintf("%d (longest silence %s)", r.starved, r.worstGap.Round(time.Millisecond)), "0 "+verdict(r.starved == 0))
	row("quote latency raw p50 / p99 / max", fmt.Sprintf("%s / %s / %s", ms(r.rawP50), ms(r.rawP99), ms(r.rawMax)), fmt.Sprintf("(includes up to %s of batching)", time.Second/time.Duration(max(cfg.rate, 1))))
	row("quote latency beyond batching p50 / p99 / max", fmt.Sprintf("%s / %s / %s", ms(r.beyP50), ms(r.beyP99), ms(r.beyMax)), fmt.Sprintf("p99 < %s %s", cfg.p99Target, verdict(r.samples > 0 && r.beyP99 < cfg.p99Target)))
	row("latency samples", fmt.Sprint(r.samples), "")
	if len(r.pids) > 0 {
		row("server RSS settled before / with all clients / peak under load", fmt.Sprintf("%s / %s / %s", mb(r.rssBefore), mb(r.rssAfter), mb(r.rssPeak)), "")
		row("largest one process's peak RSS under load", mb(r.largestPeak()), fmt.Sprintf("< %s per process %s", mb(cfg.rssTarget), verdict(r.largestPeak() < cfg.rssTarget)))
		row("server memory per connection", fmt.Sprintf("%.1f KB", float64(r.perConn())/1024), "")
		row("server CPU in window", fmt.Sprintf("%s (%.0f%% of one core)", r.serverCPU.Round(10*time.Millisecond), 100*r.serverCPU.Seconds()/r.window.Seconds()), "")
	}
	for _, p := range r.processes {
		if len(r.processes) == 1 {
			break // the server rows above are this process's
		}
		row("process "+p.name+": RSS before / with clients / peak, CPU in window", fmt.Sprintf("%s / %s / %s, %s (%.0f%% of one core)",
			mb(p.rssBefore), mb(p.rssAfter), mb(p.rssPeak), p.cpuUsed.Round(10*time.Millisecond), 100*p.cpuUsed.Seconds()/max(r.window.Seconds(), 1e-9)), "")
	}
	for _, g := range r.groups {
		row("clients of "+g.base+": held / starved, latency raw p50 / p99, beyond batching p50 / p99",
			fmt.Sprintf("%d of %d / %d, %s / %s, %s / %s", g.held, g.clients, g.starved, ms(g.rawP50), ms(g.rawP99), ms(g.beyP50), ms(g.beyP99)), "")
	}
	row("load tool CPU in window / RSS", fmt.Sprintf("%s (%.0f%% of one core) / %s", r.toolCPU.Round(10*time.Millisecond), 100*r.toolCPU.Seconds()/max(r.window.Seconds(), 1e-9), mb(r.toolRSS)), "")
	if r.cpus > 0 && r.window > 0 {
		other := r.machineCPU - r.serverCPU - r.toolCPU
		row("machine CPU busy in window / of which other processes", fmt.Sprintf("%.0f%% of %d cores / %.0f%% of one core",
			100*r.machineCPU.Seconds()/r.window.Seconds()/float64(r.cpus), r.cpus, 100*max(other, 0).Seconds()/r.window.Seconds()),
			"other ≈ 0 for a clean number")
	}
	row("error messages / unreadable frames", fmt.Sprintf("%d / %d", r.errorMsgs, r.badFrames), "")
	row("symbol pool (stocks / crypto)", fmt.Sprintf("%d / %d", r.poolStocks, r.poolCrypto), "")
	tw.Flush()
	fmt.Fprintf(w, "\nOverall: %s\n", verdict(r.pass(cfg)))
	for _, n := range r.notes {
		fmt.Fprintln(w, "note:", n)
	}
	for reason, n := range r.closes {
		fmt.Fprintf(w, "closed by server: %s × %d\n", reason, n)
	}
	for _, e := range r.errors {
		fmt.Fprintln(w, "first errors:", e)
	}
}
