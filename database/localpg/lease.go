package localpg

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// manualLease is the lease name used by Options.Persistent. It is tied to no
// process, so only Stop removes it.
const manualLease = "manual"

// newLeaseName returns a fresh lease name for this process: "<pid>-<random>".
// A plain "<pid>" is accepted when reading too.
// The random part gives every Start its own lease, so two handles in one
// process (or one test) release independently.
func newLeaseName() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:])
}

// writeLease records a lease. A pid lease stores the pid and its start time
// so a later reader can tell a live holder from an unrelated process that
// got the same pid.
func writeLease(dir, name string) error {
	content := "persistent\n"
	if name != manualLease {
		pid := os.Getpid()
		content = fmt.Sprintf("%d %s\n", pid, processStartTime(pid))
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		return fmt.Errorf("localpg: write lease: %w", err)
	}
	return nil
}

// removeLease deletes one lease; a missing lease is not an error.
func removeLease(dir, name string) error {
	err := os.Remove(filepath.Join(dir, name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("localpg: remove lease: %w", err)
	}
	return nil
}

// leaseSummary describes the leases in a folder.
type leaseSummary struct {
	live       int      // leases whose holder still runs (manual included)
	persistent bool     // the manual lease is present
	dead       []string // names of leases whose holder is gone
}

// scanLeases classifies every lease in dir. Files that are not leases are
// ignored.
func scanLeases(dir string) (leaseSummary, error) {
	var s leaseSummary
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("localpg: read leases: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == manualLease:
			s.persistent = true
			s.live++
		case isPidLease(name):
			if leaseHolderAlive(dir, name) {
				s.live++
			} else {
				s.dead = append(s.dead, name)
			}
		}
	}
	return s, nil
}

// leasePid extracts the pid from a lease name "<pid>" or "<pid>-<random>".
func leasePid(name string) (int, bool) {
	prefix, _, _ := strings.Cut(name, "-")
	pid, err := strconv.Atoi(prefix)
	return pid, err == nil && pid > 0
}

// isPidLease reports whether name is a lease tied to a process.
func isPidLease(name string) bool {
	_, ok := leasePid(name)
	return ok
}

// leaseHolderAlive checks the process behind a pid lease. When both the
// lease file and /proc know the process start time they must agree, so a
// recycled pid does not keep a dead lease alive.
func leaseHolderAlive(dir, name string) bool {
	pid, ok := leasePid(name)
	if !ok || !processAlive(pid) {
		return false
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return false // removed meanwhile
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return true
	}
	now := processStartTime(pid)
	return now == "" || now == fields[1]
}

// pruneLeases classifies the leases in dir and deletes the dead ones.
func pruneLeases(dir string) (leaseSummary, error) {
	s, err := scanLeases(dir)
	if err != nil {
		return s, err
	}
	for _, name := range s.dead {
		if err := removeLease(dir, name); err != nil {
			return s, err
		}
	}
	return s, nil
}

// removeAllLeases deletes every lease, live or not.
func removeAllLeases(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("localpg: read leases: %w", err)
	}
	for _, e := range entries {
		if e.Name() == manualLease || isPidLease(e.Name()) {
			if err := removeLease(dir, e.Name()); err != nil {
				return err
			}
		}
	}
	return nil
}
