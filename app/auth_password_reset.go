package app

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/ratelimit"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

func (s *Server) forgotForm(p views.Page, sent bool) formView {
	return formView{
		page:     func(f views.Form) templ.Component { return views.ForgotPasswordPage(p, f, sent) },
		fragment: func(f views.Form) templ.Component { return views.ForgotPasswordForm(p.CSRFToken, f, sent) },
	}
}

// forgotPasswordPage asks for the address to send a reset link to.
func (s *Server) forgotPasswordPage(c *fiber.Ctx) error {
	p, err := s.formPage(c, "Reset your password")
	if err != nil {
		return err
	}
	return s.forgotForm(p, false).show(c, fiber.StatusOK, views.Form{})
}

// forgotPassword sends the reset link and answers the same for known and unknown addresses.
func (s *Server) forgotPassword(c *fiber.Ctx) error {
	email := c.FormValue("email")
	values := formValues(c, "email")
	p := s.page(c, "Reset your password")
	if err := s.limiter.Allow(c.UserContext(), s.authRule, ratelimit.IPKey("reset", clientIPOf(c)),
		ratelimit.AccountKey([]byte(s.cfg.SecretKey), "reset", email)); err != nil {
		return s.forgotForm(p, false).refuse(c, err, values)
	}
	if err := s.accounts.RequestPasswordReset(c.UserContext(), email); err != nil {
		return s.forgotForm(p, false).refuse(c, err, values)
	}
	return s.forgotForm(p, true).show(c, fiber.StatusOK, views.Form{Values: values})
}

func (s *Server) resetForm(p views.Page, token string, valid bool) formView {
	return formView{
		page: func(f views.Form) templ.Component { return views.ResetPasswordPage(p, f, token, valid) },
		fragment: func(f views.Form) templ.Component {
			if !valid {
				return views.ResetPasswordPage(p, f, token, valid)
			}
			return views.ResetPasswordForm(p.CSRFToken, f, token)
		},
	}
}

// resetPasswordPage shows the new-password form for a valid link, or says the link is spent.
func (s *Server) resetPasswordPage(c *fiber.Ctx) error {
	token := c.Query("token")
	p, err := s.formPage(c, "Choose a new password")
	if err != nil {
		return err
	}
	valid := s.accounts.ResetTokenValid(c.UserContext(), token)
	status := fiber.StatusOK
	if !valid {
		status = fiber.StatusNotFound
	}
	return s.resetForm(p, token, valid).show(c, status, views.Form{})
}

// resetPassword sets the new password. Every session, refresh token, access token and API key of
// the account stops working; the person logs in again with the new password.
func (s *Server) resetPassword(c *fiber.Ctx) error {
	token := c.FormValue("token")
	p := s.page(c, "Choose a new password")
	if err := s.limiter.Allow(c.UserContext(), s.authRule, ratelimit.IPKey("reset", clientIPOf(c))); err != nil {
		return s.resetForm(p, token, true).refuse(c, err, nil)
	}
	_, err := s.accounts.ResetPassword(c.UserContext(), token, c.FormValue("password"), c.FormValue("password_confirm"))
	if err != nil {
		valid := s.accounts.ResetTokenValid(c.UserContext(), token)
		return s.resetForm(p, token, valid).refuse(c, err, nil)
	}
	s.flash(c, "success", "Your password has been changed and your API keys revoked. Log in with the new one.")
	return redirectAfterPost(c, urls.Path(urls.Login))
}
