package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// RefreshToken is one link of a refresh-token family. Each refresh spends the presented token
// (UsedAt) and adds a new one to the same family, so a family is the history of one API login.
// Only the token's hash is stored.
type RefreshToken struct {
	ID        int64
	UserID    int64
	FamilyID  uuid.UUID `gorm:"type:uuid"`
	TokenHash []byte    `json:"-"`
	ExpiresAt time.Time
	UsedAt    *time.Time // spent by a refresh: presenting it again means someone copied it
	RevokedAt *time.Time // logout, reuse detected, or credentials changed
	CreatedAt time.Time
}

// CreateRefreshToken inserts t.
func CreateRefreshToken(ctx context.Context, tx *gorm.DB, t *RefreshToken) error {
	if err := tx.WithContext(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("models: create refresh token: %w", err)
	}
	return nil
}

// RefreshTokenByHash loads the token with this hash, whatever its state: the caller tells an
// expired token from a spent or revoked one, because a spent one calls for revoking its family.
func RefreshTokenByHash(ctx context.Context, db *gorm.DB, hash []byte) (*RefreshToken, error) {
	var t RefreshToken
	if err := db.WithContext(ctx).Where("token_hash = ?", hash).First(&t).Error; err != nil {
		return nil, fmt.Errorf("models: refresh token: %w", notFound(err))
	}
	return &t, nil
}

// LockRefreshToken loads a token by id with a row lock, so two refreshes with the same token are
// serialised and the second one sees the first one's UsedAt.
func LockRefreshToken(ctx context.Context, tx *gorm.DB, id int64) (*RefreshToken, error) {
	var t RefreshToken
	if err := tx.WithContext(ctx).Clauses(lockForUpdate()).First(&t, id).Error; err != nil {
		return nil, fmt.Errorf("models: lock refresh token %d: %w", id, notFound(err))
	}
	return &t, nil
}

// SpendRefreshToken marks a token as used by a refresh.
func SpendRefreshToken(ctx context.Context, tx *gorm.DB, id int64, now time.Time) error {
	err := tx.WithContext(ctx).Model(&RefreshToken{}).Where("id = ?", id).Update("used_at", now).Error
	if err != nil {
		return fmt.Errorf("models: spend refresh token %d: %w", id, err)
	}
	return nil
}

// RevokeRefreshFamily revokes every not-yet-revoked token of a family and returns how many it
// revoked.
func RevokeRefreshFamily(ctx context.Context, tx *gorm.DB, familyID uuid.UUID, now time.Time) (int64, error) {
	res := tx.WithContext(ctx).Model(&RefreshToken{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).Update("revoked_at", now)
	if res.Error != nil {
		return 0, fmt.Errorf("models: revoke refresh family: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// RefreshFamilyLive reports whether the user's family still has a token that is neither revoked
// nor expired, i.e. whether the API login it stands for has not ended.
func RefreshFamilyLive(ctx context.Context, db *gorm.DB, userID int64, familyID uuid.UUID, now time.Time) (bool, error) {
	var live bool
	err := db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM refresh_tokens
		WHERE family_id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?)`, familyID, userID, now).
		Scan(&live).Error
	if err != nil {
		return false, fmt.Errorf("models: refresh family live: %w", err)
	}
	return live, nil
}

// PruneRefreshTokens deletes the families in which no token can be used any more (every one
// revoked or expired) and returns how many rows it deleted. Whole families only: the spent tokens
// of a live family are what reveals a stolen token when it is replayed.
func PruneRefreshTokens(ctx context.Context, db *gorm.DB, now time.Time) (int64, error) {
	res := db.WithContext(ctx).Exec(`DELETE FROM refresh_tokens r WHERE NOT EXISTS (
		SELECT 1 FROM refresh_tokens l
		WHERE l.family_id = r.family_id AND l.revoked_at IS NULL AND l.expires_at > ?)`, now)
	if res.Error != nil {
		return 0, fmt.Errorf("models: prune refresh tokens: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// RefreshFamilyStarted is when a family's first token was issued: the API login it stands for
// began then. Pruning deletes whole families only, so the first token is there while any is.
func RefreshFamilyStarted(ctx context.Context, db *gorm.DB, familyID uuid.UUID) (time.Time, error) {
	var started *time.Time
	err := db.WithContext(ctx).Raw(`SELECT min(created_at) FROM refresh_tokens WHERE family_id = ?`, familyID).Scan(&started).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("models: refresh family started: %w", err)
	}
	if started == nil {
		return time.Time{}, fmt.Errorf("models: refresh family started: %w", ErrNotFound)
	}
	return *started, nil
}
