package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/auth"
	"alpacawrapper/models"
	"alpacawrapper/ratelimit"
)

const (
	// maxJSONBody bounds what an API handler decodes. Credentials and orders are a few hundred
	// bytes; anything near this is not a real client.
	maxJSONBody = 64 << 10

	headerAPIKeyID     = "APCA-API-KEY-ID"
	headerAPISecretKey = "APCA-API-SECRET-KEY"
)

// bindJSON decodes the request's JSON body into dst. Whatever is wrong with the body becomes a
// refusal the client can act on (422 naming the field, 413, 415), never a 500. Unknown fields are
// ignored, as most JSON APIs do, so clients that send extra fields keep working.
//
// The JSON content type is required: a cross-site HTML form can only send form encodings or
// text/plain, so this also keeps browsers from posting to the API on another site's behalf.
func bindJSON(c *fiber.Ctx, dst any) error {
	mediaType, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || (mediaType != fiber.MIMEApplicationJSON && !strings.HasSuffix(mediaType, "+json")) {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "Send the request body as JSON, with Content-Type: application/json.")
	}
	body := c.Body()
	if len(body) > maxJSONBody {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is larger than %d KiB.", maxJSONBody>>10))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return jsonRefusal(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.Invalid(map[string]string{"body": "The request body must hold one JSON object and nothing after it."})
	}
	return nil
}

// jsonRefusal explains a decoding error in words, naming the field when the decoder knows it.
func jsonRefusal(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return apperr.Invalid(map[string]string{"body": "The request body is empty. Send a JSON object."})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalid(map[string]string{"body": "The request body is not valid JSON: it ends too early."})
	case errors.As(err, &syntax):
		return apperr.Invalid(map[string]string{"body": fmt.Sprintf("The request body is not valid JSON (error at byte %d).", syntax.Offset)})
	case errors.As(err, &typ) && typ.Field == "":
		return apperr.Invalid(map[string]string{"body": "The request body must be a JSON object."})
	case errors.As(err, &typ):
		// The field is named in the message too: an API client sees it as the problem's detail.
		return apperr.Invalid(map[string]string{typ.Field: fmt.Sprintf("%q must be %s (got %s).", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)})
	}
	return apperr.Invalid(map[string]string{"body": "The request body could not be read as JSON."})
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(goKind string) string {
	switch {
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "true or false"
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "slice", goKind == "array":
		return "an array"
	}
	return "an object"
}

// required refuses the request unless every named value is non-empty.
func required(fields map[string]string) error {
	f := apperr.Fields{}
	for name, value := range fields {
		if strings.TrimSpace(value) == "" {
			f.Add(name, "This field is required.")
		}
	}
	return f.Err()
}

// tokenPairJSON is the answer to a login or a refresh.
type tokenPairJSON struct {
	Access           string    `json:"access"`
	Refresh          string    `json:"refresh"`
	AccessExpiresAt  time.Time `json:"access_expires_at"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	TokenType        string    `json:"token_type"`
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
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
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
	var in struct {
		Refresh string `json:"refresh"`
	}
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
	var in struct {
		Refresh string `json:"refresh"`
	}
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
	var in struct {
		Token string `json:"token"`
	}
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
	return c.JSON(fiber.Map{"valid": true, "user_id": info.UserID, "expires_at": info.ExpiresAt.UTC()})
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
	return c.JSON(fiber.Map{
		"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role, "email_verified": u.EmailVerified(),
	})
}
