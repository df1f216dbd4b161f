package relay

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"alpacawrapper/market"
)

// Defaults of DemandOptions.
const (
	// DefaultHeartbeat is how often a web process rewrites its demand when nothing changed.
	DefaultHeartbeat = 3 * time.Second
	// DefaultDemandTTL is how long a process's demand outlives its last heartbeat: a dead process's
	// symbols stop being streamed for it after this.
	DefaultDemandTTL = 10 * time.Second
)

// DemandOptions configures a DemandPublisher or a RemoteDemand. Zero values select the documented
// defaults.
type DemandOptions struct {
	Pool *pgxpool.Pool
	// Origin names this process: its rows in feed_demand, and the rows RemoteDemand leaves out.
	Origin    string
	Heartbeat time.Duration
	TTL       time.Duration
	Logger    *slog.Logger
}

func (o *DemandOptions) defaults() {
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.TTL <= 0 {
		o.TTL = DefaultDemandTTL
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// DemandPublisher publishes what a web process's hub wants to the elected feed.
type DemandPublisher struct {
	o   DemandOptions
	hub *market.Hub
}

// NewDemandPublisher builds a DemandPublisher for hub; Run publishes.
func NewDemandPublisher(hub *market.Hub, o DemandOptions) *DemandPublisher {
	o.defaults()
	return &DemandPublisher{o: o, hub: hub}
}

// Run rewrites this process's rows on every change of its hub's demand and on every heartbeat,
// until ctx ends; then it deletes them, so a clean shutdown frees its symbols at once.
func (p *DemandPublisher) Run(ctx context.Context) {
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_, _ = p.o.Pool.Exec(dctx, "DELETE FROM feed_demand WHERE process = $1", p.o.Origin)
	}()
	t := time.NewTicker(p.o.Heartbeat)
	defer t.Stop()
	var last string
	for {
		ds := p.hub.Demanded()
		key := demandKey(ds)
		// A heartbeat only extends the expiry; a change rewrites the rows and wakes the feed.
		changed := key != last
		if err := p.write(ctx, ds, changed); err != nil {
			if ctx.Err() != nil {
				return
			}
			p.o.Logger.Warn("relay: demand not published", slog.Any("error", err))
			changed = false
		}
		if changed {
			last = key
		}
		select {
		case <-ctx.Done():
			return
		case <-p.hub.DemandRelayChanged():
		case <-t.C:
		}
	}
}

// demandKey is a canonical form of a demand list, to tell a change from a heartbeat. Party counts
// are left out: they only reorder symbols of one priority, as in the hub.
func demandKey(ds []market.Demand) string {
	keys := make([]string, len(ds))
	for i, d := range ds {
		keys[i] = fmt.Sprintf("%s:%d", d.Symbol, d.Priority)
	}
	slices.Sort(keys)
	return strings.Join(keys, ",")
}

func (p *DemandPublisher) write(ctx context.Context, ds []market.Demand, changed bool) error {
	ttl := p.o.TTL.Seconds()
	return pgx.BeginFunc(ctx, p.o.Pool, func(tx pgx.Tx) error {
		if !changed {
			_, err := tx.Exec(ctx, `UPDATE feed_demand SET expires_at = clock_timestamp() + make_interval(secs => $2)
				WHERE process = $1`, p.o.Origin, ttl)
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM feed_demand WHERE process = $1", p.o.Origin); err != nil {
			return err
		}
		if len(ds) > 0 {
			syms := make([]string, len(ds))
			prios := make([]int16, len(ds))
			refs := make([]int32, len(ds))
			for i, d := range ds {
				syms[i], prios[i], refs[i] = d.Symbol, int16(d.Priority), int32(d.Refs)
			}
			_, err := tx.Exec(ctx, `INSERT INTO feed_demand (process, symbol, priority, refs, expires_at)
				SELECT $1, s, p, r, clock_timestamp() + make_interval(secs => $5)
				FROM unnest($2::text[], $3::smallint[], $4::int[]) AS u(s, p, r)`, p.o.Origin, syms, prios, refs, ttl)
			if err != nil {
				return err
			}
		}
		// Inside the transaction, so the feed that wakes reads the new rows.
		_, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", DemandChannel, p.o.Origin)
		return err
	})
}

// RemoteDemand is the elected feed's view of what the other processes want.
type RemoteDemand struct {
	o       DemandOptions
	current atomic.Pointer[remoteSet]
	changed chan struct{}
}

// remoteSet is one reading of the table.
type remoteSet struct {
	list []market.Demand
	has  map[string]struct{}
}

// NewRemoteDemand builds a RemoteDemand; Run follows the table.
func NewRemoteDemand(o DemandOptions) *RemoteDemand {
	o.defaults()
	r := &RemoteDemand{o: o, changed: make(chan struct{}, 1)}
	r.current.Store(&remoteSet{has: map[string]struct{}{}})
	return r
}

// Demanded is the other processes' demand, merged per symbol.
func (r *RemoteDemand) Demanded() []market.Demand { return r.current.Load().list }

// Wants tells whether another process wants symbol: the publisher relays only those.
func (r *RemoteDemand) Wants(symbol string) bool {
	_, ok := r.current.Load().has[symbol]
	return ok
}

// Changed receives a value when Demanded may have changed. Signals coalesce; there should be one
// reader.
func (r *RemoteDemand) Changed() <-chan struct{} { return r.changed }

// Run reads the table whenever a process says its demand changed, and at every heartbeat (when
// rows may have expired), until ctx ends; it reconnects after a lost connection.
func (r *RemoteDemand) Run(ctx context.Context) {
	for ctx.Err() == nil {
		err := r.follow(ctx)
		if ctx.Err() != nil {
			return
		}
		r.o.Logger.Warn("relay: following demand", slog.Any("error", err))
		select {
		case <-ctx.Done():
		case <-time.After(time.Second): // a back-off before reconnecting, not a synchronisation
		}
	}
}

func (r *RemoteDemand) follow(ctx context.Context) error {
	pc, err := r.o.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("relay: connect: %w", err)
	}
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+DemandChannel); err != nil {
		return fmt.Errorf("relay: listen: %w", err)
	}
	for {
		if err := r.read(ctx, conn); err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, r.o.Heartbeat)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && wctx.Err() == nil {
			return fmt.Errorf("relay: wait: %w", err)
		}
		// A timed-out wait leaves the connection usable in pgx; a notification or a heartbeat
		// both lead to a fresh read.
	}
}

// read loads the union of the live rows of other processes and drops expired rows.
func (r *RemoteDemand) read(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, "DELETE FROM feed_demand WHERE expires_at < clock_timestamp()"); err != nil {
		return fmt.Errorf("relay: expire demand: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT symbol, max(priority), sum(refs) FROM feed_demand
		WHERE expires_at > clock_timestamp() AND process <> $1 GROUP BY symbol ORDER BY symbol`, r.o.Origin)
	if err != nil {
		return fmt.Errorf("relay: read demand: %w", err)
	}
	set := &remoteSet{has: map[string]struct{}{}}
	for rows.Next() {
		var d market.Demand
		var prio int16
		var refs int64
		if err := rows.Scan(&d.Symbol, &prio, &refs); err != nil {
			rows.Close()
			return fmt.Errorf("relay: read demand: %w", err)
		}
		d.Priority, d.Refs = market.Priority(prio), int(refs)
		set.list = append(set.list, d)
		set.has[d.Symbol] = struct{}{}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("relay: read demand: %w", err)
	}
	old := r.current.Swap(set)
	if !slices.Equal(old.list, set.list) {
		select {
		case r.changed <- struct{}{}:
		default:
		}
	}
	return nil
}
