package jobs

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertest"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/ratelimit"
)

func TestPruneRateLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.Shared(t)
	tx := dbtest.Tx(t)
	err := tx.Exec(`INSERT INTO rate_limits (key, hits, window_ends) VALUES
		('ended-long-ago', 3, now() - interval '1 day'),
		('ended-just-now', 1, now() - interval '1 second'),
		('running', 2, now() + interval '10 minutes')`).Error
	if err != nil {
		t.Fatal(err)
	}
	w := rivertest.NewWorker(t, riverdatabasesql.New(db.SQL), &river.Config{},
		NewPruneRateLimitsWorker(ratelimit.New(tx)))
	stx, err := database.SQLTx(tx)
	if err != nil {
		t.Fatal(err)
	}

	res, err := w.Work(ctx, t, stx, PruneRateLimitsArgs{}, nil)
	if err != nil || res.EventKind != river.EventKindJobCompleted {
		t.Fatalf("result %+v, err %v", res, err)
	}
	var left []string
	if err := tx.Raw(`SELECT key FROM rate_limits`).Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "running" {
		t.Errorf("left %v, want only the running window", left)
	}
	var out pruneRateLimitsOutput
	if err := json.Unmarshal(res.Job.Output(), &out); err != nil || out.Deleted != 2 {
		t.Errorf("recorded output %s (%v), want 2 deleted", res.Job.Output(), err)
	}
}

func TestPruneRateLimitsIsUniquePerPeriod(t *testing.T) {
	t.Parallel()
	opts := PruneRateLimitsArgs{}.InsertOpts()
	if opts.UniqueOpts.ByPeriod != PruneRateLimitsEvery {
		t.Errorf("insert opts = %+v, want unique per %s", opts, PruneRateLimitsEvery)
	}
}
