package app

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/views"
)

// page builds the per-request data every full page needs: the signed-in user, the CSRF token and
// any flashes waiting to be shown (taken now, so each is shown once).
func (s *Server) page(c *fiber.Ctx, title string) views.Page {
	p := views.Page{Title: title, Path: c.Path(), Version: s.version}
	p.Market, p.Feed = s.headerBadges()
	p.SignInProviders = s.signInProviders()
	if u := currentUser(c); u != nil {
		p.User = &views.User{Name: u.Name, Email: u.Email, IsAdmin: u.IsAdmin(), EmailVerified: u.EmailVerified()}
	}
	if sess := currentSession(c); sess != nil && s.sessions != nil && c.Locals(localDatabaseDown) == nil {
		p.CSRFToken = sess.CSRFToken
		flashes, err := s.sessions.PopFlashes(c.UserContext(), sess)
		if err != nil {
			s.log.WarnContext(c.UserContext(), "flashes unavailable", slog.Any("error", err))
		}
		for _, f := range flashes {
			p.Flashes = append(p.Flashes, views.Flash{Kind: views.FlashKind(f.Kind), Message: f.Message})
		}
	}
	if p.CSRFToken == "" {
		p.CSRFToken = s.guestCSRFToken(c) // a guest's form (session_guest.go)
	}
	return p
}

// formPage is page for a page that holds a form: a guest without a session gets a guest nonce
// cookie, so the form carries a CSRF token without a session row being written.
func (s *Server) formPage(c *fiber.Ctx, title string) (views.Page, error) {
	if currentSession(c) == nil {
		s.ensureGuestNonce(c)
	}
	return s.page(c, title), nil
}
