// Package config reads the application's whole configuration from the environment into one typed
// struct, applies the defaults of the chosen APP_ENV, and validates it before anything starts.
//
// The split mirrors the original system's settings modules (base, local, production, test): one set of
// variables, with defaults that differ per environment rather than separate files that drift apart.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Env names a deployment environment; it selects the defaults and the strictness of validation.
type Env string

// The environments APP_ENV accepts.
const (
	Development Env = "development"
	Test        Env = "test"
	Production  Env = "production"
)

// Role is one of the jobs a process can take on; `serve` runs all of them unless ROLES narrows it.
type Role string

// The roles a process can run.
const (
	RoleWeb    Role = "web"    // HTTP and WebSocket server
	RoleWorker Role = "worker" // River job workers (and the periodic schedule when elected leader)
	RoleFeed   Role = "feed"   // the market-data stream: ingestion, demand, live candles
)

// AllRoles lists every role, in start-up order.
func AllRoles() []Role { return []Role{RoleWeb, RoleWorker, RoleFeed} }

// MinSecretKeyLength is the shortest SECRET_KEY production accepts. 32 bytes of randomness is what
// HMAC-SHA256 (sessions, JWT) needs to be out of reach of brute force.
const MinSecretKeyLength = 32

// developmentSecretKey is used when SECRET_KEY is unset outside production, so a newcomer's
// `make run` works with no set-up. Production refuses it by name.
const developmentSecretKey = "insecure-development-key-do-not-use-in-production"

// Config is every setting of the application. Build it with Load; the zero value is not valid.
type Config struct {
	// Env is APP_ENV: development (the default), test or production.
	Env Env
	// Host and Port are where the web server listens (HOST, PORT).
	Host string
	Port int
	// BaseURL is the public address people use (BASE_URL); it is the allowed WebSocket origin and the
	// prefix of links in e-mails. Defaults to http://HOST:PORT.
	BaseURL string
	// DatabaseURL is the PostgreSQL connection string (DATABASE_URL). Empty in development and test
	// means "start the embedded cluster under DataDir".
	DatabaseURL string
	// DBMaxConns caps the connection pool (DB_MAX_CONNS).
	DBMaxConns int
	// DBConnectTimeout bounds the opening of one database connection (DB_CONNECT_TIMEOUT), so a
	// server that accepts but never answers cannot hold anything without end.
	DBConnectTimeout time.Duration
	// RequestTimeout is every HTTP request's deadline (REQUEST_TIMEOUT): the database work it does
	// is cancelled then, and the client gets 503 with Retry-After. Live streams are not bounded by it.
	RequestTimeout time.Duration
	// DataDir holds the embedded PostgreSQL cluster of development and tests (DATA_DIR); nothing
	// else is written to local disk (uploads live in PostgreSQL).
	DataDir string
	// PGBinDir is where the PostgreSQL server binaries for the embedded cluster are (PG_BIN_DIR).
	// Empty searches PATH and /usr/lib/postgresql/*/bin.
	PGBinDir string
	// SecretKey signs sessions and tokens (SECRET_KEY or SECRET_KEY_FILE).
	SecretKey string
	// LogLevel and LogFormat shape the structured log (LOG_LEVEL: debug, info, warn, error;
	// LOG_FORMAT: text or json).
	LogLevel  slog.Level
	LogFormat string
	// Roles are the parts `serve` runs in this process (ROLES, comma-separated: web, worker, feed).
	Roles []Role
	// ProcessName names this process in logs, the processes table and the feed lease
	// (PROCESS_NAME, e.g. a platform's dyno or container name); empty: host:pid.
	ProcessName string
	// StatusToken, when set, lets a monitor read GET /statusz with "Authorization: Bearer
	// <token>" (STATUS_TOKEN or STATUS_TOKEN_FILE); administrators read it signed in.
	StatusToken string
	// WorkerConcurrency is the number of River workers on the default queue (WORKER_CONCURRENCY).
	WorkerConcurrency int
	// MigrateOnStart applies pending migrations when `serve` starts (MIGRATE_ON_START). Production
	// defaults to false: migrations run once as the release step instead of in every instance.
	MigrateOnStart bool
	// ShutdownTimeout bounds the graceful drain of HTTP requests and running jobs (SHUTDOWN_TIMEOUT).
	ShutdownTimeout time.Duration
	// TrustedProxies are the addresses or CIDR ranges whose X-Forwarded-For is believed
	// (TRUSTED_PROXIES). Empty means the client IP is the socket peer.
	TrustedProxies []string
	// SessionIdle ends a browser session after this long without a request (SESSION_IDLE_TIMEOUT).
	SessionIdle time.Duration
	// SessionMaxAge ends a browser session this long after sign-in, used or not (SESSION_MAX_AGE).
	SessionMaxAge time.Duration
	// AuthRate limits attempts at login, sign-up, password reset and API tokens, per client IP and
	// per account (RATE_LIMIT_AUTH, e.g. "10/15m": ten attempts per fifteen minutes).
	AuthRate Rate
	// PublicRate limits requests per client IP to the public market-data API, counted in each
	// process's memory (RATE_LIMIT_PUBLIC, e.g. "600/1m"); the original's public read throttle.
	PublicRate Rate
	// BotAPIRate limits requests to the Alpaca-compatible API per API key (RATE_LIMIT_BOT_API),
	// Alpaca's 200 a minute by default.
	BotAPIRate Rate
	// LiveUpdatesPerSecond caps how often a browser connection gets a new value of one symbol
	// (LIVE_UPDATES_PER_SECOND): nobody reads faster, and batching keeps frames few.
	LiveUpdatesPerSecond int
	// History sizes the candle history kept for each symbol and bounds the backfills that load it.
	History History
	// Alpaca holds the market-data and trading API settings. With no key, the built-in simulated
	// market serves everything.
	Alpaca Alpaca
	// Sim tunes the simulated market.
	Sim Sim
	// SMTP is the outgoing mail server. Empty SMTP.Host means "write e-mail to the log", which only
	// development and test allow (messages carry single-use links that must not sit in logs).
	SMTP SMTP
	// OIDC are the OpenID Connect providers people may sign in with (OIDC_PROVIDERS and
	// OIDC_<ID>_*; config/oidc.go). None: no "Continue with …" buttons.
	OIDC []OIDCProvider
	// OIDCClockSkew is how far the provider's clock may be from ours when ID tokens' times are
	// checked (OIDC_CLOCK_SKEW, at most 5m).
	OIDCClockSkew time.Duration
	// Contact is how people reach this installation's operator, shown on the /contact page.
	Contact Contact
}

