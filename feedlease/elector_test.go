package feedlease

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// candidate is one elector running in the test, with what its lead saw.
type candidate struct {
	stop    context.CancelFunc
	done    chan struct{}
	elected chan Lease         // each lease it was given
	lost    chan time.Duration // how long each leadership lasted, when it ended
}

func start(t *testing.T, db *database.DB, name string) (*Elector, *candidate) {
	t.Helper()
	e := New(Options{Pool: db.Pool, Holder: name, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, stop := context.WithCancel(context.Background())
	c := &candidate{stop: stop, done: make(chan struct{}), elected: make(chan Lease, 8), lost: make(chan time.Duration, 8)}
	go func() {
		defer close(c.done)
		e.Run(ctx, func(ctx context.Context, l Lease) {
			began := time.Now()
			c.elected <- l
			<-ctx.Done()
			c.lost <- time.Since(began)
		})
	}()
	t.Cleanup(func() { stop(); <-c.done })
	return e, c
}

func waitElected(t *testing.T, c *candidate, within time.Duration) Lease {
	t.Helper()
	select {
	case l := <-c.elected:
		return l
	case <-time.After(within):
		t.Fatalf("not elected within %s", within)
		return Lease{}
	}
}

func TestOneHolderAndAStandbyThatTakesOverWhenTheHolderStops(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	if h, err := Current(context.Background(), db.Pool); err != nil || h.Holder != "" || h.Live || !h.ExpiresAt.IsZero() {
		t.Errorf("lease before any election = %+v (%v), want none", h, err)
	}
	ea, a := start(t, db, "a")
	first := waitElected(t, a, 10*time.Second)
	_, b := start(t, db, "b")
	select {
	case l := <-b.elected:
		t.Fatalf("a second holder was elected (epoch %d) while the first holds the role", l.Epoch)
	case <-time.After(4 * DefaultPoll):
	}
	if st := ea.Status(); !st.Holding || st.Epoch != first.Epoch {
		t.Errorf("holder's status = %+v, want holding epoch %d", st, first.Epoch)
	}
	h, err := Current(context.Background(), db.Pool)
	if err != nil || h.Holder != "a" || h.Epoch != first.Epoch || !h.Live {
		t.Errorf("lease row = %+v (%v), want a holding epoch %d", h, err, first.Epoch)
	}

	stopped := time.Now()
	a.stop()
	second := waitElected(t, b, 5*time.Second)
	t.Logf("takeover after a clean stop: %s", time.Since(stopped).Round(time.Millisecond))
	if second.Epoch != first.Epoch+1 {
		t.Errorf("epoch after takeover = %d, want %d", second.Epoch, first.Epoch+1)
	}
}

// TestStandbyTakesOverWhenTheHoldersConnectionDies: the server ends the holder's session (as when
// its process is killed or partitioned away): the standby takes over within seconds, and the old
// holder learns it lost the role.
func TestStandbyTakesOverWhenTheHoldersConnectionDies(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	_, a := start(t, db, "a")
	first := waitElected(t, a, 10*time.Second)
	_, b := start(t, db, "b")

	killed := time.Now()
	// Advisory locks are per database and other tests hold the same key in their own clones,
	// so only this test's database is searched.
	var n int
	err := db.Pool.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objid::bigint = ($1::bigint & 4294967295)
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, lockKey).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("terminating the holder's session: %d sessions, %v", n, err)
	}
	second := waitElected(t, b, 5*time.Second)
	took := time.Since(killed)
	t.Logf("takeover after the holder's session died: %s", took.Round(time.Millisecond))
	if second.Epoch <= first.Epoch {
		t.Errorf("epoch %d after takeover, want above %d", second.Epoch, first.Epoch)
	}
	select {
	case <-a.lost:
	case <-time.After(2 * DefaultRenew):
		t.Error("the old holder did not notice it lost the role")
	}
}

func TestLeaseFencesFillsOfAnOldEpochAndAnExpiredLease(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	ctx := context.Background()
	_, a := start(t, db, "a")
	first := waitElected(t, a, 10*time.Second)

	check := func(l Lease) error {
		return db.Gorm.Transaction(func(tx *gorm.DB) error { return l.Check(ctx, tx) })
	}
	if err := check(first); err != nil {
		t.Fatalf("the holder's own fill was fenced: %v", err)
	}
	if err := check(Lease{Epoch: first.Epoch - 1}); !errors.Is(err, ErrFenced) {
		t.Errorf("an old epoch's fill: %v, want ErrFenced", err)
	}

	a.stop()
	<-a.done
	if err := check(first); !errors.Is(err, ErrFenced) {
		t.Errorf("a fill after the lease was given up: %v, want ErrFenced", err)
	}
}

// TestTakeoverWaitsForAFillInFlight: a fill transaction that passed the fence holds the lease row
// until it ends, so the takeover happens after it and no fill of the old epoch commits after.
func TestTakeoverWaitsForAFillInFlight(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	ctx := context.Background()
	_, a := start(t, db, "a")
	first := waitElected(t, a, 10*time.Second)
	_, b := start(t, db, "b")

	inFill := make(chan struct{})
	release := make(chan struct{})
	fillDone := make(chan error, 1)
	go func() {
		fillDone <- db.Gorm.Transaction(func(tx *gorm.DB) error {
			if err := first.Check(ctx, tx); err != nil {
				return err
			}
			close(inFill)
			<-release
			return nil
		})
	}()
	<-inFill
	a.stop() // releases the lock: b may try, but must wait for the fill
	select {
	case l := <-b.elected:
		t.Fatalf("b took over (epoch %d) while a fill of the old epoch was in flight", l.Epoch)
	case <-time.After(4 * DefaultPoll):
	}
	close(release)
	if err := <-fillDone; err != nil {
		t.Fatalf("the fill in flight: %v", err)
	}
	second := waitElected(t, b, 5*time.Second)
	if second.Epoch != first.Epoch+1 {
		t.Errorf("epoch = %d, want %d", second.Epoch, first.Epoch+1)
	}
}
