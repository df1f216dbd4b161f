package alpaca

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"

	"alpacawrapper/market"
)

// Tuning of subscription changes.
const (
	// subChangeAttempts is how often one SDK subscription call is tried when it times out (the
	// SDK gives up after 3 s without an acknowledgement, for instance while it reconnects).
	subChangeAttempts = 3
	// subChangeGuard is how long one SDK subscription call may block before the client is
	// considered wedged; the SDK's own timeout is 3 s, so only a deadlock lasts this long.
	subChangeGuard = 10 * time.Second
	// terminationWait bounds the wait for an SDK client to stop after its context ends.
	terminationWait = 5 * time.Second
)

// feed runs the SDK client of one asset class: it creates it when the class has symbols,
// reconciles its subscriptions with the wanted set, watches it for silence, and replaces it
// when it dies.
type feed struct {
	s         *Stream
	class     market.AssetClass
	baseURL   string
	sdkFeed   string
	newClient func(clientConfig) feedClient
	log       *slog.Logger
	guard     time.Duration // subChangeGuard, shorter in tests

	// subLock (one slot) serialises everything that changes the SDK client's subscriptions or
	// swaps the client: the SDK refuses concurrent changes. A channel, so waiting honours ctx.
	subLock chan struct{}
	// wake (one slot) tells the supervisor that the wanted set changed or a connection came up.
	wake chan struct{}

	lastMsg atomic.Int64 // unix nanoseconds of the last data message; 0 before any

	mu         sync.Mutex
	desired    []string        // wanted symbols, in priority order
	applied    map[string]bool // acknowledged on the current client
	unsure     map[string]bool // a change for these failed midway: the server's state is unknown
	gen        int             // generation of the current client; callbacks of older ones are ignored
	client     feedClient
	connected  bool      // Connect returned successfully on the current client
	ups, downs int       // the current client's connect and disconnect callbacks so far
	liveSince  time.Time // when a connection last came up
	subscribed time.Time // when symbols were last added, so new symbols get a grace period
	everLive   bool      // a connection has come up before: the next one is a reconnect
	broken     chan struct{}
	lastErr    string // why the feed last failed; cleared when a connection comes up
}

func newFeed(s *Stream, class market.AssetClass) *feed {
	f := &feed{
		s:       s,
		class:   class,
		subLock: make(chan struct{}, 1),
		wake:    make(chan struct{}, 1),
		log:     s.log.With("feed", string(class)),
		guard:   subChangeGuard,
	}
	if class == market.Crypto {
		f.baseURL, f.sdkFeed, f.newClient = s.opts.CryptoStreamURL, "us", newCryptoClient
	} else {
		f.baseURL, f.sdkFeed, f.newClient = s.opts.StreamURL, s.opts.Feed, newStocksClient
	}
	return f
}

// run supervises the feed until ctx ends (nil). Failures are retried with exponential back-off;
// a refusal (a *RejectedError: keys, plan or scope) with the long RefusedBackoff, since only an
// operator can fix it and the feed must come back without a restart when they have. The error
// shows in Status until a connection comes up again.
func (f *feed) run(ctx context.Context) error {
	bo := backoff{cfg: f.s.opts.Backoff}
	refused := backoff{cfg: f.s.opts.RefusedBackoff}
	for {
		if !f.waitForSymbols(ctx) {
			return nil
		}
		healthy, err := f.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if rej := rejection(err, f.sdkFeed); rej != nil {
			delay := refused.next()
			f.setError(rej)
			f.log.Error(rej.Error(), "retry_in", delay.Round(time.Second))
			if !sleep(ctx, delay) {
				return nil
			}
			continue
		}
		refused.reset()
		if healthy {
			bo.reset()
		}
		delay := bo.next()
		f.setError(err)
		f.log.Warn("alpaca: stream down, reconnecting", "error", err, "in", delay)
		if !sleep(ctx, delay) {
			return nil
		}
	}
}

// setError records why the feed is not delivering, for Status, until a connection comes up.
func (f *feed) setError(err error) {
	if err == nil {
		return
	}
	f.mu.Lock()
	f.lastErr = err.Error()
	f.mu.Unlock()
}

// noteSDKMessage shows what the SDK retries by itself and never returns: a 406 (another client
// holds these keys' one stream connection) keeps the feed down, and without this the badge and
// /readyz would not say why.
func (f *feed) noteSDKMessage(msg string) {
	if strings.Contains(msg, stream.ErrConnectionLimitExceeded.Error()) {
		f.setError(errConnectionLimit)
	}
}

// waitForSymbols blocks until the class has symbols to follow; false when ctx ended.
func (f *feed) waitForSymbols(ctx context.Context) bool {
	for {
		f.mu.Lock()
		n := len(f.desired)
		f.mu.Unlock()
		if n > 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-f.wake:
		}
	}
}