// Contact is how people reach the operator. Both empty: the contact page says no address was
// published, rather than invent one.
type Contact struct {
	// Email is the operator's address (CONTACT_EMAIL), shown as a mailto link.
	Email string
	// URL is a page where people can reach the operator, such as an issue tracker or a form
	// (CONTACT_URL, an absolute http(s) URL).
	URL string
}

// Alpaca configures the connection to Alpaca (or to anything that speaks its protocols, such as
// the in-repo fake server).
type Alpaca struct {
	KeyID     string // ALPACA_API_KEY_ID
	SecretKey string // ALPACA_API_SECRET_KEY or ALPACA_API_SECRET_KEY_FILE
	// TradingURL serves assets, clock and calendar (ALPACA_TRADING_URL).
	TradingURL string
	// DataURL serves historical and latest market data (ALPACA_DATA_URL).
	DataURL string
	// StreamURL is the stock stream's base, without the feed (ALPACA_STREAM_URL).
	StreamURL string
	// CryptoStreamURL is the crypto stream's base, without the location (ALPACA_CRYPTO_STREAM_URL).
	CryptoStreamURL string
	// Feed is the stock data feed: iex (free) or sip (ALPACA_FEED).
	Feed string
	// SymbolLimit caps the symbols streamed at once (ALPACA_SYMBOL_LIMIT; IEX free plan: 30).
	SymbolLimit int
}

// Enabled reports whether Alpaca should be used instead of the simulated market.
func (a Alpaca) Enabled() bool { return a.KeyID != "" }

// Sim configures the simulated market.
type Sim struct {
	// Seed makes the simulated prices reproducible (SIM_SEED).
	Seed int64
	// AlwaysOpen lets the simulated stock market trade around the clock, for demos (SIM_ALWAYS_OPEN).
	AlwaysOpen bool
	// TickInterval is how often each simulated symbol may move (SIM_TICK_INTERVAL).
	TickInterval time.Duration
}

