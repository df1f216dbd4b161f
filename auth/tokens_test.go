package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/mail"
	"alpacawrapper/models"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	// Mid-second on purpose: the interesting cases are changes within one second.
	return &testClock{t: time.Date(2030, 3, 4, 15, 0, 0, 100_000_000, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sentMail is an Outbox that keeps what it is given; ChangePassword sends a notice.
type sentMail struct {
	mu  sync.Mutex
	all []mail.Message
}

func (o *sentMail) Enqueue(_ context.Context, _ *gorm.DB, m mail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all = append(o.all, m)
	return nil
}

const testPassword = "correct horse battery"

// tokensBundle is what a tokens test works with: the services on one database and one clock.
type tokensBundle struct {
	db       *gorm.DB
	clock    *testClock
	tokens   *Tokens
	accounts *Accounts
	ctx      context.Context
}

func setupTokens(t *testing.T, db *gorm.DB) *tokensBundle {
	t.Helper()
	clock := newTestClock()
	return &tokensBundle{
		db:       db,
		clock:    clock,
		tokens:   NewTokens(TokensOptions{DB: db, Secret: []byte("test-secret-key-0123456789abcdefghij"), Now: clock.Now}),
		accounts: NewAccounts(AccountsOptions{DB: db, Hasher: NewFastHasher(), Outbox: &sentMail{}, BaseURL: "http://test", Now: clock.Now}),
		ctx:      context.Background(),
	}
}

// newUser creates an active user whose password is testPassword.
func newUser(t *testing.T, db *gorm.DB, now time.Time) *models.User {
	t.Helper()
	hash, err := NewFastHasher().Hash(context.Background(), testPassword)
	if err != nil {
		t.Fatal(err)
	}
	u := &models.User{
		Email: "user-" + uuid.NewString() + "@example.com", Name: "Test User",
		PasswordHash: hash, Role: models.RoleUser, Active: true, TimeZone: DefaultTimeZone,
		TermsAcceptedAt: now, CredentialsChangedAt: now, CreatedAt: now, UpdatedAt: now,
	}
	if err := models.CreateUser(context.Background(), db, u); err != nil {
		t.Fatal(err)
	}
	// Read back, as Accounts.Authenticate would hand it over: with the column's precision.
	u, err = models.UserByID(context.Background(), db, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// wantRefusal fails unless err is a refusal of kind k with code.
func wantRefusal(t *testing.T, err error, k apperr.Kind, code string) {
	t.Helper()
	rej, ok := apperr.As(err)
	if !ok {
		t.Fatalf("want refusal %q, got %v", code, err)
	}
	if rej.Kind != k || rej.Code != code {
		t.Fatalf("want refusal kind %d code %q, got kind %d code %q (%s)", k, code, rej.Kind, rej.Code, rej.Message)
	}
}

func (b *tokensBundle) issue(t *testing.T, u *models.User) Pair {
	t.Helper()
	p, err := b.tokens.Issue(b.ctx, u)
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	return p
}

func (b *tokensBundle) mustAuthenticate(t *testing.T, access string, want *models.User) {
	t.Helper()
	got, err := b.tokens.Authenticate(b.ctx, access)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	if got.ID != want.ID {
		t.Fatalf("authenticated user %d, want %d", got.ID, want.ID)
	}
}

func TestTokensIssueAndAuthenticate(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())

	p := b.issue(t, u)
	if p.Access == "" || p.Refresh == "" || p.Access == p.Refresh {
		t.Fatalf("pair not filled in: %+v", p)
	}
	if want := b.clock.Now().Add(DefaultAccessTTL).Truncate(time.Second); !p.AccessExpiresAt.Equal(want) {
		t.Errorf("access expires %v, want %v", p.AccessExpiresAt, want)
	}
	if want := b.clock.Now().Add(DefaultRefreshTTL); !p.RefreshExpiresAt.Equal(want) {
		t.Errorf("refresh expires %v, want %v", p.RefreshExpiresAt, want)
	}
	b.mustAuthenticate(t, p.Access, u)

	info, err := b.tokens.Verify(b.ctx, p.Access)
	if err != nil || info.UserID != u.ID || !info.ExpiresAt.Equal(p.AccessExpiresAt) {
		t.Errorf("verify = %+v, %v; want user %d expiring %v", info, err, u.ID, p.AccessExpiresAt)
	}
}

func TestTokensClaims(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	p := b.issue(t, u)

	claims := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(p.Access, claims)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Header["alg"] != "HS256" {
		t.Errorf("alg = %v, want HS256", tok.Header["alg"])
	}
	if claims["sub"] != strconv.FormatInt(u.ID, 10) || claims["typ"] != "access" || claims["jti"] == "" {
		t.Errorf("claims = %v", claims)
	}
	if iat, _ := claims.GetIssuedAt(); iat == nil || iat.Unix() != b.clock.Now().Unix() {
		t.Errorf("iat = %v, want %v", iat, b.clock.Now().Unix())
	}
	if exp, _ := claims.GetExpirationTime(); exp == nil || !exp.Equal(p.AccessExpiresAt) {
		t.Errorf("exp = %v, want %v", exp, p.AccessExpiresAt)
	}
	// Two tokens issued in the same instant still differ.
	if p2 := b.issue(t, u); p2.Access == p.Access {
		t.Error("two access tokens are identical: jti must differ")
	}
}

func TestTokensStoreOnlyHashes(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	p := b.issue(t, u)

	var n int64
	b.db.Model(&models.RefreshToken{}).Where("token_hash = ?", []byte(p.Refresh)).Count(&n)
	if n != 0 {
		t.Error("the refresh token is stored in the clear")
	}
	b.db.Model(&models.RefreshToken{}).Where("token_hash = ? AND user_id = ?", HashSecret(p.Refresh), u.ID).Count(&n)
	if n != 1 {
		t.Errorf("refresh token rows with its hash = %d, want 1", n)
	}
}

func TestTokensRefreshRotates(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	first := b.issue(t, u)

	b.clock.Advance(time.Minute)
	second, err := b.tokens.Refresh(b.ctx, first.Refresh)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if second.Refresh == first.Refresh || second.Access == first.Access {
		t.Fatal("refresh returned the same tokens")
	}
	if want := b.clock.Now().Add(DefaultRefreshTTL); !second.RefreshExpiresAt.Equal(want) {
		t.Errorf("new refresh token expires %v, want %v", second.RefreshExpiresAt, want)
	}
	b.mustAuthenticate(t, second.Access, u)
	// The first access token belongs to the same, still live, login.
	b.mustAuthenticate(t, first.Access, u)

	var rows []models.RefreshToken
	b.db.Where("user_id = ?", u.ID).Order("id").Find(&rows)
	if len(rows) != 2 || rows[0].FamilyID != rows[1].FamilyID || rows[0].UsedAt == nil || rows[1].UsedAt != nil {
		t.Fatalf("want two tokens of one family, the first spent: %+v", rows)
	}

	third, err := b.tokens.Refresh(b.ctx, second.Refresh)
	if err != nil {
		t.Fatalf("refresh with the rotated token: %v", err)
	}
	b.mustAuthenticate(t, third.Access, u)
}

func TestTokensRefreshReuseRevokesFamily(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	first := b.issue(t, u)
	other := b.issue(t, u) // another login of the same user: must be left alone
	second, err := b.tokens.Refresh(b.ctx, first.Refresh)
	if err != nil {
		t.Fatal(err)
	}

	_, err = b.tokens.Refresh(b.ctx, first.Refresh)
	wantRefusal(t, err, apperr.KindUnauthenticated, "token_reused")

	t.Run("the rotated successor is revoked", func(t *testing.T) {
		_, err := b.tokens.Refresh(b.ctx, second.Refresh)
		wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
	})
	t.Run("the family's access tokens stop working", func(t *testing.T) {
		for _, access := range []string{first.Access, second.Access} {
			_, err := b.tokens.Authenticate(b.ctx, access)
			wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
		}
	})
	t.Run("other logins are untouched", func(t *testing.T) {
		b.mustAuthenticate(t, other.Access, u)
		if _, err := b.tokens.Refresh(b.ctx, other.Refresh); err != nil {
			t.Fatalf("refresh of another family: %v", err)
		}
	})
}

// Two refreshes racing with one token: exactly one wins, the other is treated as reuse, and the
// winner's new token dies with the family, because one of the two callers holds a stolen copy.
func TestTokensConcurrentRefreshIsReuse(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.DB(t).Gorm)
	u := newUser(t, b.db, b.clock.Now())
	p := b.issue(t, u)

	var wg sync.WaitGroup
	results := make([]error, 2)
	pairs := make([]Pair, 2)
	for i := range 2 {
		wg.Go(func() { pairs[i], results[i] = b.tokens.Refresh(b.ctx, p.Refresh) })
	}
	wg.Wait()

	var won int
	for i, err := range results {
		switch {
		case err == nil:
			won = i
		default:
			wantRefusal(t, err, apperr.KindUnauthenticated, "token_reused")
		}
	}
	if (results[0] == nil) == (results[1] == nil) {
		t.Fatalf("want exactly one success, got %v and %v", results[0], results[1])
	}
	_, err := b.tokens.Refresh(b.ctx, pairs[won].Refresh)
	wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
}

func TestTokensRevoke(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	p := b.issue(t, u)
	rotated, err := b.tokens.Refresh(b.ctx, p.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	other := b.issue(t, u)

	// Logging out with the spent token still ends the login it belongs to.
	if err := b.tokens.Revoke(b.ctx, p.Refresh); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	_, err = b.tokens.Refresh(b.ctx, rotated.Refresh)
	wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
	_, err = b.tokens.Authenticate(b.ctx, rotated.Access)
	wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
	b.mustAuthenticate(t, other.Access, u)

	for _, token := range []string{p.Refresh, "", "no-such-token", strings.Repeat("x", 5000)} {
		if err := b.tokens.Revoke(b.ctx, token); err != nil {
			t.Errorf("revoke(%.10q) = %v; an unknown or revoked token is not an error", token, err)
		}
	}
}

func TestTokensExpiry(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	p := b.issue(t, u)

	t.Run("access token", func(t *testing.T) {
		b.clock.Advance(DefaultAccessTTL - 2*time.Second)
		b.mustAuthenticate(t, p.Access, u)
		b.clock.Advance(2 * time.Second)
		_, err := b.tokens.Authenticate(b.ctx, p.Access)
		wantRefusal(t, err, apperr.KindUnauthenticated, "token_expired")
	})
	t.Run("refresh token", func(t *testing.T) {
		b.clock.Advance(DefaultRefreshTTL - DefaultAccessTTL)
		_, err := b.tokens.Refresh(b.ctx, p.Refresh)
		wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
	})
	t.Run("a refresh token just before its expiry still works", func(t *testing.T) {
		p := b.issue(t, u)
		b.clock.Advance(DefaultRefreshTTL - time.Microsecond)
		if _, err := b.tokens.Refresh(b.ctx, p.Refresh); err != nil {
			t.Fatalf("refresh: %v", err)
		}
	})
}

func TestTokensCustomTTLs(t *testing.T) {
	t.Parallel()
	db := dbtest.Tx(t)
	clock := newTestClock()
	tokens := NewTokens(TokensOptions{DB: db, Secret: []byte("k"), AccessTTL: time.Minute, RefreshTTL: time.Hour, Now: clock.Now})
	u := newUser(t, db, clock.Now())
	p, err := tokens.Issue(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.RefreshExpiresAt.Sub(clock.Now()); got != time.Hour {
		t.Errorf("refresh ttl = %v, want 1h", got)
	}
	clock.Advance(time.Minute)
	_, err = tokens.Authenticate(context.Background(), p.Access)
	wantRefusal(t, err, apperr.KindUnauthenticated, "token_expired")
}

// forge signs claims like a real access token's with the given method and key.
func forge(t *testing.T, b *tokensBundle, u *models.User, method jwt.SigningMethod, key any, edit func(jwt.MapClaims)) string {
	t.Helper()
	p := b.issue(t, u)
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(p.Access, claims); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(claims)
	}
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokensRejectForeignSignatures(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	cases := map[string]string{
		"alg none":    forge(t, b, u, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil),
		"HS512":       forge(t, b, u, jwt.SigningMethodHS512, b.tokens.key, nil),
		"RS256":       forge(t, b, u, jwt.SigningMethodRS256, rsaKey, nil),
		"raw secret":  forge(t, b, u, jwt.SigningMethodHS256, []byte("test-secret-key-0123456789abcdefghij"), nil),
		"another key": forge(t, b, u, jwt.SigningMethodHS256, []byte("some-other-key"), nil),
		// Header says RS256 but the signature is an HMAC with our key: the classic confusion.
		"RS256 header, HMAC signature": func() string {
			good := b.issue(t, u).Access
			parts := strings.Split(good, ".")
			header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
			sig, err := jwt.SigningMethodHS256.Sign(header+"."+parts[1], b.tokens.key)
			if err != nil {
				t.Fatal(err)
			}
			return header + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
		}(),
	}
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := b.tokens.Authenticate(b.ctx, token)
			wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
		})
	}
}

func TestTokensRejectWrongClaims(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	other := newUser(t, b.db, b.clock.Now())
	hs := jwt.SigningMethodHS256

	// Properly signed with our key, but not an access token we would issue.
	cases := map[string]func(jwt.MapClaims){
		"typ refresh":      func(c jwt.MapClaims) { c["typ"] = "refresh" },
		"no typ":           func(c jwt.MapClaims) { delete(c, "typ") },
		"other issuer":     func(c jwt.MapClaims) { c["iss"] = "someone-else" },
		"other audience":   func(c jwt.MapClaims) { c["aud"] = []string{"another-api"} },
		"no exp":           func(c jwt.MapClaims) { delete(c, "exp") },
		"no sid":           func(c jwt.MapClaims) { delete(c, "sid") },
		"unknown sid":      func(c jwt.MapClaims) { c["sid"] = uuid.NewString() },
		"sub of another":   func(c jwt.MapClaims) { c["sub"] = strconv.FormatInt(other.ID, 10) }, // sid is u's
		"sub not a number": func(c jwt.MapClaims) { c["sub"] = "admin" },
		"sub unknown":      func(c jwt.MapClaims) { c["sub"] = "999999999" },
		"stale cv":         func(c jwt.MapClaims) { c["cv"] = 1 },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := b.tokens.Authenticate(b.ctx, forge(t, b, u, hs, b.tokens.key, edit))
			wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
		})
	}
	t.Run("control: an unedited re-signed token passes", func(t *testing.T) {
		b.mustAuthenticate(t, forge(t, b, u, hs, b.tokens.key, nil), u)
	})
}

