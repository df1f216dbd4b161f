package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// APIKeyGrant is what an API key admits a program to: its owner and the paper account the key is
// bound to, with what is needed to check the secret. One query finds it, so authenticating a
// request costs one indexed read (a SHA-256 of the secret, never a slow hash).
type APIKeyGrant struct {
	ID         int64
	UserID     int64
	AccountID  int64 // 0 when the owner has no account at all
	SecretHash []byte
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	UserActive bool
}

// APIKeyGrantByKeyID loads the grant of a key by its public id, revoked or not. A key bound to no
// account (made before the binding existed) acts on its owner's primary account.
func APIKeyGrantByKeyID(ctx context.Context, db *gorm.DB, keyID string) (*APIKeyGrant, error) {
	var g APIKeyGrant
	res := db.WithContext(ctx).Raw(`
		SELECT k.id, k.user_id, k.secret_hash, k.last_used_at, k.revoked_at, u.active AS user_active,
		       coalesce(k.account_id, (SELECT a.id FROM paper_accounts a WHERE a.user_id = k.user_id AND a.is_primary), 0) AS account_id
		FROM api_keys k JOIN users u ON u.id = k.user_id
		WHERE k.key_id = ?`, keyID).Scan(&g)
	if res.Error != nil {
		return nil, fmt.Errorf("models: api key grant: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("models: api key grant: %w", ErrNotFound)
	}
	return &g, nil
}

// BindAPIKey sets the paper account a key acts on.
func BindAPIKey(ctx context.Context, tx *gorm.DB, id, accountID int64) error {
	if err := tx.WithContext(ctx).Model(&APIKey{}).Where("id = ?", id).Update("account_id", accountID).Error; err != nil {
		return fmt.Errorf("models: bind api key %d: %w", id, err)
	}
	return nil
}

// APIKeyAccounts maps each of the user's active keys to the id of the account it acts on (its
// binding, else the primary account), for the keys page.
func APIKeyAccounts(ctx context.Context, db *gorm.DB, userID int64) (map[int64]int64, error) {
	var rows []struct {
		ID        int64
		AccountID int64
	}
	err := db.WithContext(ctx).Raw(`
		SELECT k.id, coalesce(k.account_id, (SELECT a.id FROM paper_accounts a WHERE a.user_id = k.user_id AND a.is_primary), 0) AS account_id
		FROM api_keys k WHERE k.user_id = ? AND k.revoked_at IS NULL`, userID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: api key accounts: %w", err)
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.AccountID
	}
	return out, nil
}