// session runs one SDK client from creation to its end and says why it ended. healthy reports
// whether the connection delivered data, which resets the back-off.
func (f *feed) session(ctx context.Context) (healthy bool, err error) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()

	client, gen, broken, err := f.startClient(ctx)
	if err != nil {
		return false, nil // ctx ended while waiting for the lock
	}
	defer f.dropClient(gen)

	start := time.Now()
	defer func() { healthy = f.lastMessage().After(start) }()
	if err := client.Connect(cctx); err != nil {
		return false, err
	}
	f.mu.Lock()
	f.connected = true
	f.mu.Unlock()
	f.poke() // apply what changed while connecting

	tick := time.NewTicker(max(f.s.opts.SilenceTimeout/4, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			cancel()
			f.awaitTermination(client)
			return false, nil
		case err := <-client.Terminated():
			if err == nil {
				err = errors.New("alpaca: the SDK stream client stopped")
			}
			return false, err
		case <-broken:
			cancel()
			return false, errWedged
		case <-f.wake:
			if err := f.reconcile(ctx); err != nil {
				f.setError(err)
				f.log.Warn("alpaca: subscription change failed; retrying on the next change or reconnect", "error", err)
			}
		case now := <-tick.C:
			if quiet, ok := f.silentFor(now); ok {
				f.log.Warn("alpaca: stream silent while the market is open; reconnecting", "silent_for", quiet.Round(time.Millisecond))
				cancel()
				f.awaitTermination(client)
				return false, errSilent
			}
		}
	}
}

// startClient builds a new SDK client subscribed to the wanted set from the handshake on.
// It holds subLock so that no subscription change reaches a client that is still connecting.
func (f *feed) startClient(ctx context.Context) (feedClient, int, chan struct{}, error) {
	if err := f.lock(ctx); err != nil {
		return nil, 0, nil, err
	}
	defer f.unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gen++
	gen := f.gen
	symbols := slices.Clone(f.desired)
	f.client = f.newClient(clientConfig{
		baseURL:  f.baseURL,
		feed:     f.sdkFeed,
		key:      f.s.opts.KeyID,
		secret:   f.s.opts.SecretKey,
		logger:   sdkLogger{log: f.log, notice: f.noteSDKMessage},
		symbols:  symbols,
		onUp:     func() { f.onUp(gen) },
		onDown:   func() { f.onDown(gen) },
		handlers: handlers{quote: f.quote, trade: f.trade, bar: f.bar},
	})
	f.applied = setOf(symbols)
	f.unsure = map[string]bool{}
	f.connected, f.ups, f.downs = false, 0, 0
	f.subscribed = time.Now()
	f.broken = make(chan struct{})
	return f.client, gen, f.broken, nil
}

// dropClient forgets the client of generation gen once its session is over.
func (f *feed) dropClient(gen int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gen != gen {
		return
	}
	f.client = nil
	f.connected, f.ups, f.downs = false, 0, 0
	f.applied = map[string]bool{}
	f.unsure = map[string]bool{}
}

// awaitTermination waits, within reason, for a cancelled SDK client to wind down, so that it
// does not overlap with its successor on Alpaca's one-connection-per-key limit.
func (f *feed) awaitTermination(c feedClient) {
	select {
	case <-c.Terminated():
	case <-time.After(terminationWait):
		f.log.Warn("alpaca: SDK stream client did not stop in time; abandoning it")
	}
}

func (f *feed) onUp(gen int) {
	f.mu.Lock()
	if gen != f.gen {
		f.mu.Unlock()
		return
	}
	f.ups++
	f.liveSince = time.Now()
	f.lastErr = "" // recovered: an old error must not linger beside "connected"
	reconnect := f.everLive
	f.everLive = true
	f.mu.Unlock()
	if reconnect {
		f.s.reconnects.Add(1)
		f.log.Info("alpaca: stream reconnected")
	} else {
		f.log.Info("alpaca: stream connected")
	}
	f.poke()
}

// isUp tells whether the current client is connected. The SDK runs each callback in a goroutine
// of its own, so a disconnect can be reported after the reconnect that follows it: counting them
// is immune to that reordering, where a flag would stick at "down". f.mu must be held.
func (f *feed) isUp() bool { return f.connected && f.ups > f.downs }

func (f *feed) onDown(gen int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if gen == f.gen {
		f.downs++
	}
}

// setDesired records the wanted symbols and applies them if the client is up. When it is not,
// the supervisor applies them on connect.
func (f *feed) setDesired(ctx context.Context, symbols []string) error {
	f.mu.Lock()
	f.desired = symbols
	f.mu.Unlock()
	f.poke()
	return f.reconcile(ctx)
}

