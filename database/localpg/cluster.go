package localpg

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
)

// Cluster is a handle on a running local server, holding one lease on it.
// Call Release when done; the last live lease to go stops the server.
type Cluster struct {
	opts    Options
	srv     *server
	port    int
	sockDir string
	lease   string // lease file name; manualLease for persistent handles

	mu       sync.Mutex
	released bool
}

// Start makes sure the cluster in opts.Dir exists and runs, and records a
// lease for the caller: initialises the data folder on first use, starts
// the server if it is not already running (in this or another process),
// creates opts.Database if missing, and returns a handle. Concurrent calls,
// from any process, are serialised by a file lock.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	// The lock and the leases live in Dir wherever the server files go.
	l := inPlace(opts.Dir)
	if err := os.MkdirAll(l.leases(), 0o755); err != nil {
		return nil, fmt.Errorf("localpg: %w", err)
	}
	lock, err := lockFile(ctx, l.lock())
	if err != nil {
		return nil, err
	}
	defer lock.unlock()

	// Read under the lock: another process may be relocating the cluster.
	srv, err := newServer(ctx, findLayout(opts.Dir), opts)
	if err != nil {
		return nil, err
	}
	if _, err := pruneLeases(l.leases()); err != nil {
		return nil, err
	}
	pf, err := ensureRunning(ctx, srv)
	if err != nil {
		return nil, err
	}

	c := &Cluster{opts: opts, srv: srv, port: pf.port, sockDir: pf.sockDir, lease: newLeaseName()}
	if opts.Persistent {
		c.lease = manualLease
	}
	if err := writeLease(l.leases(), c.lease); err != nil {
		_ = stopIfUnused(ctx, srv)
		return nil, err
	}
	if err := ensureDatabase(ctx, c.port, opts.Database); err != nil {
		if !opts.Persistent {
			_ = removeLease(l.leases(), c.lease)
		}
		_ = stopIfUnused(ctx, srv)
		return nil, err
	}
	return c, nil
}

// ensureRunning initialises and starts the server unless it already runs,
// and returns its pid file. The caller holds the cluster lock.
func ensureRunning(ctx context.Context, srv *server) (pidFile, error) {
	pf, running, err := runningServer(srv.l)
	if err != nil || running {
		return pf, err
	}
	if err := srv.r.own(srv.l.srv); err != nil {
		return pf, err
	}
	if readPGVersion(srv.l) == "" {
		if err := srv.initdb(ctx); err != nil {
			return pf, err
		}
	}
	if err := srv.start(ctx); err != nil {
		return pf, err
	}
	pf, running, err = runningServer(srv.l)
	if err == nil && !running {
		err = fmt.Errorf("localpg: pg_ctl reported the server started, but %s names no live process; see %s", srv.l.pidFile(), srv.l.logFile())
	}
	return pf, err
}

// newServer finds the binaries (matching the data folder's version, if any),
// the user to run them as, and where the server files go (see runner.place);
// the server it returns carries the layout to use from then on.
func newServer(ctx context.Context, l layout, opts Options) (*server, error) {
	// Binaries first: without them the other checks (is there a postgres
	// user?) only distract from the fix, installing PostgreSQL.
	bin, err := findBinaries(ctx, opts.BinDir, readPGVersion(l))
	if err != nil {
		return nil, err
	}
	r, err := newRunner()
	if err != nil {
		return nil, err
	}
	placed, err := r.place(l, relocatedDir(l.dir), opts.Logger)
	if err != nil {
		return nil, err
	}
	if placed.srv != l.srv {
		// Just relocated. The folder is normally new, but holds a data
		// folder of its own if someone removed only LOCATION, and that one
		// needs binaries of its version.
		if v := readPGVersion(placed); v != "" {
			if bin, err = findBinaries(ctx, opts.BinDir, v); err != nil {
				return nil, err
			}
		}
	}
	if err := r.checkOwner(placed.data()); err != nil {
		return nil, err
	}
	return &server{l: placed, bin: bin, r: r, timeout: opts.StartTimeout, log: opts.Logger}, nil
}