func TestTokensRejectTampering(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	other := newUser(t, b.db, b.clock.Now())
	good := b.issue(t, u).Access
	parts := strings.Split(good, ".")

	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(string(payload), `"sub":"`+strconv.FormatInt(u.ID, 10)+`"`, `"sub":"`+strconv.FormatInt(other.ID, 10)+`"`, 1)
	if forged == string(payload) {
		t.Fatal("test setup: sub not found in payload")
	}
	sig := []byte(parts[2])
	sig[len(sig)/2] ^= 1

	for name, token := range map[string]string{
		"payload changed":   parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2],
		"signature changed": parts[0] + "." + parts[1] + "." + string(sig),
		"signature dropped": parts[0] + "." + parts[1] + ".",
		"truncated":         good[:len(good)-4],
		"garbage":           "not.a.jwt",
		"empty":             "",
		"huge":              strings.Repeat("a", 10000),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := b.tokens.Authenticate(b.ctx, token)
			wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
		})
	}
}

func TestTokensDisabledUser(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	p := b.issue(t, u)

	b.clock.Advance(300 * time.Millisecond) // same second as the issue
	if err := b.accounts.SetActive(b.ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	_, err := b.tokens.Authenticate(b.ctx, p.Access)
	wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
	_, err = b.tokens.Refresh(b.ctx, p.Refresh)
	wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")

	t.Run("re-enabling does not revive old tokens", func(t *testing.T) {
		if err := b.accounts.SetActive(b.ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err := b.tokens.Authenticate(b.ctx, p.Access)
		wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
	})
}

// A disabled user's still-valid token is refused even when nothing else changed (active alone
// is checked, not only the credentials stamp).
func TestTokensInactiveFlagAlone(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	p := b.issue(t, u)
	if err := models.UpdateUser(b.ctx, b.db, u.ID, map[string]any{"active": false}); err != nil {
		t.Fatal(err)
	}
	_, err := b.tokens.Authenticate(b.ctx, p.Access)
	wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
	_, err = b.tokens.Refresh(b.ctx, p.Refresh)
	wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
}

// The password changes 300 ms after one token is issued, and another is issued 300 ms after the
// change, all within one second: iat cannot tell the two apart, the credentials stamp can.
func TestTokensPasswordChangeWithinOneSecond(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	start := b.clock.Now()
	u := newUser(t, b.db, start)
	before := b.issue(t, u)

	b.clock.Advance(300 * time.Millisecond)
	if err := b.accounts.ChangePassword(b.ctx, u.ID, testPassword, "a brand new passphrase", "a brand new passphrase", nil); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(300 * time.Millisecond)
	if b.clock.Now().Unix() != start.Unix() {
		t.Fatal("test setup: the three events must fall in one second")
	}

	t.Run("tokens issued before the change are refused", func(t *testing.T) {
		_, err := b.tokens.Authenticate(b.ctx, before.Access)
		wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
		_, err = b.tokens.Refresh(b.ctx, before.Refresh)
		wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
	})
	t.Run("a token issued after the change works", func(t *testing.T) {
		fresh, err := b.accounts.Authenticate(b.ctx, u.Email, "a brand new passphrase")
		if err != nil {
			t.Fatal(err)
		}
		after := b.issue(t, fresh)
		b.mustAuthenticate(t, after.Access, u)
		if _, err := b.tokens.Refresh(b.ctx, after.Refresh); err != nil {
			t.Fatalf("refresh after the change: %v", err)
		}
	})
	t.Run("the user as loaded before the change gets nothing", func(t *testing.T) {
		_, err := b.tokens.Issue(b.ctx, u) // u still carries the old credentials stamp
		wantRefusal(t, err, apperr.KindUnauthenticated, "credentials_changed")
	})
}

func TestTokensIssueRefusesDisabledUser(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	if err := models.UpdateUser(b.ctx, b.db, u.ID, map[string]any{"active": false}); err != nil {
		t.Fatal(err)
	}
	_, err := b.tokens.Issue(b.ctx, u)
	wantRefusal(t, err, apperr.KindUnauthenticated, "credentials_changed")
}

func TestTokensRefreshRejectsJunk(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	for _, token := range []string{"", "unknown", strings.Repeat("y", 5000)} {
		_, err := b.tokens.Refresh(b.ctx, token)
		wantRefusal(t, err, apperr.KindUnauthenticated, "invalid_token")
	}
}

func TestTokensPrune(t *testing.T) {
	t.Parallel()
	b := setupTokens(t, dbtest.Tx(t))
	u := newUser(t, b.db, b.clock.Now())
	revoked := b.issue(t, u)
	if _, err := b.tokens.Refresh(b.ctx, revoked.Refresh); err != nil {
		t.Fatal(err)
	}
	if err := b.tokens.Revoke(b.ctx, revoked.Refresh); err != nil {
		t.Fatal(err)
	}
	live := b.issue(t, u)
	if _, err := b.tokens.Refresh(b.ctx, live.Refresh); err != nil { // a spent token in a live family
		t.Fatal(err)
	}

	n, err := b.tokens.Prune(b.ctx)
	if err != nil || n != 2 {
		t.Fatalf("prune = %d, %v; want the revoked family's 2 rows", n, err)
	}
	// The live family keeps its spent token, so replaying it is still detected.
	_, err = b.tokens.Refresh(b.ctx, live.Refresh)
	wantRefusal(t, err, apperr.KindUnauthenticated, "token_reused")
}

func TestNewTokensRequiresSecret(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("NewTokens with no secret did not panic")
		}
	}()
	NewTokens(TokensOptions{})
}
