package app

import (
	"context"
	"fmt"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"riverqueue.com/riverui"

	"alpacawrapper/urls"
)

// River's own job dashboard (riverqueue.com/riverui) at /admin/jobs: its React app and its JSON
// API (/admin/jobs/api/...), both behind the admin guard that routes.go puts on every /admin path.
//
// Two of the app's browser rules cannot apply to it unchanged, and are replaced for this path only:
//
//   - CSRF. River's app sends its writes (retry, cancel, delete jobs) with fetch and a JSON body and
//     knows nothing of our token. jobsCSRF instead requires every state-changing request to carry
//     an Origin header naming this site (a browser always sends one on a fetch POST, and a page of
//     another site cannot forge it) and a JSON body (which another site cannot send without a CORS
//     preflight this app never grants). The session cookie is SameSite=Lax as well.
//   - CSP. The page needs nothing beyond the app's policy except inline styles, which River's
//     bundle applies (under the strict policy Chromium reports "Applying inline style violates
//     ... style-src 'self'" from its main-*.js, and TestBrowserJobDashboard fails):
//     jobsContentSecurityPolicy adds 'unsafe-inline' to style-src, on /admin/jobs responses only.
//     Scripts stay 'self' (River's bundle is embedded in the binary and served from this origin;
//     its config is a JSON <script>, which is not executed), and so does everything else.

// jobsContentSecurityPolicy is contentSecurityPolicy with inline styles allowed (see above).
const jobsContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
	"form-action 'self'; frame-ancestors 'none'"

// riverUI is the dashboard, built on first use: most processes never serve it, and its background
// services (counts it caches) need not run until someone opens it.
type riverUI struct {
	once    sync.Once
	handler fiber.Handler
	err     error
	stop    context.CancelFunc
}

// jobsDashboard serves River's UI and API.
func (s *Server) jobsDashboard(c *fiber.Ctx) error {
	h, err := s.riverUIHandler()
	if err != nil {
		return err
	}
	if err := h(c); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentSecurityPolicy, jobsContentSecurityPolicy)
	// Job arguments and errors may hold personal data: nothing here belongs in a shared cache.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return nil
}

// riverUIHandler builds and starts River's handler once. Its services stop with the server.
func (s *Server) riverUIHandler() (fiber.Handler, error) {
	u := s.riverUI
	u.once.Do(func() {
		if s.river == nil {
			u.err = fmt.Errorf("app: the job dashboard needs the job queue")
			return
		}
		h, err := riverui.NewHandler(&riverui.HandlerOpts{
			Endpoints: riverui.NewEndpoints(s.river, nil),
			Logger:    s.log,
			Prefix:    urls.Path(urls.AdminJobs),
			// Arguments may hold e-mail addresses (the mail jobs): shown on request, not by default.
			JobListHideArgsByDefault: true,
		})
		if err != nil {
			u.err = fmt.Errorf("app: job dashboard: %w", err)
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		if err := h.Start(ctx); err != nil {
			cancel()
			u.err = fmt.Errorf("app: start the job dashboard: %w", err)
			return
		}
		u.stop = cancel
		u.handler = adaptor.HTTPHandler(h)
	})
	return u.handler, u.err
}

// close stops the dashboard's background services, if they were started.
func (u *riverUI) close() {
	u.once.Do(func() {}) // nothing may start it after this
	if u.stop != nil {
		u.stop()
	}
}

// jobsCSRF is the dashboard's CSRF rule (see the top of this file): a write must come from this
// site's own page, as a JSON request.
func (s *Server) jobsCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" || !s.sameOrigin(c, origin) {
		return csrfRefused()
	}
	if !c.Is("json") {
		return csrfRefused()
	}
	return c.Next()
}
