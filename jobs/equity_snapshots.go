package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// EquitySnapshotsEvery matches trading.SnapshotEvery: the job runs once per snapshot slot.
const EquitySnapshotsEvery = 5 * time.Minute

// EquitySnapshotter records portfolio history (trading.Service.Snapshot).
type EquitySnapshotter interface {
	Snapshot(ctx context.Context) (int, error)
}

// EquitySnapshotsArgs takes the accounts' equity snapshots.
type EquitySnapshotsArgs struct{}

// Kind names the job in River's tables.
func (EquitySnapshotsArgs) Kind() string { return "equity_snapshots" }

// InsertOpts makes the job unique per slot.
func (EquitySnapshotsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: EquitySnapshotsEvery}}
}

// EquitySnapshotsWorker takes the snapshots.
type EquitySnapshotsWorker struct {
	river.WorkerDefaults[EquitySnapshotsArgs]
	snapshotter EquitySnapshotter
}

// NewEquitySnapshotsWorker returns a worker snapshotting through s.
func NewEquitySnapshotsWorker(s EquitySnapshotter) *EquitySnapshotsWorker {
	return &EquitySnapshotsWorker{snapshotter: s}
}

// Work takes this slot's snapshots and any missed close's. Snapshots are keyed by account and
// time, so a retry writes only what is missing.
func (w *EquitySnapshotsWorker) Work(ctx context.Context, _ *river.Job[EquitySnapshotsArgs]) error {
	n, err := w.snapshotter.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("jobs: equity snapshots: %w", err)
	}
	if err := river.RecordOutput(ctx, map[string]int{"written": n}); err != nil {
		return fmt.Errorf("jobs: equity snapshots: record output: %w", err)
	}
	return nil
}

// Timeout bounds one run.
func (w *EquitySnapshotsWorker) Timeout(*river.Job[EquitySnapshotsArgs]) time.Duration {
	return 4 * time.Minute
}
