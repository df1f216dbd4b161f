package app

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/config"
)

// healthz says the process is alive. It touches nothing else, so an orchestrator restarts the
// process only when the process itself is stuck, not when the database is.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz says whether this instance can serve traffic: the database answers and every migration,
// the application's and River's, is applied. A load balancer should route only to ready instances.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()

	checks := fiber.Map{"database": "ok", "migrations": "ok"}
	ready := true
	if err := s.ready.Ping(ctx); err != nil {
		checks["database"], checks["migrations"] = "unreachable", "unknown"
		ready = false
	} else if st, err := s.ready.Status(ctx); err != nil {
		checks["migrations"] = "unknown"
		ready = false
	} else if st.Pending() {
		checks["migrations"] = "pending"
		ready = false
	}

	out := fiber.Map{"status": "ready", "checks": checks}
	if feed := s.feedHealth(); feed != nil {
		out["feed"] = feed
	}
	if !ready {
		out["status"] = "unavailable"
		return c.Status(fiber.StatusServiceUnavailable).JSON(out)
	}
	return c.JSON(out)
}

// feedHealth reports the market-data feed of a process that runs it: "ok", "connecting",
// "stale" (connected, silent past the feed's silence timeout) or "down", with the feed's last
// error. It is reported, not counted against readiness: the pages serve without the feed (with
// the last known prices), and taking every instance out of a load balancer because Alpaca
// refused the keys would turn a degraded site into no site.
func (s *Server) feedHealth() fiber.Map {
	if s.market == nil || !s.cfg.HasRole(config.RoleFeed) {
		return nil
	}
	st := s.market.Provider.Stream().Status()
	v := feedStatusView(s.market.Provider.Name(), st, time.Now())
	state := "ok"
	switch {
	case !st.Connected && st.LastError == "" && st.LastMessageAt.IsZero():
		state = "connecting"
	case !st.Connected:
		state = "down"
	case !v.Healthy:
		state = "stale"
	}
	out := fiber.Map{"status": state, "provider": s.market.Provider.Name(), "detail": v.Detail}
	if st.LastError != "" {
		out["last_error"] = st.LastError
	}
	return out
}
