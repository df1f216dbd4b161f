package market

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/internal/testwait"
)

func newTestHub(t testing.TB, opts HubOptions) *Hub {
	t.Helper()
	h := NewHub(opts)
	t.Cleanup(h.Close)
	return h
}

func testQuote(symbol string, bid int64) Quote {
	return Quote{
		Symbol:   symbol,
		BidPrice: decimal.NewFromInt(bid),
		AskPrice: decimal.NewFromInt(bid + 1),
		BidSize:  decimal.NewFromInt(100),
		AskSize:  decimal.NewFromInt(100),
		Time:     time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC),
	}
}

func testBar(symbol string, minute int) Bar {
	return Bar{
		Symbol: symbol,
		Start:  time.Date(2026, 3, 2, 14, 30+minute/60, 0, 0, time.UTC).Add(time.Duration(minute%60) * time.Minute),
		Open:   decimal.NewFromInt(10), High: decimal.NewFromInt(11), Low: decimal.NewFromInt(9), Close: decimal.NewFromInt(10),
		Volume: decimal.NewFromInt(1000),
	}
}

func testTrade(symbol string, id int64) Trade {
	return Trade{Symbol: symbol, ID: id, Price: decimal.NewFromInt(10), Size: decimal.NewFromInt(1)}
}

// readUntil reads from s until done says the events so far are enough, failing after a while.
func readUntil(t *testing.T, s *Subscription, done func([]Event) bool) []Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []Event
	for !done(got) {
		var err error
		if got, err = s.Wait(ctx, got); err != nil {
			t.Fatalf("waiting for events: %v (have %d: %v)", err, len(got), describe(got))
		}
	}
	return got
}

// waitPending waits until n events sit in s's buffers, without reading them.
func waitPending(t *testing.T, s *Subscription, n int) {
	t.Helper()
	testwait.Until(t, 10*time.Second, fmt.Sprintf("%d pending events (have %d)", n, s.Stats().Pending),
		func() bool { return s.Stats().Pending == n })
}

func countKind(evs []Event, kind EventKind) int {
	n := 0
	for i := range evs {
		if evs[i].Kind == kind {
			n++
		}
	}
	return n
}

func describe(evs []Event) []string {
	out := make([]string, len(evs))
	for i := range evs {
		e := &evs[i]
		switch e.Kind {
		case EventQuote:
			out[i] = fmt.Sprintf("quote %s %s", e.Quote.Symbol, e.Quote.BidPrice)
		case EventTrade:
			out[i] = fmt.Sprintf("trade %s %d", e.Trade.Symbol, e.Trade.ID)
		case EventBar:
			out[i] = fmt.Sprintf("bar %s %s", e.Bar.Symbol, e.Bar.Start.Format("15:04"))
		}
	}
	return out
}

func TestHubFanOutFollowsSymbolsAndKinds(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{})
	tests := []struct {
		name string
		opts SubscribeOptions
		want []string
	}{
		{"named symbols, all kinds", SubscribeOptions{Symbols: []string{"AAPL", "MSFT"}},
			[]string{"quote AAPL 1", "trade AAPL 1", "bar AAPL 14:30", "quote MSFT 2", "bar MSFT 14:30"}},
		{"one symbol", SubscribeOptions{Symbols: []string{"MSFT"}},
			[]string{"quote MSFT 2", "bar MSFT 14:30"}},
		{"wildcard bars only", SubscribeOptions{Symbols: []string{Wildcard}, Bars: true},
			[]string{"bar AAPL 14:30", "bar MSFT 14:30", "bar BTC/USD 14:30"}},
		{"quotes and trades of a crypto pair", SubscribeOptions{Symbols: []string{"BTC/USD"}, Quotes: true, Trades: true},
			[]string{"quote BTC/USD 3", "trade BTC/USD 2"}},
	}
	subs := make([]*Subscription, len(tests))
	for i, tt := range tests {
		subs[i] = h.Subscribe(tt.opts)
	}
	// Everything for one symbol goes through one worker, so per symbol the order holds.
	for _, sym := range []string{"AAPL", "MSFT", "BTC/USD"} {
		switch sym {
		case "AAPL":
			h.Quote(testQuote(sym, 1))
			h.Trade(testTrade(sym, 1))
		case "MSFT":
			h.Quote(testQuote(sym, 2))
		case "BTC/USD":
			h.Quote(testQuote(sym, 3))
			h.Trade(testTrade(sym, 2))
		}
		h.Bar(testBar(sym, 0))
	}
	h.Quote(testQuote("TSLA", 9)) // followed by nobody but the wildcard, which takes no quotes

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describe(readUntil(t, subs[i], func(e []Event) bool { return len(e) >= len(tt.want) }))
			if !sameElements(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if extra := subs[i].Drain(nil); len(extra) != 0 {
				t.Fatalf("unexpected extra events %v", describe(extra))
			}
		})
	}
}

