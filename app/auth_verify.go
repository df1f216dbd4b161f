package app

import (
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/ratelimit"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// verifyPage is GET /verify?token=…, the link of the confirmation e-mail. Opening it confirms the
// address (it proves the mail arrived) but signs no one in: a mail scanner's prefetch would spend
// the sign-in, and a link an attacker sent would sign the person into the attacker's account
// (login CSRF). It shows a button that POSTs the token instead, naming the account.
func (s *Server) verifyPage(c *fiber.Ctx) error {
	token := c.Query("token")
	u, err := s.accounts.ConfirmEmail(c.UserContext(), token)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return s.verifyFailed(c)
	}
	if err != nil {
		return err
	}
	if me := currentUser(c); me != nil && me.ID == u.ID {
		return render(c, views.VerifyResultPage(s.page(c, "Address confirmed"), true))
	}
	p, err := s.formPage(c, "Address confirmed")
	if err != nil {
		return err
	}
	return render(c, views.VerifyConfirmPage(p, u.Email, token))
}

// verifyEmail is the POST of the page verifyPage shows (with the CSRF token): it spends the link
// and signs its account in, with a fresh session.
func (s *Server) verifyEmail(c *fiber.Ctx) error {
	u, err := s.accounts.VerifyEmail(c.UserContext(), c.FormValue("token"))
	if apperr.IsKind(err, apperr.KindNotFound) {
		return s.verifyFailed(c)
	}
	if err != nil {
		return err
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	return render(c, views.VerifyResultPage(s.page(c, "Address confirmed"), true))
}

// verifyFailed says the link is spent or expired and offers a new one.
func (s *Server) verifyFailed(c *fiber.Ctx) error {
	p, err := s.formPage(c, "Link expired")
	if err != nil {
		return err
	}
	c.Status(fiber.StatusNotFound)
	return render(c, views.VerifyResultPage(p, false))
}

// resendVerification mails a new confirmation link to an address typed by a guest, answering the
// same whether or not the address has an account.
func (s *Server) resendVerification(c *fiber.Ctx) error {
	email := c.FormValue("email")
	if err := s.limiter.Allow(c.UserContext(), s.authRule, ratelimit.IPKey("verify", clientIPOf(c)),
		ratelimit.AccountKey([]byte(s.cfg.SecretKey), "verify", email)); err != nil {
		return err
	}
	if err := s.accounts.ResendVerification(c.UserContext(), email); err != nil {
		return err
	}
	s.flash(c, flashSignupEmail, email)
	return redirectAfterPost(c, urls.Path(urls.SignupDone))
}

// resendMyVerification mails a new confirmation link to the signed-in user.
func (s *Server) resendMyVerification(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := s.limiter.Allow(c.UserContext(), s.authRule, ratelimit.AccountKey([]byte(s.cfg.SecretKey), "verify", u.Email)); err != nil {
		return err
	}
	if err := s.accounts.ResendVerificationFor(c.UserContext(), u.ID); err != nil {
		return err
	}
	s.flash(c, "success", "We sent a new confirmation link to "+u.Email+".")
	return redirectAfterPost(c, urls.Path(urls.SettingsProfile))
}
