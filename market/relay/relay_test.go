package relay

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/market"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// collect is a Sink that keeps what it receives.
type collect struct {
	quotes []market.Quote
	trades []market.Trade
	bars   []market.Bar
}

func (c *collect) Quote(q market.Quote) { c.quotes = append(c.quotes, q) }
func (c *collect) Trade(t market.Trade) { c.trades = append(c.trades, t) }
func (c *collect) Bar(b market.Bar)     { c.bars = append(c.bars, b) }

func TestPayloadsCarryEveryFieldExactlyAndStayUnderTheLimit(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 7, 15, 4, 5, 123456789, time.UTC)
	q := market.Quote{Symbol: "BTC/USD", BidPrice: dec("97000.123456789"), BidSize: dec("0.0015"), AskPrice: dec("97001.5"),
		AskSize: dec("2"), BidExchange: "V", AskExchange: "", Time: at, Tape: "C"}
	tr := market.Trade{Symbol: "AAPL", ID: 42, Price: dec("187.12"), Size: dec("100"), Exchange: "Q", Time: at, Tape: "C"}
	bar := market.Bar{Symbol: "AAPL", Start: at.Truncate(time.Minute), Open: dec("1.1"), High: dec("1.3"), Low: dec("1.0"),
		Close: dec("1.2"), Volume: dec("12345"), TradeCount: 7, VWAP: dec("1.15")}
	enc := newEncoder("proc-1", at)
	events := []market.Event{{Kind: market.EventQuote, Quote: q}, {Kind: market.EventTrade, Trade: tr}, {Kind: market.EventBar, Bar: bar}}
	for i := 0; i < 400; i++ { // enough to need several payloads
		enc.event(&events[i%3])
	}
	payloads := enc.done()
	if len(payloads) < 2 {
		t.Fatalf("%d payloads for 400 items, want several", len(payloads))
	}
	var got collect
	for _, p := range payloads {
		if len(p) > MaxPayload {
			t.Errorf("payload of %d bytes, over %d", len(p), MaxPayload)
		}
		b, bad, err := decode(p, &got)
		if err != nil || bad != 0 || b.origin != "proc-1" || !b.sent.Equal(at) {
			t.Fatalf("decode: %+v, %d bad, %v", b, bad, err)
		}
	}
	if n := len(got.quotes) + len(got.trades) + len(got.bars); n != 400 {
		t.Fatalf("decoded %d items, want 400", n)
	}
	gq := got.quotes[0]
	if gq.Symbol != q.Symbol || !gq.BidPrice.Equal(q.BidPrice) || !gq.BidSize.Equal(q.BidSize) || !gq.AskPrice.Equal(q.AskPrice) ||
		!gq.AskSize.Equal(q.AskSize) || gq.BidExchange != "V" || gq.AskExchange != "" || !gq.Time.Equal(at) || gq.Tape != "C" {
		t.Errorf("quote %+v, want %+v", gq, q)
	}
	gt := got.trades[0]
	if gt.Symbol != "AAPL" || gt.ID != 42 || !gt.Price.Equal(tr.Price) || !gt.Size.Equal(tr.Size) || gt.Exchange != "Q" || !gt.Time.Equal(at) || gt.Tape != "C" {
		t.Errorf("trade %+v, want %+v", gt, tr)
	}
	gb := got.bars[0]
	if !gb.Start.Equal(bar.Start) || !gb.Close.Equal(bar.Close) || !gb.Volume.Equal(bar.Volume) || gb.TradeCount != 7 || !gb.VWAP.Equal(bar.VWAP) {
		t.Errorf("bar %+v, want %+v", gb, bar)
	}
	// Lines of the version before the tape field (a rolling deploy) still decode, without a tape.
	var old collect
	if _, bad, err := decode("p\t1\nq\tAAPL\t1\t2\t3\t4\tV\tQ\t1000\nt\tAAPL\t7\t1.5\t10\tQ\t1000\n", &old); err != nil || bad != 0 ||
		len(old.quotes) != 1 || len(old.trades) != 1 || old.quotes[0].Tape != "" || old.trades[0].ID != 7 {
		t.Errorf("old-format lines: %d bad, %v, %+v", bad, err, old)
	}
	if _, _, err := decode("no header", &got); err == nil {
		t.Error("a payload without a header was accepted")
	}
	if _, bad, _ := decode("p\t1\nq\tAAPL\tnot-a-number\n", &got); bad != 1 {
		t.Errorf("a malformed line counted %d bad, want 1", bad)
	}
}

// relayPair is a feed hub with its publisher and a web hub with its listener, on one database.
type relayPair struct {
	feed, web *market.Hub
	pub       *Publisher
	lis       *Listener
}

func newRelayPair(t *testing.T, db *database.DB, wants func(string) bool) *relayPair {
	t.Helper()
	p := &relayPair{feed: market.NewHub(market.HubOptions{}), web: market.NewHub(market.HubOptions{})}
	p.pub = NewPublisher(PublisherOptions{Pool: db.Pool, Hub: p.feed, Origin: "feed", Wants: wants, Logger: quiet()})
	p.lis = NewListener(ListenerOptions{Pool: db.Pool, Sink: p.web, Origin: "web", Logger: quiet()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = p.pub.Run(ctx); done <- struct{}{} }()
	go func() { p.lis.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done; p.feed.Close(); p.web.Close() })
	return p
}

