package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// VoidCredentials ends everything that lets someone act as the user without their password: every
// session (but keepSession, when given), every refresh token, and — through
// credentials_changed_at — every access token issued until now. Called when the password changes
// and when an account is disabled, inside the same transaction as that change.
func VoidCredentials(ctx context.Context, tx *gorm.DB, userID int64, keepSession []byte, now time.Time) error {
	if _, err := DeleteUserSessions(ctx, tx, userID, keepSession); err != nil {
		return fmt.Errorf("models: end sessions: %w", err)
	}
	err := tx.WithContext(ctx).Exec(
		"UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now, userID).Error
	if err != nil {
		return fmt.Errorf("models: revoke refresh tokens: %w", err)
	}
	return UpdateUser(ctx, tx, userID, map[string]any{"credentials_changed_at": now})
}
