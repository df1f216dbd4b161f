package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"alpacawrapper/ratelimit"
)

// PruneRateLimitsEvery is how often the periodic schedule deletes ended rate-limit windows. An
// ended row behaves exactly like a missing one, so this only bounds the table's size: a key hit
// once stays at most one window plus this long.
const PruneRateLimitsEvery = 10 * time.Minute

// PruneRateLimitsArgs deletes the rate_limits rows whose window has ended.
type PruneRateLimitsArgs struct{}

// Kind names the job in River's tables.
func (PruneRateLimitsArgs) Kind() string { return "prune_rate_limits" }

// InsertOpts makes the job unique per period, so a leader change (each new leader's schedule
// starts over) or RunOnStart never queues two prunes for the same ten minutes. Few attempts:
// the next period's run does the same work, so there is nothing to gain from retrying for long.
func (PruneRateLimitsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		MaxAttempts: 3,
		UniqueOpts:  river.UniqueOpts{ByPeriod: PruneRateLimitsEvery},
	}
}

// PruneRateLimitsWorker deletes ended rate-limit windows.
type PruneRateLimitsWorker struct {
	river.WorkerDefaults[PruneRateLimitsArgs]
	limiter *ratelimit.Limiter
}

// NewPruneRateLimitsWorker returns a worker that prunes through l.
func NewPruneRateLimitsWorker(l *ratelimit.Limiter) *PruneRateLimitsWorker {
	return &PruneRateLimitsWorker{limiter: l}
}

// pruneRateLimitsOutput is what a run records on its job row, for operators looking at River.
type pruneRateLimitsOutput struct {
	Deleted int64 `json:"deleted"`
}

// Work deletes every window that has ended by now. Running it twice is harmless.
func (w *PruneRateLimitsWorker) Work(ctx context.Context, _ *river.Job[PruneRateLimitsArgs]) error {
	n, err := w.limiter.Prune(ctx, time.Now())
	if err != nil {
		return err
	}
	if err := river.RecordOutput(ctx, pruneRateLimitsOutput{Deleted: n}); err != nil {
		return fmt.Errorf("jobs: prune rate limits: record output: %w", err)
	}
	return nil
}

// Timeout bounds one run; the delete walks the window_ends index and takes milliseconds.
func (w *PruneRateLimitsWorker) Timeout(*river.Job[PruneRateLimitsArgs]) time.Duration {
	return time.Minute
}
