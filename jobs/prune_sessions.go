package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// SessionPruner deletes expired browser sessions (auth.Sessions).
type SessionPruner interface {
	Prune(ctx context.Context) (int64, error)
}

// PruneSessionsArgs asks for expired sessions to be deleted. Expired sessions are already refused
// on every request; this only keeps the table small.
type PruneSessionsArgs struct{}

// Kind names the job in River's tables.
func (PruneSessionsArgs) Kind() string { return "prune_sessions" }

// InsertOpts make the job unique per hour: a second one queued meanwhile would find nothing to do.
func (PruneSessionsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// PruneSessionsWorker deletes expired sessions.
type PruneSessionsWorker struct {
	river.WorkerDefaults[PruneSessionsArgs]
	sessions SessionPruner
}

// Work deletes what has expired; running it twice is harmless.
func (w *PruneSessionsWorker) Work(ctx context.Context, _ *river.Job[PruneSessionsArgs]) error {
	_, err := w.sessions.Prune(ctx)
	return err
}
