// Package feedlease elects the one process that runs the market feed and the matcher, and fences
// the fills of a process that lost the role.
//
// Election is a PostgreSQL session advisory lock held on a dedicated connection. It was chosen
// over River's leader election because the feed must fail over in seconds and River's leadership
// is a polled row with a longer TTL, tied to River clients that work jobs (a feed process need
// not); a session lock is released by the server the moment the holder's connection dies, so a
// crashed holder is replaced within one standby poll.
//
// A lock alone cannot fence: a holder that is paused (SIGSTOP, a long GC, a partition) still
// believes it holds the role when it resumes. So the lock connection sets idle_session_timeout,
// which makes the server end the session (and drop the lock) when the holder stops renewing, and
// each takeover bumps an epoch in the feed_lease row. The matcher's fill transactions check that
// epoch and the lease's expiry (Lease.Check), so a holder that lost the role applies no fill.
package feedlease

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// lockKey is the advisory lock of the feed role ("awfeed").
const lockKey int64 = 0x617766656564

// Defaults of Options.
const (
	DefaultTTL   = 4 * time.Second
	DefaultRenew = time.Second
	DefaultPoll  = 250 * time.Millisecond
)

// Options configures an Elector. Zero values select the documented defaults.
type Options struct {
	// Pool is where the elector's dedicated connection comes from (it is taken out of the pool
	// for good) and where Current reads.
	Pool *pgxpool.Pool
	// Holder names this process in the lease row, for operators.
	Holder string
	// TTL is how long a lease lasts without renewal: a holder that stops renewing applies no fill
	// after it. Default DefaultTTL (4s).
	TTL time.Duration
	// Renew is how often the holder renews its lease; the server ends the lock's session after
	// TTL-Renew without a renewal, which lets a standby take over. Default DefaultRenew (1s).
	Renew time.Duration
	// Poll is how often a standby tries for the lock. Default DefaultPoll (250ms).
	Poll   time.Duration
	Logger *slog.Logger
}

// Elector takes part in the election of the feed process.
type Elector struct {
	o      Options
	status atomic.Pointer[Status]
}

// Status is this process's part in the election, for the status endpoint.
type Status struct {
	Holding bool
	Epoch   int64     // the epoch held, when Holding
	Since   time.Time // when this process took the role, when Holding
}

// New builds an Elector; Run takes part.
func New(o Options) *Elector {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Renew <= 0 {
		o.Renew = DefaultRenew
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	e := &Elector{o: o}
	e.status.Store(&Status{})
	return e
}

// Status reports whether this process holds the role now.
func (e *Elector) Status() Status { return *e.status.Load() }

// Run stands by until this process is elected, then calls lead with the lease, and a context that
// ends when the lease is lost (or ctx ends); when lead returns, it gives the role up and stands by
// again. It returns when ctx ends, after lead has returned and the role has been released, so a
// standby takes over at once after a clean shutdown.
func (e *Elector) Run(ctx context.Context, lead func(ctx context.Context, l Lease)) {
	for ctx.Err() == nil {
		err := e.session(ctx, lead)
		if ctx.Err() != nil {
			return
		}
		e.o.Logger.Warn("feed election: connection lost; standing by again", slog.Any("error", err))
		select {
		case <-ctx.Done():
		case <-time.After(e.o.Poll): // a back-off before reconnecting, not a synchronisation
		}
	}
}

// session runs one connection's life: standby until the lock is won, then leadership until it is
// lost. Any error of the connection ends it.
func (e *Elector) session(ctx context.Context, lead func(context.Context, Lease)) error {
	conn, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", lockKey).Scan(&got); err != nil {
			return fmt.Errorf("feedlease: try lock: %w", err)
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(e.o.Poll):
		}
	}
	lease, err := e.take(ctx, conn)
	if err != nil {
		return err
	}
	since := time.Now()
	e.status.Store(&Status{Holding: true, Epoch: lease.Epoch, Since: since})
	defer e.status.Store(&Status{})
	e.o.Logger.Info("feed election: elected", slog.Int64("epoch", lease.Epoch))

	leadCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); lead(leadCtx, lease) }()
	err = e.renew(leadCtx, conn, lease, done)
	stop()
	<-done
	if err != nil {
		e.o.Logger.Warn("feed election: lease lost; the feed stopped", slog.Int64("epoch", lease.Epoch), slog.Any("error", err))
		return err
	}
	// Lead returned or ctx ended: end the lease now rather than at its expiry, and drop the lock
	// (closing the connection does too), so a standby takes over within one poll.
	release, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := conn.Exec(release, "UPDATE feed_lease SET expires_at = clock_timestamp() WHERE id = 1 AND epoch = $1", lease.Epoch); err != nil {
		return fmt.Errorf("feedlease: release: %w", err)
	}
	e.o.Logger.Info("feed election: role given up", slog.Int64("epoch", lease.Epoch), slog.Duration("held", time.Since(since).Round(time.Millisecond)))
	if ctx.Err() == nil {
		return errors.New("feedlease: the feed ended on its own")
	}
	return nil
}

