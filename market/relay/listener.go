package relay

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"alpacawrapper/market"
)

// ListenerOptions configures a Listener.
type ListenerOptions struct {
	// Pool gives the listener its connection, taken out of the pool for good.
	Pool *pgxpool.Pool
	// Sink receives what the feed relays: the process's hub.
	Sink market.Sink
	// Origin names this process; its own payloads (sent while it holds the feed and feeds its
	// hub directly) are skipped.
	Origin string
	Logger *slog.Logger
}

// Listener feeds a process's hub with what the elected feed relays.
type Listener struct {
	o ListenerOptions

	payloads, bad atomic.Uint64
	lagNanos      atomic.Int64
	lastAt        atomic.Int64
	connected     atomic.Bool
	lastErr       atomic.Pointer[string]
}

// ListenerStats counts what a Listener received.
type ListenerStats struct {
	Payloads uint64 // notifications applied
	Bad      uint64 // malformed payloads or lines skipped
	// Lag is the last payload's age on arrival: from the feed's batch to this process's hub,
	// measured with both processes' clocks (the same machine's, or NTP-synchronised ones).
	Lag time.Duration
	// Last is when the last payload arrived; zero before the first.
	Last time.Time
}

// NewListener builds a Listener; Run listens.
func NewListener(o ListenerOptions) *Listener {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Listener{o: o}
}

// Stats reports the counters.
func (l *Listener) Stats() ListenerStats {
	s := ListenerStats{Payloads: l.payloads.Load(), Bad: l.bad.Load(), Lag: time.Duration(l.lagNanos.Load())}
	if at := l.lastAt.Load(); at != 0 {
		s.Last = time.Unix(0, at)
	}
	return s
}

// Run listens until ctx ends, reconnecting after a lost connection. What was relayed while it was
// disconnected is lost; the next quote of each symbol replaces it.
func (l *Listener) Run(ctx context.Context) {
	for ctx.Err() == nil {
		err := l.listen(ctx)
		l.connected.Store(false)
		if ctx.Err() != nil {
			return
		}
		msg := err.Error()
		l.lastErr.Store(&msg)
		l.o.Logger.Warn("relay: listening for market data", slog.Any("error", err))
		select {
		case <-ctx.Done():
		case <-time.After(time.Second): // a back-off before reconnecting, not a synchronisation
		}
	}
}

func (l *Listener) listen(ctx context.Context) error {
	pc, err := l.o.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("relay: connect: %w", err)
	}
	// Hijacked, the connection leaves the pool: it waits on notifications and must not be handed
	// to a query, nor hold one of the pool's slots.
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+QuotesChannel); err != nil {
		return fmt.Errorf("relay: listen: %w", err)
	}
	l.connected.Store(true)
	l.lastErr.Store(nil)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("relay: wait: %w", err)
		}
		l.apply(n.Payload)
	}
}

// apply feeds one payload into the sink, unless this process sent it: its hub had those items
// first hand.
func (l *Listener) apply(payload string) {
	if strings.HasPrefix(payload, l.o.Origin+"\t") {
		return
	}
	b, bad, err := decode(payload, l.o.Sink)
	if err != nil {
		l.bad.Add(1)
		return
	}
	l.bad.Add(uint64(bad))
	l.payloads.Add(1)
	now := time.Now()
	l.lagNanos.Store(int64(now.Sub(b.sent)))
	l.lastAt.Store(now.UnixNano())
}

// silenceTimeout is how long a web process waits for the feed's next batch or heartbeat before
// its pages call the feed stale.
const silenceTimeout = 5 * HeartbeatEvery

// Status is the relay's health as a web process's pages report the feed: connected while it
// listens, with the time of the feed's last batch or heartbeat.
func (l *Listener) Status() market.StreamStatus {
	st := market.StreamStatus{Connected: l.connected.Load(), SilenceTimeout: silenceTimeout}
	if at := l.lastAt.Load(); at != 0 {
		st.LastMessageAt = time.Unix(0, at)
	}
	if e := l.lastErr.Load(); e != nil {
		st.LastError = *e
	}
	return st
}
