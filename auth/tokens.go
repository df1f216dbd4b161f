package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// Token lifetimes when TokensOptions leaves them zero. A short access token bounds how long a
// copied one is useful; the refresh token is what keeps a program signed in.
const (
	DefaultAccessTTL  = 15 * time.Minute
	DefaultRefreshTTL = 7 * 24 * time.Hour
	// DefaultFamilyMaxAge caps an API login's whole life: refreshing rotates the token but never
	// takes a login past this age, so a stolen refresh token that is kept fresh still dies.
	DefaultFamilyMaxAge = 30 * 24 * time.Hour
)

const (
	// tokenIssuer and tokenAudience are checked on every access token, so a JWT minted by some
	// other system that happened to share the key would still be refused.
	tokenIssuer   = "alpacawrapper"
	tokenAudience = "alpacawrapper-api"
	// accessType is the "typ" claim: it keeps any other kind of JWT we might sign with the same
	// key one day from passing as an access token.
	accessType = "access"
	// accessKeyLabel separates the access-token signing key from every other use of SECRET_KEY.
	accessKeyLabel = "alpacawrapper/auth/access-token/v1"
	// maxTokenLength bounds the work an absurd Authorization header can cause.
	maxTokenLength = 4096
)

// TokensOptions configure NewTokens. DB and Secret are required.
type TokensOptions struct {
	DB *gorm.DB
	// Secret is the application's SECRET_KEY. The signing key is derived from it rather than
	// used as it is, so a signature made for another purpose can never pass as an access token.
	Secret []byte
	// AccessTTL is how long an access token works. Default DefaultAccessTTL (15 minutes).
	AccessTTL time.Duration
	// RefreshTTL is how long a refresh token works; each refresh starts a new one. Default
	// DefaultRefreshTTL (7 days).
	RefreshTTL time.Duration
	// FamilyMaxAge is how long an API login lasts from its password check, however often it is
	// refreshed. Default DefaultFamilyMaxAge (30 days).
	FamilyMaxAge time.Duration
	// Now is the clock; default time.Now. Tests move it to expire tokens.
	Now func() time.Time
}

// Tokens issues and checks the JSON API's credentials: a short-lived signed access token (a JWT,
// HS256) and an opaque refresh token kept, hashed, in the database.
//
// Refresh tokens rotate: each use spends the token and hands out a new one of the same family. A
// spent token presented again means two parties hold copies of it, so the whole family is revoked
// and both must log in again (refresh-token reuse detection).
//
// An access token stops working before it expires when its family is revoked (logout, reuse) or
// when the user's credentials change (password change, disabled account), so none of those waits
// out the access token's lifetime.
type Tokens struct {
	db                    *gorm.DB
	key                   []byte
	accessTTL, refreshTTL time.Duration
	familyMaxAge          time.Duration
	now                   func() time.Time
	parser                *jwt.Parser
}

// NewTokens builds the token service. It panics when Secret is empty: that is a wiring mistake
// which would otherwise produce tokens anyone can forge.
func NewTokens(o TokensOptions) *Tokens {
	if len(o.Secret) == 0 {
		panic("auth: NewTokens: Secret is empty")
	}
	if o.AccessTTL <= 0 {
		o.AccessTTL = DefaultAccessTTL
	}
	if o.RefreshTTL <= 0 {
		o.RefreshTTL = DefaultRefreshTTL
	}
	if o.FamilyMaxAge <= 0 {
		o.FamilyMaxAge = DefaultFamilyMaxAge
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	mac := hmac.New(sha256.New, o.Secret)
	mac.Write([]byte(accessKeyLabel))
	// PostgreSQL keeps microseconds: the clock is cut to match, so a time we compute equals the
	// one we read back.
	now := func() time.Time { return o.Now().UTC().Truncate(time.Microsecond) }
	return &Tokens{
		db: o.DB, key: mac.Sum(nil), accessTTL: o.AccessTTL, refreshTTL: o.RefreshTTL, familyMaxAge: o.FamilyMaxAge, now: now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuer(tokenIssuer),
			jwt.WithAudience(tokenAudience),
			jwt.WithTimeFunc(now),
		),
	}
}

