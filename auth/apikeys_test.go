package auth

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/models"
)

type apiKeysBundle struct {
	db       *gorm.DB
	clock    *testClock
	keys     *APIKeys
	accounts *Accounts
	ctx      context.Context
}

func setupAPIKeys(t *testing.T) *apiKeysBundle {
	t.Helper()
	db := dbtest.Tx(t)
	clock := newTestClock()
	return &apiKeysBundle{
		db: db, clock: clock, keys: NewAPIKeys(db, clock.Now),
		accounts: NewAccounts(AccountsOptions{DB: db, Hasher: NewFastHasher(), Outbox: &sentMail{}, Now: clock.Now}),
		ctx:      context.Background(),
	}
}

func (b *apiKeysBundle) create(t *testing.T, u *models.User, label string) NewKey {
	t.Helper()
	k, err := b.keys.Create(b.ctx, u.ID, label)
	if err != nil {
		t.Fatalf("create %q: %v", label, err)
	}
	return k
}

func (b *apiKeysBundle) mustAuthenticate(t *testing.T, k NewKey, want *models.User) {
	t.Helper()
	got, err := b.keys.Authenticate(b.ctx, k.KeyID, k.Secret)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	if got.ID != want.ID {
		t.Fatalf("authenticated user %d, want %d", got.ID, want.ID)
	}
}

var (
	keyIDShape  = regexp.MustCompile(`^PK[A-Z0-9]{18}$`)
	secretShape = regexp.MustCompile(`^[0-9A-Za-z]{40}$`)
)

func TestAPIKeysCreate(t *testing.T) {
	t.Parallel()
	b := setupAPIKeys(t)
	u := newUser(t, b.db, b.clock.Now())

	k := b.create(t, u, "  Momentum bot  ")
	if !keyIDShape.MatchString(k.KeyID) || !secretShape.MatchString(k.Secret) {
		t.Errorf("key id %q or secret %q has the wrong shape", k.KeyID, k.Secret)
	}
	if k.Label != "Momentum bot" || k.ID == 0 {
		t.Errorf("new key = %+v; want the trimmed label and an id", k)
	}

	var row models.APIKey
	if err := b.db.First(&row, k.ID).Error; err != nil {
		t.Fatal(err)
	}
	if string(row.SecretHash) != string(HashSecret(k.Secret)) || row.UserID != u.ID || row.KeyID != k.KeyID {
		t.Errorf("stored row = %+v; want the secret's SHA-256 and the owner", row)
	}
	if strings.Contains(string(row.SecretHash), k.Secret) {
		t.Error("the secret is stored in the clear")
	}
	if other := b.create(t, u, "Second"); other.KeyID == k.KeyID || other.Secret == k.Secret {
		t.Error("two keys share an id or a secret")
	}
}

func TestAPIKeysLabelValidation(t *testing.T) {
	t.Parallel()
	b := setupAPIKeys(t)
	u := newUser(t, b.db, b.clock.Now())

	for name, label := range map[string]string{
		"empty":         "",
		"only spaces":   "   ",
		"too long":      strings.Repeat("a", MaxAPIKeyLabelLength+1),
		"control chars": "bot\x00one",
		"newline":       "bot\none",
		"invalid UTF-8": "bot\xff",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := b.keys.Create(b.ctx, u.ID, label)
			rej, ok := apperr.As(err)
			if !ok || rej.Kind != apperr.KindInvalid || rej.Fields["label"] == "" {
				t.Fatalf("create(%q) = %v; want an invalid label", label, err)
			}
		})
	}
	t.Run("100 characters of any script are fine", func(t *testing.T) {
		b.create(t, u, strings.Repeat("é", MaxAPIKeyLabelLength))
	})
}

