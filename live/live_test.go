package live

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

func TestConnLimiter(t *testing.T) {
	t.Parallel()
	l := NewConnLimiter()
	var releases []func()
	for range 3 {
		r, ok := l.Acquire("1.2.3.4", 3)
		if !ok {
			t.Fatal("refused within the limit")
		}
		releases = append(releases, r)
	}
	if _, ok := l.Acquire("1.2.3.4", 3); ok {
		t.Fatal("accepted past the limit")
	}
	if _, ok := l.Acquire("5.6.7.8", 3); !ok {
		t.Fatal("another address was refused")
	}
	releases[0]()
	releases[0]() // a second release must not free another slot
	if got := l.Open("1.2.3.4"); got != 2 {
		t.Fatalf("open = %d after one release, want 2", got)
	}
	if _, ok := l.Acquire("1.2.3.4", 3); !ok {
		t.Fatal("refused after a release")
	}
}

func TestInfoCacheLoadsOncePerTTL(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	var asked [][]string
	c := NewInfoCache(func(_ context.Context, symbols []string) (map[string]SymbolInfo, error) {
		mu.Lock()
		asked = append(asked, symbols)
		mu.Unlock()
		return map[string]SymbolInfo{"AAPL": {PrevClose: decimal.NewFromInt(180)}}, nil
	}, time.Minute, func() time.Time { return now })

	got := c.Get(context.Background(), []string{"AAPL", "NOPE"})
	if !got["AAPL"].PrevClose.Equal(decimal.NewFromInt(180)) {
		t.Fatalf("AAPL = %+v", got["AAPL"])
	}
	c.Get(context.Background(), []string{"AAPL", "NOPE"})
	if len(asked) != 1 {
		t.Fatalf("loaded %d times within the TTL, want once (unknown symbols are remembered too)", len(asked))
	}
	now = now.Add(2 * time.Minute)
	c.Get(context.Background(), []string{"AAPL"})
	if len(asked) != 2 {
		t.Fatalf("loaded %d times after expiry, want 2", len(asked))
	}
}

func TestInfoCacheDoesNotRememberFailures(t *testing.T) {
	t.Parallel()
	calls := 0
	c := NewInfoCache(func(context.Context, []string) (map[string]SymbolInfo, error) {
		calls++
		return nil, errors.New("down")
	}, time.Hour, nil)
	c.Get(context.Background(), []string{"AAPL"})
	c.Get(context.Background(), []string{"AAPL"})
	if calls != 2 {
		t.Fatalf("calls = %d, want a retry after a failure", calls)
	}
}

func TestMarketEncodeMapsBarsToBuckets(t *testing.T) {
	t.Parallel()
	// A fixture calendar: Wednesday 11 March 2026 (EDT), regular session 13:30–20:00 UTC.
	day := market.CalendarDay{Date: time.Date(2026, 3, 11, 4, 0, 0, 0, time.UTC),
		Open: time.Date(2026, 3, 11, 13, 30, 0, 0, time.UTC), Close: time.Date(2026, 3, 11, 20, 0, 0, 0, time.UTC)}
	p := NewMarketProtocol(market.NewBucketer(fixedCalendar{day}), nil)
	minute := time.Date(2026, 3, 11, 14, 37, 0, 0, time.UTC)
	ten := decimal.NewFromInt(10)
	bars := []market.Bar{{Symbol: "AAPL", Start: minute, Open: ten, High: ten, Low: ten, Close: ten, Volume: ten},
		{Symbol: "AAPL", Start: time.Date(2026, 3, 11, 3, 0, 0, 0, time.UTC), Close: ten}} // overnight: no candle
	cases := []struct {
		tf   market.Timeframe
		want string
		bars int // 1m keeps every minute, even overnight; coarser timeframes drop it
	}{
		{market.Min1, `"bucket":"2026-03-11T14:37:00Z"`, 2},
		{market.Min5, `"bucket":"2026-03-11T14:35:00Z"`, 1},
		{market.Hour1, `"bucket":"2026-03-11T14:30:00Z"`, 1},
		{market.Day1, `"bucket":"2026-03-11T13:30:00Z"`, 1},
	}
	for _, tc := range cases {
		p.tf = tc.tf
		out := string(p.Encode(nil, []Update{{Symbol: "AAPL", Bars: bars}}))
		if !strings.Contains(out, tc.want) || strings.Count(out, `"type":"bar"`) != tc.bars {
			t.Errorf("%s: %s, want %d bar(s), one with %s", tc.tf, out, tc.bars, tc.want)
		}
	}
	p.tf = market.Day1
	if out := p.Encode([]byte("x"), []Update{{Symbol: "AAPL", Bars: bars[1:]}}); string(out) != "x" {
		t.Errorf("a batch with nothing to send wrote %q", out)
	}
}

