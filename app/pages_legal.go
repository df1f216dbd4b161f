package app

import (
	"fmt"
	"time"

	"alpacawrapper/views"

	"github.com/gofiber/fiber/v2"
)

// privacyPage is GET /privacy: what this installation stores, quoting its own session limits.
func (s *Server) privacyPage(c *fiber.Ctx) error {
	f := views.PrivacyFacts{
		SessionIdle:        spanWords(s.cfg.SessionIdle),
		SessionMaxAge:      spanWords(s.cfg.SessionMaxAge),
		SignInWithProvider: len(s.cfg.OIDC) > 0,
	}
	return render(c, views.PrivacyPage(s.page(c, "Privacy"), f))
}

// contactPage is GET /contact: the operator's address and page, as configured (CONTACT_EMAIL,
// CONTACT_URL).
func (s *Server) contactPage(c *fiber.Ctx) error {
	info := views.ContactInfo{Email: s.cfg.Contact.Email, URL: s.cfg.Contact.URL}
	return render(c, views.ContactPage(s.page(c, "Contact"), info))
}

// spanWords says a configured span as people do: "30 days", "72 hours", "90 minutes", in the
// largest unit that divides it exactly.
func spanWords(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int64(d/time.Minute), "minute")
	}
	return d.String()
}
