package app

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/database"
	"alpacawrapper/views"
)

// internalErrorDetail replaces the text of an internal error in production: it is written for the
// person, and the request id lets an operator find the real error in the log.
const internalErrorDetail = "Something went wrong on our side. It has been logged; please try again in a moment."

// unavailableDetail answers a request the database could not serve in time, in every environment:
// the cause (which names hosts, ports and users) goes to the log only.
const unavailableDetail = "The service cannot reach its database right now. Please try again in a moment."

// unavailableRetryAfter is how long, in seconds, a client is asked to wait after a 503.
const unavailableRetryAfter = 5

// errorRenderBudget bounds what rendering an error page may still wait for (the flashes it pops),
// since the request's own deadline may already have passed.
const errorRenderBudget = 2 * time.Second

// localDatabaseDown marks a request whose error was the database's, so the error page does not ask
// the database again (page skips the flashes).
const localDatabaseDown = "database_down"

// requestKind is what shape an answer must take for the client that asked.
type requestKind int

const (
	kindPage requestKind = iota // a browser navigating: a full HTML page
	kindHTMX                    // an htmx request: a fragment it can swap in
	kindJSON                    // an API client: problem+json
)

func kindOf(c *fiber.Ctx) requestKind {
	switch {
	case len(c.Request().Header.RawHeaders()) == 0:
		// fasthttp refused the request before parsing it (431 headers too large, 413 chunked body
		// too large, 408, malformed): its path and Accept are unknown, so the answer is the
		// problem JSON every API client understands and a browser still shows as text.
		return kindJSON
	case isHTMX(c):
		return kindHTMX
	case strings.HasPrefix(c.Path(), "/api/"):
		return kindJSON
	case strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON) &&
		!strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMETextHTML):
		return kindJSON
	}
	return kindPage
}

// errorHandler is the one place where errors become responses. Handlers return errors; this logs
// the internal ones with the request id and answers in the form the client expects, never
// showing internals in production.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	// The request's deadline may be why we are here; answering still needs a (short) context.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), errorRenderBudget)
	defer cancel()
	c.SetUserContext(ctx)

	if database.Unavailable(err) {
		s.log.WarnContext(ctx, "database unavailable",
			slog.String("request_id", requestID(c)), slog.String("method", c.Method()),
			slog.String("path", c.Path()), slog.Any("error", err))
		c.Locals(localDatabaseDown, true)
		err = apperr.Unavailable("unavailable", unavailableDetail, unavailableRetryAfter)
	}
	p, internal := describe(err)
	p.RequestID = requestID(c)

	if internal {
		s.log.ErrorContext(c.UserContext(), "request failed",
			slog.String("request_id", p.RequestID), slog.String("method", c.Method()),
			slog.String("path", c.Path()), slog.Int("status", p.Status), slog.Any("error", err))
		s.serverErrors.add(c, p.Status, err) // for the System page
		if s.cfg.IsProduction() {
			p.Detail = internalErrorDetail
		}
	}

	if rej, ok := apperr.As(err); ok && rej.RetryAfterSeconds > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(rej.RetryAfterSeconds))
	}
	if p.Status == fiber.StatusUnauthorized && kindOf(c) == kindJSON {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="alpacawrapper"`)
	}
	c.Status(p.Status)
	switch kindOf(c) {
	case kindJSON:
		c.Set(fiber.HeaderContentType, "application/problem+json")
		return c.JSON(p, "application/problem+json")
	case kindHTMX:
		// Whatever element asked, the message belongs in the flash region, not in its place.
		htmxResponse{Retarget: "#flashes", Reswap: "afterbegin"}.apply(c)
		return render(c, views.ErrorFragment(errorView(p)))
	default:
		return render(c, views.ErrorPage(s.page(c, p.Title), errorView(p)))
	}
}

func errorView(p Problem) views.ErrorView {
	return views.ErrorView{Status: p.Status, Title: p.Title, Detail: p.Detail, RequestID: p.RequestID}
}
