package relay

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"alpacawrapper/market"
)

// DefaultInterval is how often the publisher sends what its hub received: a browser sees a quote
// at most this much later than in a single process, and a busy symbol costs one line per
// interval however many quotes it had.
const DefaultInterval = 50 * time.Millisecond

// HeartbeatEvery is how often the publisher sends an empty batch when there is nothing to relay,
// so that web processes can tell a quiet feed from a dead one.
const HeartbeatEvery = time.Second

// PublisherOptions configures a Publisher. Zero values select the documented defaults.
type PublisherOptions struct {
	Pool *pgxpool.Pool
	Hub  *market.Hub
	// Origin names this process in payloads, so that its own listener skips them.
	Origin string
	// Interval is the batch interval. Default DefaultInterval (50 ms).
	Interval time.Duration
	// Wants tells whether another process wants a symbol; only those are sent. Nil sends all.
	Wants  func(symbol string) bool
	Logger *slog.Logger
}

// Publisher sends the feed hub's quotes, trades and bars to the other processes.
type Publisher struct {
	o PublisherOptions

	batches, payloads, items, failed atomic.Uint64
}

// PublisherStats counts what a Publisher sent.
type PublisherStats struct {
	Batches  uint64 // intervals that had something to send
	Payloads uint64 // notifications sent
	Items    uint64 // quotes, trades and bars sent
	Failed   uint64 // batches lost to a database error
}

// NewPublisher builds a Publisher; Run sends.
func NewPublisher(o PublisherOptions) *Publisher {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Publisher{o: o}
}

// Stats reports the counters.
func (p *Publisher) Stats() PublisherStats {
	return PublisherStats{Batches: p.batches.Load(), Payloads: p.payloads.Load(), Items: p.items.Load(), Failed: p.failed.Load()}
}

// Run sends a batch every interval until ctx ends or the hub closes. The subscription is drained
// only at each interval, so quotes coalesce per symbol in it meanwhile: the batch holds each
// symbol's newest quote, and every trade and bar.
func (p *Publisher) Run(ctx context.Context) error {
	sub := p.o.Hub.Subscribe(market.SubscribeOptions{Symbols: []string{market.Wildcard}, Buffer: 1 << 14, BarBuffer: 1 << 14})
	defer sub.Close()
	t := time.NewTicker(p.o.Interval)
	defer t.Stop()
	var events []market.Event
	var lastSent time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Done():
			return market.ErrSubscriptionClosed
		case <-t.C:
		}
		events = sub.Drain(events[:0])
		if len(events) == 0 && time.Since(lastSent) < HeartbeatEvery {
			continue
		}
		lastSent = time.Now()
		if err := p.send(ctx, events); err != nil && ctx.Err() == nil {
			// Quotes are replaced by the next batch anyway; a lost trade or bar is what a
			// reconnecting browser would lose too.
			p.failed.Add(1)
			p.o.Logger.Warn("relay: batch not sent", slog.Any("error", err))
		}
		clear(events)
	}
}

func (p *Publisher) send(ctx context.Context, events []market.Event) error {
	enc := newEncoder(p.o.Origin, time.Now())
	n := 0
	for i := range events {
		if p.o.Wants != nil && !p.o.Wants(events[i].Symbol()) {
			continue
		}
		enc.event(&events[i])
		n++
	}
	payloads := enc.done()
	if len(payloads) == 0 {
		// Nothing another process wants: a header alone tells the web processes the feed is alive.
		payloads = []string{enc.header}
	}
	// One round trip for the whole batch. Each NOTIFY is its own statement, outside any
	// transaction, so a large batch does not hold the server's notification lock for long.
	b := &pgx.Batch{}
	for _, pl := range payloads {
		b.Queue("SELECT pg_notify($1, $2)", QuotesChannel, pl)
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.o.Pool.SendBatch(sctx, b).Close(); err != nil {
		return fmt.Errorf("relay: notify: %w", err)
	}
	p.batches.Add(1)
	p.payloads.Add(uint64(len(payloads)))
	p.items.Add(uint64(n))
	return nil
}
