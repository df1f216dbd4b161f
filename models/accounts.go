package models

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The account store: writes of paper accounts, their ledger, periods and equity snapshots. Reads
// for pages and the API are in paper.go.

// InsertPaperAccount writes a new account and sets its id.
func InsertPaperAccount(ctx context.Context, tx *gorm.DB, a *PaperAccount) error {
	if err := tx.WithContext(ctx).Create(a).Error; err != nil {
		return fmt.Errorf("models: open account: %w", err)
	}
	return nil
}

// SavePaperAccount writes every column of an account.
func SavePaperAccount(ctx context.Context, tx *gorm.DB, a *PaperAccount) error {
	if err := tx.WithContext(ctx).Save(a).Error; err != nil {
		return fmt.Errorf("models: save account: %w", err)
	}
	return nil
}

// AccountNameTaken reports whether a person has another account (not exceptID) with this name,
// in any case.
func AccountNameTaken(ctx context.Context, db *gorm.DB, userID, exceptID int64, name string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&PaperAccount{}).Where("user_id = ? AND id <> ? AND lower(name) = lower(?)", userID, exceptID, name).
		Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("models: account name: %w", err)
	}
	return n > 0, nil
}

// ActiveAccountsAfter loads up to limit active accounts with ids above afterID, by id (a batch of
// the snapshot job).
func ActiveAccountsAfter(ctx context.Context, db *gorm.DB, afterID int64, limit int) ([]PaperAccount, error) {
	var out []PaperAccount
	err := db.WithContext(ctx).Where("status = 'ACTIVE' AND id > ?", afterID).Order("id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: active accounts: %w", err)
	}
	return out, nil
}

// AccountRealisms loads the realism preset of each of the given accounts.
func AccountRealisms(ctx context.Context, db *gorm.DB, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []PaperAccount
	if err := db.WithContext(ctx).Select("id, realism").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: account realism: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Realism
	}
	return out, nil
}

// RollLastEquity records an account's equity at a regular close (the base of its day's change).
func RollLastEquity(ctx context.Context, tx *gorm.DB, a *PaperAccount, equity decimal.Decimal, at time.Time) error {
	if err := tx.WithContext(ctx).Model(a).Updates(map[string]any{"last_equity": equity, "last_equity_at": at}).Error; err != nil {
		return fmt.Errorf("models: roll last equity: %w", err)
	}
	a.LastEquity, a.LastEquityAt = equity, &at
	return nil
}

// InsertLedgerEntry writes one movement of cash (the caller moves the account's cash with it).
func InsertLedgerEntry(ctx context.Context, tx *gorm.DB, e *LedgerEntry) error {
	if err := tx.WithContext(ctx).Create(e).Error; err != nil {
		return fmt.Errorf("models: ledger: %w", err)
	}
	return nil
}

// InsertAccountPeriod records a closed period of an account.
func InsertAccountPeriod(ctx context.Context, tx *gorm.DB, p *PaperAccountPeriod) error {
	if err := tx.WithContext(ctx).Create(p).Error; err != nil {
		return fmt.Errorf("models: close period: %w", err)
	}
	return nil
}

// SnapshotConflict is what InsertEquitySnapshot does when the account already has a snapshot at
// that instant.
type SnapshotConflict int

// Ways to resolve a snapshot at an instant that has one.
const (
	KeepExistingSnapshot SnapshotConflict = iota // the first one stands (the job is idempotent)
	ReplaceSnapshot                              // the new one replaces it (a period's first)
)

// InsertEquitySnapshot writes a snapshot and reports whether it was written.
func InsertEquitySnapshot(ctx context.Context, tx *gorm.DB, s *EquitySnapshot, onConflict SnapshotConflict) (bool, error) {
	c := clause.OnConflict{DoNothing: true}
	if onConflict == ReplaceSnapshot {
		c = clause.OnConflict{UpdateAll: true}
	}
	res := tx.WithContext(ctx).Clauses(c).Create(s)
	if res.Error != nil {
		return false, fmt.Errorf("models: snapshot: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}

// MakePrimary makes accountID its owner's primary account (the one API keys without an account
// of their own act on, and the pages show first). The old primary is cleared first, in the same
// transaction, since at most one account per person may be primary (paper_accounts_one_primary).
func MakePrimary(ctx context.Context, tx *gorm.DB, userID, accountID int64) error {
	db := tx.WithContext(ctx)
	if err := db.Exec(`UPDATE paper_accounts SET is_primary = false WHERE user_id = ? AND is_primary AND id <> ?`, userID, accountID).Error; err != nil {
		return fmt.Errorf("models: make primary: %w", err)
	}
	if err := db.Exec(`UPDATE paper_accounts SET is_primary = true WHERE id = ? AND user_id = ?`, accountID, userID).Error; err != nil {
		return fmt.Errorf("models: make primary: %w", err)
	}
	return nil
}
