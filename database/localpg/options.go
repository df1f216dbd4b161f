package localpg

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"
)

// Default values used when the matching Options field is left empty.
const (
	// DefaultDatabase is the database created and used when
	// Options.Database is empty.
	DefaultDatabase = "app"
	// DefaultStartTimeout bounds how long the server may take to start or
	// stop when Options.StartTimeout is zero.
	DefaultStartTimeout = 60 * time.Second
	// User is the superuser created by initdb; every URL connects as it
	// (trust authentication, no password).
	User = "app"
)

// Options configures Start.
type Options struct {
	// Dir is the folder that holds the cluster (data, socket, log, lock and
	// leases; see the package doc for when the server's files go
	// elsewhere). Required; a relative path is made absolute.
	Dir string
	// BinDir, when set, is the only folder searched for initdb, pg_ctl and
	// postgres (the application sets it from PG_BIN_DIR). Default: the
	// folders on PATH, then /usr/lib/postgresql/*/bin, highest version
	// first.
	BinDir string
	// Logger receives progress messages (initialising, starting, stopping).
	// Default: discard.
	Logger *slog.Logger
	// Database is created if missing after every Start and is the database
	// used by URL("") and PsqlCommand(ctx, ""). Default: "app".
	Database string
	// StartTimeout bounds initdb, server start and server stop. Default: 60s.
	StartTimeout time.Duration
	// Persistent records the named lease "manual" instead of a lease tied to
	// the calling process, so the server keeps running after the process
	// exits (used by "devdb start"). Only Stop removes that lease.
	Persistent bool
}

// withDefaults validates o and fills in defaults; Dir comes back absolute.
func (o Options) withDefaults() (Options, error) {
	if o.Dir == "" {
		return o, errors.New("localpg: Options.Dir is required")
	}
	abs, err := filepath.Abs(o.Dir)
	if err != nil {
		return o, fmt.Errorf("localpg: resolve %s: %w", o.Dir, err)
	}
	o.Dir = abs
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Database == "" {
		o.Database = DefaultDatabase
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = DefaultStartTimeout
	}
	return o, nil
}
