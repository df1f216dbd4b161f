package trading

import (
	"context"

	"gorm.io/gorm"
)

// Fence guards the matcher's fills when more than one process may run it: Check runs inside each
// fill's transaction and fails when this process is no longer the one allowed to fill (the elected
// feed's lease, see feedlease.Lease), which rolls the fill back.
type Fence interface {
	Check(ctx context.Context, tx *gorm.DB) error
}

// fenceKey carries a Fence in a context.
type fenceKey struct{}

// WithFence returns a context whose fills are fenced by f. The feed role runs the matcher under it;
// fills made on placement by web processes are not fenced, since they are not the matcher's.
// It rides on the context rather than on the Service because one process may hold the feed role
// for a while, lose it and take it again, each time under a new lease, while its web handlers fill
// on placement throughout.
func WithFence(ctx context.Context, f Fence) context.Context {
	return context.WithValue(ctx, fenceKey{}, f)
}

// checkFence runs the context's fence, if any, inside a fill's transaction.
func checkFence(ctx context.Context, tx *gorm.DB) error {
	if f, ok := ctx.Value(fenceKey{}).(Fence); ok && f != nil {
		return f.Check(ctx, tx)
	}
	return nil
}