// sameElements compares as multisets: order across symbols depends on which worker runs first.
func sameElements(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestHubStalledSubscriberBlocksNeitherFeedNorOthers(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{})
	symbols := []string{"AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "GOOG", "BTC/USD"}
	const quotesPerSymbol, barsPerSymbol = 2000, 60

	stalled := h.Subscribe(SubscribeOptions{Symbols: []string{Wildcard}, Buffer: 2, BarBuffer: 4})
	readers := make([]*Subscription, 4)
	for i := range readers {
		readers[i] = h.Subscribe(SubscribeOptions{Symbols: symbols, Quotes: true, Bars: true})
	}

	type result struct {
		bars   int
		latest map[string]decimal.Decimal
	}
	results := make([]result, len(readers))
	var wg sync.WaitGroup
	lastBid := int64(quotesPerSymbol)
	for i, r := range readers {
		wg.Go(func() {
			res := result{latest: map[string]decimal.Decimal{}}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var buf []Event
			for res.bars < len(symbols)*barsPerSymbol || !allLatest(res.latest, symbols, lastBid) {
				var err error
				if buf, err = r.Wait(ctx, buf[:0]); err != nil {
					break
				}
				for _, e := range buf {
					switch e.Kind {
					case EventBar:
						res.bars++
					case EventQuote:
						res.latest[e.Quote.Symbol] = e.Quote.BidPrice
					}
				}
			}
			results[i] = res
		})
	}

	var slowest time.Duration
	for i := 1; i <= quotesPerSymbol; i++ {
		for _, sym := range symbols {
			start := time.Now()
			h.Quote(testQuote(sym, int64(i)))
			if i%(quotesPerSymbol/barsPerSymbol) == 0 {
				h.Bar(testBar(sym, i))
			}
			slowest = max(slowest, time.Since(start))
		}
	}
	wg.Wait()

	// Publishing takes no lock a reader holds, so this only catches the scheduler descheduling
	// the publisher on a loaded machine; blocking on the stalled subscriber would instead hang
	// until the readers' timeout.
	if slowest > time.Second {
		t.Errorf("slowest publish took %v", slowest)
	}
	for i, res := range results {
		if res.bars != len(symbols)*barsPerSymbol {
			t.Errorf("reader %d got %d bars, want %d", i, res.bars, len(symbols)*barsPerSymbol)
		}
		if !allLatest(res.latest, symbols, lastBid) {
			t.Errorf("reader %d latest quotes %v, want bid %d everywhere", i, res.latest, lastBid)
		}
	}
	st := stalled.Stats()
	if st.Delivered != 0 || st.Pending > 2+2+4 || st.Dropped == 0 {
		t.Errorf("stalled subscriber stats %+v: want nothing delivered, at most its buffers pending, drops counted", st)
	}
}

func allLatest(latest map[string]decimal.Decimal, symbols []string, bid int64) bool {
	for _, sym := range symbols {
		if p, ok := latest[sym]; !ok || !p.Equal(decimal.NewFromInt(bid)) {
			return false
		}
	}
	return true
}

func TestSubscriptionCoalescesQuotesKeepingTheLatest(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{})
	s := h.Subscribe(SubscribeOptions{Symbols: []string{"AAPL", "MSFT"}})
	h.Quote(testQuote("AAPL", 1))
	h.Quote(testQuote("MSFT", 500))
	for bid := int64(2); bid <= 100; bid++ {
		h.Quote(testQuote("AAPL", bid))
	}
	// A bar after the quotes of the same symbol is a barrier: once both bars are pending, every
	// quote before them has been offered.
	h.Bar(testBar("AAPL", 0))
	h.Bar(testBar("MSFT", 0))
	waitPending(t, s, 4)

	got := s.Drain(nil)
	quotes := map[string]string{}
	for _, e := range got {
		if e.Kind == EventQuote {
			quotes[e.Quote.Symbol] = e.Quote.BidPrice.String()
		}
	}
	if want := map[string]string{"AAPL": "100", "MSFT": "500"}; fmt.Sprint(quotes) != fmt.Sprint(want) {
		t.Fatalf("quotes %v, want %v (all: %v)", quotes, want, describe(got))
	}
	st, hs := s.Stats(), h.Stats()
	// The 99 superseded AAPL quotes were merged either before fan-out (hub) or in the
	// subscription's slot; which one depends on timing, the sum does not.
	if st.Coalesced+hs.Coalesced != 99 || st.Delivered != 4 || st.Dropped != 0 || st.Pending != 0 {
		t.Fatalf("subscription %+v, hub coalesced %d: want 99 coalesced in all, 4 delivered", st, hs.Coalesced)
	}
}