// reconcile brings the client's subscriptions to the wanted set: unsubscribe first, so that the
// symbol limit is never exceeded on the way.
func (f *feed) reconcile(ctx context.Context) error {
	if err := f.lock(ctx); err != nil {
		return err
	}
	defer f.unlock()

	f.mu.Lock()
	client, gen, up := f.client, f.gen, f.isUp()
	want := setOf(f.desired)
	var add, remove []string
	for _, s := range f.desired {
		if !f.applied[s] {
			add = append(add, s)
		}
	}
	for s := range f.applied {
		if !want[s] {
			remove = append(remove, s)
		}
	}
	for s := range f.unsure {
		if !want[s] && !f.applied[s] {
			remove = append(remove, s)
		}
	}
	f.mu.Unlock()
	if !up || (len(add) == 0 && len(remove) == 0) {
		return nil
	}
	slices.Sort(remove)

	if len(remove) > 0 {
		err := f.change(ctx, client, gen, false, remove)
		f.mu.Lock()
		if f.gen == gen && f.client != nil {
			for _, s := range remove {
				if err == nil {
					delete(f.applied, s)
					delete(f.unsure, s)
				} else {
					f.unsure[s] = true
				}
			}
		}
		f.mu.Unlock()
		if err != nil {
			return fmt.Errorf("alpaca: unsubscribe %v: %w", remove, err)
		}
	}
	if len(add) > 0 {
		err := f.change(ctx, client, gen, true, add)
		f.mu.Lock()
		if f.gen == gen && f.client != nil {
			for _, s := range add {
				if err == nil {
					f.applied[s] = true
					delete(f.unsure, s)
				} else {
					f.unsure[s] = true
				}
			}
			if err == nil {
				f.subscribed = time.Now()
			}
		}
		f.mu.Unlock()
		if err != nil {
			return fmt.Errorf("alpaca: subscribe %v: %w", add, err)
		}
	}
	return nil
}

// change makes the SDK calls of one subscription change, retrying those that time out.
func (f *feed) change(ctx context.Context, c feedClient, gen int, subscribe bool, symbols []string) error {
	for _, call := range c.changes(subscribe, symbols) {
		var err error
		for attempt := 1; attempt <= subChangeAttempts; attempt++ {
			err = f.guarded(gen, call)
			if !errors.Is(err, stream.ErrSubscriptionChangeTimeout) &&
				!errors.Is(err, stream.ErrSubscriptionChangeAlreadyInProgress) {
				break
			}
			// Only a change made outside this feed could be in progress; give it a moment.
			if !sleep(ctx, 10*time.Millisecond) {
				return ctx.Err()
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// guarded runs one SDK call, giving up on the client if the call deadlocks.
func (f *feed) guarded(gen int, call func() error) error {
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(f.guard):
		f.mu.Lock()
		if f.gen == gen && f.broken != nil {
			select {
			case <-f.broken:
			default:
				close(f.broken)
			}
		}
		f.mu.Unlock()
		return errWedged
	}
}

// silentFor reports how long a live, subscribed feed has been quiet, and whether that is past
// the silence timeout at a moment its market is open.
func (f *feed) silentFor(now time.Time) (time.Duration, bool) {
	f.mu.Lock()
	up := f.isUp() && len(f.applied) > 0
	ref := f.liveSince
	if f.subscribed.After(ref) {
		ref = f.subscribed
	}
	f.mu.Unlock()
	if !up {
		return 0, false
	}
	if last := f.lastMessage(); last.After(ref) {
		ref = last
	}
	quiet := now.Sub(ref)
	if quiet <= f.s.opts.SilenceTimeout {
		return quiet, false
	}
	if f.class == market.USEquity && !f.s.opts.IsMarketOpen(now) {
		return quiet, false
	}
	return quiet, true
}

// status is the feed's part of the stream's status.
type feedStatus struct {
	wanted  bool
	live    bool
	symbols int
	lastMsg time.Time
	lastErr string
}

func (f *feed) status() feedStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return feedStatus{
		wanted:  len(f.desired) > 0,
		live:    f.isUp(),
		symbols: len(f.applied),
		lastMsg: f.lastMessage(),
		lastErr: f.lastErr,
	}
}

func (f *feed) lastMessage() time.Time {
	n := f.lastMsg.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (f *feed) touch() { f.lastMsg.Store(time.Now().UnixNano()) }

func (f *feed) quote(q market.Quote) { f.touch(); f.s.deliver(func(s market.Sink) { s.Quote(q) }) }
func (f *feed) trade(t market.Trade) { f.touch(); f.s.deliver(func(s market.Sink) { s.Trade(t) }) }
func (f *feed) bar(b market.Bar)     { f.touch(); f.s.deliver(func(s market.Sink) { s.Bar(b) }) }

func (f *feed) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *feed) lock(ctx context.Context) error {
	select {
	case f.subLock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *feed) unlock() { <-f.subLock }

func setOf(symbols []string) map[string]bool {
	m := make(map[string]bool, len(symbols))
	for _, s := range symbols {
		m[s] = true
	}
	return m
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
