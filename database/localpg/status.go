package localpg

import (
	"fmt"
	"os"
)

// Info describes a cluster folder as found by Status.
type Info struct {
	// Dir is the absolute cluster folder.
	Dir string
	// DataDir is the server's data directory: Dir/data, or a folder
	// outside Dir when the cluster was relocated (see the package doc).
	DataDir string
	// Initialized is true once initdb has completed.
	Initialized bool
	// Version is the PostgreSQL major version of the data folder, if
	// initialised.
	Version string
	// Running is true when a live server owns the data folder.
	Running bool
	// PID is the postmaster's process id (0 when not running).
	PID int
	// Port is the TCP port on 127.0.0.1 (0 when not running).
	Port int
	// SocketDir is the unix socket folder ("" when not running or TCP only).
	SocketDir string
	// State is the server's own status line: "starting", "ready",
	// "stopping" ("" when not running).
	State string
	// Leases counts live leases, the persistent one included.
	Leases int
	// Persistent is true when the "manual" lease of "devdb start" exists.
	Persistent bool
}

// URL returns the connection URL for dbname on the running server, or ""
// when it is not running.
func (i Info) URL(dbname string) string {
	if !i.Running {
		return ""
	}
	if dbname == "" {
		dbname = DefaultDatabase
	}
	return databaseURL(i.Port, dbname)
}

// Status inspects the cluster in dir, wherever its server files live,
// without starting, stopping or changing anything, and without taking the
// lock (so it answers even while another process is starting the server).
func Status(dir string) (Info, error) {
	opts, err := Options{Dir: dir}.withDefaults()
	if err != nil {
		return Info{}, err
	}
	l := findLayout(opts.Dir)
	info := Info{Dir: l.dir, DataDir: l.data(), Version: readPGVersion(l)}
	info.Initialized = info.Version != ""
	if _, err := os.Stat(l.dir); err != nil {
		if os.IsNotExist(err) {
			return info, nil
		}
		return info, fmt.Errorf("localpg: %w", err)
	}
	pf, running, err := runningServer(l)
	if err != nil {
		return info, err
	}
	if running {
		info.Running, info.PID, info.Port, info.SocketDir, info.State = true, pf.pid, pf.port, pf.sockDir, pf.state
	}
	leases, err := scanLeases(l.leases())
	if err != nil {
		return info, err
	}
	info.Leases, info.Persistent = leases.live, leases.persistent
	return info, nil
}
