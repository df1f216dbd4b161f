package app

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
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

	if !ready {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "checks": checks})
	}
	return c.JSON(fiber.Map{"status": "ready", "checks": checks})
}
