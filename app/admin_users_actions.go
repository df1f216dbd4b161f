package app

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"alpacawrapper/apperr"
	"alpacawrapper/audit"
	"alpacawrapper/models"
)

// adminUserChange is one administrator action on a user, run on the user's locked row inside the
// transaction that also writes its audit entry. It returns the entry's before and after (what
// the action touched), or an error that rolls back both.
type adminUserChange func(ctx context.Context, tx *gorm.DB, u *models.User) (before, after any, err error)

// changeUser runs change on the user in the URL with its audit entry, in one transaction: either
// both commit or neither does. It returns the user as it was before the change.
func (s *Server) changeUser(c *fiber.Ctx, action string, change adminUserChange) (*models.User, error) {
	ctx := c.UserContext()
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, adminUserNotFound()
	}
	actor := auditActor(c)
	var target *models.User
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := models.LockUser(ctx, tx, id)
		if err != nil {
			return err
		}
		target = u
		before, after, err := change(ctx, tx, u)
		if err != nil {
			return err
		}
		return audit.Record(tx, audit.Entry{Actor: actor, Action: action, TargetType: "user",
			TargetID: strconv.FormatInt(id, 10), Before: before, After: after})
	})
	if errors.Is(err, models.ErrNotFound) {
		return nil, adminUserNotFound()
	}
	if err != nil {
		return nil, err
	}
	return target, nil
}

// setActive disables or enables u. Disabling ends every session, refresh token and access token
// at once (VoidCredentials), and the users_active_changed trigger tells every process to forget
// the account's API keys; open streams are ended by the caller once this has committed.
func setActive(adminID int64, active, confirmSelf bool) adminUserChange {
	return func(ctx context.Context, tx *gorm.DB, u *models.User) (any, any, error) {
		if u.Active == active {
			return nil, nil, alreadyChanged(u, map[bool]string{true: "enabled", false: "disabled"}[active])
		}
		if !active {
			if u.ID == adminID && !confirmSelf {
				// Disabling oneself signs one out at once; it must be meant.
				return nil, nil, apperr.New(apperr.KindConflict, "cannot_disable_self",
					"You can't disable your own account. If you really mean to, confirm it: you would be signed out at once.")
			}
			if err := keepAnActiveAdmin(ctx, tx, u); err != nil {
				return nil, nil, err
			}
		}
		if err := models.UpdateUser(ctx, tx, u.ID, map[string]any{"active": active}); err != nil {
			return nil, nil, err
		}
		if !active {
			if err := models.VoidCredentials(ctx, tx, u.ID, nil, time.Now().UTC()); err != nil {
				return nil, nil, err
			}
		}
		return map[string]any{"active": u.Active}, map[string]any{"active": active}, nil
	}
}

// keepAnActiveAdmin refuses a change that would take away u's administration when u is the last
// active administrator: nobody could undo it from the app. Every active administrator's row is
// locked first, so two operators removing each other at the same moment cannot both succeed.
func keepAnActiveAdmin(ctx context.Context, tx *gorm.DB, u *models.User) error {
	if !u.IsAdmin() || !u.Active {
		return nil
	}
	var ids []int64
	err := tx.WithContext(ctx).Raw("SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id FOR UPDATE").Scan(&ids).Error
	if err != nil {
		return fmt.Errorf("app: lock administrators: %w", err)
	}
	if len(ids) <= 1 {
		return apperr.New(apperr.KindConflict, "last_admin",
			"This is the last active administrator: make someone else an administrator first.")
	}
	return nil
}

// alreadyChanged is the answer to an action that finds the record already as asked, most likely
// changed by another operator since the page was loaded: nothing is done, and nothing recorded.
func alreadyChanged(u *models.User, state string) error {
	return apperr.New(apperr.KindConflict, "already_changed",
		fmt.Sprintf("%s (%s) is already %s; nothing was changed. Reload the page to see the current state.", u.Name, u.Email, state))
}

