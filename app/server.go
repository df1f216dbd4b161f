package app

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"

	"alpacawrapper/config"
	"alpacawrapper/database"
)

// ReadinessChecker answers whether the database is reachable and fully migrated.
type ReadinessChecker interface {
	Ping(ctx context.Context) error
	Status(ctx context.Context) (database.Status, error)
}

// Server is the HTTP side of the application: the Fiber app with its middleware, routes and the
// dependencies its handlers use. Build it with NewServer; it holds no package-level state.
type Server struct {
	cfg     config.Config
	log     *slog.Logger
	version string
	ready   ReadinessChecker
	fiber   *fiber.App
}

// ServerDeps are what the HTTP server needs from the rest of the application.
type ServerDeps struct {
	Config  config.Config
	Logger  *slog.Logger
	Version string
	Ready   ReadinessChecker
}

// NewServer builds the Fiber app, its middleware chain and every route.
func NewServer(deps ServerDeps) *Server {
	s := newBareServer(deps)
	s.routes()
	return s
}

// newBareServer is the server with its middleware but no routes, so tests can mount their own.
func newBareServer(deps ServerDeps) *Server {
	s := &Server{cfg: deps.Config, log: deps.Logger, version: deps.Version, ready: deps.Ready}
	fcfg := fiber.Config{
		AppName:               "Alpaca Wrapper",
		DisableStartupMessage: true,
		ErrorHandler:          s.errorHandler,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		BodyLimit:             4 << 20,
	}
	if len(s.cfg.TrustedProxies) > 0 {
		// Only a configured proxy may tell us the client's address; anyone else could forge it.
		fcfg.EnableTrustedProxyCheck = true
		fcfg.TrustedProxies = s.cfg.TrustedProxies
		fcfg.ProxyHeader = fiber.HeaderXForwardedFor
		fcfg.EnableIPValidation = true
	}
	s.fiber = fiber.New(fcfg)
	s.fiber.Use(withRequestID, s.accessLog, s.recoverPanics, securityHeaders(), compress.New())
	return s
}

// Handler exposes the Fiber app, for tests (app.Test) and for serving on a listener.
func (s *Server) Handler() *fiber.App { return s.fiber }

// Serve accepts connections on ln until Shutdown is called.
func (s *Server) Serve(ln net.Listener) error { return s.fiber.Listener(ln) }

// Shutdown stops accepting connections and waits for in-flight requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.fiber.ShutdownWithContext(ctx) }