// Pair is what a login or a refresh hands to the client.
type Pair struct {
	Access           string
	Refresh          string
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time
}

// AccessInfo describes a valid access token.
type AccessInfo struct {
	UserID    int64
	ExpiresAt time.Time
}

// accessClaims are the access token's claims: sub (user id), iat, exp, jti, iss, aud and:
//   - typ "access";
//   - sid, the refresh-token family (the API login) the token belongs to, so that ending the login
//     ends its access tokens too;
//   - cv, the user's credentials_changed_at in Unix microseconds when the token was issued. A
//     token is valid only while cv still equals the user's current value. Comparing iat instead
//     would be wrong twice over: iat has whole seconds, so a token issued in the same second
//     before a password change would survive it, and it relies on every server's clock agreeing.
type accessClaims struct {
	jwt.RegisteredClaims
	Type        string `json:"typ"`
	Family      string `json:"sid"`
	Credentials int64  `json:"cv"`
}

// Validate is called by the parser after the standard claims pass.
func (c accessClaims) Validate() error {
	if c.Type != accessType {
		return errors.New("auth: not an access token")
	}
	if c.Subject == "" || c.Family == "" || c.ID == "" {
		return errors.New("auth: access token lacks sub, sid or jti")
	}
	return nil
}

func invalidAccessToken() error {
	return apperr.New(apperr.KindUnauthenticated, "invalid_token", "The access token is invalid or has been revoked. Log in again.")
}

func expiredAccessToken() error {
	return apperr.New(apperr.KindUnauthenticated, "token_expired", "The access token has expired. Use your refresh token to get a new one.")
}

func invalidRefreshToken() error {
	return apperr.New(apperr.KindUnauthenticated, "invalid_token", "The refresh token is invalid, expired or revoked. Log in again.")
}

func reusedRefreshToken() error {
	return apperr.New(apperr.KindUnauthenticated, "token_reused",
		"This refresh token has already been used. As a precaution every token of this login has been revoked; log in again.")
}

// Issue starts a new API login for u, who has just proved who they are: a new refresh-token family
// and its first pair. u must be the user as loaded when the password was checked: if the
// account's credentials changed or it was disabled since, nothing is issued, so a password change
// that lands between the check and the issue still locks the old password out.
func (t *Tokens) Issue(ctx context.Context, u *models.User) (Pair, error) {
	var pair Pair
	var refusal error
	err := t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The user row lock orders this against VoidCredentials, which revokes refresh tokens only
		// after locking the same row: either it sees our new token, or we see its new timestamp.
		cur, err := models.LockUser(ctx, tx, u.ID)
		if errors.Is(err, models.ErrNotFound) {
			refusal = invalidLogin()
			return nil
		}
		if err != nil {
			return err
		}
		// A microsecond of tolerance: u may come from memory with nanoseconds the column lacks.
		if !cur.Active || cur.CredentialsChangedAt.Sub(u.CredentialsChangedAt) >= time.Microsecond {
			refusal = apperr.New(apperr.KindUnauthenticated, "credentials_changed",
				"The account's credentials changed while you were signing in. Log in again.")
			return nil
		}
		now := t.now()
		pair, err = t.issueInFamily(ctx, tx, cur, uuid.New(), now, now.Add(t.familyMaxAge))
		return err
	})
	if err != nil {
		return Pair{}, fmt.Errorf("auth: issue tokens: %w", err)
	}
	if refusal != nil {
		return Pair{}, refusal
	}
	return pair, nil
}