func TestSubscriptionDrainKeepsArrivalOrder(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{Workers: 1})
	s := h.Subscribe(SubscribeOptions{Symbols: []string{"AAPL"}})
	h.Quote(testQuote("AAPL", 1))
	h.Trade(testTrade("AAPL", 1))
	h.Quote(testQuote("AAPL", 2))
	h.Bar(testBar("AAPL", 0))
	h.Trade(testTrade("AAPL", 2))
	waitPending(t, s, 4) // read only once all is in, or the first quote could leave on its own
	got := describe(s.Drain(nil))
	// The quote keeps the place of the first one and carries the latest price.
	want := []string{"quote AAPL 2", "trade AAPL 1", "bar AAPL 14:30", "trade AAPL 2"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestSubscriptionBuffersAreBoundedAndCounted(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{Workers: 1})
	s := h.Subscribe(SubscribeOptions{Symbols: []string{"A", "B", "C"}, Buffer: 2, BarBuffer: 3})
	h.Quote(testQuote("A", 1))
	h.Quote(testQuote("B", 1))
	h.Quote(testQuote("C", 1)) // a third distinct symbol: dropped
	for id := range int64(5) {
		h.Trade(testTrade("A", id)) // two fit, three dropped
	}
	for minute := range 5 {
		h.Bar(testBar("A", minute)) // the last three stay, the first two are pushed out
	}
	waitPending(t, s, 2+2+3)
	got := describe(s.Drain(nil))
	want := []string{"quote A 1", "quote B 1", "trade A 0", "trade A 1", "bar A 14:32", "bar A 14:33", "bar A 14:34"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if st := s.Stats(); st.Delivered != 7 || st.Dropped != 1+3+2 || st.Pending != 0 {
		t.Fatalf("stats %+v: want 7 delivered, 6 dropped", st)
	}
}

func TestSubscriptionSetSymbols(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{Grace: -1})
	s := h.Subscribe(SubscribeOptions{Symbols: []string{"AAPL", "MSFT"}, Bars: true})
	if got := h.Wanted(0); !slices.Equal(got, []string{"AAPL", "MSFT"}) {
		t.Fatalf("wanted %v before", got)
	}
	s.SetSymbols([]string{"MSFT", "NVDA"})
	if got := h.Wanted(0); !slices.Equal(got, []string{"MSFT", "NVDA"}) {
		t.Fatalf("wanted %v after", got)
	}
	for _, sym := range []string{"AAPL", "MSFT", "NVDA"} {
		h.Bar(testBar(sym, 0))
	}
	got := describe(readUntil(t, s, func(e []Event) bool { return len(e) >= 2 }))
	if !sameElements(got, []string{"bar MSFT 14:30", "bar NVDA 14:30"}) {
		t.Fatalf("got %v", got)
	}

	s.SetSymbols([]string{Wildcard})
	h.Bar(testBar("TSLA", 1)) // never named by anyone: routed to the wildcard all the same
	got = describe(readUntil(t, s, func(e []Event) bool { return len(e) >= 1 }))
	if !slices.Equal(got, []string{"bar TSLA 14:31"}) {
		t.Fatalf("got %v", got)
	}
	if w := h.Wanted(0); len(w) != 0 {
		t.Fatalf("a wildcard created demand %v", w)
	}
}

