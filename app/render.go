package app

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/views"
)

// render writes a templ component as the HTML response. It renders with the request's user context
// so that values middleware stored there reach the components.
func render(c *fiber.Ctx, component templ.Component) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return component.Render(c.UserContext(), c.Response().BodyWriter())
}

// page builds the per-request data every full page needs.
func (s *Server) page(c *fiber.Ctx, title string) views.Page {
	return views.Page{
		Title:   title,
		Path:    c.Path(),
		Version: s.version,
	}
}
