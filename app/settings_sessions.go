package app

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/auth"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// sessionsPage lists the browsers signed in to the user's own account.
func (s *Server) sessionsPage(c *fiber.Ctx) error {
	u, current := currentUser(c), currentSession(c)
	list, err := s.sessions.List(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	rows := make([]views.SessionRow, 0, len(list))
	for i := range list {
		rows = append(rows, views.SessionRow{
			ID: auth.Handle(&list[i]), UserAgent: list[i].UserAgent, IP: list[i].IP,
			CreatedAt: list[i].CreatedAt, LastSeen: list[i].LastSeenAt,
			Current: bytes.Equal(list[i].IDHash, current.IDHash),
		})
	}
	return render(c, views.SessionsPage(s.page(c, "Sessions"), rows))
}

// revokeSession signs out one of the user's own sessions; another user's is "not found".
func (s *Server) revokeSession(c *fiber.Ctx) error {
	if err := s.sessions.EndByHandle(c.UserContext(), currentUser(c).ID, c.Params("id")); err != nil {
		return err
	}
	s.flash(c, "success", "That browser has been signed out.")
	return redirectAfterPost(c, urls.Path(urls.SettingsSessions))
}

// revokeOtherSessions signs out every browser but this one.
func (s *Server) revokeOtherSessions(c *fiber.Ctx) error {
	n, err := s.sessions.EndOthers(c.UserContext(), currentUser(c).ID, currentSession(c))
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Signed out of %d other browser(s).", n))
	return redirectAfterPost(c, urls.Path(urls.SettingsSessions))
}
