package app

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/ratelimit"
	"alpacawrapper/views"
)

// verifyEmail consumes the link from the confirmation e-mail. It proves the person owns the
// address, so it also signs them in, with a fresh session.
func (s *Server) verifyEmail(c *fiber.Ctx) error {
	u, err := s.accounts.VerifyEmail(c.UserContext(), c.Query("token"))
	if apperr.IsKind(err, apperr.KindNotFound) {
		p, perr := s.formPage(c, "Link expired")
		if perr != nil {
			return perr
		}
		c.Status(fiber.StatusNotFound)
		return render(c, views.VerifyResultPage(p, false))
	}
	if err != nil {
		return err
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	return render(c, views.VerifyResultPage(s.page(c, "Address confirmed"), true))
}

// resendVerification mails a new confirmation link to an address typed by a guest, answering the
// same whether or not the address has an account.
func (s *Server) resendVerification(c *fiber.Ctx) error {
	email := c.FormValue("email")
	if err := s.limiter.Allow(c.UserContext(), s.authRule, ratelimit.IPKey("verify", clientIPOf(c)),
		ratelimit.AccountKey("verify", email)); err != nil {
		return err
	}
	if err := s.accounts.ResendVerification(c.UserContext(), email); err != nil {
		return err
	}
	return redirectAfterPost(c, "/signup/done?email="+url.QueryEscape(email))
}

// resendMyVerification mails a new confirmation link to the signed-in user.
func (s *Server) resendMyVerification(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := s.limiter.Allow(c.UserContext(), s.authRule, ratelimit.AccountKey("verify", u.Email)); err != nil {
		return err
	}
	if err := s.accounts.ResendVerificationFor(c.UserContext(), u.ID); err != nil {
		return err
	}
	s.flash(c, "success", "We sent a new confirmation link to "+u.Email+".")
	return redirectAfterPost(c, "/settings/profile")
}
