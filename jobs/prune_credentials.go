package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
)

// Pruner deletes credentials that can no longer be used: expired browser sessions
// (auth.Sessions), spent refresh-token families (auth.Tokens).
type Pruner interface {
	Prune(ctx context.Context) (int64, error)
}

// PruneCredentialsArgs asks for expired sessions and refresh tokens to be deleted. Expired ones are
// already refused on every request; this only keeps the tables small.
type PruneCredentialsArgs struct{}

// Kind names the job in River's tables.
func (PruneCredentialsArgs) Kind() string { return "prune_credentials" }

// InsertOpts make the job unique per hour: a second one queued meanwhile would find nothing to do.
func (PruneCredentialsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// PruneCredentialsWorker runs every pruner.
type PruneCredentialsWorker struct {
	river.WorkerDefaults[PruneCredentialsArgs]
	pruners []Pruner
}

// NewPruneCredentialsWorker prunes with each of pruners.
func NewPruneCredentialsWorker(pruners ...Pruner) *PruneCredentialsWorker {
	return &PruneCredentialsWorker{pruners: pruners}
}

// Work deletes what has expired; running it twice is harmless. One pruner failing does not stop
// the others.
func (w *PruneCredentialsWorker) Work(ctx context.Context, _ *river.Job[PruneCredentialsArgs]) error {
	var errs []error
	for _, p := range w.pruners {
		if _, err := p.Prune(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
