package localpg

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
)

// layout names the files and folders of one cluster. Our own bookkeeping
// (lock, leases) always lives in dir; the files the server itself uses live
// in srv, which is dir unless the cluster was relocated (see relocatedDir).
type layout struct {
	dir string // absolute cluster folder, Options.Dir
	srv string // absolute folder of data, run and postgres.log
}

// inPlace is the layout of a cluster whose server files live in dir itself.
func inPlace(dir string) layout { return layout{dir: dir, srv: dir} }

// findLayout returns the layout of the cluster in dir: relocated when
// dir/LOCATION exists, in place otherwise. Only the file's presence counts;
// the folder is derived from dir again, so a LOCATION copied along with a
// project folder never makes two projects share one server.
func findLayout(dir string) layout {
	l := inPlace(dir)
	if _, err := os.Lstat(l.location()); err == nil {
		l.srv = relocatedDir(dir)
	}
	return l
}

// relocated reports whether the server files live outside dir.
func (l layout) relocated() bool { return l.srv != l.dir }

func (l layout) data() string     { return filepath.Join(l.srv, "data") }
func (l layout) run() string      { return filepath.Join(l.srv, "run") }
func (l layout) logFile() string  { return filepath.Join(l.srv, "postgres.log") }
func (l layout) lock() string     { return filepath.Join(l.dir, "lock") }
func (l layout) leases() string   { return filepath.Join(l.dir, "leases") }
func (l layout) location() string { return filepath.Join(l.dir, "LOCATION") }
func (l layout) pidFile() string  { return filepath.Join(l.data(), "postmaster.pid") }

// versionFile marks an initialised data directory. Because initdb works in
// initTmp and the result is renamed to data only on success, its presence
// means initdb finished.
func (l layout) versionFile() string { return filepath.Join(l.data(), "PG_VERSION") }

// initTmp is where initdb builds a new data directory; a leftover one is the
// remains of an interrupted initdb and is wiped before the next attempt. It
// sits next to data so that the final rename stays on one file system.
func (l layout) initTmp() string { return filepath.Join(l.srv, "data.initdb") }

// relocateRoot holds the server folders of clusters whose Dir the postgres
// user cannot reach (a checkout under /root, say). /var/tmp rather than /tmp
// because it survives reboots, and the data with it.
const relocateRoot = "/var/tmp/alpacawrapper-pg"

// relocatedDir is where the server files of the cluster in dir go when they
// cannot stay in dir. It depends only on dir, so every run (and Status and
// Stop) finds the same folder. Symlinks are resolved first because the lock
// file, which decides who may start the server, is the one at the end of
// them: two spellings of one folder must share one server.
func relocatedDir(dir string) string {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	sum := sha256.Sum256([]byte(dir))
	return filepath.Join(relocateRoot, hex.EncodeToString(sum[:8]))
}
