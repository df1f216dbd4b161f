package models

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// OwnedFill is a fill with what its receipt page shows of the account it belongs to.
type OwnedFill struct {
	Fill
	AccountName   string
	AccountPeriod int // the account's current period (the fill's may be an earlier one)
}

// FillOfUser loads a fill that belongs to one of a person's accounts, in one query; anyone
// else's is ErrNotFound.
func FillOfUser(ctx context.Context, db *gorm.DB, userID int64, id uuid.UUID) (*OwnedFill, error) {
	var out []OwnedFill
	err := db.WithContext(ctx).Model(&Fill{}).
		Select("fills.*, paper_accounts.name AS account_name, paper_accounts.period AS account_period").
		Joins("JOIN paper_accounts ON paper_accounts.id = fills.account_id").
		Where("fills.id = ? AND paper_accounts.user_id = ?", id, userID).Limit(1).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: fill of user: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("models: fill of user: %w", ErrNotFound)
	}
	return &out[0], nil
}