// setRole makes u an administrator or a plain user. A role change is a privilege change: the
// person's sessions, tokens and keys end, as when an account is promoted from the command line,
// so whoever holds them signs in again with the new role.
func setRole(adminID int64, role models.Role, confirmSelf bool) adminUserChange {
	return func(ctx context.Context, tx *gorm.DB, u *models.User) (any, any, error) {
		if u.Role == role {
			return nil, nil, alreadyChanged(u, map[models.Role]string{models.RoleAdmin: "an administrator", models.RoleUser: "a plain user"}[role])
		}
		if role != models.RoleAdmin {
			if u.ID == adminID && !confirmSelf {
				return nil, nil, apperr.New(apperr.KindConflict, "cannot_demote_self",
					"You can't remove your own administration without confirming it: you would lose access to these pages at once.")
			}
			if err := keepAnActiveAdmin(ctx, tx, u); err != nil {
				return nil, nil, err
			}
		}
		if err := models.UpdateUser(ctx, tx, u.ID, map[string]any{"role": role}); err != nil {
			return nil, nil, err
		}
		if err := models.VoidCredentials(ctx, tx, u.ID, nil, time.Now().UTC()); err != nil {
			return nil, nil, err
		}
		if _, err := models.RevokeAPIKeysOf(ctx, tx, u.ID, time.Now().UTC()); err != nil {
			return nil, nil, err
		}
		return map[string]any{"role": u.Role}, map[string]any{"role": role}, nil
	}
}

// markVerified records that u's address is verified, as if they had followed the link.
func markVerified(ctx context.Context, tx *gorm.DB, u *models.User) (any, any, error) {
	if u.EmailVerified() {
		return nil, nil, alreadyChanged(u, "verified")
	}
	now := time.Now().UTC()
	if err := models.UpdateUser(ctx, tx, u.ID, map[string]any{"email_verified_at": now}); err != nil {
		return nil, nil, err
	}
	return map[string]any{"email_verified_at": nil}, map[string]any{"email_verified_at": now}, nil
}

// sendReset e-mails u a password-reset link (the e-mail is queued in the same transaction).
func (s *Server) sendReset(ctx context.Context, tx *gorm.DB, u *models.User) (any, any, error) {
	if !u.Active {
		return nil, nil, apperr.New(apperr.KindConflict, "user_disabled",
			fmt.Sprintf("%s (%s) is disabled: enable the account before sending a password reset.", u.Name, u.Email))
	}
	if err := s.accounts.SendPasswordResetIn(ctx, tx, u); err != nil {
		return nil, nil, err
	}
	return nil, map[string]any{"reset_link_sent_to": u.Email}, nil
}

// revokeSession ends one of u's browser sessions, named by its public handle.
func revokeSession(handle string) adminUserChange {
	return func(ctx context.Context, tx *gorm.DB, u *models.User) (any, any, error) {
		prefix, err := hex.DecodeString(handle)
		gone := apperr.New(apperr.KindNotFound, "session_not_found", "That session does not exist or has already ended; nothing was changed.")
		if err != nil || len(prefix) != 12 {
			return nil, nil, gone
		}
		var sess models.Session
		err = tx.WithContext(ctx).Where("user_id = ? AND substring(id_hash from 1 for 12) = ?", u.ID, prefix).
			Clauses(clause.Locking{Strength: "UPDATE"}).Take(&sess).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil, gone
		}
		if err != nil {
			return nil, nil, fmt.Errorf("app: find session: %w", err)
		}
		if err := models.DeleteSession(ctx, tx, sess.IDHash); err != nil {
			return nil, nil, err
		}
		return map[string]any{"session": handle, "ip": sess.IP, "user_agent": sess.UserAgent}, nil, nil
	}
}

// revokeKey revokes one of u's API keys, by its row id.
func revokeKey(id int64, keyRef *string) adminUserChange {
	return func(ctx context.Context, tx *gorm.DB, u *models.User) (any, any, error) {
		var k models.APIKey
		err := tx.WithContext(ctx).Select("id", "key_id", "label", "revoked_at").Where("id = ? AND user_id = ?", id, u.ID).Take(&k).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil, apperr.New(apperr.KindNotFound, "key_not_found", "There is no such API key.")
		}
		if err != nil {
			return nil, nil, fmt.Errorf("app: find api key: %w", err)
		}
		*keyRef = k.KeyID
		ok, err := models.RevokeAPIKey(ctx, tx, u.ID, id, time.Now().UTC())
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, apperr.New(apperr.KindConflict, "already_changed",
				"That API key is already revoked; nothing was changed. Reload the page to see the current state.")
		}
		return map[string]any{"key_id": k.KeyID, "label": k.Label, "revoked": false},
			map[string]any{"key_id": k.KeyID, "label": k.Label, "revoked": true}, nil
	}
}
