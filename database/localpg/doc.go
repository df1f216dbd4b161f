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
// of its own. Every folder above Dir must be enterable by that user.
//
// The package relies on flock(2) and on process credentials, so it builds on
// Unix-like systems only.
package localpg