// Refresh spends a refresh token and returns a new pair of the same family. Presenting a token
// that was already spent revokes its whole family, and that revocation is committed even though
// the call fails.
func (t *Tokens) Refresh(ctx context.Context, refresh string) (Pair, error) {
	if refresh == "" || len(refresh) > maxTokenLength {
		return Pair{}, invalidRefreshToken()
	}
	var pair Pair
	var refusal error
	err := t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		found, err := models.RefreshTokenByHash(ctx, tx, HashSecret(refresh))
		if errors.Is(err, models.ErrNotFound) {
			refusal = invalidRefreshToken()
			return nil
		}
		if err != nil {
			return err
		}
		// Locks in the order password changes take them, user first and then tokens, so the two
		// cannot deadlock; the token lock makes a second refresh with the same token wait and then
		// see this one's used_at.
		u, err := models.LockUser(ctx, tx, found.UserID)
		if errors.Is(err, models.ErrNotFound) {
			refusal = invalidRefreshToken()
			return nil
		}
		if err != nil {
			return err
		}
		tok, err := models.LockRefreshToken(ctx, tx, found.ID)
		if err != nil {
			return err
		}
		now := t.now()
		switch {
		case tok.RevokedAt != nil:
			refusal = invalidRefreshToken()
		case tok.UsedAt != nil:
			// Checked before expiry: a spent token replayed late is still a copy in the wrong hands,
			// and its family may have a live successor.
			if _, err := models.RevokeRefreshFamily(ctx, tx, tok.FamilyID, now); err != nil {
				return err
			}
			refusal = reusedRefreshToken()
		case !now.Before(tok.ExpiresAt):
			refusal = invalidRefreshToken()
		case !u.Active || tok.CreatedAt.Before(u.CredentialsChangedAt):
			refusal = invalidRefreshToken()
		}
		if refusal != nil {
			return nil // commit: a reuse's revocation must stick
		}
		started, err := models.RefreshFamilyStarted(ctx, tx, tok.FamilyID)
		if err != nil {
			return err
		}
		ends := started.Add(t.familyMaxAge)
		if !now.Before(ends) {
			if _, err := models.RevokeRefreshFamily(ctx, tx, tok.FamilyID, now); err != nil {
				return err
			}
			refusal = apperr.New(apperr.KindUnauthenticated, "login_expired",
				"This login is too old to refresh. Log in again with your password.")
			return nil
		}
		if err := models.SpendRefreshToken(ctx, tx, tok.ID, now); err != nil {
			return err
		}
		pair, err = t.issueInFamily(ctx, tx, u, tok.FamilyID, now, ends)
		return err
	})
	if err != nil {
		return Pair{}, fmt.Errorf("auth: refresh tokens: %w", err)
	}
	if refusal != nil {
		return Pair{}, refusal
	}
	return pair, nil
}

// Revoke ends the API login a refresh token belongs to (logout): its whole family, and with it
// the family's access tokens. An unknown or already revoked token is not an error (as in RFC
// 7009): the client wanted it not to work, and it does not.
func (t *Tokens) Revoke(ctx context.Context, refresh string) error {
	if refresh == "" || len(refresh) > maxTokenLength {
		return nil
	}
	err := t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		found, err := models.RefreshTokenByHash(ctx, tx, HashSecret(refresh))
		if errors.Is(err, models.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		// Waiting for the user lock lets a refresh in flight commit first; the UPDATE that follows
		// then sees, and revokes, the token it created.
		if _, err := models.LockUser(ctx, tx, found.UserID); err != nil {
			return err
		}
		_, err = models.RevokeRefreshFamily(ctx, tx, found.FamilyID, t.now())
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: revoke tokens: %w", err)
	}
	return nil
}

// Authenticate returns the user an access token speaks for. It refuses a token that is forged,
// expired, of another kind, whose login was ended, or whose user has since been disabled or
// changed their password.
func (t *Tokens) Authenticate(ctx context.Context, access string) (*models.User, error) {
	u, _, err := t.authenticate(ctx, access)
	return u, err
}

