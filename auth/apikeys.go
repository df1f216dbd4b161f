package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// API key rules.
const (
	// MaxActiveAPIKeys is how many unrevoked keys one user may hold. A handful covers every bot a
	// person runs; a cap keeps a leaked session from minting credentials without end.
	MaxActiveAPIKeys = 10
	// MaxAPIKeyLabelLength matches the label column's check.
	MaxAPIKeyLabelLength = 100
	// APIKeyIDLength and APISecretLength are the sizes of the two halves, as Alpaca's own (paper
	// key ids are 20 upper-case characters starting with "PK"; secrets are 40 characters).
	APIKeyIDLength  = 20
	APISecretLength = 40
)

const (
	apiKeyIDPrefix = "PK"
	// apiKeyTouchEvery limits last_used_at writes to one a minute per key: a bot making ten
	// requests a second must not cost ten writes a second.
	apiKeyTouchEvery = time.Minute
	// maxAPISecretLength bounds what is hashed for a header that is obviously not a secret.
	maxAPISecretLength = 256
	upperAlphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	base62Alphabet     = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// APIKeys manages the credentials programs use: a public key id and a secret, sent in the
// APCA-API-KEY-ID and APCA-API-SECRET-KEY headers so that Alpaca clients work unchanged. Only a
// SHA-256 hash of the secret is stored; it is random (238 bits), so a slow hash would add nothing.
type APIKeys struct {
	db  *gorm.DB
	now func() time.Time
	// cache remembers verified keys while WatchKeyChanges hears of every change (apikeys_cache.go).
	cache      *keyCache
	startWatch func() // nil without WatchKeyChanges
	stopWatch  context.CancelFunc
}

// NewAPIKeys builds the service. now is the clock; nil means time.Now.
func NewAPIKeys(db *gorm.DB, now func() time.Time) *APIKeys {
	if now == nil {
		now = time.Now
	}
	return &APIKeys{db: db, now: func() time.Time { return now().UTC().Truncate(time.Microsecond) }, cache: newKeyCache()}
}

// NewKey is a key just created. Secret exists only here: show it once, it cannot be recovered.
type NewKey struct {
	ID     int64
	KeyID  string
	Secret string
	Label  string
}

func invalidAPIKey() error {
	return apperr.New(apperr.KindUnauthenticated, "invalid_api_key",
		"The API key ID or secret is incorrect, or the key has been revoked.")
}

// Create makes a new key for the user, acting on their primary paper account. The label tells
// the user's keys apart.
func (k *APIKeys) Create(ctx context.Context, userID int64, label string) (NewKey, error) {
	return k.CreateFor(ctx, userID, 0, label)
}

// CreateFor makes a new key for the user that acts on one of their paper accounts (0: the
// primary one). Another person's account is refused like a missing one.
func (k *APIKeys) CreateFor(ctx context.Context, userID, accountID int64, label string) (NewKey, error) {
	label = strings.TrimSpace(label)
	if msg := apiKeyLabelProblem(label); msg != "" {
		return NewKey{}, apperr.Invalid(map[string]string{"label": msg})
	}
	out := NewKey{
		KeyID:  apiKeyIDPrefix + randomString(upperAlphanumerics, APIKeyIDLength-len(apiKeyIDPrefix)),
		Secret: randomString(base62Alphabet, APISecretLength),
		Label:  label,
	}
	err := k.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The user row lock makes count-then-insert atomic: two requests at once cannot both see
		// nine keys and make twelve.
		u, err := models.LockUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if !u.Active {
			return apperr.New(apperr.KindForbidden, "account_disabled", "This account has been disabled.")
		}
		n, err := models.CountActiveAPIKeys(ctx, tx, userID)
		if err != nil {
			return err
		}
		if n >= MaxActiveAPIKeys {
			return apperr.New(apperr.KindConflict, "too_many_api_keys", fmt.Sprintf(
				"You already have %d active API keys, the most allowed. Revoke one you no longer use, then create the new one.",
				MaxActiveAPIKeys))
		}
		account, err := keyAccount(ctx, tx, userID, accountID)
		if err != nil {
			return err
		}
		rec := &models.APIKey{UserID: userID, AccountID: account, KeyID: out.KeyID, SecretHash: HashSecret(out.Secret), Label: label, CreatedAt: k.now()}
		if err := models.CreateAPIKey(ctx, tx, rec); err != nil {
			return err
		}
		out.ID = rec.ID
		return nil
	})
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return NewKey{}, err
		}
		return NewKey{}, fmt.Errorf("auth: create api key: %w", err)
	}
	return out, nil
}

