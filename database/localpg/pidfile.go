package localpg

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// pidFile is what a running server records in data/postmaster.pid. Any
// process can read it to find the server, so the port need not be stored
// anywhere else.
type pidFile struct {
	pid     int    // line 1: postmaster pid
	port    int    // line 4
	sockDir string // line 5: first unix_socket_directories entry, may be ""
	state   string // line 8: "starting", "ready", "stopping", ...
}

// readPidFile parses path. ok is false when the file does not exist (the
// server is stopped, or was never started).
func readPidFile(path string) (pf pidFile, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return pf, false, nil
	}
	if err != nil {
		return pf, false, fmt.Errorf("localpg: read %s: %w", path, err)
	}
	lines := strings.Split(string(b), "\n")
	line := func(n int) string {
		if n <= len(lines) {
			return strings.TrimSpace(lines[n-1])
		}
		return ""
	}
	pf.pid, err = strconv.Atoi(line(1))
	if err != nil {
		// The server writes the file in pieces while starting; a
		// half-written file means "not usable yet".
		return pf, false, nil
	}
	pf.port, _ = strconv.Atoi(line(4))
	pf.sockDir = line(5)
	pf.state = line(8)
	return pf, true, nil
}

// runningServer reports the server recorded in the data folder's pid file
// if its postmaster is alive. A pid file left by a killed server reads as
// not running.
func runningServer(l layout) (pidFile, bool, error) {
	pf, ok, err := readPidFile(l.pidFile())
	if err != nil || !ok {
		return pf, false, err
	}
	return pf, processAlive(pf.pid), nil
}

// readPGVersion returns the major version that created the data folder, or
// "" when it is not initialised.
func readPGVersion(l layout) string {
	b, err := os.ReadFile(l.versionFile())
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