// stopIfUnused drops dead leases and stops the server when no live lease is
// left. The caller holds the cluster lock.
func stopIfUnused(ctx context.Context, srv *server) error {
	leases, err := pruneLeases(srv.l.leases())
	if err != nil {
		return err
	}
	if leases.live > 0 {
		srv.log.Debug("localpg: server still in use", "leases", leases.live)
		return nil
	}
	return srv.stop(ctx)
}

// Release gives up this handle's lease and stops the server if no other live
// lease remains. A persistent handle keeps its "manual" lease (only Stop
// removes it), so releasing it never stops the server. Calling Release again
// is a no-op.
func (c *Cluster) Release(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.released {
		return nil
	}
	lock, err := lockFile(ctx, c.srv.l.lock())
	if err != nil {
		return err
	}
	defer lock.unlock()
	if c.lease != manualLease {
		if err := removeLease(c.srv.l.leases(), c.lease); err != nil {
			return err
		}
	}
	c.released = true
	return stopIfUnused(ctx, c.srv)
}

// Stop removes every lease and stops the server in dir, whoever uses it
// ("devdb stop"), wherever its files live. Stopping a cluster that is not
// running is not an error. It looks for the binaries on PATH and in
// /usr/lib/postgresql/*/bin, as Start does when Options.BinDir is empty.
func Stop(ctx context.Context, dir string) error {
	opts, err := Options{Dir: dir}.withDefaults()
	if err != nil {
		return err
	}
	l := findLayout(opts.Dir)
	if _, err := os.Stat(l.dir); err != nil {
		return nil // never created, so nothing runs
	}
	lock, err := lockFile(ctx, l.lock())
	if err != nil {
		return err
	}
	defer lock.unlock()
	if err := removeAllLeases(l.leases()); err != nil {
		return err
	}
	if _, running, err := runningServer(l); err != nil || !running {
		return err
	}
	srv, err := newServer(ctx, l, opts)
	if err != nil {
		return err
	}
	return srv.stop(ctx)
}

// Port returns the TCP port the server listens on (127.0.0.1 only).
func (c *Cluster) Port() int { return c.port }

// SocketDir returns the folder holding the server's unix socket, for
// "psql -h". It is "" when the cluster path was too long for a socket and
// the server listens on TCP only.
func (c *Cluster) SocketDir() string { return c.sockDir }

// Dir returns the absolute cluster folder.
func (c *Cluster) Dir() string { return c.opts.Dir }

// DataDir returns the server's data directory: Dir()/data, or a folder
// outside Dir when the cluster was relocated (see the package doc).
func (c *Cluster) DataDir() string { return c.srv.l.data() }

// BinDir returns the folder holding the server binaries in use.
func (c *Cluster) BinDir() string { return c.srv.bin }

// Database returns the default database name (Options.Database).
func (c *Cluster) Database() string { return c.opts.Database }

// URL returns a connection URL for dbname, for example
// "postgres://app@127.0.0.1:5433/app?sslmode=disable". An empty dbname means
// Options.Database.
func (c *Cluster) URL(dbname string) string {
	if dbname == "" {
		dbname = c.opts.Database
	}
	return databaseURL(c.port, dbname)
}

// PsqlCommand returns a command that runs psql on dbname (empty means
// Options.Database) with the terminal's stdin, stdout and stderr. It prefers
// the psql next to the server binaries, whose version matches the server,
// and falls back to the one on PATH.
func (c *Cluster) PsqlCommand(ctx context.Context, dbname string) *exec.Cmd {
	if dbname == "" {
		dbname = c.opts.Database
	}
	psql := filepath.Join(c.srv.bin, "psql")
	if _, err := os.Stat(psql); err != nil {
		if p, err := exec.LookPath("psql"); err == nil {
			psql = p
		}
	}
	host := c.sockDir
	if host == "" {
		host = "127.0.0.1"
	}
	cmd := exec.CommandContext(ctx, psql, "-h", host, "-p", strconv.Itoa(c.port), "-U", User, "-d", dbname)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd
}

// databaseURL builds the URL of dbname on the local server at port.
func databaseURL(port int, dbname string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(User),
		Host:     "127.0.0.1:" + strconv.Itoa(port),
		Path:     "/" + dbname,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}
