package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// MarkSeeded records that the one-time seed called name has been made, and reports whether this
// call was the first to do so. Call it in the transaction that makes the seed, so the record and
// the content commit together and two processes racing at start-up seed once.
func MarkSeeded(ctx context.Context, tx *gorm.DB, name string) (bool, error) {
	res := tx.WithContext(ctx).Exec(`INSERT INTO seeds (name) VALUES (?) ON CONFLICT (name) DO NOTHING`, name)
	if res.Error != nil {
		return false, fmt.Errorf("models: mark seed %q: %w", name, res.Error)
	}
	return res.RowsAffected == 1, nil
}
