package app

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/urls"
	"alpacawrapper/views"
)

func (s *Server) passwordForm(p views.Page) formView {
	return formView{
		page:     func(f views.Form) templ.Component { return views.ChangePasswordPage(p, f) },
		fragment: func(f views.Form) templ.Component { return views.ChangePasswordForm(p.CSRFToken, f) },
	}
}

// changePasswordPage shows the change-password form.
func (s *Server) changePasswordPage(c *fiber.Ctx) error {
	return s.passwordForm(s.page(c, "Password")).show(c, fiber.StatusOK, views.Form{})
}

// changePassword replaces the password. Every other session, all API tokens and all API keys end; this browser
// gets a fresh session id, since its privileges were just re-established.
func (s *Server) changePassword(c *fiber.Ctx) error {
	u, sess := currentUser(c), currentSession(c)
	err := s.accounts.ChangePassword(c.UserContext(), u.ID, c.FormValue("current_password"),
		c.FormValue("password"), c.FormValue("password_confirm"), sess.IDHash)
	if err != nil {
		return s.passwordForm(s.page(c, "Password")).refuse(c, err, nil)
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	s.flash(c, "success", "Your password has been changed. Other browsers have been signed out and your API keys revoked.")
	return redirectAfterPost(c, urls.Path(urls.SettingsPassword))
}
