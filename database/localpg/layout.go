package localpg

import "path/filepath"

// layout names the files and folders of one cluster folder.
type layout struct {
	dir string // absolute cluster folder
}

func (l layout) data() string    { return filepath.Join(l.dir, "data") }
func (l layout) run() string     { return filepath.Join(l.dir, "run") }
func (l layout) logFile() string { return filepath.Join(l.dir, "postgres.log") }
func (l layout) lock() string    { return filepath.Join(l.dir, "lock") }
func (l layout) leases() string  { return filepath.Join(l.dir, "leases") }
func (l layout) pidFile() string { return filepath.Join(l.data(), "postmaster.pid") }

// versionFile marks an initialised data directory. Because initdb works in
// initTmp and the result is renamed to data only on success, its presence
// means initdb finished.
func (l layout) versionFile() string { return filepath.Join(l.data(), "PG_VERSION") }

// initTmp is where initdb builds a new data directory; a leftover one is the
// remains of an interrupted initdb and is wiped before the next attempt.
func (l layout) initTmp() string { return filepath.Join(l.dir, "data.initdb") }
