package app

import (
	"context"
	"sync"

	"alpacawrapper/live"
	"alpacawrapper/market"
	"alpacawrapper/market/sim"
)

// alpacaTestFeedPath is Alpaca's test stream: the one symbol sim.TestSymbol (FAKEPACA), quoted,
// printed and barred around the clock, so a bot's stream handling can be checked when markets are
// shut. It speaks the same protocol as the other stock feeds.
const alpacaTestFeedPath = "/v2/test"

// alpacaTestFeed runs the test stream's market while anyone is connected to it: its own
// simulated market of FAKEPACA alone and its own hub, so the made-up symbol never reaches the
// app's catalogue, candles or matcher. The market starts with the first connection and stops
// with the last, so a server nobody asks costs nothing.
type alpacaTestFeed struct {
	market *sim.Provider
	opts   live.Options

	mu    sync.Mutex
	conns int
	run   *alpacaTestRun // nil while nobody is connected
}

// alpacaTestRun is one stretch of the test market running: from the first connection to the last.
type alpacaTestRun struct {
	hub     *market.Hub
	manager *live.Manager
	stop    context.CancelFunc
	done    chan struct{}
}

func newAlpacaTestFeed(seed int64, opts live.Options) *alpacaTestFeed {
	return &alpacaTestFeed{market: sim.NewTestMarket(sim.Options{Seed: seed}), opts: opts}
}

// acquire counts a connection in and returns the sessions' manager, starting the market if it is
// the first; release must follow when the connection ends.
func (f *alpacaTestFeed) acquire() *live.Manager {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conns++
	if f.run == nil {
		hub := market.NewHub(market.HubOptions{})
		ctx, stop := context.WithCancel(context.Background())
		r := &alpacaTestRun{hub: hub, manager: live.NewManager(hub, f.opts), stop: stop, done: make(chan struct{})}
		stream := f.market.Stream()
		// The market has one symbol; following it cannot fail.
		_ = stream.SetSymbols(ctx, []string{sim.TestSymbol})
		go func() {
			defer close(r.done)
			_ = stream.Run(ctx, hub)
		}()
		f.run = r
	}
	return f.run.manager
}

// release counts a connection out, stopping the market after the last one. It waits for the
// market's stream to return, so the next connection can start it again at once.
func (f *alpacaTestFeed) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns--; f.conns > 0 || f.run == nil {
		return
	}
	r := f.run
	f.run = nil
	r.stop()
	<-r.done
	r.hub.Close()
}
