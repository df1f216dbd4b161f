package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// ExpireOrdersEvery is how often day, opg and cls orders past their session's close are expired.
// A minute keeps "expired at the close" within a minute of the close (early closes included: the
// expiry time comes from the calendar) without a timer per order.
const ExpireOrdersEvery = time.Minute

// OrderExpirer ends orders whose session has closed (trading.Service.ExpireDue).
type OrderExpirer interface {
	ExpireDue(ctx context.Context) (int, error)
}

// ExpireOrdersArgs expires the orders whose time in force has run out.
type ExpireOrdersArgs struct{}

// Kind names the job in River's tables.
func (ExpireOrdersArgs) Kind() string { return "expire_orders" }

// InsertOpts makes the job unique per minute: RunOnStart (which catches closes missed while the
// app was down) and the schedule never queue two for the same minute.
func (ExpireOrdersArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: ExpireOrdersEvery}}
}

// ExpireOrdersWorker runs the expiry.
type ExpireOrdersWorker struct {
	river.WorkerDefaults[ExpireOrdersArgs]
	expirer OrderExpirer
}

// NewExpireOrdersWorker returns a worker expiring through e.
func NewExpireOrdersWorker(e OrderExpirer) *ExpireOrdersWorker {
	return &ExpireOrdersWorker{expirer: e}
}

// Work expires what is due. Each order ends in its own transaction, and an order already ended
// is skipped, so a retry after a crash finishes the rest.
func (w *ExpireOrdersWorker) Work(ctx context.Context, _ *river.Job[ExpireOrdersArgs]) error {
	n, err := w.expirer.ExpireDue(ctx)
	if err != nil {
		return fmt.Errorf("jobs: expire orders: %w", err)
	}
	if err := river.RecordOutput(ctx, map[string]int{"expired": n}); err != nil {
		return fmt.Errorf("jobs: expire orders: record output: %w", err)
	}
	return nil
}

// Timeout bounds one run.
func (w *ExpireOrdersWorker) Timeout(*river.Job[ExpireOrdersArgs]) time.Duration {
	return 5 * time.Minute
}
