package app

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
)

// Writing responses: HTML from templ components and the redirect that ends a successful form
// (miniflux's http/response is the model). The htmx response headers are set in htmx.go; errors
// are answered by the central error handler (errors.go).

// redirectAfterPost sends the browser to target after a successful form: 303 for a plain post,
// HX-Redirect for htmx (a full navigation, not a swap).
func redirectAfterPost(c *fiber.Ctx, target string) error {
	if isHTMX(c) {
		htmxResponse{Redirect: target}.apply(c)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// render writes a templ component as the HTML response. It renders with the request's user context
// so that values middleware stored there reach the components.
func render(c *fiber.Ctx, component templ.Component) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return component.Render(c.UserContext(), c.Response().BodyWriter())
}
