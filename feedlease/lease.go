package feedlease

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// ErrFenced is returned by Lease.Check when the lease is no longer this process's: the fill must
// not be applied.
var ErrFenced = errors.New("feedlease: the feed lease was lost; fill refused")

// fenceIdleTimeout bounds how long a fill transaction may sit idle holding the lease row. A holder
// paused in the middle of a fill would otherwise keep the row locked and stall the takeover; with
// it, the server ends that transaction, the takeover proceeds, and the fill never commits.
const fenceIdleTimeout = 3 * time.Second

// Lease is a held feed role: its epoch is the fencing token.
type Lease struct {
	Epoch int64
}

// Check fences a fill: run inside the fill's transaction, it succeeds only while the epoch is
// still the lease row's and the lease has not expired, and holds the row FOR KEY SHARE until the
// transaction ends, so a takeover (which locks it FOR UPDATE) waits for this fill and fences all
// later ones. Renewals update the row without conflicting with it.
func (l Lease) Check(ctx context.Context, tx *gorm.DB) error {
	// One round trip: the timeout is set (for this transaction only) by the row that passes.
	var held []string
	err := tx.WithContext(ctx).Raw(`SELECT set_config('idle_in_transaction_session_timeout', ?, true) FROM feed_lease
		WHERE id = 1 AND epoch = ? AND expires_at > clock_timestamp() FOR KEY SHARE`,
		strconv.FormatInt(fenceIdleTimeout.Milliseconds(), 10), l.Epoch).Scan(&held).Error
	if err != nil {
		return fmt.Errorf("feedlease: fence: %w", err)
	}
	if len(held) == 0 {
		return ErrFenced
	}
	return nil
}
