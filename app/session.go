package app

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/auth"
	"alpacawrapper/models"
	"alpacawrapper/urls"
)

const (
	localSession = "session"
	localUser    = "user"
	csrfHeader   = "X-CSRF-Token"
	csrfField    = "_csrf"
)

// sessionCookie is the cookie's name. In production the __Host- prefix makes the browser refuse it
// unless it is Secure, host-only and for the whole site, so no sub-domain can plant one.
func (s *Server) sessionCookie() string {
	if s.cfg.IsProduction() {
		return "__Host-aw_session"
	}
	return "aw_session"
}

// loadSession finds the browser's session and its user. An expired or unknown cookie is treated as
// no session; a disabled user's session is ended on the spot.
func (s *Server) loadSession(c *fiber.Ctx) error {
	secret := c.Cookies(s.sessionCookie())
	if secret == "" {
		return c.Next()
	}
	sess, err := s.sessions.Load(c.UserContext(), secret)
	if auth.IsNotFound(err) {
		s.clearSessionCookie(c)
		return c.Next()
	}
	if err != nil {
		return err
	}
	c.Locals(localSession, sess)
	if sess.UserID != nil {
		u, err := models.UserByID(c.UserContext(), s.db, *sess.UserID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return err
		}
		if u == nil || !u.Active {
			_ = s.sessions.End(c.UserContext(), sess)
			s.clearSessionCookie(c)
			c.Locals(localSession, nil)
			return c.Next()
		}
		c.Locals(localUser, u)
	}
	return c.Next()
}

// currentSession is the browser's session, or nil.
func currentSession(c *fiber.Ctx) *models.Session {
	sess, _ := c.Locals(localSession).(*models.Session)
	return sess
}

// currentUser is the signed-in user, or nil for a guest.
func currentUser(c *fiber.Ctx) *models.User {
	u, _ := c.Locals(localUser).(*models.User)
	return u
}

// ensureSession returns the browser's session, starting a guest session when there is none, so a
// form can carry a CSRF token before anyone has logged in.
func (s *Server) ensureSession(c *fiber.Ctx) (*models.Session, error) {
	if sess := currentSession(c); sess != nil {
		return sess, nil
	}
	secret, sess, err := s.sessions.Start(c.UserContext(), nil, c.Get(fiber.HeaderUserAgent), clientIPOf(c))
	if err != nil {
		return nil, err
	}
	s.setSessionCookie(c, secret)
	c.Locals(localSession, sess)
	return sess, nil
}

// signIn gives the browser a brand-new session for u: the old session id, and its CSRF token, stop
// working at this moment.
func (s *Server) signIn(c *fiber.Ctx, u *models.User) error {
	secret, sess, err := s.sessions.Renew(c.UserContext(), currentSession(c), u.ID, c.Get(fiber.HeaderUserAgent), clientIPOf(c))
	if err != nil {
		return err
	}
	s.setSessionCookie(c, secret)
	c.Locals(localSession, sess)
	c.Locals(localUser, u)
	return nil
}

func (s *Server) setSessionCookie(c *fiber.Ctx, secret string) {
	c.Cookie(&fiber.Cookie{
		Name: s.sessionCookie(), Value: secret, Path: "/",
		Expires:  time.Now().Add(s.sessions.MaxAge()),
		HTTPOnly: true, Secure: s.cfg.IsProduction(), SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: s.sessionCookie(), Value: "", Path: "/", MaxAge: -1,
		HTTPOnly: true, Secure: s.cfg.IsProduction(), SameSite: fiber.CookieSameSiteLaxMode})
}

// flash queues a message for the next page; a failure to store it is not worth failing the request.
func (s *Server) flash(c *fiber.Ctx, kind, message string) {
	if sess, err := s.ensureSession(c); err == nil {
		_ = s.sessions.Flash(c.UserContext(), sess, kind, message)
	}
}

func csrfRefused() error {
	return apperr.New(apperr.KindForbidden, "csrf_failed",
		"This form has expired or was sent from another site. Reload the page and try again.")
}

// csrfProtect refuses any state-changing browser request that does not carry the session's CSRF
// token (the synchronizer-token pattern) or, for a guest, the token of their nonce cookie
// (session_guest.go), and any whose Origin is another site. The JSON API is
// exempt: it authenticates with headers a browser never adds on its own, so it cannot be forged.
func (s *Server) csrfProtect(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if strings.HasPrefix(c.Path(), "/api/") {
		return c.Next()
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && !s.sameOrigin(c, origin) {
		return csrfRefused()
	}
	if !s.csrfTokenMatches(c, csrfTokenOf(c)) {
		return csrfRefused()
	}
	return c.Next()
}

// csrfTokenOf is the request's CSRF token, from the header htmx sends or the form's body, never
// from the query string: a token in a URL leaks through logs, history and Referer.
func csrfTokenOf(c *fiber.Ctx) string {
	if token := c.Get(csrfHeader); token != "" {
		return token
	}
	if token := c.Request().PostArgs().Peek(csrfField); len(token) > 0 {
		return string(token)
	}
	if form, err := c.MultipartForm(); err == nil && len(form.Value[csrfField]) > 0 {
		return form.Value[csrfField][0]
	}
	return ""
}

// sameOrigin accepts the configured public origin and the origin the request was addressed to.
func (s *Server) sameOrigin(c *fiber.Ctx, origin string) bool {
	o, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if base, err := url.Parse(s.cfg.BaseURL); err == nil && o.Scheme == base.Scheme && o.Host == base.Host {
		return true
	}
	return o.Host == string(c.Request().Host())
}

// requireUser sends guests to the login page and back afterwards. htmx requests are redirected with
// HX-Redirect so the whole page changes, not a fragment.
func (s *Server) requireUser(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Next()
	}
	back := c.OriginalURL()
	if c.Method() != fiber.MethodGet {
		back = c.Get(fiber.HeaderReferer)
		if u, err := url.Parse(back); err == nil {
			back = u.RequestURI()
		}
	}
	target := urls.Query(urls.Path(urls.Login), "next", safeNext(back))
	if isHTMX(c) {
		htmxResponse{Redirect: target}.apply(c)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// requireAdmin lets only administrators through; to anyone else the page does not exist.
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil {
		return s.requireUser(c)
	}
	if !u.IsAdmin() {
		return fiber.ErrNotFound
	}
	return c.Next()
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string { return localPath(next, afterLogin) }

// localPath keeps a redirect taken from the request on this site: only a local path is allowed,
// never "//evil.example", "https://…" or "/\t/evil.example" (browsers drop tabs and newlines from
// a Location and read a backslash as a slash, so those too lead to another host); anything else is
// fallback. The path must start with exactly one "/", parse with no scheme and no host, and hold
// no control characters or backslashes.
func localPath(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return fallback
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\\' {
			return fallback
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	return next
}

// userLocation is the person's time zone, in which pages show every time; UTC when they have none
// or it cannot be loaded.
func userLocation(u *models.User) *time.Location {
	if u != nil && u.TimeZone != "" {
		if loc, err := time.LoadLocation(u.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}
