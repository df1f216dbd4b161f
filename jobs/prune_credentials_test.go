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

type countingPruner struct {
	calls int
	err   error
}

func (p *countingPruner) Prune(context.Context) (int64, error) {
	p.calls++
	return 3, p.err
}

func TestPruneCredentialsRunsEveryPruner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	failing, fine := &countingPruner{err: errors.New("table locked")}, &countingPruner{}
	w := rivertest.NewWorker(t, riverdatabasesql.New(dbtest.Shared(t).SQL), &river.Config{}, NewPruneCredentialsWorker(failing, fine))
	stx, _ := database.SQLTx(dbtest.Tx(t))
	_, err := w.Work(ctx, t, stx, PruneCredentialsArgs{}, nil)
	if err == nil || failing.calls != 1 || fine.calls != 1 {
		t.Errorf("err %v, calls %d/%d: one failure must not stop the others, and must be reported", err, failing.calls, fine.calls)
	}
}