// next waits for the subscription's next events.
func next(t *testing.T, sub *market.Subscription, within time.Duration) []market.Event {
	t.Helper()
	select {
	case <-sub.Ready():
		return sub.Drain(nil)
	case <-time.After(within):
		t.Fatalf("nothing relayed within %s", within)
		return nil
	}
}

func TestQuotesReachTheWebProcessHubCoalescedAndOnlyForWantedSymbols(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	p := newRelayPair(t, db, func(s string) bool { return s != "SECRET" })
	// The feed follows everything (as its wildcard publisher does); the web hub's reader
	// follows what its browsers show.
	sub := p.web.Subscribe(market.SubscribeOptions{Symbols: []string{"AAPL", "SECRET"}})
	defer sub.Close()
	feedSub := p.feed.Subscribe(market.SubscribeOptions{Symbols: []string{"AAPL", "SECRET"}})
	defer feedSub.Close()

	// Wait for the listener to be connected: publish until something arrives.
	deadline := time.Now().Add(10 * time.Second)
	for p.lis.Stats().Payloads == 0 && time.Now().Before(deadline) {
		p.feed.Quote(market.Quote{Symbol: "AAPL", BidPrice: dec("1"), AskPrice: dec("2"), Time: time.Now()})
		select {
		case <-sub.Ready():
		case <-time.After(100 * time.Millisecond):
		}
	}
	sub.Drain(nil)

	// A burst within one batch interval coalesces to the newest quote.
	for i := 1; i <= 50; i++ {
		p.feed.Quote(market.Quote{Symbol: "AAPL", BidPrice: decimal.NewFromInt(int64(100 + i)), AskPrice: dec("200"), Time: time.Now()})
		p.feed.Quote(market.Quote{Symbol: "SECRET", BidPrice: dec("1"), AskPrice: dec("2"), Time: time.Now()})
	}
	p.feed.Trade(market.Trade{Symbol: "AAPL", ID: 9, Price: dec("150"), Size: dec("5"), Time: time.Now()})
	var last market.Quote
	var trades int
	for last.BidPrice.String() != "150" || trades == 0 {
		for _, ev := range next(t, sub, 5*time.Second) {
			switch {
			case ev.Symbol() == "SECRET":
				t.Fatal("a symbol no other process wants was relayed")
			case ev.Kind == market.EventQuote:
				last = ev.Quote
			case ev.Kind == market.EventTrade:
				trades++
			}
		}
	}
	st := p.pub.Stats()
	t.Logf("publisher: %+v; listener: %+v", st, p.lis.Stats())
	if st.Items > 20 {
		t.Errorf("%d items sent for a burst of 50 quotes of one symbol and a trade: not coalesced", st.Items)
	}
	if trades != 1 {
		t.Errorf("%d trades relayed, want 1", trades)
	}
}

func TestDemandFlowsToTheFeedAndExpiresWithItsProcess(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	remote := NewRemoteDemand(DemandOptions{Pool: db.Pool, Origin: "feed", Heartbeat: 200 * time.Millisecond, Logger: quiet()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go remote.Run(ctx)

	web := market.NewHub(market.HubOptions{})
	defer web.Close()
	// A process that dies without cleaning up: its context is never cancelled, its rows stay.
	pubCtx, stopPub := context.WithCancel(context.Background())
	pubDone := make(chan struct{})
	go func() {
		defer close(pubDone)
		NewDemandPublisher(web, DemandOptions{Pool: db.Pool, Origin: "web-1", Heartbeat: 200 * time.Millisecond, TTL: time.Second, Logger: quiet()}).Run(pubCtx)
	}()
	release := web.AddDemand("MSFT", market.PriorityOrders)
	sub := web.Subscribe(market.SubscribeOptions{Symbols: []string{"AAPL"}})

	waitFor := func(what string, ok func([]market.Demand) bool) []market.Demand {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			if ds := remote.Demanded(); ok(ds) {
				return ds
			}
			select {
			case <-remote.Changed():
			case <-deadline:
				t.Fatalf("%s: remote demand is %+v", what, remote.Demanded())
			}
		}
	}
	ds := waitFor("both symbols", func(ds []market.Demand) bool { return len(ds) == 2 })
	slices.SortFunc(ds, func(a, b market.Demand) int { return strings.Compare(a.Symbol, b.Symbol) })
	if ds[0].Symbol != "AAPL" || ds[0].Priority != market.PriorityScreen || ds[1].Symbol != "MSFT" || ds[1].Priority != market.PriorityOrders {
		t.Errorf("demand %+v", ds)
	}
	if !remote.Wants("AAPL") || remote.Wants("TSLA") {
		t.Error("Wants disagrees with the demand")
	}
	if got := market.RankDemand(1, []market.Demand{{Symbol: "AAPL", Priority: market.PriorityGuest, Refs: 9}}, ds); !slices.Equal(got, []string{"MSFT"}) {
		t.Errorf("ranked within a limit of one: %v, want the orders' symbol", got)
	}

	// The process stops heartbeating without deleting its rows (a crash is simulated by
	// deleting nothing: the publisher is stopped after its rows are hidden from its cleanup).
	sub.Close()
	release()
	if _, err := db.Pool.Exec(context.Background(), "UPDATE feed_demand SET process = 'dead' WHERE process = 'web-1'"); err != nil {
		t.Fatal(err)
	}
	stopPub()
	<-pubDone
	began := time.Now()
	waitFor("expiry", func(ds []market.Demand) bool { return len(ds) == 0 })
	t.Logf("a dead process's demand expired %s after its last heartbeat", time.Since(began).Round(time.Millisecond))
}
