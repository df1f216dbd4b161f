package market

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// signaled reports whether a demand change was signaled since the last call.
func signaled(h *Hub) bool {
	select {
	case <-h.DemandChanged():
		return true
	default:
		return false
	}
}

func TestWantedOrdersByPriorityThenInterestThenName(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{})
	h.AddDemand("ZZZ", PriorityOrders)
	h.AddDemand("MSFT", PriorityWatchlist)
	h.AddDemand("MSFT", PriorityWatchlist)
	h.AddDemand("AAPL", PriorityWatchlist)
	h.AddDemand("NVDA", PriorityWatchlist)
	h.AddDemand("NVDA", PriorityScreen) // the highest priority counts
	h.Subscribe(SubscribeOptions{Symbols: []string{"TSLA", "BTC/USD"}})
	h.Subscribe(SubscribeOptions{Symbols: []string{"TSLA"}})
	h.Subscribe(SubscribeOptions{Symbols: []string{"TSLA"}, Priority: PriorityWatchlist}) // 3 > NVDA's 2
	h.Subscribe(SubscribeOptions{Symbols: []string{Wildcard}, Bars: true})                // no demand
	h.AddDemand(Wildcard, PriorityOrders)                                                 // ignored too

	all := []string{"ZZZ", "TSLA", "NVDA", "BTC/USD", "MSFT", "AAPL"}
	tests := []struct {
		limit int
		want  []string
	}{
		{0, all},
		{3, all[:3]},
		{1, all[:1]},
		{100, all},
	}
	for _, tt := range tests {
		if got := h.Wanted(tt.limit); !slices.Equal(got, tt.want) {
			t.Errorf("Wanted(%d) = %v, want %v", tt.limit, got, tt.want)
		}
	}
}

func TestDemandGracePeriod(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	h := newTestHub(t, HubOptions{Grace: 30 * time.Second, Now: clock.Now})
	release := h.AddDemand("AAPL", PriorityScreen)
	h.AddDemand("MSFT", PriorityScreen)
	if !signaled(h) {
		t.Fatal("new symbols did not signal")
	}

	release()
	if signaled(h) {
		t.Error("losing the last interest signaled before the grace period ended")
	}
	clock.Advance(29 * time.Second)
	if got := h.Wanted(0); !slices.Equal(got, []string{"MSFT", "AAPL"}) {
		t.Fatalf("within grace: wanted %v, want AAPL kept after MSFT", got)
	}

	// A page reload: the symbol comes back within the grace period, and nothing upstream changes.
	release = h.AddDemand("AAPL", PriorityScreen)
	if signaled(h) {
		t.Error("regaining interest within the grace period signaled")
	}
	release()
	clock.Advance(29 * time.Second)
	if got := h.Wanted(0); !slices.Equal(got, []string{"MSFT", "AAPL"}) {
		t.Fatalf("the grace period did not restart: wanted %v", got)
	}
	clock.Advance(time.Second)
	if got := h.Wanted(0); !slices.Equal(got, []string{"MSFT"}) {
		t.Fatalf("after grace: wanted %v", got)
	}
	if !signaled(h) {
		t.Error("expiry did not signal")
	}
}

func TestDemandExpiresOnItsOwn(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{Grace: 20 * time.Millisecond})
	s := h.Subscribe(SubscribeOptions{Symbols: []string{"AAPL"}})
	<-h.DemandChanged()
	s.Close()
	select {
	case <-h.DemandChanged():
	case <-time.After(5 * time.Second):
		t.Fatal("no signal after the grace period")
	}
	if got := h.Wanted(0); len(got) != 0 {
		t.Fatalf("wanted %v after expiry", got)
	}
	if hs := h.Stats(); hs.Symbols != 0 {
		t.Fatalf("routing state of an expired symbol kept: %+v", hs)
	}
}

func TestDemandPriorityChangesSignal(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{})
	h.AddDemand("AAPL", PriorityWatchlist)
	signaled(h)

	release := h.AddDemand("AAPL", PriorityOrders)
	if !signaled(h) {
		t.Error("promotion did not signal")
	}
	h.AddDemand("AAPL", PriorityWatchlist)
	if signaled(h) {
		t.Error("more interest at a lower priority signaled")
	}
	release()
	if !signaled(h) {
		t.Error("demotion did not signal")
	}
	h.AddDemand("MSFT", PriorityScreen)
	if got := h.Wanted(0); !slices.Equal(got, []string{"MSFT", "AAPL"}) {
		t.Fatalf("wanted %v: AAPL should be back to watchlist rank", got)
	}
}

func TestAddDemandReleaseIsIdempotent(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	h := newTestHub(t, HubOptions{Grace: time.Second, Now: clock.Now})
	first := h.AddDemand("AAPL", PriorityOrders)
	h.AddDemand("AAPL", PriorityOrders)
	first()
	first()
	first()
	clock.Advance(time.Hour)
	if got := h.Wanted(0); !slices.Equal(got, []string{"AAPL"}) {
		t.Fatalf("a repeated release dropped someone else's interest: wanted %v", got)
	}
}

func TestDemandBackFromGraceAtALowerPriorityIsDemoted(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, HubOptions{Grace: time.Hour})
	h.AddDemand("MSFT", PriorityScreen)
	release := h.AddDemand("AAPL", PriorityOrders)
	release()
	if got := h.Wanted(0); !slices.Equal(got, []string{"AAPL", "MSFT"}) {
		t.Fatalf("in grace: wanted %v, want AAPL still ranked as orders", got)
	}
	signaled(h)
	h.AddDemand("AAPL", PriorityWatchlist)
	if !signaled(h) {
		t.Error("coming back at a lower priority did not signal")
	}
	if got := h.Wanted(0); !slices.Equal(got, []string{"MSFT", "AAPL"}) {
		t.Fatalf("wanted %v, want AAPL ranked as a watchlist symbol", got)
	}
}
