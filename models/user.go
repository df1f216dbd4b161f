package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Role is what a user may do beyond their own data.
type Role string

// The roles.
const (
	RoleUser  Role = "user"
	RoleAdmin Role = "admin"
)

// User is a person with an account.
type User struct {
	ID                   int64
	Email                string
	Name                 string
	PasswordHash         string `gorm:"column:password_hash"`
	Role                 Role
	Active               bool
	EmailVerifiedAt      *time.Time
	TimeZone             string
	AvatarFile           *string
	TermsAcceptedAt      time.Time
	LastLoginAt          *time.Time
	CredentialsChangedAt time.Time
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// IsAdmin reports whether the user may use the admin pages.
func (u *User) IsAdmin() bool { return u.Role == RoleAdmin }

// EmailVerified reports whether the user proved they own their address.
func (u *User) EmailVerified() bool { return u.EmailVerifiedAt != nil }

// Initials are shown as the avatar when there is no picture.
func (u *User) Initials() string {
	var out []rune
	for _, word := range strings.Fields(u.Name) {
		out = append(out, []rune(strings.ToUpper(word))[0])
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 && u.Email != "" {
		out = []rune(strings.ToUpper(u.Email[:1]))
	}
	return string(out)
}

// NormalizeEmail trims an address; case is ignored by the citext column, so it is kept as typed.
func NormalizeEmail(email string) string { return strings.TrimSpace(email) }

// UserByID loads a user.
func UserByID(ctx context.Context, db *gorm.DB, id int64) (*User, error) {
	var u User
	if err := db.WithContext(ctx).First(&u, id).Error; err != nil {
		return nil, fmt.Errorf("models: user %d: %w", id, notFound(err))
	}
	return &u, nil
}

// UserByEmail loads a user by e-mail address, without regard to case.
func UserByEmail(ctx context.Context, db *gorm.DB, email string) (*User, error) {
	var u User
	if err := db.WithContext(ctx).Where("email = ?", NormalizeEmail(email)).First(&u).Error; err != nil {
		return nil, fmt.Errorf("models: user by email: %w", notFound(err))
	}
	return &u, nil
}

// LockUser loads a user with a row lock, for changes that must not interleave (password, role).
func LockUser(ctx context.Context, tx *gorm.DB, id int64) (*User, error) {
	var u User
	if err := tx.WithContext(ctx).Clauses(lockForUpdate()).First(&u, id).Error; err != nil {
		return nil, fmt.Errorf("models: lock user %d: %w", id, notFound(err))
	}
	return &u, nil
}

// CreateUser inserts u. A duplicate e-mail surfaces as gorm.ErrDuplicatedKey.
func CreateUser(ctx context.Context, tx *gorm.DB, u *User) error {
	if err := tx.WithContext(ctx).Create(u).Error; err != nil {
		return fmt.Errorf("models: create user: %w", err)
	}
	return nil
}

// CreateUserIfNew inserts u unless its e-mail address is taken, and reports whether it did. It
// never fails on a duplicate, so the surrounding transaction stays usable.
func CreateUserIfNew(ctx context.Context, tx *gorm.DB, u *User) (bool, error) {
	res := tx.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "email"}}, DoNothing: true}).Create(u)
	if res.Error != nil {
		return false, fmt.Errorf("models: create user: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// UpdateUser writes the given columns of user id.
func UpdateUser(ctx context.Context, tx *gorm.DB, id int64, columns map[string]any) error {
	columns["updated_at"] = time.Now().UTC()
	if err := tx.WithContext(ctx).Model(&User{}).Where("id = ?", id).Updates(columns).Error; err != nil {
		return fmt.Errorf("models: update user %d: %w", id, err)
	}
	return nil
}