// Verify is Authenticate for a client that wants to know about a token rather than use it.
func (t *Tokens) Verify(ctx context.Context, access string) (AccessInfo, error) {
	u, c, err := t.authenticate(ctx, access)
	if err != nil {
		return AccessInfo{}, err
	}
	return AccessInfo{UserID: u.ID, ExpiresAt: c.ExpiresAt.Time.UTC()}, nil
}

// Prune deletes refresh-token families that can no longer be used, for the clean-up job.
func (t *Tokens) Prune(ctx context.Context) (int64, error) {
	return models.PruneRefreshTokens(ctx, t.db, t.now())
}

func (t *Tokens) authenticate(ctx context.Context, access string) (*models.User, *accessClaims, error) {
	if access == "" || len(access) > maxTokenLength {
		return nil, nil, invalidAccessToken()
	}
	var c accessClaims
	// The key function ignores the header: WithValidMethods has already pinned the algorithm,
	// so neither "none" nor an RSA/HMAC confusion can choose how the signature is checked.
	_, err := t.parser.ParseWithClaims(access, &c, func(*jwt.Token) (any, error) { return t.key, nil })
	// The parser checks the signature before any claim, so "expired" is only ever said of a
	// token we signed.
	if errors.Is(err, jwt.ErrTokenExpired) {
		return nil, nil, expiredAccessToken()
	}
	if err != nil {
		return nil, nil, invalidAccessToken()
	}
	userID, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil {
		return nil, nil, invalidAccessToken()
	}
	family, err := uuid.Parse(c.Family)
	if err != nil {
		return nil, nil, invalidAccessToken()
	}
	u, err := models.UserByID(ctx, t.db, userID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, invalidAccessToken()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("auth: authenticate token: %w", err)
	}
	if !u.Active || u.CredentialsChangedAt.UnixMicro() != c.Credentials {
		return nil, nil, invalidAccessToken()
	}
	live, err := models.RefreshFamilyLive(ctx, t.db, u.ID, family, t.now())
	if err != nil {
		return nil, nil, fmt.Errorf("auth: authenticate token: %w", err)
	}
	if !live {
		return nil, nil, invalidAccessToken()
	}
	return u, &c, nil
}

// issueInFamily adds a refresh token to family and signs an access token beside it. The refresh
// token expires after the refresh TTL, or when the family ends if that is sooner. u must have
// been read in tx, so the credentials stamp in the access token is the current one.
func (t *Tokens) issueInFamily(ctx context.Context, tx *gorm.DB, u *models.User, family uuid.UUID, now, familyEnds time.Time) (Pair, error) {
	plain, hash := newSecret()
	expires := now.Add(t.refreshTTL)
	if familyEnds.Before(expires) {
		expires = familyEnds
	}
	rt := &models.RefreshToken{UserID: u.ID, FamilyID: family, TokenHash: hash, ExpiresAt: expires, CreatedAt: now}
	if err := models.CreateRefreshToken(ctx, tx, rt); err != nil {
		return Pair{}, err
	}
	access, exp, err := t.signAccess(u, family, now)
	if err != nil {
		return Pair{}, err
	}
	return Pair{Access: access, Refresh: plain, AccessExpiresAt: exp, RefreshExpiresAt: rt.ExpiresAt}, nil
}

// signAccess returns a signed access token and its expiry, in whole seconds as the JWT carries it.
func (t *Tokens) signAccess(u *models.User, family uuid.UUID, now time.Time) (string, time.Time, error) {
	exp := now.Add(t.accessTTL).Truncate(time.Second)
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   strconv.FormatInt(u.ID, 10),
			Audience:  jwt.ClaimStrings{tokenAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        uuid.NewString(),
		},
		Type:        accessType,
		Family:      family.String(),
		Credentials: u.CredentialsChangedAt.UnixMicro(),
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign access token: %w", err)
	}
	return signed, exp, nil
}
