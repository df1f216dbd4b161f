package localpg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
)

// ErrNoBinaries is matched (errors.Is) by the error Start returns when no
// folder holds all of initdb, pg_ctl and postgres.
var ErrNoBinaries = errors.New("localpg: PostgreSQL server binaries not found")

// NoBinariesError is the concrete error behind ErrNoBinaries. Its message is
// one line that says where we looked and how to fix it.
type NoBinariesError struct {
	// Looked describes the places searched, for the message.
	Looked string
	// BinDir is Options.BinDir when it was set, and with it the only folder
	// searched.
	BinDir string
	// Version is the major version the existing data directory needs, or ""
	// when any version would do.
	Version string
}

// Error implements error.
func (e *NoBinariesError) Error() string {
	what := "PostgreSQL server binaries (initdb, pg_ctl, postgres)"
	if e.Version != "" {
		what = "PostgreSQL " + e.Version + " server binaries (the data directory was created by version " + e.Version + ")"
	}
	if e.BinDir != "" {
		// The application fills BinDir from PG_BIN_DIR, so that is what
		// the reader can change; installing PostgreSQL helps only once it
		// no longer points elsewhere.
		return fmt.Sprintf("localpg: %s not found in %s (the PG_BIN_DIR setting); point PG_BIN_DIR at the folder that holds them, or unset it and install PostgreSQL with \"apt-get install postgresql\"", what, e.BinDir)
	}
	return fmt.Sprintf("localpg: %s not found (looked %s); install them with \"apt-get install postgresql\" or set DATABASE_URL", what, e.Looked)
}

// Unwrap lets errors.Is(err, ErrNoBinaries) match.
func (e *NoBinariesError) Unwrap() error { return ErrNoBinaries }

// debianBinGlob is where Debian/Ubuntu packages put versioned server
// binaries; only psql and friends are linked into /usr/bin.
const debianBinGlob = "/usr/lib/postgresql/*/bin"

// findBinaries returns the folder holding initdb, pg_ctl and postgres. A
// non-empty binDir (Options.BinDir) is the only folder considered: an
// explicit choice must not be overridden silently by another install.
// Otherwise folders on PATH come first (an explicit choice by the user),
// then /usr/lib/postgresql/*/bin from the highest version down. When
// wantVersion is set (an existing data directory's PG_VERSION), only a
// folder with that major version qualifies, because a server refuses data
// files of another major version.
func findBinaries(ctx context.Context, binDir, wantVersion string) (string, error) {
	looked, dirs := "in "+binDir, []string{binDir}
	if binDir == "" {
		looked, dirs = "on PATH and in "+debianBinGlob, defaultSearchDirs()
	}
	seen := map[string]bool{}
	for _, dir := range dirs {
		bin, ok := binaryDir(dir)
		if !ok || seen[bin] {
			continue
		}
		seen[bin] = true
		if wantVersion == "" || binaryVersion(ctx, bin) == wantVersion {
			return bin, nil
		}
	}
	return "", &NoBinariesError{Looked: looked, BinDir: binDir, Version: wantVersion}
}

// defaultSearchDirs lists PATH entries followed by the Debian versioned
// folders, highest version first.
func defaultSearchDirs() []string {
	dirs := filepath.SplitList(os.Getenv("PATH"))
	versioned, _ := filepath.Glob(debianBinGlob)
	slices.SortFunc(versioned, func(a, b string) int {
		return debianMajor(b) - debianMajor(a)
	})
	return append(dirs, versioned...)
}

var debianBinRe = regexp.MustCompile(`/postgresql/(\d+)/bin$`)

// debianMajor extracts N from ".../postgresql/N/bin", or -1.
func debianMajor(dir string) int {
	m := debianBinRe.FindStringSubmatch(dir)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// binaryDir reports whether dir holds all server binaries. It returns the
// folder they really live in when all three are symlinks into one folder
// (for example /usr/local/bin -> /usr/lib/postgresql/15/bin), so that
// siblings such as psql can be found next to them.
func binaryDir(dir string) (string, bool) {
	if dir == "" {
		return "", false
	}
	real := ""
	for i, name := range [...]string{"initdb", "pg_ctl", "postgres"} {
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return "", false
		}
		resolved, err := filepath.EvalSymlinks(p)
		if err != nil {
			return "", false
		}
		if i == 0 {
			real = filepath.Dir(resolved)
		} else if filepath.Dir(resolved) != real {
			real = "" // spread over several folders: keep dir as given
		}
	}
	if real == "" {
		real = dir
	}
	abs, err := filepath.Abs(real)
	if err != nil {
		return "", false
	}
	return abs, true
}

var versionRe = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// binaryVersion returns the major version of the postgres binary in bin,
// read from the folder name when it is a Debian one, else from
// "postgres -V" (which, unlike starting a server, is allowed as root).
func binaryVersion(ctx context.Context, bin string) string {
	if n := debianMajor(bin); n >= 0 {
		return strconv.Itoa(n)
	}
	out, err := exec.CommandContext(ctx, filepath.Join(bin, "postgres"), "-V").Output()
	if err != nil {
		return ""
	}
	m := versionRe.FindSubmatch(out)
	if m == nil {
		return ""
	}
	return string(m[1])
}
