package app

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/views"
)

// afterLogin is where people land when no page sent them to the login form.
const afterLogin = "/"

func (s *Server) loginForm(p views.Page, next string) formView {
	return formView{
		page:     func(f views.Form) templ.Component { return views.LoginPage(p, f, next) },
		fragment: func(f views.Form) templ.Component { return views.LoginForm(p.CSRFToken, f, next) },
	}
}

// loginPage shows the login form. `next` is where to go afterwards (a local path only).
func (s *Server) loginPage(c *fiber.Ctx) error {
	next := safeNext(c.Query("next"))
	if currentUser(c) != nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	p, err := s.formPage(c, "Log in")
	if err != nil {
		return err
	}
	return s.loginForm(p, next).show(c, fiber.StatusOK, views.Form{})
}

// login checks the credentials and gives the browser a new session. Failed attempts slow down
// the client that makes them (per account and client, and per client over all accounts; see
// ratelimit.LoginGuard), checked before the password is, so guessing is slow from anywhere; a
// client that has not failed is never held back, so no one can lock a person out.
func (s *Server) login(c *fiber.Ctx) error {
	email, next := c.FormValue("email"), safeNext(c.FormValue("next"))
	values := formValues(c, "email")
	view := s.loginForm(s.page(c, "Log in"), next)
	ctx, ip := c.UserContext(), clientIPOf(c)

	if err := s.loginGuard.Before(ctx, "login", email, ip); err != nil {
		return view.refuse(c, err, values)
	}
	u, err := s.accounts.Authenticate(ctx, email, c.FormValue("password"))
	switch {
	case apperr.IsKind(err, apperr.KindUnavailable):
		return err // too many hashes at once: 503 from the central error handler
	case apperr.IsKind(err, apperr.KindUnauthenticated):
		if ferr := s.loginGuard.Failed(ctx, "login", email, ip); ferr != nil {
			return ferr
		}
		return view.refuse(c, err, values)
	case err != nil:
		return view.refuse(c, err, values)
	}
	_ = s.loginGuard.Succeeded(ctx, "login", email, ip)
	if err := s.signIn(c, u); err != nil {
		return err
	}
	_ = s.accounts.RecordLogin(ctx, u.ID)
	return redirectAfterPost(c, next)
}

// logout ends the session. It is a POST (with CSRF) so no link or image on another site can sign
// someone out.
func (s *Server) logout(c *fiber.Ctx) error {
	if sess := currentSession(c); sess != nil {
		if err := s.sessions.End(c.UserContext(), sess); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	c.Locals(localSession, nil)
	c.Locals(localUser, nil)
	return redirectAfterPost(c, "/")
}