func TestSubscriptionCloseReleasesDemandAndEndsWait(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	h := newTestHub(t, HubOptions{Grace: time.Minute, Now: clock.Now})
	s := h.Subscribe(SubscribeOptions{Symbols: []string{"AAPL"}})
	h.Quote(testQuote("AAPL", 1))
	waitPending(t, s, 1)

	errc := make(chan error, 1)
	go func() {
		_, err := s.Wait(context.Background(), nil)
		if err == nil { // the pending quote comes first
			_, err = s.Wait(context.Background(), nil)
		}
		errc <- err
	}()
	// Once the quote is read, the goroutine's next Wait is the one Close must end. Whether it is
	// already blocked or not yet called, it must return ErrSubscriptionClosed.
	waitPending(t, s, 0)
	s.Close()
	s.Close() // harmless
	select {
	case err := <-errc:
		if !errors.Is(err, ErrSubscriptionClosed) {
			t.Fatalf("Wait after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return after Close")
	}

	if got := h.Wanted(0); !slices.Equal(got, []string{"AAPL"}) {
		t.Fatalf("wanted %v during the grace period", got)
	}
	clock.Advance(time.Minute)
	if got := h.Wanted(0); len(got) != 0 {
		t.Fatalf("wanted %v after the grace period", got)
	}
	h.Quote(testQuote("AAPL", 2))
	if st := s.Stats(); st.Pending != 0 {
		t.Fatalf("closed subscription still receives: %+v", st)
	}
	if hs := h.Stats(); hs.Subscriptions != 0 || hs.Symbols != 0 {
		t.Fatalf("hub stats %+v: want no subscription or routed symbol left", hs)
	}
}

func TestHubCloseClosesSubscriptions(t *testing.T) {
	t.Parallel()
	h := NewHub(HubOptions{})
	s := h.Subscribe(SubscribeOptions{Symbols: []string{"AAPL"}})
	h.Close()
	if _, err := s.Wait(context.Background(), nil); !errors.Is(err, ErrSubscriptionClosed) {
		t.Fatalf("Wait after hub Close: %v", err)
	}
	late := h.Subscribe(SubscribeOptions{Symbols: []string{"MSFT"}})
	if _, err := late.Wait(context.Background(), nil); !errors.Is(err, ErrSubscriptionClosed) {
		t.Fatalf("Wait on a subscription opened after Close: %v", err)
	}
	h.Quote(testQuote("AAPL", 1)) // ignored, must not panic
	h.Close()
}

func TestHubDeliveryDoesNotAllocate(t *testing.T) {
	h := newTestHub(t, HubOptions{})
	subs := make([]*Subscription, 50)
	bufs := make([][]Event, len(subs))
	for i := range subs {
		subs[i] = h.Subscribe(SubscribeOptions{Symbols: []string{"AAPL"}})
		bufs[i] = make([]Event, 0, 8)
	}
	q, b := testQuote("AAPL", 1), testBar("AAPL", 0)
	ctx := context.Background()
	deliver := func() {
		h.Quote(q)
		h.Bar(b)
		for i, s := range subs {
			buf := bufs[i][:0]
			for countKind(buf, EventBar) == 0 {
				buf, _ = s.Wait(ctx, buf)
			}
			bufs[i] = buf
		}
	}
	// Each subscription allocates its buffers and their spares once, on first use.
	for range 20 {
		deliver()
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 200
	for range runs {
		deliver()
	}
	runtime.ReadMemStats(&after)
	// The worker's per-round lists are reused and only grow past a new high-water mark (which
	// timing can still raise once in a while), so the bound is far below one allocation per
	// delivery rather than exactly zero. A real per-delivery cost would show 20,000 here.
	deliveries := uint64(runs * 2 * len(subs))
	if allocs := after.Mallocs - before.Mallocs; allocs > deliveries/1000 {
		t.Fatalf("%d allocations for %d deliveries, want at most one per thousand", allocs, deliveries)
	}
}

// TestHubConcurrentUse runs publishers, readers and subscription churn together; run with -race.
func TestHubConcurrentUse(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{Grace: -1, Queue: 64})
	symbols := []string{"A", "B", "C", "D", "E", "F", "G", "H"}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()

	var wg sync.WaitGroup
	for p := range 2 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				sym := symbols[i%len(symbols)]
				switch i % 3 {
				case 0:
					h.Quote(testQuote(sym, int64(i)))
				case 1:
					h.Trade(testTrade(sym, int64(i)))
				default:
					h.Bar(testBar(sym, p))
				}
			}
		})
	}
	for c := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			pick := func() []string {
				var out []string
				for _, sym := range symbols {
					if rng.IntN(3) == 0 {
						out = append(out, sym)
					}
				}
				if rng.IntN(8) == 0 {
					out = append(out, Wildcard)
				}
				return out
			}
			for ctx.Err() == nil {
				s := h.Subscribe(SubscribeOptions{Symbols: pick(), Buffer: 4, Priority: Priority(1 + rng.IntN(3))})
				release := h.AddDemand(symbols[rng.IntN(len(symbols))], PriorityWatchlist)
				var buf []Event
				for range 1 + rng.IntN(20) {
					buf = s.Drain(buf[:0])
					if rng.IntN(4) == 0 {
						s.SetSymbols(pick())
					}
					_ = h.Wanted(3)
				}
				s.Close()
				release()
				release()
			}
		})
	}
	wg.Wait()

	if hs := h.Stats(); hs.Subscriptions != 0 {
		t.Fatalf("%d subscriptions left open", hs.Subscriptions)
	}
	if w := h.Wanted(0); len(w) != 0 {
		t.Fatalf("demand left after every holder released it: %v", w)
	}
}

