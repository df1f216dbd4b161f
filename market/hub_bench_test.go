package market

import (
	"context"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The load the hub is sized for: a busy feed and a full house of browser connections.
const (
	benchSymbols       = 500
	benchSubscribers   = 10_000
	benchPerSubscriber = 20
	benchQuoteRate     = 50_000 // quotes per second
	benchDuration      = 3 * time.Second
)

// latencyHistogram is log-linear: 8 buckets per power of two of nanoseconds, so any quantile is
// known within about 9% without storing samples (which would allocate on the hot path).
type latencyHistogram [64 * 8]uint32

func (h *latencyHistogram) add(d time.Duration) {
	ns := uint64(max(d, 1))
	exp := bits.Len64(ns) - 1
	mant := 0
	if exp >= 3 {
		mant = int(ns>>(exp-3)) & 7
	}
	h[exp*8+mant]++
}

func (h *latencyHistogram) merge(o *latencyHistogram) {
	for i := range h {
		h[i] += o[i]
	}
}

// quantile returns the upper edge of the bucket holding quantile q.
func (h *latencyHistogram) quantile(q float64) time.Duration {
	var total uint64
	for _, c := range h {
		total += uint64(c)
	}
	want := uint64(q * float64(total))
	var seen uint64
	for i, c := range h {
		seen += uint64(c)
		if seen > want {
			exp, mant := i/8, i%8
			if exp < 3 {
				return time.Duration(1) << exp
			}
			return time.Duration((uint64(8+mant+1) << (exp - 3)))
		}
	}
	return 0
}

// BenchmarkHubFanOut is the sizing run: one producer paced at 50,000 quotes/s over 500 symbols,
// 10,000 subscribers following 20 random symbols each (seeded), one draining goroutine per
// subscriber. It runs for a fixed 3s whatever b.N is, because a paced feed measures the hub at a
// given load rather than how fast a loop can go; BenchmarkHubPublish and BenchmarkHubDeliver
// measure the unpaced costs.
//
// Every subscriber wants 20 × 100 = 2,000 quotes/s, 20M/s in all: far more than two cores can
// hand over one by one. The hub meets that by coalescing (a reader gets the newest quote of each
// symbol it fell behind on), so deliveries/s is the rate readers actually receive.
// coalesced-hub counts quotes replaced before fan-out (each one saves an offer to every follower
// of its symbol), coalesced-subs quotes replaced in a subscription's buffer.
//
// A second, light run at 500 quotes/s (200,000 offered deliveries/s) shows the latency when the
// hub is not saturated.
//
// The machine may be shared with other work: cores-used is the share of the two cores this
// process got, and deliveries/cpu-s the throughput per second of CPU it actually used.
func BenchmarkHubFanOut(b *testing.B) {
	for _, rate := range []int{benchQuoteRate, 500} {
		b.Run(fmt.Sprintf("quotes=%d", rate), func(b *testing.B) { benchFanOut(b, rate) })
	}
}

func benchFanOut(b *testing.B, rate int) {
	h := NewHub(HubOptions{})
	defer h.Close()
	rng := rand.New(rand.NewPCG(1, 2))

	symbols := make([]string, benchSymbols)
	quotes := make([]Quote, benchSymbols)
	for i := range symbols {
		symbols[i] = fmt.Sprintf("S%03d", i)
		quotes[i] = testQuote(symbols[i], int64(10+i))
	}
	subs := make([]*Subscription, benchSubscribers)
	for i := range subs {
		picked := make([]string, 0, benchPerSubscriber)
		for _, j := range rng.Perm(benchSymbols)[:benchPerSubscriber] {
			picked = append(picked, symbols[j])
		}
		subs[i] = h.Subscribe(SubscribeOptions{Symbols: picked, Quotes: true})
	}

	ctx, cancel := context.WithCancel(context.Background())
	hists := make([]latencyHistogram, len(subs))
	wakes := make([]uint64, len(subs))
	var readers sync.WaitGroup
	for i, s := range subs {
		readers.Go(func() {
			buf := make([]Event, 0, benchPerSubscriber)
			hist := &hists[i]
			for {
				var err error
				if buf, err = s.Wait(ctx, buf[:0]); err != nil {
					return
				}
				wakes[i]++
				now := time.Now()
				for j := range buf {
					hist.add(now.Sub(buf[j].Published))
				}
			}
		})
	}

	var publishTimes latencyHistogram
	publish := func(d time.Duration) (published int, slowest time.Duration, behind time.Duration) {
		start := time.Now()
		for {
			elapsed := time.Since(start)
			if elapsed >= d {
				return published, slowest, behind
			}
			due := int(elapsed.Seconds() * float64(rate))
			behind = max(behind, time.Duration(due-published)*time.Second/time.Duration(rate))
			for ; published < due; published++ {
				q := &quotes[rng.IntN(benchSymbols)]
				t0 := time.Now()
				h.Quote(*q)
				took := time.Since(t0)
				publishTimes.add(took)
				slowest = max(slowest, took)
			}
			time.Sleep(200 * time.Microsecond) // pacing the offered load, not synchronisation
		}
	}

	// Warm up: each subscription's buffers and spares grow to size (two allocations per
	// subscription, once), goroutine stacks and the runtime's wait queues settle.
	publish(time.Second)
	time.Sleep(100 * time.Millisecond) // warm-up's tail drains before measuring; not synchronisation (no result depends on it)
	runtime.GC()                       // collect the set-up's garbage now rather than during the measurement
	publishTimes = latencyHistogram{}
	// The readers write their histograms without synchronisation. Clearing them here races in
	// theory (a straggling quote) but the benchmark does not run under -race and a stray sample
	// does not move a percentile.
	for i := range hists {
		hists[i] = latencyHistogram{}
		wakes[i] = 0
	}
	before := h.Stats()
	var subsBefore SubscriptionStats
	for _, s := range subs {
		st := s.Stats()
		subsBefore.Delivered += st.Delivered
		subsBefore.Coalesced += st.Coalesced
		subsBefore.Dropped += st.Dropped
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := processCPU()
	b.ResetTimer()
	start := time.Now()
	published, slowest, behind := publish(benchDuration)
	elapsed := time.Since(start)
	time.Sleep(50 * time.Millisecond) // let the readers catch up with the last quotes
	b.StopTimer()
	cpu := processCPU() - cpu0
	runtime.ReadMemStats(&m1)
	cancel()
	readers.Wait()

	after := h.Stats()
	var subsAfter SubscriptionStats
	for _, s := range subs {
		st := s.Stats()
		subsAfter.Delivered += st.Delivered
		subsAfter.Coalesced += st.Coalesced
		subsAfter.Dropped += st.Dropped
	}
	var hist latencyHistogram
	var woken uint64
	for i := range hists {
		hist.merge(&hists[i])
		woken += wakes[i]
	}
	delivered := subsAfter.Delivered - subsBefore.Delivered
	b.ReportMetric(float64(published)/elapsed.Seconds(), "quotes/s")
	b.ReportMetric(float64(delivered)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(delivered)/cpu.Seconds(), "deliveries/cpu-s")
	b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cores-used")
	b.ReportMetric(float64(delivered)/float64(woken), "events/wakeup")
	b.ReportMetric(float64(hist.quantile(0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(hist.quantile(0.99).Microseconds()), "p99-µs")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(delivered), "allocs/delivery")
	b.ReportMetric(float64(after.Coalesced-before.Coalesced), "coalesced-hub")
	b.ReportMetric(float64(subsAfter.Coalesced-subsBefore.Coalesced), "coalesced-subs")
	b.ReportMetric(float64(after.Dropped-before.Dropped+subsAfter.Dropped-subsBefore.Dropped), "dropped")
	// A publish takes no lock a reader or worker holds; its slowest cases are the scheduler (Go's
	// or the kernel's) running something else in the middle of one.
	b.ReportMetric(float64(publishTimes.quantile(0.999).Nanoseconds()), "p999-publish-ns")
	b.ReportMetric(float64(slowest.Microseconds()), "max-publish-µs")
	b.ReportMetric(float64(behind.Microseconds()), "max-behind-µs")
	b.ReportMetric(0, "ns/op") // one fixed run: ns/op would only restate the duration
}

// processCPU is the user and system time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHubPublish is the feed goroutine's cost per quote, unpaced: 500 symbols, each followed
// by a subscriber that does not read (its pending quote is overwritten in place). The fan-out
// workers share the two cores with the loop, so this is an upper bound on the Sink call's cost.
func BenchmarkHubPublish(b *testing.B) {
	h := NewHub(HubOptions{})
	defer h.Close()
	quotes := make([]Quote, benchSymbols)
	for i := range quotes {
		quotes[i] = testQuote(fmt.Sprintf("S%03d", i), int64(10+i))
		h.Subscribe(SubscribeOptions{Symbols: []string{quotes[i].Symbol}, Quotes: true})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		h.Quote(quotes[i%benchSymbols])
	}
}

// BenchmarkHubDeliver is the cost of one delivery end to end, unpaced: each op publishes one bar
// (never coalesced) to 100 subscribers and waits until all 100 have drained it. allocs/op must be 0.
func BenchmarkHubDeliver(b *testing.B) {
	const n = 100
	h := NewHub(HubOptions{})
	defer h.Close()
	subs := make([]*Subscription, n)
	for i := range subs {
		subs[i] = h.Subscribe(SubscribeOptions{Symbols: []string{"AAPL"}, Bars: true})
	}
	bar := testBar("AAPL", 0)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, s := range subs {
		go func() {
			buf := make([]Event, 0, 8)
			for {
				var err error
				if buf, err = s.Wait(ctx, buf[:0]); err != nil {
					return
				}
				for range buf {
					wg.Done()
				}
			}
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		wg.Add(n)
		h.Bar(bar)
		wg.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/delivery")
}
