package app

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/auth"
	"alpacawrapper/ratelimit"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

func (s *Server) signupForm(c *fiber.Ctx, p views.Page) formView {
	return formView{
		page:     func(f views.Form) templ.Component { return views.SignupPage(p, f) },
		fragment: func(f views.Form) templ.Component { return views.SignupForm(p.CSRFToken, f) },
	}
}

// signupPage shows the sign-up form; a signed-in user has nothing to sign up for.
func (s *Server) signupPage(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect(afterLogin, fiber.StatusSeeOther)
	}
	p, err := s.formPage(c, "Create your account")
	if err != nil {
		return err
	}
	return s.signupForm(c, p).show(c, fiber.StatusOK, views.Form{})
}

// signup creates the account and says to check the inbox, in the same words whether or not the
// address already had an account.
func (s *Server) signup(c *fiber.Ctx) error {
	values := formValues(c, "name", "email", "accept_terms")
	view := s.signupForm(c, s.page(c, "Create your account"))
	in := auth.SignUpInput{
		Name: c.FormValue("name"), Email: c.FormValue("email"),
		Password: c.FormValue("password"), PasswordConfirm: c.FormValue("password_confirm"),
		AcceptTerms: c.FormValue("accept_terms") != "",
	}
	if err := s.limiter.Allow(c.UserContext(), s.authRule, ratelimit.IPKey("signup", clientIPOf(c))); err != nil {
		return view.refuse(c, err, values)
	}
	if err := s.accounts.SignUp(c.UserContext(), in); err != nil {
		return view.refuse(c, err, values)
	}
	s.flash(c, flashSignupEmail, in.Email)
	return redirectAfterPost(c, urls.Path(urls.SignupDone))
}

// flashSignupEmail is the kind of flash that carries the address a guest just signed up (or asked
// a new link) with to /signup/done. It is taken from the session, not from the link: a link's
// ?email= would show any text anyone put in it on this site's page.
const flashSignupEmail = "signup-email"

// signupDone asks the person to confirm their address, naming it when their session holds it.
func (s *Server) signupDone(c *fiber.Ctx) error {
	p, err := s.formPage(c, "Check your inbox")
	if err != nil {
		return err
	}
	email := ""
	shown := p.Flashes[:0]
	for _, f := range p.Flashes {
		if f.Kind == flashSignupEmail {
			email = f.Message
			continue
		}
		shown = append(shown, f)
	}
	p.Flashes = shown
	return render(c, views.SignupDonePage(p, email))
}

// termsPage shows the terms of use that sign-up asks people to accept.
func (s *Server) termsPage(c *fiber.Ctx) error {
	return render(c, views.TermsPage(s.page(c, "Terms of use")))
}
