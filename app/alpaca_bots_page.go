package app

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/views"
)

// botsPage is GET /bots, "Use your bot": set-up for the official SDKs with this server's
// addresses, what is supported and what differs from Alpaca, and the rate limits. Open to guests,
// like the landing page.
func (s *Server) botsPage(c *fiber.Ctx) error {
	base := strings.TrimRight(s.cfg.BaseURL, "/")
	stream := "ws" + strings.TrimPrefix(base, "http") // http→ws, https→wss
	v := views.BotsView{
		BaseURL: base, StreamURL: stream, RateLimit: s.cfg.BotAPIRate.Limit, RateWindow: windowWords(s.cfg.BotAPIRate.Window),
		Simulated: !s.cfg.Alpaca.Enabled(), DataStreams: alpacaStreamsPerKey,
	}
	if u := currentUser(c); u != nil {
		v.SignedIn = true
		keys, err := s.apiKeys.List(c.UserContext(), u.ID)
		if err != nil {
			return err
		}
		v.HasAPIKeys = len(keys) > 0
	}
	return render(c, views.BotsPage(s.page(c, "Use your bot"), v))
}

// windowWords names a rate window as people say it.
func windowWords(d time.Duration) string {
	switch d {
	case time.Second:
		return "second"
	case time.Minute:
		return "minute"
	case time.Hour:
		return "hour"
	}
	return d.String()
}
