package app

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Guests get no session row. A row per cookie-less page view (every crawler's, every bot's) was
// 200 rows kept for 72 hours for 200 GETs of the login page. A guest's form is protected instead
// by a signed double-submit token: a random nonce in a cookie of its own, and in the form an HMAC
// of that nonce under the server's secret key. Another site can neither read nor set the cookie
// (host-only, and __Host- in production), so it cannot make a token that matches it. A guest gets
// a session row only when something must be kept for them: a flash after a POST, or signing in.

// localGuestNonce holds a nonce issued during this request, before the browser has sent it back.
const localGuestNonce = "guest_nonce"

// guestNonceLength is the length of a nonce as issued (32 random bytes, base64url).
const guestNonceLength = 43

// guestCookie is the guest nonce cookie's name; __Host- in production, as for the session cookie.
func (s *Server) guestCookie() string {
	if s.cfg.IsProduction() {
		return "__Host-aw_guest"
	}
	return "aw_guest"
}

// guestNonce is the browser's guest nonce: the one issued during this request, or the one its
// cookie carries when well formed; "" when it has none.
func (s *Server) guestNonce(c *fiber.Ctx) string {
	if n, ok := c.Locals(localGuestNonce).(string); ok {
		return n
	}
	if n := c.Cookies(s.guestCookie()); len(n) == guestNonceLength {
		return n
	}
	return ""
}

// ensureGuestNonce gives a browser without one a guest nonce cookie; it writes nothing anywhere else.
func (s *Server) ensureGuestNonce(c *fiber.Ctx) {
	if s.guestNonce(c) != "" {
		return
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	n := base64.RawURLEncoding.EncodeToString(b[:])
	c.Locals(localGuestNonce, n)
	maxAge := 72 * time.Hour
	if s.sessions != nil {
		maxAge = s.sessions.MaxAge()
	}
	c.Cookie(&fiber.Cookie{
		Name: s.guestCookie(), Value: n, Path: "/", Expires: time.Now().Add(maxAge),
		HTTPOnly: true, Secure: s.cfg.IsProduction(), SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// guestCSRFToken is the CSRF token of the browser's guest nonce, or "" when it has none.
func (s *Server) guestCSRFToken(c *fiber.Ctx) string {
	n := s.guestNonce(c)
	if n == "" {
		return ""
	}
	mac := hmac.New(sha256.New, []byte(s.cfg.SecretKey))
	mac.Write([]byte("guest-csrf\x00" + n))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// csrfTokenMatches reports whether token is the session's CSRF token or the guest token of the
// browser's nonce (a form a guest loaded before their session row existed).
func (s *Server) csrfTokenMatches(c *fiber.Ctx, token string) bool {
	if token == "" {
		return false
	}
	if sess := currentSession(c); sess != nil && subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRFToken)) == 1 {
		return true
	}
	guest := s.guestCSRFToken(c)
	return guest != "" && subtle.ConstantTimeCompare([]byte(token), []byte(guest)) == 1
}
