// Package database owns the connection to PostgreSQL: one pgx pool, GORM and River opened on that
// same pool, the embedded migrations, and the private cluster used in development and tests.
//
// Everything shares one pool so that a GORM transaction and a River InsertTx can commit together
// (see SQLTx), and so that the process has one place that bounds its connections.
package database

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Options configure Open. Zero values take the documented defaults.
type Options struct {
	// URL is the PostgreSQL connection string. Required.
	URL string
	// MaxConns caps the shared pool. Default 20.
	MaxConns int
	// Logger receives slow-query warnings and errors from GORM. Default slog.Default().
	Logger *slog.Logger
	// SlowQuery is the duration over which GORM logs a query as slow. Default 200ms.
	SlowQuery time.Duration
	// ConnectTimeout bounds the opening of one connection (TCP, TLS and PostgreSQL's start-up
	// exchange), so a server that accepts but never answers cannot hold a request or a worker
	// without end. Default 5s; a connect_timeout in URL takes precedence.
	ConnectTimeout time.Duration
}

// DB is the process's handle on PostgreSQL. Its three views (pgx, database/sql, GORM) share one
// pool of connections.
type DB struct {
	// Pool is the pgx pool every other handle is built on.
	Pool *pgxpool.Pool
	// SQL is a database/sql view of Pool; River's driver and goose use it.
	SQL *sql.DB
	// Gorm is the ORM for models and queries.
	Gorm *gorm.DB

	// listenerPool holds the dedicated connection River hijacks for LISTEN/NOTIFY; it must not
	// count against, or wait behind, the query pool.
	listenerPool *pgxpool.Pool
}

// Open connects to PostgreSQL and verifies the connection with a ping, so a wrong URL or a server
// that is down is reported at start-up rather than on the first request.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.MaxConns == 0 {
		opts.MaxConns = 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.SlowQuery == 0 {
		opts.SlowQuery = 200 * time.Millisecond
	}
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = 5 * time.Second
	}

	poolCfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		// pgx errors quote the connection string, password included: say only what is wrong.
		return nil, fmt.Errorf("database: DATABASE_URL cannot be parsed as a PostgreSQL connection string")
	}
	poolCfg.MaxConns = int32(opts.MaxConns)
	if poolCfg.ConnConfig.ConnectTimeout == 0 {
		poolCfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, fmt.Errorf("database: open pool: %w", err)
	}

	listenCfg := poolCfg.Copy()
	listenCfg.MinConns, listenCfg.MaxConns = 0, 1
	listenerPool, err := pgxpool.NewWithConfig(ctx, listenCfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: open listener pool: %w", err)
	}

	db := &DB{Pool: pool, SQL: stdlib.OpenDBFromPool(pool), listenerPool: listenerPool}
	// Ping before GORM, which would otherwise log its own multi-line complaint about the same thing.
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		db.Close()
		return nil, err
	}
	db.Gorm, err = gorm.Open(postgres.New(postgres.Config{Conn: db.SQL}), &gorm.Config{
		TranslateError: true,
		NowFunc:        func() time.Time { return time.Now().UTC() },
		Logger: logger.NewSlogLogger(opts.Logger, logger.Config{
			SlowThreshold:             opts.SlowQuery,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true, // never write bound values (passwords, tokens) to the log
		}),
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("database: open gorm: %w", err)
	}
	return db, nil
}

// Ping checks that the server answers a query.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.Pool.Ping(ctx); err != nil {
		return fmt.Errorf("database: ping: %w", err)
	}
	return nil
}

// Close releases every connection. Stop River before calling it.
func (db *DB) Close() {
	_ = db.SQL.Close()
	db.listenerPool.Close()
	db.Pool.Close()
}
