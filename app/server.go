package app

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/auth"
	"alpacawrapper/config"
	"alpacawrapper/database"
	"alpacawrapper/jobs"
	"alpacawrapper/process"
	"alpacawrapper/ratelimit"
	"alpacawrapper/trading"
	"alpacawrapper/watchlist"
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

	db             *gorm.DB
	accounts       *auth.Accounts
	sessions       *auth.Sessions
	avatars        *auth.Avatars
	limiter        *ratelimit.Limiter
	tokens         *auth.Tokens
	apiKeys        *auth.APIKeys
	watchlists     *watchlist.Service
	backfills      *jobs.Backfills // a symbol's history loaded on request (app/api_chart_history.go)
	refreshes      *jobs.Refreshes // operators' data refreshes (app/admin_market*.go)
	market         *Market
	trading        *trading.Service
	live           *liveState  // the live WebSocket endpoints' shared state (app/ws_quotes.go)
	pages          *pageCaches // public page data kept briefly (app/pagecache.go)
	alpacaData     *alpacaData // the Alpaca-compatible market-data API's state (app/alpaca_data.go)
	river          *database.RiverClient
	authRule       ratelimit.Rule         // attempts allowed at login, sign-up, reset and tokens
	loginGuard     *ratelimit.LoginGuard  // failed logins: slowed per account and client (auth_login.go)
	publicRule     ratelimit.Rule         // requests per client IP to the public market-data API (api_market.go)
	publicLimiter  *ratelimit.Memory      // counts publicRule in memory
	botRule        ratelimit.Rule         // requests per API key to the Alpaca-compatible API (alpaca_auth.go)
	botLimiter     *ratelimit.Memory      // counts botRule in memory
	eventFrames    *alpacaapi.EventFrames // trade events' SSE frames, encoded once for every stream
	feedHolder     process.FeedSource     // who holds the elected feed, for the status (app/status.go)
	riverUI        *riverUI               // River's job dashboard, built on first use (app/admin_jobs.go)
	pool           *pgxpool.Pool          // the database pool, for its statistics (app/admin_system.go)
	feedRole       *FeedRole              // this process's part in the feed, for the System page
	serverErrors   *serverErrors          // the last requests answered with a server error (app/admin_system_errors.go)
	trustedProxies []*net.IPNet
	apiDoc         apiDocBytes // the JSON API's OpenAPI document (app/api_v1_docs.go)
	oidc           *auth.OIDC  // sign-in with OpenID Connect providers (app/auth_oidc*.go)
}

// ServerDeps are what the HTTP server needs from the rest of the application.
type ServerDeps struct {
	Config   config.Config
	Logger   *slog.Logger
	Version  string
	Ready    ReadinessChecker
	Services *Services
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
	if svc := deps.Services; svc != nil {
		s.db, s.accounts, s.sessions, s.avatars = svc.DB, svc.Accounts, svc.Sessions, svc.Avatars
		s.limiter, s.tokens, s.apiKeys = svc.Limiter, svc.Tokens, svc.APIKeys
		s.watchlists, s.market, s.river, s.trading = svc.Watchlists, svc.Market, svc.River, svc.Trading
		s.oidc = svc.OIDC
		s.pool, s.feedRole = svc.Pool, svc.Feed
		s.backfills, s.refreshes = svc.Backfills, svc.Refreshes
	}
	s.live = newLiveState(s)
	s.pages = newPageCaches()
	s.alpacaData = newAlpacaData(s)
	s.authRule = ratelimit.Rule{Limit: s.cfg.AuthRate.Limit, Window: s.cfg.AuthRate.Window}
	if s.limiter != nil {
		s.loginGuard = ratelimit.NewLoginGuard(s.limiter, s.authRule, []byte(s.cfg.SecretKey))
	}
	s.publicRule = ratelimit.Rule{Limit: s.cfg.PublicRate.Limit, Window: s.cfg.PublicRate.Window}
	s.publicLimiter = ratelimit.NewMemory(nil, 0)
	s.botRule = ratelimit.Rule{Limit: s.cfg.BotAPIRate.Limit, Window: s.cfg.BotAPIRate.Window}
	s.botLimiter = ratelimit.NewMemory(nil, 0)
	s.eventFrames = alpacaapi.NewEventFrames(4096)
	s.feedHolder = feedHolderOf(deps.Services)
	s.riverUI = &riverUI{}
	s.serverErrors = newServerErrors(serverErrorsKept)
	// config.Load has validated every entry, so parsing cannot fail here.
	s.trustedProxies, _ = parseTrustedProxies(s.cfg.TrustedProxies)
	fcfg := fiber.Config{
		AppName:               "Alpaca Wrapper",
		DisableStartupMessage: true,
		ErrorHandler:          s.errorHandler,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		BodyLimit:             4 << 20,
		// A page is 20–80 KB before compression; fasthttp's default 4 KB buffer writes it in up to
		// twenty system calls, which is most of a guest page's cost. The buffer is pooled, not
		// kept per idle connection.
		WriteBufferSize: 64 << 10,
	}
	// c.IP() stays the socket peer; clientIPOf (app/clientip.go) is the one place that believes a
	// trusted proxy's X-Forwarded-For, reading it from the right so a client cannot forge it.
	s.fiber = fiber.New(fcfg)
	s.fiber.Use(withRequestID, withClientIP(s.trustedProxies), s.accessLog, s.recoverPanics,
		withDeadline(s.cfg.RequestTimeout), securityHeaders(s.cfg.OIDCOrigins()...), checkText, compressResponses())
	return s
}

// Handler exposes the Fiber app, for tests (app.Test) and for serving on a listener.
func (s *Server) Handler() *fiber.App { return s.fiber }

// Serve accepts connections on ln until Shutdown is called.
func (s *Server) Serve(ln net.Listener) error { return s.fiber.Listener(ln) }

// Shutdown stops accepting connections and waits for in-flight requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	defer s.riverUI.close()
	return s.fiber.ShutdownWithContext(ctx)
}
