package app

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/auth"
	"alpacawrapper/models"
	"alpacawrapper/ratelimit"
	"alpacawrapper/urls"
)

const (
	headerAPIKeyID     = "APCA-API-KEY-ID"
	headerAPISecretKey = "APCA-API-SECRET-KEY"
)

// tokenPairJSON is the answer to a login or a refresh.
type tokenPairJSON struct {
	Access           string    `json:"access" doc:"The access token: send it as Authorization: Bearer …" example:"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl"`
	Refresh          string    `json:"refresh" doc:"The refresh token: spend it once at /api/v1/auth/refresh for a new pair." example:"rt_5pX2vQ8mK1nB7cR4tY6wZ3aD9fG0hJ"`
	AccessExpiresAt  time.Time `json:"access_expires_at" example:"2026-12-07T10:15:00Z"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at" example:"2026-12-21T10:00:00Z"`
	TokenType        string    `json:"token_type" enum:"Bearer" example:"Bearer"`
}

// tokenRequestJSON is a login for a token pair.
type tokenRequestJSON struct {
	Email    string `json:"email" example:"ada@example.com" maxLength:"254"`
	Password string `json:"password" example:"correct horse battery staple" maxLength:"1024"`
}

// refreshRequestJSON carries a refresh token (to spend it, or to end its login).
type refreshRequestJSON struct {
	Refresh string `json:"refresh" example:"rt_5pX2vQ8mK1nB7cR4tY6wZ3aD9fG0hJ" maxLength:"1024"`
}

// verifyRequestJSON carries an access token to check.
type verifyRequestJSON struct {
	Token string `json:"token" example:"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl" maxLength:"4096"`
}

// tokenInfoJSON says whom a valid access token belongs to and until when.
type tokenInfoJSON struct {
	Valid     bool      `json:"valid" example:"true"`
	UserID    int64     `json:"user_id" example:"42"`
	ExpiresAt time.Time `json:"expires_at" example:"2026-12-07T10:15:00Z"`
}

// meJSON is the person the credentials belong to.
type meJSON struct {
	ID            int64   `json:"id" example:"42"`
	Email         string  `json:"email" example:"ada@example.com"`
	Name          string  `json:"name" example:"Ada Lovelace"`
	Role          string  `json:"role" enum:"user,admin" example:"user"`
	EmailVerified bool    `json:"email_verified" example:"true"`
	TimeZone      string  `json:"time_zone" doc:"The IANA time zone the pages show times in." example:"Europe/London"`
	AvatarURL     *string `json:"avatar_url" doc:"The profile picture, null when there is none." example:"/avatars/3f9c2a.webp"`
}

// profileUpdateJSON changes the profile; a field left out keeps its value.
type profileUpdateJSON struct {
	Name     *string `json:"name,omitempty" example:"Ada King" maxLength:"100"`
	TimeZone *string `json:"time_zone,omitempty" doc:"An IANA time zone." example:"America/New_York" maxLength:"64"`
}

func toMeJSON(u *models.User) meJSON {
	out := meJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), EmailVerified: u.EmailVerified(), TimeZone: u.TimeZone}
	if u.AvatarFile != nil {
		p := urls.Path(urls.Avatar, *u.AvatarFile)
		out.AvatarURL = &p
	}
	return out
}

// sendTokens answers with a token pair. no-store keeps credentials out of every cache (RFC 6749
// §5.1).
func sendTokens(c *fiber.Ctx, p auth.Pair) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(tokenPairJSON{
		Access: p.Access, Refresh: p.Refresh, TokenType: "Bearer",
		AccessExpiresAt: p.AccessExpiresAt.UTC(), RefreshExpiresAt: p.RefreshExpiresAt.UTC(),
	})
}

// apiToken is POST /api/v1/auth/token: e-mail and password for a token pair. Failed attempts slow
// the client down exactly as at the login form (ratelimit.LoginGuard), so the API is no side door
// for guessing passwords, nor for locking a person out.
func (s *Server) apiToken(c *fiber.Ctx) error {
	var in tokenRequestJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx, ip := c.UserContext(), clientIPOf(c)
	if err := s.loginGuard.Before(ctx, "token", in.Email, ip); err != nil {
		return err
	}
	u, err := s.accounts.Authenticate(ctx, in.Email, in.Password)
	if apperr.IsKind(err, apperr.KindUnauthenticated) {
		if ferr := s.loginGuard.Failed(ctx, "token", in.Email, ip); ferr != nil {
			return ferr
		}
	}
	if err != nil {
		return err
	}
	_ = s.loginGuard.Succeeded(ctx, "token", in.Email, ip)
	pair, err := s.tokens.Issue(ctx, u)
	if err != nil {
		return err
	}
	return sendTokens(c, pair)
}

