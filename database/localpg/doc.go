// Package localpg runs a private PostgreSQL cluster for development and
// tests, built from the PostgreSQL server binaries already installed on the
// machine (initdb, pg_ctl, postgres).
//
// The cluster lives in one folder chosen by the caller (for example
// ".data/postgres"), is initialised once and reused on every later run:
//
//	Dir/data           the data directory (initdb -D)
//	Dir/run            the unix socket folder (unix_socket_directories)
//	Dir/postgres.log   the server log
//	Dir/lock           flock(2) target that serialises start/stop bookkeeping
//	Dir/leases/        one file per user of the running server: "<pid>-<random>"
//	                   per Start, or "manual" for Options.Persistent
//	Dir/data.initdb    scratch folder of a running initdb, renamed to data
//	                   only when initdb succeeds
//
// Several processes may share one cluster (go test runs packages in
// parallel; "make run" and a test may overlap). Each Start records a lease
// and each Release removes it; whoever removes the last live lease stops the
// server. Leases of processes that died without releasing are ignored and
// cleaned up, and PostgreSQL's crash recovery repairs a server that was
// killed.
//
// PostgreSQL refuses to run as root, so when the calling process is root the
// server commands run as the "postgres" system user, which then owns Dir,
// Dir/data, Dir/run and Dir/postgres.log; Dir should therefore be a folder
// of its own. That user must be able to enter every folder above Dir. When
// it cannot (a checkout under /root, mode 0700, say), the server's files
// (data, run, postgres.log, data.initdb) go instead to a folder of their own,
// derived from the absolute Dir (symlinks resolved) so that every run finds
// it again:
//
//	/var/tmp/alpacawrapper-pg/<first 16 hex digits of sha256(Dir)>/
//
// Dir then stays root's and keeps the lock and the leases, plus a file
// Dir/LOCATION that names that folder; Status and Stop follow it. Remove
// both the folder and LOCATION (with the server stopped) to start afresh.
// Start fails only when even that folder cannot be used, or when Dir/data
// already holds a cluster the postgres user cannot reach (relocating would
// silently swap it for an empty one).
//
// Start looks for the server binaries in Options.BinDir when it is set, and
// otherwise on PATH and in /usr/lib/postgresql/*/bin.
//
// The package relies on flock(2) and on process credentials, so it builds on
// Unix-like systems only.
package localpg
