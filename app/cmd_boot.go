package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"alpacawrapper/config"
	"alpacawrapper/database"
	"alpacawrapper/database/localpg"
	"alpacawrapper/process"
)

// base is what every command that touches the database starts from: validated configuration, the
// logger, and an open database (the embedded cluster when DATABASE_URL is unset).
type base struct {
	cfg       config.Config
	log       *slog.Logger
	name      string // this process, as logs and the processes table name it
	db        *database.DB
	releaseDB func() // stops the embedded cluster if this process was its last user
}

// loadConfig reads the environment; every bad variable is named in the error.
func loadConfig() (config.Config, error) {
	cfg, err := config.Load(lookupEnv)
	if err != nil {
		return cfg, fmt.Errorf("invalid configuration: %w", err)
	}
	return cfg, nil
}

// newLogger builds the structured logger the configuration asks for.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// boot loads the configuration and opens the database.
func boot(ctx context.Context, cio cmdIO) (*base, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	return bootWith(ctx, cio, cfg)
}

// bootWith opens the database for a configuration already loaded.
func bootWith(ctx context.Context, cio cmdIO, cfg config.Config) (*base, error) {
	// Every line names the process, so the logs of many processes read as one.
	name := process.Name(cfg.ProcessName)
	log := newLogger(cfg, cio.stderr).With(slog.String("process", name))
	url, release, err := databaseURL(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	db, err := database.Open(ctx, database.Options{URL: url, MaxConns: cfg.DBMaxConns, ConnectTimeout: cfg.DBConnectTimeout, Logger: log})
	if err != nil {
		release()
		return nil, err
	}
	return &base{cfg: cfg, log: log, name: name, db: db, releaseDB: release}, nil
}

// close releases the database; the embedded cluster stops if no other process uses it.
func (b *base) close() {
	b.db.Close()
	b.releaseDB()
}

// embeddedDir is where the private cluster lives. Tests get their own so that `make test` never
// touches a developer's data.
func embeddedDir(cfg config.Config) string {
	name := "postgres"
	if cfg.Env == config.Test {
		name = "postgres-test"
	}
	return filepath.Join(cfg.DataDir, name)
}

// clusterOptions are the embedded cluster's settings for this configuration.
func clusterOptions(cfg config.Config, log *slog.Logger) localpg.Options {
	return localpg.Options{Dir: embeddedDir(cfg), BinDir: cfg.PGBinDir, Logger: log}
}

// databaseURL returns DATABASE_URL, or starts (or joins) the embedded cluster when it is unset.
func databaseURL(ctx context.Context, cfg config.Config, log *slog.Logger) (string, func(), error) {
	if !cfg.UsesEmbeddedDatabase() {
		return cfg.DatabaseURL, func() {}, nil
	}
	start := time.Now()
	cluster, err := localpg.Start(ctx, clusterOptions(cfg, log))
	if err != nil {
		return "", nil, err
	}
	log.Info("embedded database ready", slog.String("dir", cluster.Dir()), slog.Int("port", cluster.Port()),
		slog.Duration("took", time.Since(start)))
	return cluster.URL(""), func() { releaseCluster(cluster, log) }, nil
}
