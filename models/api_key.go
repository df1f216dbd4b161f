package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// APIKey is a credential a program uses in place of a person's password: a public key id and a
// secret of which only the hash is stored.
type APIKey struct {
	ID         int64
	UserID     int64
	AccountID  *int64 // the paper account the key acts on; nil means the owner's primary account
	KeyID      string
	SecretHash []byte `json:"-"` // never loaded by the listing queries, never shown
	Label      string
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time
}

// TableName is spelled out: GORM's own guess at "APIKey" depends on its list of initialisms.
func (APIKey) TableName() string { return "api_keys" }

// CreateAPIKey inserts k.
func CreateAPIKey(ctx context.Context, tx *gorm.DB, k *APIKey) error {
	if err := tx.WithContext(ctx).Create(k).Error; err != nil {
		return fmt.Errorf("models: create api key: %w", err)
	}
	return nil
}

// CountActiveAPIKeys counts the user's keys that have not been revoked.
func CountActiveAPIKeys(ctx context.Context, db *gorm.DB, userID int64) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&APIKey{}).Where("user_id = ? AND revoked_at IS NULL", userID).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("models: count api keys: %w", err)
	}
	return n, nil
}

// ActiveAPIKeys lists the user's keys that have not been revoked, newest first, without their
// secret hashes.
func ActiveAPIKeys(ctx context.Context, db *gorm.DB, userID int64) ([]APIKey, error) {
	var out []APIKey
	// Every column but secret_hash: the hash stays in the database.
	err := db.WithContext(ctx).Select("id", "user_id", "account_id", "key_id", "label", "last_used_at", "revoked_at", "created_at").
		Where("user_id = ? AND revoked_at IS NULL", userID).
		Order("created_at DESC, id DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: list api keys: %w", err)
	}
	return out, nil
}

// APIKeyByKeyID loads a key by its public id, revoked or not, with its secret hash.
func APIKeyByKeyID(ctx context.Context, db *gorm.DB, keyID string) (*APIKey, error) {
	var k APIKey
	if err := db.WithContext(ctx).Where("key_id = ?", keyID).First(&k).Error; err != nil {
		return nil, fmt.Errorf("models: api key: %w", notFound(err))
	}
	return &k, nil
}

// RevokeAPIKey revokes the user's key id and reports whether there was such an active key. The
// owner is part of the condition, so another user's id is indistinguishable from a missing one.
func RevokeAPIKey(ctx context.Context, db *gorm.DB, userID, id int64, now time.Time) (bool, error) {
	res := db.WithContext(ctx).Model(&APIKey{}).
		Where("id = ? AND user_id = ? AND revoked_at IS NULL", id, userID).Update("revoked_at", now)
	if res.Error != nil {
		return false, fmt.Errorf("models: revoke api key %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// TouchAPIKey records a use of key id unless one was recorded less than every ago. The condition
// is in the UPDATE, so concurrent requests with one key write the row once, not once each.
func TouchAPIKey(ctx context.Context, db *gorm.DB, id int64, now time.Time, every time.Duration) error {
	err := db.WithContext(ctx).Model(&APIKey{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at <= ?)", id, now.Add(-every)).
		Update("last_used_at", now).Error
	if err != nil {
		return fmt.Errorf("models: touch api key %d: %w", id, err)
	}
	return nil
}

// RevokeAPIKeysOf revokes every active key of the user and returns how many there were: a new
// password means whoever had the old one (and made keys with it) is shut out.
func RevokeAPIKeysOf(ctx context.Context, tx *gorm.DB, userID int64, now time.Time) (int64, error) {
	res := tx.WithContext(ctx).Model(&APIKey{}).
		Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now)
	if res.Error != nil {
		return 0, fmt.Errorf("models: revoke api keys of %d: %w", userID, res.Error)
	}
	return res.RowsAffected, nil
}
