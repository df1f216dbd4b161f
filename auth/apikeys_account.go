package auth

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// KeyGrant is who an API key speaks for: the key's row id, its owner and the paper account it is
// bound to (AccountID 0 when the owner has no account at all).
type KeyGrant struct {
	KeyID     int64
	UserID    int64
	AccountID int64
}

// keyAccount checks the account a new key is bound to: one of the user's own (0 picks the
// primary account, or none when the user has no account yet).
func keyAccount(ctx context.Context, tx *gorm.DB, userID, accountID int64) (*int64, error) {
	if accountID == 0 {
		accounts, err := models.PaperAccountsOf(ctx, tx, userID)
		if err != nil {
			return nil, err
		}
		for _, a := range accounts {
			if a.IsPrimary {
				return &a.ID, nil
			}
		}
		return nil, nil
	}
	a, err := models.PaperAccountOf(ctx, tx, userID, accountID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, apperr.Invalid(map[string]string{"account": "Choose one of your paper accounts."})
	}
	if err != nil {
		return nil, err
	}
	return &a.ID, nil
}

// AuthenticateGrant checks a key id and secret and returns what the key grants. A key verified
// before is admitted from memory (a SHA-256 of the secret compared in constant time with the
// stored one) while the service hears of every key change (WatchKeyChanges): a revoked key or a
// disabled owner is refused on the very next request, by every process. Otherwise it is one
// indexed query. Either way last_used_at is written at most once a minute.
func (k *APIKeys) AuthenticateGrant(ctx context.Context, keyID, secret string) (KeyGrant, error) {
	if !wellFormedKeyID(keyID) || secret == "" || len(secret) > maxAPISecretLength {
		return KeyGrant{}, invalidAPIKey()
	}
	if k.startWatch != nil {
		k.startWatch()
	}
	now := k.now()
	e, ok, gen := k.cache.get(keyID, now)
	if !ok {
		g, err := models.APIKeyGrantByKeyID(ctx, k.db, keyID)
		if errors.Is(err, models.ErrNotFound) {
			return KeyGrant{}, invalidAPIKey()
		}
		if err != nil {
			return KeyGrant{}, fmt.Errorf("auth: authenticate api key: %w", err)
		}
		e = cachedKey{grant: KeyGrant{KeyID: g.ID, UserID: g.UserID, AccountID: g.AccountID}, secretHash: g.SecretHash,
			lastUsedAt: g.LastUsedAt, expires: now.Add(keyCacheTTL)}
		usable := g.RevokedAt == nil && g.UserActive
		// The secret is compared whatever the key's state, so timing tells nothing about it.
		if !e.secretMatches(secret) || !usable {
			return KeyGrant{}, invalidAPIKey()
		}
		// A key whose owner has no account yet gains one when they open it: not worth remembering.
		if g.AccountID != 0 {
			k.cache.put(keyID, e, gen)
		}
	} else if !e.secretMatches(secret) {
		return KeyGrant{}, invalidAPIKey()
	}
	if e.lastUsedAt == nil || now.Sub(*e.lastUsedAt) >= apiKeyTouchEvery {
		if err := models.TouchAPIKey(ctx, k.db, e.grant.KeyID, now, apiKeyTouchEvery); err != nil {
			return KeyGrant{}, fmt.Errorf("auth: authenticate api key: %w", err)
		}
		k.cache.touched(keyID, now)
	}
	return e.grant, nil
}

// StillValid reports whether a key (by row id) is still unrevoked and its owner active: long-lived
// streams ask it periodically, so a revoked key's open connections end too.
func (k *APIKeys) StillValid(ctx context.Context, id int64) (bool, error) {
	var n int64
	err := k.db.WithContext(ctx).Model(&models.APIKey{}).
		Joins("JOIN users u ON u.id = api_keys.user_id").
		Where("api_keys.id = ? AND api_keys.revoked_at IS NULL AND u.active", id).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("auth: api key still valid: %w", err)
	}
	return n == 1, nil
}