func TestAPIKeysLimitPerUser(t *testing.T) {
	t.Parallel()
	b := setupAPIKeys(t)
	u := newUser(t, b.db, b.clock.Now())
	other := newUser(t, b.db, b.clock.Now())

	var first NewKey
	for i := range MaxActiveAPIKeys {
		k := b.create(t, u, "bot")
		if i == 0 {
			first = k
		}
	}
	_, err := b.keys.Create(b.ctx, u.ID, "one too many")
	wantRefusal(t, err, apperr.KindConflict, "too_many_api_keys")

	b.create(t, other, "another user's limit is their own")

	if err := b.keys.Revoke(b.ctx, u.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	b.create(t, u, "room again after a revoke")
}

func TestAPIKeysList(t *testing.T) {
	t.Parallel()
	b := setupAPIKeys(t)
	u := newUser(t, b.db, b.clock.Now())
	other := newUser(t, b.db, b.clock.Now())

	older := b.create(t, u, "older")
	b.clock.Advance(time.Second)
	revoked := b.create(t, u, "revoked")
	b.clock.Advance(time.Second)
	newer := b.create(t, u, "newer")
	b.create(t, other, "not mine")
	if err := b.keys.Revoke(b.ctx, u.ID, revoked.ID); err != nil {
		t.Fatal(err)
	}

	list, err := b.keys.List(b.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != newer.ID || list[1].ID != older.ID {
		t.Fatalf("list = %+v; want newer then older, nothing revoked, nothing of another user", list)
	}
	for _, k := range list {
		if k.SecretHash != nil {
			t.Errorf("key %d listed with its secret hash", k.ID)
		}
		if k.Label == "" || k.KeyID == "" || k.CreatedAt.IsZero() {
			t.Errorf("key %d listed without its details: %+v", k.ID, k)
		}
	}
}

func TestAPIKeysRevokeIsObjectLevel(t *testing.T) {
	t.Parallel()
	b := setupAPIKeys(t)
	alice := newUser(t, b.db, b.clock.Now())
	bob := newUser(t, b.db, b.clock.Now())
	key := b.create(t, alice, "alice's bot")

	t.Run("another user's key is not found", func(t *testing.T) {
		err := b.keys.Revoke(b.ctx, bob.ID, key.ID)
		wantRefusal(t, err, apperr.KindNotFound, "not_found")
		unknown := b.keys.Revoke(b.ctx, bob.ID, 999999999)
		if unknown.Error() != err.Error() {
			t.Errorf("another user's key (%q) is told apart from a missing one (%q)", err, unknown)
		}
		b.mustAuthenticate(t, key, alice)
	})
	t.Run("another user's keys are not listed", func(t *testing.T) {
		list, err := b.keys.List(b.ctx, bob.ID)
		if err != nil || len(list) != 0 {
			t.Fatalf("bob's list = %+v, %v; want empty", list, err)
		}
	})
	t.Run("the owner revokes, once", func(t *testing.T) {
		if err := b.keys.Revoke(b.ctx, alice.ID, key.ID); err != nil {
			t.Fatal(err)
		}
		_, err := b.keys.Authenticate(b.ctx, key.KeyID, key.Secret)
		wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_api_key")
		err = b.keys.Revoke(b.ctx, alice.ID, key.ID)
		wantRefusal(t, err, apperr.KindNotFound, "not_found")
	})
}

func TestAPIKeysAuthenticate(t *testing.T) {
	t.Parallel()
	b := setupAPIKeys(t)
	u := newUser(t, b.db, b.clock.Now())
	k := b.create(t, u, "bot")
	other := b.create(t, newUser(t, b.db, b.clock.Now()), "someone else's")

	b.mustAuthenticate(t, k, u)

	for name, creds := range map[string][2]string{
		"wrong secret":              {k.KeyID, strings.Repeat("A", APISecretLength)},
		"another key's secret":      {k.KeyID, other.Secret},
		"secret in another case":    {k.KeyID, strings.ToLower(k.Secret)},
		"unknown key id":            {"PK" + strings.Repeat("Z", 18), k.Secret},
		"key id in lower case":      {strings.ToLower(k.KeyID), k.Secret},
		"key id too short":          {k.KeyID[:19], k.Secret},
		"key id with injection":     {"PK' OR '1'='1' --xx", k.Secret},
		"empty secret":              {k.KeyID, ""},
		"empty key id":              {"", k.Secret},
		"absurdly long secret":      {k.KeyID, strings.Repeat("s", 10000)},
		"secret with trailing junk": {k.KeyID, k.Secret + "x"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := b.keys.Authenticate(b.ctx, creds[0], creds[1])
			wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_api_key")
		})
	}
}

func TestAPIKeysDisabledUser(t *testing.T) {
	t.Parallel()
	b := setupAPIKeys(t)
	u := newUser(t, b.db, b.clock.Now())
	k := b.create(t, u, "bot")
	b.mustAuthenticate(t, k, u)

	if err := b.accounts.SetActive(b.ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	_, err := b.keys.Authenticate(b.ctx, k.KeyID, k.Secret)
	wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_api_key")

	_, err = b.keys.Create(b.ctx, u.ID, "new bot")
	wantRefusal(t, err, apperr.KindForbidden, "account_disabled")
}

func TestAPIKeysLastUsed(t *testing.T) {
	t.Parallel()
	b := setupAPIKeys(t)
	u := newUser(t, b.db, b.clock.Now())
	k := b.create(t, u, "bot")
	lastUsed := func() *time.Time {
		t.Helper()
		var row models.APIKey
		if err := b.db.First(&row, k.ID).Error; err != nil {
			t.Fatal(err)
		}
		return row.LastUsedAt
	}
	if lastUsed() != nil {
		t.Fatal("a new key has a last use")
	}

	first := b.clock.Now()
	b.mustAuthenticate(t, k, u)
	if got := lastUsed(); got == nil || !got.Equal(first) {
		t.Fatalf("last used = %v, want %v", got, first)
	}

	b.clock.Advance(59 * time.Second)
	b.mustAuthenticate(t, k, u)
	if got := lastUsed(); !got.Equal(first) {
		t.Errorf("last used moved to %v within a minute; writes must be limited to one a minute", got)
	}

	b.clock.Advance(time.Second)
	b.mustAuthenticate(t, k, u)
	if got := lastUsed(); !got.Equal(b.clock.Now()) {
		t.Errorf("last used = %v after a minute, want %v", got, b.clock.Now())
	}
}

// TestRandomStringIsUniform draws many characters and applies a chi-squared test. Reducing bytes
// modulo 62 would make the first 8 symbols 25% likelier, which this detects with certainty; the
// threshold is loose enough that an unbiased generator fails about once in a billion runs.
func TestRandomStringIsUniform(t *testing.T) {
	t.Parallel()
	const perSymbol = 2000
	n := len(base62Alphabet) * perSymbol
	counts := map[rune]int{}
	for _, r := range randomString(base62Alphabet, n) {
		counts[r]++
	}
	if len(counts) != len(base62Alphabet) {
		t.Fatalf("saw %d distinct symbols, want %d", len(counts), len(base62Alphabet))
	}
	chi2 := 0.0
	for _, c := range counts {
		d := float64(c - perSymbol)
		chi2 += d * d / perSymbol
	}
	// 61 degrees of freedom: mean 61, P(chi2 > 150) is about 1e-9.
	if chi2 > 150 {
		t.Errorf("chi-squared = %.1f over 61 degrees of freedom: the symbols are not uniform", chi2)
	}
	if got := randomString(upperAlphanumerics, 18); len(got) != 18 || strings.Trim(got, upperAlphanumerics) != "" {
		t.Errorf("randomString(upper, 18) = %q", got)
	}
}
