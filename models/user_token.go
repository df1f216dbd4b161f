package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// TokenPurpose says what a single-use e-mailed token is for.
type TokenPurpose string

// The purposes.
const (
	PurposeResetPassword TokenPurpose = "reset_password"
	PurposeVerifyEmail   TokenPurpose = "verify_email"
)

// UserToken is a single-use secret sent by e-mail; only its hash is stored.
type UserToken struct {
	ID        int64
	UserID    int64
	Purpose   TokenPurpose
	TokenHash []byte
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// CreateUserToken stores a token. Older unused tokens of the same purpose are voided first, so
// only the latest e-mail's link works.
func CreateUserToken(ctx context.Context, tx *gorm.DB, t *UserToken) error {
	err := tx.WithContext(ctx).Model(&UserToken{}).
		Where("user_id = ? AND purpose = ? AND used_at IS NULL", t.UserID, t.Purpose).
		Update("used_at", t.CreatedAt).Error
	if err != nil {
		return fmt.Errorf("models: void old tokens: %w", err)
	}
	if err := tx.WithContext(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("models: create token: %w", err)
	}
	return nil
}

// ConsumeUserToken marks the unused, unexpired token with this hash and purpose as used and
// returns it. The single UPDATE makes a token usable exactly once even under concurrent clicks.
func ConsumeUserToken(ctx context.Context, tx *gorm.DB, hash []byte, purpose TokenPurpose, now time.Time) (*UserToken, error) {
	var t []UserToken
	err := tx.WithContext(ctx).Raw(`UPDATE user_tokens SET used_at = ?
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
		RETURNING *`, now, hash, purpose, now).Scan(&t).Error
	if err != nil {
		return nil, fmt.Errorf("models: consume token: %w", err)
	}
	if len(t) == 0 {
		return nil, fmt.Errorf("models: consume token: %w", ErrNotFound)
	}
	return &t[0], nil
}

// ValidUserToken reports whether a token could be consumed now (to decide which page to show
// before the person submits a new password).
func ValidUserToken(ctx context.Context, db *gorm.DB, hash []byte, purpose TokenPurpose, now time.Time) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&UserToken{}).
		Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hash, purpose, now).Count(&n).Error
	return n > 0, err
}

// PeekUserToken returns a token that could be consumed now, without consuming it: a link whose GET
// only confirms, leaving the token for the POST that acts on it. An unknown, spent or expired
// token is ErrNotFound.
func PeekUserToken(ctx context.Context, db *gorm.DB, hash []byte, purpose TokenPurpose, now time.Time) (*UserToken, error) {
	var t []UserToken
	err := db.WithContext(ctx).
		Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hash, purpose, now).
		Limit(1).Find(&t).Error
	if err != nil {
		return nil, fmt.Errorf("models: peek token: %w", err)
	}
	if len(t) == 0 {
		return nil, fmt.Errorf("models: peek token: %w", ErrNotFound)
	}
	return &t[0], nil
}
