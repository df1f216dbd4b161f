package app

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/ratelimit"
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

// login checks the credentials and gives the browser a new session. Attempts are limited per IP and
// per account before the password is even checked, so guessing is slow from anywhere.
func (s *Server) login(c *fiber.Ctx) error {
	email, next := c.FormValue("email"), safeNext(c.FormValue("next"))
	values := formValues(c, "email")
	view := s.loginForm(s.page(c, "Log in"), next)
	ctx := c.UserContext()

	accountKey := ratelimit.AccountKey("login", email)
	if err := s.limiter.Allow(ctx, s.authRule, ratelimit.IPKey("login", clientIPOf(c)), accountKey); err != nil {
		return view.refuse(c, err, values)
	}
	u, err := s.accounts.Authenticate(ctx, email, c.FormValue("password"))
	if err != nil {
		return view.refuse(c, err, values)
	}
	// A person who got in is not an attacker on their account: don't hold their earlier typos
	// against them. The per-IP counter stays.
	_ = s.limiter.Reset(ctx, accountKey)
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
