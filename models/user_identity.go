package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// UserIdentity is an account at an OpenID Connect provider linked to a user: they may sign in
// with it. Issuer and Subject name it; Email is only what the provider last said, for display.
type UserIdentity struct {
	ID         int64
	UserID     int64
	Provider   string
	Issuer     string
	Subject    string
	Email      string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// IdentityBySubject finds the identity a provider's issuer and subject name.
func IdentityBySubject(ctx context.Context, db *gorm.DB, issuer, subject string) (*UserIdentity, error) {
	var id UserIdentity
	if err := db.WithContext(ctx).Where("issuer = ? AND subject = ?", issuer, subject).First(&id).Error; err != nil {
		return nil, fmt.Errorf("models: identity: %w", notFound(err))
	}
	return &id, nil
}

// CreateIdentityIfNew links an identity unless its issuer and subject are linked already (to
// anyone), and reports whether it did; it never fails on that duplicate, so the surrounding
// transaction stays usable.
func CreateIdentityIfNew(ctx context.Context, tx *gorm.DB, id *UserIdentity) (bool, error) {
	res := tx.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "issuer"}, {Name: "subject"}}, DoNothing: true}).Create(id)
	if res.Error != nil {
		return false, fmt.Errorf("models: create identity: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// TouchIdentity records a sign-in with an identity and the address the provider gave this time.
func TouchIdentity(ctx context.Context, db *gorm.DB, id int64, email string, at time.Time) error {
	err := db.WithContext(ctx).Model(&UserIdentity{}).Where("id = ?", id).
		Updates(map[string]any{"last_used_at": at, "email": email}).Error
	if err != nil {
		return fmt.Errorf("models: touch identity %d: %w", id, err)
	}
	return nil
}

// UserIdentities lists a user's identities, oldest first.
func UserIdentities(ctx context.Context, db *gorm.DB, userID int64) ([]UserIdentity, error) {
	var out []UserIdentity
	if err := db.WithContext(ctx).Where("user_id = ?", userID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: identities of user %d: %w", userID, err)
	}
	return out, nil
}

// DeleteIdentity unlinks one of the user's identities; another user's is not found.
func DeleteIdentity(ctx context.Context, tx *gorm.DB, userID, id int64) error {
	res := tx.WithContext(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&UserIdentity{})
	if res.Error != nil {
		return fmt.Errorf("models: delete identity %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("models: delete identity %d: %w", id, ErrNotFound)
	}
	return nil
}