// History sizes each symbol's candle history and bounds the backfills that load it.
type History struct {
	// Days is how far back minute bars are loaded (HISTORY_DAYS, 1–3650, default 365; 30 in
	// APP_ENV=test): every candle from 1m to 1D within it is built from minutes, like live ones.
	Days int
	// DailyYears is how many years of the provider's daily bars are loaded before the minutes
	// start (HISTORY_DAILY_YEARS, 0–50, default 20, 0 in APP_ENV=test; 0 loads none), so the 1D
	// chart reaches back further than minutes could affordably.
	DailyYears int
	// MaxPerPerson caps the on-demand backfills (a chart opened for a symbol not loaded yet) one
	// person, or one client IP for guests, may have queued or running at once
	// (BACKFILL_MAX_PER_PERSON, default 3).
	MaxPerPerson int
	// MaxTotal caps the backfills queued or running at once, whoever asked (BACKFILL_MAX_TOTAL,
	// default 20); an on-demand request beyond it is refused until one finishes.
	MaxTotal int
}

// Rate is a count of events allowed per window of time.
type Rate struct {
	Limit  int
	Window time.Duration
}

// SMTP configures outgoing mail.
type SMTP struct {
	Host     string // SMTP_HOST
	Port     int    // SMTP_PORT, default 587 (STARTTLS)
	Username string // SMTP_USERNAME
	Password string // SMTP_PASSWORD or SMTP_PASSWORD_FILE
	From     string // MAIL_FROM, e.g. "Alpaca Wrapper <no-reply@example.com>"
}

// Addr is the host:port the web server listens on.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, fmt.Sprint(c.Port)) }

// HasRole reports whether this process should run role r.
func (c Config) HasRole(r Role) bool {
	for _, have := range c.Roles {
		if have == r {
			return true
		}
	}
	return false
}

// UsesEmbeddedDatabase reports whether the app should start its own PostgreSQL cluster.
func (c Config) UsesEmbeddedDatabase() bool { return c.DatabaseURL == "" && c.Env != Production }

// IsProduction reports whether internals must be hidden and every safety check enforced.
func (c Config) IsProduction() bool { return c.Env == Production }

// LookupFunc reads one environment variable; os.LookupEnv is the real one, tests pass a map.
type LookupFunc func(name string) (string, bool)