type fixedCalendar struct{ day market.CalendarDay }

func (f fixedCalendar) TradingDay(t time.Time) (market.CalendarDay, bool) {
	ny, _ := time.LoadLocation("America/New_York")
	y, m, d := t.In(ny).Date()
	fy, fm, fd := f.day.Open.In(ny).Date()
	return f.day, y == fy && m == fm && d == fd
}

// stuckTransport is a client that stops reading: after the first data frame every write blocks
// until the write deadline set on its connection passes.
type stuckTransport struct {
	mu       sync.Mutex
	writes   int
	closes   []int
	deadline time.Time
	closed   chan struct{}
	once     sync.Once
}

func (s *stuckTransport) ReadMessage() (int, []byte, error) {
	<-s.closed
	return 0, nil, net.ErrClosed
}

func (s *stuckTransport) WriteMessage(int, []byte) error {
	s.mu.Lock()
	s.writes++
	n := s.writes
	s.mu.Unlock()
	if n == 1 {
		return nil
	}
	for {
		s.mu.Lock()
		d := s.deadline
		s.mu.Unlock()
		if !d.IsZero() && time.Now().After(d) {
			return timeoutErr{}
		}
		select {
		case <-s.closed:
			return net.ErrClosed
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (s *stuckTransport) WriteControl(kind int, data []byte, _ time.Time) error {
	if kind == websocket.CloseMessage && len(data) >= 2 {
		s.mu.Lock()
		s.closes = append(s.closes, int(data[0])<<8|int(data[1]))
		s.mu.Unlock()
	}
	return nil
}
func (s *stuckTransport) SetReadDeadline(time.Time) error   { return nil }
func (s *stuckTransport) SetWriteDeadline(time.Time) error  { return nil }
func (s *stuckTransport) SetReadLimit(int64)                {}
func (s *stuckTransport) SetPongHandler(func(string) error) {}
func (s *stuckTransport) NetConn() net.Conn                 { return deadlineConn{s} }
func (s *stuckTransport) Close() error                      { s.once.Do(func() { close(s.closed) }); return nil }
func (timeoutErr) Error() string                            { return "i/o timeout" }
func (timeoutErr) Timeout() bool                            { return true }
func (timeoutErr) Temporary() bool                          { return true }
func (d deadlineConn) SetWriteDeadline(t time.Time) error {
	d.s.mu.Lock()
	d.s.deadline = t
	d.s.mu.Unlock()
	return nil
}
func (deadlineConn) Read([]byte) (int, error)        { return 0, net.ErrClosed }
func (deadlineConn) Write(b []byte) (int, error)     { return len(b), nil }
func (deadlineConn) Close() error                    { return nil }
func (deadlineConn) LocalAddr() net.Addr             { return nil }
func (deadlineConn) RemoteAddr() net.Addr            { return nil }
func (deadlineConn) SetDeadline(time.Time) error     { return nil }
func (deadlineConn) SetReadDeadline(time.Time) error { return nil }

type timeoutErr struct{}

type deadlineConn struct{ s *stuckTransport }

func TestStuckClientIsClosedAsTooSlow(t *testing.T) {
	t.Parallel()
	hub := market.NewHub(market.HubOptions{})
	defer hub.Close()
	m := NewManager(hub, Options{UpdatesPerSecond: 100, SlowAfter: 100 * time.Millisecond, CloseGrace: 100 * time.Millisecond})
	tr := &stuckTransport{closed: make(chan struct{})}
	type result struct {
		code   int
		reason string
	}
	done := make(chan result, 1)
	p := NewMarketProtocol(market.NewBucketer(fixedCalendar{}), nil)
	go func() {
		code, reason := m.Run(context.Background(), tr, p, SessionConfig{Symbols: []string{"AAPL"}})
		done <- result{code, reason}
	}()
	stop := make(chan struct{})
	go func() {
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
				hub.Quote(market.Quote{Symbol: "AAPL", BidPrice: decimal.NewFromInt(int64(i)), AskPrice: decimal.NewFromInt(int64(i + 1))})
			}
		}
	}()
	defer close(stop)
	select {
	case r := <-done:
		if r.code != CloseTooSlow || r.reason != ReasonTooSlow {
			t.Errorf("ended with %d %q, want %d %q", r.code, r.reason, CloseTooSlow, ReasonTooSlow)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a stuck client was never closed")
	}
	if got := m.Stats(); got.SlowClosed != 1 || got.Open != 0 {
		t.Errorf("stats %+v, want one slow close and nothing open", got)
	}
}
