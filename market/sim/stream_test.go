package sim

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/internal/testwait"
	"alpacawrapper/market"
)

// drive ticks the stream from from to to, every interval, as Run would.
func drive(s *Stream, sink market.Sink, from, to time.Time) {
	for at := from; at.Before(to); at = at.Add(s.interval) {
		s.tick(at, sink)
	}
}

func TestStreamBarsEqualHistory(t *testing.T) {
	t.Parallel()
	from := et(t, 2026, time.March, 10, 15, 57).Add(10 * time.Second)
	to := et(t, 2026, time.March, 10, 16, 3).Add(5 * time.Second)
	p := New(Options{Seed: 21, Now: fixedClock(to)})
	symbols := []string{"AAPL", "SPY", "BRK.A", "BTC/USD", "DOGE/USD"}
	if err := p.Stream().SetSymbols(context.Background(), symbols); err != nil {
		t.Fatal(err)
	}
	sink := &recorder{}
	drive(p.stream, sink, from, to)

	// Every finished minute since the stream started, once per symbol, across the close.
	perSymbol := map[string][]market.Bar{}
	for _, b := range sink.bars {
		perSymbol[b.Symbol] = append(perSymbol[b.Symbol], b)
	}
	for _, symbol := range symbols {
		live := perSymbol[symbol]
		history := bars(t, p, symbol, market.Min1, et(t, 2026, time.March, 10, 15, 57), et(t, 2026, time.March, 10, 16, 3))
		if len(live) != 6 || len(history) != 6 {
			t.Fatalf("%s: %d live and %d historical bars, want 6 each", symbol, len(live), len(history))
		}
		for i := range live {
			if diff := sameBar(live[i], history[i]); diff != "" {
				t.Errorf("%s: live bar %d differs from history: %s", symbol, i, diff)
			}
		}
	}

	// Prints never leave their minute's high and low.
	byMinute := map[string]market.Bar{}
	for _, b := range sink.bars {
		byMinute[b.Symbol+b.Start.String()] = b
	}
	for _, tr := range sink.trades {
		b, ok := byMinute[tr.Symbol+tr.Time.Truncate(time.Minute).String()]
		if !ok {
			continue // the minute still running when the drive stopped
		}
		if tr.Price.LessThan(b.Low) || tr.Price.GreaterThan(b.High) {
			t.Errorf("%s: print at %s outside its bar [%s, %s]", tr.Symbol, tr.Price, b.Low, b.High)
		}
	}
}

func TestStreamPace(t *testing.T) {
	t.Parallel()
	from := et(t, 2026, time.March, 10, 11, 0)
	p := New(Options{Seed: 22, Now: fixedClock(from)})
	symbols := []string{"AAPL", "SPY", "BKNG", "BTC/USD", "AVAX/USD", "UEC"}
	if err := p.Stream().SetSymbols(context.Background(), symbols); err != nil {
		t.Fatal(err)
	}
	sink := &recorder{}
	const seconds = 120
	drive(p.stream, sink, from, from.Add(seconds*time.Second))

	quotes, trades := map[string]int{}, map[string]int{}
	for _, q := range sink.quotes {
		quotes[q.Symbol]++
		if !q.Valid() || !q.BidPrice.LessThan(q.AskPrice) {
			t.Fatalf("%s: bad quote %+v", q.Symbol, q)
		}
	}
	for _, tr := range sink.trades {
		trades[tr.Symbol]++
	}
	for _, symbol := range symbols {
		if rate := float64(quotes[symbol]) / seconds; rate < 0.7 || rate > 4.1 {
			t.Errorf("%s: %.2f quotes a second, want one to four", symbol, rate)
		}
		if trades[symbol] == 0 || trades[symbol] >= quotes[symbol] {
			t.Errorf("%s: %d prints for %d quotes", symbol, trades[symbol], quotes[symbol])
		}
	}
	if quotes["SPY"] <= quotes["UEC"] {
		t.Errorf("SPY quoted %d times, no more than UEC's %d", quotes["SPY"], quotes["UEC"])
	}
}

func TestStreamFollowsSessions(t *testing.T) {
	t.Parallel()
	saturday := et(t, 2026, time.March, 7, 12, 0)
	tests := []struct {
		name       string
		alwaysOpen bool
		symbol     string
		from       time.Time
		moves      bool
	}{
		{"stocks are silent on Saturday", false, "AAPL", saturday, false},
		{"stocks are silent overnight", false, "AAPL", et(t, 2026, time.March, 10, 21, 0), false},
		{"stocks move in the pre-market", false, "AAPL", et(t, 2026, time.March, 10, 4, 0), true},
		{"crypto moves on Saturday", false, "ETH/USD", saturday, true},
		{"always open moves stocks on Saturday", true, "AAPL", saturday, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := New(Options{Seed: 23, AlwaysOpen: tt.alwaysOpen})
			if err := p.Stream().SetSymbols(context.Background(), []string{tt.symbol}); err != nil {
				t.Fatal(err)
			}
			sink := &recorder{}
			drive(p.stream, sink, tt.from, tt.from.Add(2*time.Minute+time.Second))
			quotes, _, bars := sink.counts()
			if moves := quotes > 0 && bars == 2; moves != tt.moves {
				t.Fatalf("%d quotes and %d bars; want movement: %v", quotes, bars, tt.moves)
			}
			if !tt.moves && (quotes > 0 || bars > 0) {
				t.Fatalf("%d quotes and %d bars from a closed market", quotes, bars)
			}
		})
	}
}

func TestStreamSetSymbols(t *testing.T) {
	t.Parallel()
	at := et(t, 2026, time.March, 10, 11, 0)
	p := New(Options{Seed: 24})
	s := p.Stream()
	if s.SymbolLimit() != 0 {
		t.Fatalf("symbol limit %d, want none", s.SymbolLimit())
	}
	if err := s.SetSymbols(context.Background(), []string{"AAPL", "NOPE", "TWTR", "AAPL", "BTC/USD"}); err != nil {
		t.Fatal(err)
	}
	if got := s.Status().Symbols; got != 2 {
		t.Fatalf("following %d symbols, want AAPL and BTC/USD", got)
	}
	if err := s.SetSymbols(context.Background(), []string{"MSFT"}); err != nil {
		t.Fatal(err)
	}
	sink := &recorder{}
	drive(p.stream, sink, at, at.Add(5*time.Second))
	for _, q := range sink.quotes {
		if q.Symbol != "MSFT" {
			t.Fatalf("a quote for %s after following only MSFT", q.Symbol)
		}
	}
	if len(sink.quotes) == 0 {
		t.Fatal("no quotes for MSFT")
	}
}

func TestStreamRun(t *testing.T) {
	t.Parallel()
	p := New(Options{Seed: 25, AlwaysOpen: true, TickInterval: 5 * time.Millisecond})
	s := p.Stream()
	if err := s.SetSymbols(context.Background(), []string{"AAPL", "BTC/USD"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sink := &recorder{}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, sink) }()

	testwait.Until(t, 5*time.Second, "the stream to connect and deliver", func() bool {
		return s.Status().Connected && !s.Status().LastMessageAt.IsZero()
	})
	if err := s.Run(ctx, sink); err == nil {
		t.Error("a second Run started alongside the first")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v after cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if st := s.Status(); st.Connected || st.Symbols != 2 {
		t.Fatalf("status after Run %+v", st)
	}
	if quotes, _, _ := sink.counts(); quotes == 0 {
		t.Fatal("no quotes delivered")
	}
}
