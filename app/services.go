package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"alpacawrapper/auth"
	"alpacawrapper/config"
	"alpacawrapper/database"
	"alpacawrapper/jobs"
	"alpacawrapper/market"
	"alpacawrapper/process"
	"alpacawrapper/ratelimit"
	"alpacawrapper/trading"
	"alpacawrapper/watchlist"
)

// Services are the domain services and the job queue, built once per process and shared by
// handlers and workers.
type Services struct {
	DB       *gorm.DB
	Pool     *pgxpool.Pool // the pool under DB, for its statistics
	River    *database.RiverClient
	Accounts *auth.Accounts
	Sessions *auth.Sessions
	Avatars  *auth.Avatars
	Limiter  *ratelimit.Limiter
	Tokens   *auth.Tokens
	APIKeys  *auth.APIKeys
	// Watchlists enqueue a candle backfill, in the same transaction, when an asset is added.
	Watchlists *watchlist.Service
	// Backfills load a symbol's history on request (a chart opened on it), within bounds.
	Backfills *jobs.Backfills
	// Refreshes start and cancel operators' data refreshes (the admin market page).
	Refreshes *jobs.Refreshes
	// Market is where market data comes from and goes to.
	Market *Market
	// Trading is the paper-trading engine.
	Trading *trading.Service
	// Feed is this process's part in the elected feed and the quote relay.
	Feed *FeedRole
	// OIDC signs people in with the configured OpenID Connect providers (none: no buttons).
	OIDC *auth.OIDC
}

// ServicesOptions let tests swap the clock and the password hasher's cost.
type ServicesOptions struct {
	Now    func() time.Time
	Hasher *auth.Hasher
	// Provider replaces the configured market-data provider (tests pass a simulated market with
	// a fixed clock, or an Alpaca provider pointed at the fake server).
	Provider market.Provider
}

// NewServices builds every service in dependency order: the stores first, then the River client
// whose workers use them, then the services that enqueue jobs through it. The River client can
// work jobs only when this process has the worker role; otherwise it only inserts them.
func NewServices(cfg config.Config, db *database.DB, log *slog.Logger, o ServicesOptions) (*Services, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Hasher == nil {
		o.Hasher = auth.NewHasher()
	}
	svc := &Services{
		DB:       db.Gorm,
		Pool:     db.Pool,
		Sessions: auth.NewSessions(auth.SessionsOptions{DB: db.Gorm, Idle: cfg.SessionIdle, MaxAge: cfg.SessionMaxAge, Now: o.Now}),
		Limiter:  ratelimit.NewWithClock(db.Gorm, o.Now),
		Tokens:   auth.NewTokens(auth.TokensOptions{DB: db.Gorm, Secret: []byte(cfg.SecretKey), Now: o.Now}),
		APIKeys:  auth.NewAPIKeys(db.Gorm, o.Now),
		OIDC: auth.NewOIDC(auth.OIDCOptions{Providers: oidcProviders(cfg), RedirectBase: cfg.BaseURL,
			Secret: []byte(cfg.SecretKey), ClockSkew: cfg.OIDCClockSkew, Now: o.Now, Logger: log}),
	}
	// Verified keys are remembered while the database's announcements of key changes are heard.
	svc.APIKeys.WatchKeyChanges(db.Pool, log)
	svc.Watchlists = watchlist.New(db.Gorm, func(ctx context.Context, tx *gorm.DB, assetID int64, symbol string) error {
		return jobs.EnqueueBackfill(ctx, tx, svc.River, assetID, symbol)
	})
	var err error
	if svc.Market, err = newMarket(cfg, db.Gorm, log, o.Provider, o.Now); err != nil {
		return nil, err
	}
	svc.Feed = newFeedRole(db.Pool, svc.Market.Hub, log, process.Name(cfg.ProcessName))
	if cfg.HasRole(config.RoleWeb) {
		// The feed badge and the market status report what feeds this process's hub.
		svc.Market.Provider = servedBy(svc.Market.Provider, svc.Feed)
	}
	svc.Trading = trading.New(trading.Options{
		DB: db.Gorm, Clock: svc.Market.Clock, Quotes: trading.NewQuotes(svc.Market.Trading, o.Now),
		Source: quoteSource(cfg), Now: o.Now, Logger: log,
		// The pool carries the news of committed trade events between processes (LISTEN/NOTIFY).
		Updates: trading.NewUpdates(trading.UpdatesOptions{DB: db.Gorm, Pool: db.Pool, Logger: log}),
	})
	svc.Avatars = auth.NewAvatars(auth.NewPGAvatarStore(db.Gorm))

	// River narrates every poll at debug level; keep its voice at info or above whatever the app's level.
	riverCfg := &river.Config{Logger: slog.New(minLevel{log.Handler(), max(cfg.LogLevel, slog.LevelInfo)})}
	if cfg.HasRole(config.RoleWorker) {
		riverCfg.Queues = jobs.Queues(cfg.WorkerConcurrency, int(db.Pool.Config().MaxConns))
		riverCfg.Workers = jobs.Workers(jobs.Deps{
			Logger: log, Mailer: newMailer(cfg, log), Sessions: svc.Sessions, Tokens: svc.Tokens, Limiter: svc.Limiter,
			DB: db.Gorm, Provider: svc.Market.Provider, Candles: svc.Market.Candles, Trading: svc.Trading,
			Watchlists: svc.Watchlists, Backfill: backfillOptions(cfg, o.Now),
		})
		riverCfg.PeriodicJobs = jobs.Periodic()
	}
	if svc.River, err = db.NewRiver(riverCfg); err != nil {
		return nil, err
	}

	svc.Refreshes = jobs.NewRefreshes(svc.River, svc.Market.Candles)
	svc.Backfills = jobs.NewBackfills(db.Gorm, svc.River, svc.Market.Candles, backfillOptions(cfg, o.Now),
		jobs.BackfillLimits{PerPerson: cfg.History.MaxPerPerson, Total: cfg.History.MaxTotal})

	svc.Accounts = auth.NewAccounts(auth.AccountsOptions{
		DB: db.Gorm, Hasher: o.Hasher, Outbox: jobs.NewMailOutbox(svc.River), BaseURL: cfg.BaseURL, Logger: log, Now: o.Now,
		// Everyone starts with a paper account, opened in the sign-up transaction.
		OnSignUp: []auth.SignUpHook{svc.Trading.OpenFirstAccount},
	})
	return svc, nil
}

// oidcProviders copies the configured providers into auth's type (auth does not import config).
func oidcProviders(cfg config.Config) []auth.OIDCProvider {
	out := make([]auth.OIDCProvider, 0, len(cfg.OIDC))
	for _, p := range cfg.OIDC {
		out = append(out, auth.OIDCProvider{ID: p.ID, Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret})
	}
	return out
}

// backfillOptions sizes the history from the configuration: HISTORY_DAYS of minutes and
// HISTORY_DAILY_YEARS of daily bars before them.
func backfillOptions(cfg config.Config, now func() time.Time) jobs.BackfillOptions {
	return jobs.BackfillOptions{
		Depth:      time.Duration(cfg.History.Days) * 24 * time.Hour,
		DailyDepth: time.Duration(cfg.History.DailyYears) * 365 * 24 * time.Hour,
		Now:        now,
	}
}

// quoteSource names the quote feed in fill receipts.
func quoteSource(cfg config.Config) string {
	if cfg.Alpaca.Enabled() {
		return "alpaca-" + cfg.Alpaca.Feed
	}
	return "simulated"
}