// apiRefresh is POST /api/v1/auth/refresh: a refresh token for a new pair (the old refresh token
// is spent). Limited per IP, so no one can try refresh tokens at speed.
func (s *Server) apiRefresh(c *fiber.Ctx) error {
	var in refreshRequestJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := required(map[string]string{"refresh": in.Refresh}); err != nil {
		return err
	}
	if err := s.limiter.Allow(c.UserContext(), s.authRule, ratelimit.IPKey("refresh", clientIPOf(c))); err != nil {
		return err
	}
	pair, err := s.tokens.Refresh(c.UserContext(), in.Refresh)
	if err != nil {
		return err
	}
	return sendTokens(c, pair)
}

// apiLogout is POST /api/v1/auth/logout: ends the login a refresh token belongs to, with its
// access tokens. It answers 204 even for an unknown token (RFC 7009): either way it no longer
// works.
func (s *Server) apiLogout(c *fiber.Ctx) error {
	var in refreshRequestJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := required(map[string]string{"refresh": in.Refresh}); err != nil {
		return err
	}
	if err := s.tokens.Revoke(c.UserContext(), in.Refresh); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiVerify is POST /api/v1/auth/verify: whether an access token is valid now, for whom, and
// until when. An invalid one is a 401 problem.
func (s *Server) apiVerify(c *fiber.Ctx) error {
	var in verifyRequestJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := required(map[string]string{"token": in.Token}); err != nil {
		return err
	}
	info, err := s.tokens.Verify(c.UserContext(), in.Token)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(tokenInfoJSON{Valid: true, UserID: info.UserID, ExpiresAt: info.ExpiresAt.UTC()})
}

func authenticationRequired() error {
	return apperr.New(apperr.KindUnauthenticated, "authentication_required",
		"Send an access token (Authorization: Bearer …) or an API key (the "+headerAPIKeyID+" and "+headerAPISecretKey+" headers).")
}

// apiAuth admits a request to the JSON API on an access token (Authorization: Bearer) or an API
// key (the two APCA headers, as Alpaca's own clients send them) and makes its user the current
// user. Nothing else counts: the browser's session cookie in particular does not, because the API
// is exempt from CSRF checks and must never act on credentials a browser attaches by itself.
func (s *Server) apiAuth(c *fiber.Ctx) error {
	// Whatever loadSession found from a cookie is dropped first, so no handler behind this can
	// fall back on it.
	c.Locals(localSession, nil)
	c.Locals(localUser, nil)

	keyID, secret := c.Get(headerAPIKeyID), c.Get(headerAPISecretKey)
	authorization := strings.TrimSpace(c.Get(fiber.HeaderAuthorization))
	var u *models.User
	var err error
	switch {
	case (keyID != "" || secret != "") && authorization != "":
		return apperr.New(apperr.KindUnauthenticated, "ambiguous_credentials",
			"Send either an access token or an API key, not both.")
	case keyID != "" || secret != "":
		u, err = s.apiKeys.Authenticate(c.UserContext(), keyID, secret)
	case authorization != "":
		scheme, token, _ := strings.Cut(authorization, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return apperr.New(apperr.KindUnauthenticated, "invalid_request",
				"The Authorization header must be \"Bearer\" followed by an access token.")
		}
		u, err = s.tokens.Authenticate(c.UserContext(), strings.TrimSpace(token))
	default:
		return authenticationRequired()
	}
	if err != nil {
		return err
	}
	c.Locals(localUser, u)
	return c.Next()
}

// apiMe is GET /api/v1/me: who the credentials belong to.
func (s *Server) apiMe(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil {
		return authenticationRequired() // mounted without apiAuth: refuse rather than guess
	}
	return c.JSON(toMeJSON(u))
}

// apiUpdateMe is PATCH /api/v1/me: the profile page's form (name and time zone), checked by the
// same service.
func (s *Server) apiUpdateMe(c *fiber.Ctx) error {
	var in profileUpdateJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	u, ctx := currentUser(c), c.UserContext()
	name, zone := u.Name, u.TimeZone
	if in.Name != nil {
		name = *in.Name
	}
	if in.TimeZone != nil {
		zone = *in.TimeZone
	}
	if err := s.accounts.UpdateProfile(ctx, u.ID, name, zone); err != nil {
		return err
	}
	fresh, err := models.UserByID(ctx, s.db, u.ID)
	if err != nil {
		return err
	}
	return c.JSON(toMeJSON(fresh))
}
