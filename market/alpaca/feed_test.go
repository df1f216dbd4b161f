package alpaca

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"

	"alpacawrapper/market/alpacafake"
)

// stubClient scripts the SDK's answers to subscription calls, for failures the fake server
// cannot provoke (acknowledgement timeouts, a deadlocked client).
type stubClient struct {
	calls  atomic.Int64
	answer func(n int64) error // n counts calls from 1
}

func (c *stubClient) Connect(context.Context) error { return nil }
func (c *stubClient) Terminated() <-chan error      { return make(chan error) }
func (c *stubClient) changes(bool, []string) []func() error {
	call := func() error { return c.answer(c.calls.Add(1)) }
	return []func() error{call, call, call}
}

func stubFeed(t *testing.T) *feed {
	t.Helper()
	p, err := New(Options{KeyID: "k", SecretKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	f := p.stream.stocks
	f.broken = make(chan struct{})
	return f
}

func TestChangeRetriesAcknowledgementTimeouts(t *testing.T) {
	t.Parallel()
	f := stubFeed(t)
	c := &stubClient{answer: func(n int64) error {
		if n <= 2 {
			return stream.ErrSubscriptionChangeTimeout
		}
		return nil
	}}
	if err := f.change(context.Background(), c, f.gen, true, []string{"AAPL"}); err != nil {
		t.Fatalf("change = %v, want success after two timeouts", err)
	}
	if n := c.calls.Load(); n != 5 {
		t.Errorf("SDK calls = %d, want 3 for the first channel and 1 each for the two others", n)
	}
}

func TestChangeGivesUpAfterRepeatedTimeouts(t *testing.T) {
	t.Parallel()
	f := stubFeed(t)
	c := &stubClient{answer: func(int64) error { return stream.ErrSubscriptionChangeTimeout }}
	err := f.change(context.Background(), c, f.gen, true, []string{"AAPL"})
	if !errors.Is(err, stream.ErrSubscriptionChangeTimeout) {
		t.Fatalf("change = %v, want the timeout", err)
	}
	if n := c.calls.Load(); n != subChangeAttempts {
		t.Errorf("SDK calls = %d, want %d", n, subChangeAttempts)
	}
}

func TestChangeDoesNotRetryRefusals(t *testing.T) {
	t.Parallel()
	f := stubFeed(t)
	c := &stubClient{answer: func(int64) error { return stream.ErrSymbolLimitExceeded }}
	if err := f.change(context.Background(), c, f.gen, true, []string{"AAPL"}); !errors.Is(err, stream.ErrSymbolLimitExceeded) {
		t.Fatalf("change = %v", err)
	}
	if n := c.calls.Load(); n != 1 {
		t.Errorf("SDK calls = %d, want 1", n)
	}
}

func TestDeadlockedClientIsGivenUp(t *testing.T) {
	t.Parallel()
	f := stubFeed(t)
	f.guard = 50 * time.Millisecond
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	c := &stubClient{answer: func(int64) error { <-release; return nil }}
	err := f.change(context.Background(), c, f.gen, true, []string{"AAPL"})
	if !errors.Is(err, errWedged) {
		t.Fatalf("change = %v, want errWedged", err)
	}
	select {
	case <-f.broken:
	default:
		t.Error("the session was not told to replace its client")
	}
}

func TestConcurrentSetSymbolsAreSerialised(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	s := b.prov.Stream()
	b.run(t)
	if err := s.SetSymbols(context.Background(), []string{"AAPL"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "connected", func() bool { return s.Status().Connected })

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.SetSymbols(context.Background(), []string{fmt.Sprintf("S%d", i), "AAPL", "BTC/USD"})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent SetSymbols: %v", err)
		}
	}
	if err := s.SetSymbols(context.Background(), []string{"MSFT", "ETH/USD"}); err != nil {
		t.Fatal(err)
	}
	b.subscribedTo(t, "iex", "MSFT")
	b.subscribedTo(t, "us", "ETH/USD")
	if st := s.Status(); st.Symbols != 2 || !st.Connected {
		t.Errorf("status = %+v", st)
	}
}

func TestLateDisconnectCallbackDoesNotMarkTheFeedDown(t *testing.T) {
	t.Parallel()
	f := stubFeed(t)
	f.mu.Lock()
	f.gen, f.connected = 1, true
	f.mu.Unlock()
	up := func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.isUp() }

	f.onUp(1)   // first connection
	f.onUp(1)   // the reconnect's callback runs before …
	f.onDown(1) // … the drop's, as the SDK's callback goroutines allow
	if !up() {
		t.Error("feed reported down although its reconnect came up")
	}
	if n := f.s.reconnects.Load(); n != 1 {
		t.Errorf("reconnects = %d, want 1", n)
	}
	f.onDown(1)
	if up() {
		t.Error("feed reported up after both connections went down")
	}
	f.onUp(0) // a callback of an older client changes nothing
	if up() {
		t.Error("an old client's callback marked the feed up")
	}
}