// List returns the user's active keys, newest first. The records carry no secret hash.
func (k *APIKeys) List(ctx context.Context, userID int64) ([]models.APIKey, error) {
	keys, err := models.ActiveAPIKeys(ctx, k.db, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: list api keys: %w", err)
	}
	return keys, nil
}

// Revoke revokes one of the user's own keys. Another user's key is "not found", exactly like a
// key that does not exist, so ids reveal nothing.
func (k *APIKeys) Revoke(ctx context.Context, userID, id int64) error {
	ok, err := models.RevokeAPIKey(ctx, k.db, userID, id, k.now())
	if err != nil {
		return fmt.Errorf("auth: revoke api key: %w", err)
	}
	// This process forgets at once; the others when the database's announcement reaches them
	// (migration 00021), milliseconds later.
	k.cache.forgetAll()
	if !ok {
		return apperr.New(apperr.KindNotFound, "not_found", "That API key does not exist or has already been revoked.")
	}
	return nil
}

// Authenticate returns the user a key id and secret belong to. A revoked key or a disabled user is
// refused on the very next request: nothing is cached.
func (k *APIKeys) Authenticate(ctx context.Context, keyID, secret string) (*models.User, error) {
	if !wellFormedKeyID(keyID) || secret == "" || len(secret) > maxAPISecretLength {
		return nil, invalidAPIKey()
	}
	rec, err := models.APIKeyByKeyID(ctx, k.db, keyID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, invalidAPIKey()
	}
	if err != nil {
		return nil, fmt.Errorf("auth: authenticate api key: %w", err)
	}
	if subtle.ConstantTimeCompare(HashSecret(secret), rec.SecretHash) != 1 || rec.RevokedAt != nil {
		return nil, invalidAPIKey()
	}
	u, err := models.UserByID(ctx, k.db, rec.UserID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, invalidAPIKey()
	}
	if err != nil {
		return nil, fmt.Errorf("auth: authenticate api key: %w", err)
	}
	if !u.Active {
		return nil, invalidAPIKey()
	}
	now := k.now()
	if rec.LastUsedAt == nil || now.Sub(*rec.LastUsedAt) >= apiKeyTouchEvery {
		if err := models.TouchAPIKey(ctx, k.db, rec.ID, now, apiKeyTouchEvery); err != nil {
			return nil, fmt.Errorf("auth: authenticate api key: %w", err)
		}
	}
	return u, nil
}

// apiKeyLabelProblem says what is wrong with a (trimmed) label, or "" if it is acceptable.
func apiKeyLabelProblem(label string) string {
	switch n := utf8.RuneCountInString(label); {
	case n == 0:
		return "Give the key a label, such as the name of the program that will use it."
	case n > MaxAPIKeyLabelLength:
		return fmt.Sprintf("Use at most %d characters.", MaxAPIKeyLabelLength)
	case !utf8.ValidString(label) || strings.IndexFunc(label, unicode.IsControl) >= 0:
		return "Use letters, digits, spaces and punctuation only."
	}
	return ""
}

// wellFormedKeyID reports whether s could be a key id at all, so junk never reaches the database.
func wellFormedKeyID(s string) bool {
	if len(s) != APIKeyIDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(upperAlphanumerics, rune(s[i])) {
			return false
		}
	}
	return true
}

// randomString returns n characters drawn uniformly from alphabet with crypto/rand. Bytes at or
// above the largest multiple of len(alphabet) are thrown away rather than reduced modulo the
// length, which would make the first characters of the alphabet likelier than the rest.
func randomString(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails on supported platforms
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, alphabet[int(b)%len(alphabet)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}
