package jobs

import (
	"context"
	"errors"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertest"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
)

// fakeTrading stands in for trading.Service, whose own tests cover expiry and snapshots against
// a real database; here only the job's contract matters: it calls through and reports failures so
// River retries.
type fakeTrading struct {
	expired, snapped int
	err              error
}

func (f *fakeTrading) ExpireDue(context.Context) (int, error) { f.expired++; return 2, f.err }
func (f *fakeTrading) Snapshot(context.Context) (int, error)  { f.snapped++; return 5, f.err }

func TestTradingJobsCallThroughAndReportFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, failing := range []bool{false, true} {
		f := &fakeTrading{}
		if failing {
			f.err = errors.New("database gone")
		}
		driver := riverdatabasesql.New(dbtest.Shared(t).SQL)
		stx, _ := database.SQLTx(dbtest.Tx(t))
		_, err := rivertest.NewWorker(t, driver, &river.Config{}, NewExpireOrdersWorker(f)).Work(ctx, t, stx, ExpireOrdersArgs{}, nil)
		if (err != nil) != failing || f.expired != 1 {
			t.Errorf("expire (failing %v): err %v, calls %d", failing, err, f.expired)
		}
		_, err = rivertest.NewWorker(t, driver, &river.Config{}, NewEquitySnapshotsWorker(f)).Work(ctx, t, stx, EquitySnapshotsArgs{}, nil)
		if (err != nil) != failing || f.snapped != 1 {
			t.Errorf("snapshots (failing %v): err %v, calls %d", failing, err, f.snapped)
		}
	}
}

func TestTradingJobsAreUniquePerSlot(t *testing.T) {
	t.Parallel()
	expire, snapshots := (ExpireOrdersArgs{}).InsertOpts(), (EquitySnapshotsArgs{}).InsertOpts()
	if expire.UniqueOpts.ByPeriod != ExpireOrdersEvery || snapshots.UniqueOpts.ByPeriod != EquitySnapshotsEvery {
		t.Error("periodic trading jobs must be unique per period, so RunOnStart and the schedule never double up")
	}
}