// Load reads and validates the configuration. Its error lists every bad variable, one per line,
// each naming the variable and what it accepts, so a person can fix them all in one go.
func Load(lookup LookupFunc) (Config, error) {
	r := reader{lookup: lookup}
	var c Config

	c.Env = Env(r.enum("APP_ENV", string(Development), string(Development), string(Test), string(Production)))
	d := defaultsFor(c.Env)

	c.Host = r.str("HOST", "127.0.0.1")
	c.Port = r.integer("PORT", 8080, 1, 65535)
	c.BaseURL = strings.TrimRight(r.str("BASE_URL", "http://"+c.Addr()), "/")
	c.DatabaseURL = r.secret("DATABASE_URL", "")
	c.DBMaxConns = r.integer("DB_MAX_CONNS", 20, 2, 1000)
	c.DBConnectTimeout = r.duration("DB_CONNECT_TIMEOUT", 5*time.Second)
	c.RequestTimeout = r.duration("REQUEST_TIMEOUT", 15*time.Second)
	c.DataDir = r.str("DATA_DIR", ".data")
	c.PGBinDir = r.str("PG_BIN_DIR", "")
	c.SecretKey = r.secret("SECRET_KEY", d.secretKey)
	c.LogLevel = r.level("LOG_LEVEL", d.logLevel)
	c.LogFormat = r.enum("LOG_FORMAT", d.logFormat, "text", "json")
	c.Roles = r.roles("ROLES")
	c.ProcessName = r.str("PROCESS_NAME", "")
	c.StatusToken = r.secret("STATUS_TOKEN", "")
	c.WorkerConcurrency = r.integer("WORKER_CONCURRENCY", 10, 1, 1000)
	c.MigrateOnStart = r.boolean("MIGRATE_ON_START", d.migrateOnStart)
	c.ShutdownTimeout = r.duration("SHUTDOWN_TIMEOUT", 15*time.Second)
	c.TrustedProxies = r.list("TRUSTED_PROXIES")
	c.SessionIdle = r.duration("SESSION_IDLE_TIMEOUT", 72*time.Hour)
	c.SessionMaxAge = r.duration("SESSION_MAX_AGE", 30*24*time.Hour)
	c.AuthRate = r.rate("RATE_LIMIT_AUTH", Rate{Limit: 10, Window: 15 * time.Minute})
	c.PublicRate = r.rate("RATE_LIMIT_PUBLIC", Rate{Limit: 600, Window: time.Minute})
	c.BotAPIRate = r.rate("RATE_LIMIT_BOT_API", Rate{Limit: 200, Window: time.Minute})
	c.LiveUpdatesPerSecond = r.integer("LIVE_UPDATES_PER_SECOND", 4, 1, 50)
	c.History = History{
		Days:         r.integer("HISTORY_DAYS", d.historyDays, 1, 3650),
		DailyYears:   r.integer("HISTORY_DAILY_YEARS", d.historyDailyYears, 0, 50),
		MaxPerPerson: r.integer("BACKFILL_MAX_PER_PERSON", 3, 1, 1000),
		MaxTotal:     r.integer("BACKFILL_MAX_TOTAL", 20, 1, 100000),
	}
	c.Alpaca = Alpaca{
		KeyID:           r.str("ALPACA_API_KEY_ID", ""),
		SecretKey:       r.secret("ALPACA_API_SECRET_KEY", ""),
		TradingURL:      strings.TrimRight(r.str("ALPACA_TRADING_URL", "https://paper-api.alpaca.markets"), "/"),
		DataURL:         strings.TrimRight(r.str("ALPACA_DATA_URL", "https://data.alpaca.markets"), "/"),
		StreamURL:       strings.TrimRight(r.str("ALPACA_STREAM_URL", "https://stream.data.alpaca.markets/v2"), "/"),
		CryptoStreamURL: strings.TrimRight(r.str("ALPACA_CRYPTO_STREAM_URL", "https://stream.data.alpaca.markets/v1beta3/crypto"), "/"),
		Feed:            r.enum("ALPACA_FEED", "iex", "iex", "sip"),
		SymbolLimit:     r.integer("ALPACA_SYMBOL_LIMIT", 30, 1, 100000),
	}
	c.Sim = Sim{
		Seed:         int64(r.integer("SIM_SEED", 1, 0, 1<<31-1)),
		AlwaysOpen:   r.boolean("SIM_ALWAYS_OPEN", false),
		TickInterval: r.duration("SIM_TICK_INTERVAL", 250*time.Millisecond),
	}
	c.SMTP = SMTP{
		Host:     r.str("SMTP_HOST", ""),
		Port:     r.integer("SMTP_PORT", 587, 1, 65535),
		Username: r.str("SMTP_USERNAME", ""),
		Password: r.secret("SMTP_PASSWORD", ""),
		From:     r.str("MAIL_FROM", "Alpaca Wrapper <no-reply@localhost>"),
	}

	c.OIDC, c.OIDCClockSkew = r.oidc(c.Env)
	c.Contact = Contact{Email: r.str("CONTACT_EMAIL", ""), URL: r.str("CONTACT_URL", "")}

	r.check(c.validBaseURL())
	r.check(c.validDatabaseURL())
	r.check(c.validProxies())
	r.check(c.validMailFrom())
	r.check(c.validContact())
	r.check(c.validAlpaca())
	r.check(c.validStatusToken())
	r.check(c.validHistory())
	if c.Env == Production {
		r.check(c.productionReady())
	}
	return c, errors.Join(r.errs...)
}

// defaults are the settings that differ per environment.
type defaults struct {
	secretKey      string
	logLevel       slog.Level
	logFormat      string
	migrateOnStart bool
	// historyDays and historyDailyYears: a year of minutes and twenty years of days, except in
	// tests, where every app started would otherwise backfill years for each starter symbol (30 days
	// of minutes, as before HISTORY_DAYS existed).
	historyDays       int
	historyDailyYears int
}

func defaultsFor(env Env) defaults {
	switch env {
	case Production:
		return defaults{logLevel: slog.LevelInfo, logFormat: "json", historyDays: 365, historyDailyYears: 20}
	case Test:
		return defaults{secretKey: developmentSecretKey, logLevel: slog.LevelWarn, logFormat: "text", migrateOnStart: true,
			historyDays: 30, historyDailyYears: 0}
	default:
		return defaults{secretKey: developmentSecretKey, logLevel: slog.LevelDebug, logFormat: "text", migrateOnStart: true,
			historyDays: 365, historyDailyYears: 20}
	}
}

func (c Config) validBaseURL() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("BASE_URL=%q: must be an absolute http:// or https:// URL such as https://trade.example.com", c.BaseURL)
	}
	return nil
}