// connect takes a dedicated connection out of the pool. Its idle_session_timeout is what turns a
// paused holder into a dead one as far as the lock is concerned: the holder talks on it every
// Renew, so only a holder that stopped running goes quiet for TTL-Renew.
func (e *Elector) connect(ctx context.Context) (*pgx.Conn, error) {
	pc, err := e.o.Pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("feedlease: connect: %w", err)
	}
	conn := pc.Hijack()
	idle := max(e.o.TTL-e.o.Renew, e.o.Renew+e.o.Renew/2)
	if _, err := conn.Exec(ctx, fmt.Sprintf("SET idle_session_timeout = %d", idle.Milliseconds())); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("feedlease: session timeout: %w", err)
	}
	return conn, nil
}

// take starts a new epoch. Locking the row FOR UPDATE first waits for the fills of the previous
// epoch still in flight (they hold it FOR KEY SHARE), so none of them commits after the takeover.
func (e *Elector) take(ctx context.Context, conn *pgx.Conn) (Lease, error) {
	var l Lease
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT 1 FROM feed_lease WHERE id = 1 FOR UPDATE"); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `UPDATE feed_lease SET epoch = epoch + 1, holder = $1, acquired_at = clock_timestamp(),
			expires_at = clock_timestamp() + make_interval(secs => $2) WHERE id = 1 RETURNING epoch`,
			e.o.Holder, e.o.TTL.Seconds()).Scan(&l.Epoch)
	})
	if err != nil {
		return Lease{}, fmt.Errorf("feedlease: take over: %w", err)
	}
	return l, nil
}

// renew extends the lease every Renew until ctx ends or lead returns (nil), or the lease cannot
// be renewed (an error: the connection died, or another process took over).
func (e *Elector) renew(ctx context.Context, conn *pgx.Conn, l Lease, done <-chan struct{}) error {
	t := time.NewTicker(e.o.Renew)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-done:
			return nil
		case <-t.C:
		}
		// A renewal that takes longer than the lease is no renewal.
		rctx, cancel := context.WithTimeout(ctx, e.o.TTL)
		tag, err := conn.Exec(rctx, `UPDATE feed_lease SET expires_at = clock_timestamp() + make_interval(secs => $2)
			WHERE id = 1 AND epoch = $1 AND expires_at > clock_timestamp()`, l.Epoch, e.o.TTL.Seconds())
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			return fmt.Errorf("feedlease: renew: %w", err)
		case tag.RowsAffected() == 0:
			return errors.New("feedlease: the lease expired or another process took over")
		}
	}
}

// Holder is the lease row as every process sees it.
type Holder struct {
	Epoch      int64
	Holder     string
	AcquiredAt time.Time // zero before the first election
	ExpiresAt  time.Time
	Live       bool // the lease has not expired
}

// Current reads the lease row: which process holds the feed, since when.
func Current(ctx context.Context, pool *pgxpool.Pool) (Holder, error) {
	var h Holder
	var acquired, expires *time.Time
	// Before the first election the expiry is -infinity, which has no time.Time: read it as null.
	err := pool.QueryRow(ctx, `SELECT epoch, holder, acquired_at, nullif(expires_at, '-infinity'),
		expires_at > clock_timestamp() FROM feed_lease WHERE id = 1`).Scan(&h.Epoch, &h.Holder, &acquired, &expires, &h.Live)
	if err != nil {
		return Holder{}, fmt.Errorf("feedlease: current: %w", err)
	}
	if acquired != nil {
		h.AcquiredAt = *acquired
	}
	if expires != nil {
		h.ExpiresAt = *expires
	}
	return h, nil
}
