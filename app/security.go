package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
)

// contentSecurityPolicy allows only this origin's own files: no inline scripts or styles, no third
// parties. htmx's injected indicator style is switched off in the layout's htmx-config for this
// reason. 'self' in connect-src also covers same-origin WebSockets in current browsers.
// formActions are other origins forms may lead to: the "Continue with …" forms' answer redirects to
// the OpenID Connect provider, and browsers hold a form's redirects to form-action too.
func contentSecurityPolicy(formActions ...string) string {
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"font-src 'self'",
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		strings.Join(append([]string{"form-action 'self'"}, formActions...), " "),
		"frame-ancestors 'none'",
	}, "; ")
}

// securityHeaders sets the headers every response carries; formActions as contentSecurityPolicy.
func securityHeaders(formActions ...string) fiber.Handler {
	return helmet.New(helmet.Config{
		ContentSecurityPolicy: contentSecurityPolicy(formActions...),
		// same-origin, not helmet's default no-referrer: the app reads its own Referer to send a
		// user back where they were (switchTarget after an account switch, requireUser's login
		// return after a post), while other sites still receive none. The CSRF check (csrfProtect)
		// relies on the synchronizer token and the Origin header, not on the Referer.
		ReferrerPolicy:   "same-origin",
		HSTSMaxAge:       63072000, // two years; helmet sends it only over HTTPS
		PermissionPolicy: "camera=(), microphone=(), geolocation=(), payment=()",
	})
}