func (c Config) validDatabaseURL() error {
	if c.DatabaseURL == "" {
		return nil
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// Never echo the value: it usually holds a password.
		return errors.New("DATABASE_URL: must be a postgres:// or postgresql:// URL (value not shown)")
	}
	return nil
}

func (c Config) validProxies() error {
	for _, p := range c.TrustedProxies {
		if net.ParseIP(p) != nil {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil {
			return fmt.Errorf("TRUSTED_PROXIES: %q is neither an IP address nor a CIDR range such as 10.0.0.0/8", p)
		}
	}
	return nil
}

func (c Config) validAlpaca() error {
	a := c.Alpaca
	if (a.KeyID == "") != (a.SecretKey == "") {
		return errors.New("ALPACA_API_KEY_ID and ALPACA_API_SECRET_KEY: set both to use Alpaca, or neither for the simulated market")
	}
	for name, v := range map[string]string{"ALPACA_TRADING_URL": a.TradingURL, "ALPACA_DATA_URL": a.DataURL,
		"ALPACA_STREAM_URL": a.StreamURL, "ALPACA_CRYPTO_STREAM_URL": a.CryptoStreamURL} {
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ws" && u.Scheme != "wss") {
			return fmt.Errorf("%s=%q: must be an absolute http(s):// or ws(s):// URL", name, v)
		}
	}
	return nil
}

func (c Config) validMailFrom() error {
	if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
		return fmt.Errorf("MAIL_FROM=%q: must be an address such as \"Alpaca Wrapper <no-reply@example.com>\"", c.SMTP.From)
	}
	return nil
}

// validContact accepts a bare address (no display name: it becomes a mailto link) and an
// absolute http(s) URL, each optional.
func (c Config) validContact() error {
	var errs []error
	if e := c.Contact.Email; e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Name != "" || a.Address != e {
			errs = append(errs, fmt.Errorf("CONTACT_EMAIL=%q: must be a bare address such as ops@example.com", e))
		}
	}
	if v := c.Contact.URL; v != "" {
		if u, err := url.Parse(v); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			errs = append(errs, fmt.Errorf("CONTACT_URL=%q: must be an absolute http(s):// URL", v))
		}
	}
	return errors.Join(errs...)
}

// productionReady enforces what production must never run without.
func (c Config) productionReady() error {
	var errs []error
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_URL: required in production (the embedded database is for development and tests only)"))
	}
	if err := strongSecret(c.SecretKey); err != nil {
		errs = append(errs, err)
	}
	if c.SMTP.Host == "" {
		errs = append(errs, errors.New("SMTP_HOST: required in production (without it e-mail would only be logged)"))
	}
	return errors.Join(errs...)
}

// strongSecret rejects short, well-known or low-variety keys. It cannot measure entropy, but it
// catches the mistakes people make: the development key, "changeme", a repeated character.
func strongSecret(key string) error {
	const accepts = "must be at least 32 random characters, e.g. from `openssl rand -base64 48`"
	switch {
	case key == "":
		return fmt.Errorf("SECRET_KEY: required in production; %s", accepts)
	case key == developmentSecretKey:
		return fmt.Errorf("SECRET_KEY: the development key is not allowed in production; %s", accepts)
	case len(key) < MinSecretKeyLength:
		return fmt.Errorf("SECRET_KEY: too short (%d characters); %s", len(key), accepts)
	}
	distinct := map[rune]bool{}
	for _, r := range key {
		distinct[r] = true
	}
	if len(distinct) < 12 {
		return fmt.Errorf("SECRET_KEY: too little variety (%d distinct characters); %s", len(distinct), accepts)
	}
	return nil
}

// validHistory refuses a per-person bound the total bound would always pre-empt: the setting
// would say something the server cannot do.
func (c Config) validHistory() error {
	if h := c.History; h.MaxPerPerson > h.MaxTotal {
		return fmt.Errorf("BACKFILL_MAX_PER_PERSON=%d: must not exceed BACKFILL_MAX_TOTAL=%d", h.MaxPerPerson, h.MaxTotal)
	}
	return nil
}

// validStatusToken refuses a status token short enough to guess: it opens the deployment's
// status to whoever holds it.
func (c Config) validStatusToken() error {
	if c.StatusToken != "" && len(c.StatusToken) < 24 {
		return errors.New("STATUS_TOKEN: too short (use at least 24 random characters)")
	}
	return nil
}
