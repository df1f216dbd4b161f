package app

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/apperr"
)

// localAlpacaCaller holds the AlpacaCaller of a request admitted by alpacaAuth.
const localAlpacaCaller = "alpaca_caller"

// AlpacaCaller is who a request to the Alpaca-compatible API speaks for: a person and the one
// paper account their credentials act on. KeyID is the API key's row id, or 0 for an access
// token (which acts on the person's primary account).
type AlpacaCaller struct {
	UserID    int64
	AccountID int64
	KeyID     int64
}

// rateKey is what the per-key rate limit counts: the key, or the person for an access token.
func (a AlpacaCaller) rateKey() string {
	if a.KeyID != 0 {
		return "k" + strconv.FormatInt(a.KeyID, 10)
	}
	return "u" + strconv.FormatInt(a.UserID, 10)
}

// AlpacaCallerOf is the caller alpacaAuth admitted; ok is false on a route without it. Every
// Alpaca-compatible handler (trading, trade events, market data) reads its account from here,
// never from the request, so one key can never reach another account.
func AlpacaCallerOf(c *fiber.Ctx) (AlpacaCaller, bool) {
	a, ok := c.Locals(localAlpacaCaller).(AlpacaCaller)
	return a, ok
}

// errNotAuthorized is Alpaca's answer to missing or wrong credentials.
var errNotAuthorized = alpacaapi.Refuse(alpacaapi.CodeUnauthorized, "request is not authorized")

// AuthenticateAlpacaKey checks an API key id and secret (sent in headers, or in the first message
// of a stream) and returns whom they speak for: one indexed query, no slow hash, nothing cached,
// so a revoked key fails on its very next use.
func (s *Server) AuthenticateAlpacaKey(ctx context.Context, keyID, secret string) (AlpacaCaller, error) {
	g, err := s.apiKeys.AuthenticateGrant(ctx, keyID, secret)
	if err != nil {
		if apperr.IsKind(err, apperr.KindUnauthenticated) {
			return AlpacaCaller{}, errNotAuthorized
		}
		return AlpacaCaller{}, err
	}
	if g.AccountID == 0 {
		return AlpacaCaller{}, alpacaapi.Refuse(alpacaapi.CodeForbidden, "this API key has no paper account; open one in the app")
	}
	return AlpacaCaller{UserID: g.UserID, AccountID: g.AccountID, KeyID: g.KeyID}, nil
}

// AlpacaCallerStillValid reports whether a caller's credentials still hold (the key not revoked,
// its owner not disabled), for long-lived streams to ask now and then. An access-token caller is
// checked by the token's own expiry, so it stays valid here.
func (s *Server) AlpacaCallerStillValid(ctx context.Context, a AlpacaCaller) (bool, error) {
	if a.KeyID == 0 {
		return true, nil
	}
	return s.apiKeys.StillValid(ctx, a.KeyID)
}

// alpacaBearer admits an access token of this app (Authorization: Bearer, which the SDKs send
// for OAuth) on the person's primary paper account.
func (s *Server) alpacaBearer(ctx context.Context, token string) (AlpacaCaller, error) {
	u, err := s.tokens.Authenticate(ctx, token)
	if err != nil {
		if apperr.IsKind(err, apperr.KindUnauthenticated) {
			return AlpacaCaller{}, errNotAuthorized
		}
		return AlpacaCaller{}, err
	}
	accts, err := s.trading.Accounts(ctx, u.ID)
	if err != nil {
		return AlpacaCaller{}, err
	}
	if len(accts) == 0 {
		return AlpacaCaller{}, alpacaapi.Refuse(alpacaapi.CodeForbidden, "you have no paper account; open one in the app")
	}
	return AlpacaCaller{UserID: u.ID, AccountID: accts[0].ID}, nil
}

// alpacaAuth admits a request to the Alpaca-compatible API: the APCA-API-KEY-ID and
// APCA-API-SECRET-KEY headers, or Authorization: Bearer with an access token; then counts it
// against the caller's rate limit (Alpaca's X-RateLimit-* headers on every answer, 429 beyond
// it). The browser's cookie never counts: whatever loadSession found is dropped first.
func (s *Server) alpacaAuth(c *fiber.Ctx) error {
	c.Locals(localSession, nil)
	c.Locals(localUser, nil)
	ctx := c.UserContext()
	keyID, secret := c.Get(headerAPIKeyID), c.Get(headerAPISecretKey)
	authorization := strings.TrimSpace(c.Get(fiber.HeaderAuthorization))
	var caller AlpacaCaller
	var err error
	switch {
	case keyID != "" || secret != "":
		caller, err = s.AuthenticateAlpacaKey(ctx, keyID, secret)
	case authorization != "":
		scheme, token, _ := strings.Cut(authorization, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return errNotAuthorized
		}
		caller, err = s.alpacaBearer(ctx, strings.TrimSpace(token))
	default:
		return errNotAuthorized
	}
	if err != nil {
		return err
	}
	// Counted in this process's memory, like the public market-data limit: no database write per
	// request, and a full limiter lets the request through rather than refuse everyone new.
	if s.botRule.Limit > 0 {
		if d, err := s.botLimiter.Hit(caller.rateKey(), s.botRule); err == nil {
			c.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
			c.Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
			c.Set("X-RateLimit-Reset", strconv.FormatInt(d.Resets.Unix(), 10))
			if !d.Allowed {
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(d.RetryAfter.Seconds()+0.999))))
				return alpacaapi.Refuse(alpacaapi.CodeRateLimited, "rate limit exceeded")
			}
		}
	}
	c.Locals(localAlpacaCaller, caller)
	return c.Next()
}

// alpacaErrors answers every error under the Alpaca-compatible paths with Alpaca's body,
// {"code": …, "message": …}, and its status, instead of the app's problem JSON: the SDKs decode
// that shape into their error types. Internal errors are logged with the request id and answered
// with a generic message.
func (s *Server) alpacaErrors(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	var e alpacaapi.Error
	internal := false
	var fe *fiber.Error
	if errors.As(err, &fe) {
		e, internal = alpacaapi.FromStatus(fe.Code, fe.Message), fe.Code >= fiber.StatusInternalServerError
	} else {
		e, internal = alpacaapi.FromError(err)
	}
	if internal {
		s.log.ErrorContext(c.UserContext(), "alpaca api request failed", "request_id", requestID(c),
			"method", c.Method(), "path", c.Path(), "error", err)
		if e.Status < fiber.StatusInternalServerError {
			e = alpacaapi.Error{Status: fiber.StatusInternalServerError, Code: alpacaapi.CodeInternal, Message: "internal server error"}
		}
	}
	return c.Status(e.Status).JSON(e)
}