// TestHubRescanFindsQuotesThatDidNotFitTheQueue covers the fallback for more symbols with a new
// quote than a worker's queue holds: the publisher flags the shard instead of queueing.
func TestHubRescanFindsQuotesThatDidNotFitTheQueue(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{Workers: 1})
	s := h.Subscribe(SubscribeOptions{Symbols: []string{"AAPL"}})
	st := (*h.table.Load())["AAPL"]
	q := testQuote("AAPL", 42)
	// What Quote does when the send on the queue fails.
	h.quoteMu.Lock()
	st.quote.put(&q, time.Now())
	h.quoteMu.Unlock()
	st.shard.overflow.Store(true)
	notify(st.shard.rescan)

	got := describe(readUntil(t, s, func(e []Event) bool { return len(e) >= 1 }))
	if !slices.Equal(got, []string{"quote AAPL 42"}) {
		t.Fatalf("got %v", got)
	}
}

func TestHubCountsUnroutedEvents(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{})
	h.AddDemand("AAPL", PriorityWatchlist) // wanted upstream, but nobody reads it here
	h.Quote(testQuote("AAPL", 1))
	h.Trade(testTrade("MSFT", 1))
	if hs := h.Stats(); hs.Unrouted != 2 || hs.Published != 0 || hs.Symbols != 0 {
		t.Fatalf("stats %+v: want 2 unrouted, nothing published or routed", hs)
	}
}
