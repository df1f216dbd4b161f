package localpg

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// serverUser is the system account the server runs as when we are root;
// initdb and postgres refuse to run as root.
const serverUser = "postgres"

// runner runs the server programs, as the postgres user when we are root and
// as ourselves otherwise.
type runner struct {
	dir  string              // cwd for commands: the cluster folder
	cred *syscall.Credential // nil: run as the current user
	home string              // HOME for the postgres user
	name string              // user name for USER/LOGNAME
}

// newRunner prepares to run commands for the cluster in dir (which must
// exist). As root it checks that the postgres user exists and can reach dir.
func newRunner(dir string) (*runner, error) {
	if os.Geteuid() != 0 {
		return &runner{dir: dir}, nil
	}
	u, err := user.Lookup(serverUser)
	if err != nil {
		return nil, fmt.Errorf("localpg: running as root, so the server must run as the %q system user, but it does not exist (install PostgreSQL with \"apt-get install postgresql\" to create it): %w", serverUser, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("localpg: user %q has a non-numeric uid %q or gid %q", serverUser, u.Uid, u.Gid)
	}
	gids := []uint32{uint32(gid)}
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if n, err := strconv.ParseUint(id, 10, 32); err == nil {
				gids = append(gids, uint32(n))
			}
		}
	}
	if err := checkTraversable(filepath.Dir(dir), uint32(uid), gids); err != nil {
		return nil, err
	}
	return &runner{
		dir: dir,
		// Groups set explicitly so the child does not keep root's
		// supplementary groups.
		cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: gids[1:]},
		home: u.HomeDir,
		name: u.Username,
	}, nil
}

// checkTraversable makes sure the user can enter every folder from dir up to
// "/". We report rather than chmod: loosening permissions of folders we do
// not own (a home folder, say) is not our call.
func checkTraversable(dir string, uid uint32, gids []uint32) error {
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("localpg: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if ok {
			perm := fi.Mode().Perm()
			var can bool
			switch {
			case st.Uid == uid:
				can = perm&0o100 != 0
			case slices.Contains(gids, st.Gid):
				can = perm&0o010 != 0
			default:
				can = perm&0o001 != 0
			}
			if !can {
				return fmt.Errorf("localpg: the %q user cannot enter %s, which the server needs to reach its data; run \"chmod o+x %s\" or put the cluster folder elsewhere", serverUser, p, p)
			}
		}
		if parent := filepath.Dir(p); parent == p {
			return nil
		}
	}
}

// command builds an exec.Cmd for one of the server programs.
func (r *runner) command(ctx context.Context, path string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = r.dir
	// pg_ctl start leaves the server running with its output redirected to
	// the log file; WaitDelay guards against any descendant that still holds
	// our output pipe so Wait cannot hang.
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = os.Environ()
	if r.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
		cmd.Env = setEnv(cmd.Env, "HOME", r.home)
		cmd.Env = setEnv(cmd.Env, "USER", r.name)
		cmd.Env = setEnv(cmd.Env, "LOGNAME", r.name)
	}
	// A PGDATA from the caller's shell must not leak into our commands.
	cmd.Env = setEnv(cmd.Env, "PGDATA", "")
	return cmd
}

// setEnv replaces or adds key in env; an empty value removes it.
func setEnv(env []string, key, value string) []string {
	env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, key+"=") })
	if value != "" {
		env = append(env, key+"="+value)
	}
	return env
}

// own gives paths to the server user (no-op unless root). Only the top
// level is changed; see ownTree for folders.
func (r *runner) own(paths ...string) error {
	if r.cred == nil {
		return nil
	}
	for _, p := range paths {
		if err := os.Lchown(p, int(r.cred.Uid), int(r.cred.Gid)); err != nil {
			return fmt.Errorf("localpg: %w", err)
		}
	}
	return nil
}

// ownTree gives a whole folder to the server user when its top is owned by
// someone else (for example a data folder restored by root). Walking only in
// that case keeps the common path cheap.
func (r *runner) ownTree(dir string) error {
	if r.cred == nil {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == r.cred.Uid && st.Gid == r.cred.Gid {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(r.cred.Uid), int(r.cred.Gid))
	})
}

// checkOwner fails clearly when, not being root, we are about to use a data
// folder that belongs to someone else (typically the postgres user after an
// earlier run as root); initdb and postgres would otherwise fail obscurely.
func (r *runner) checkOwner(data string) error {
	if r.cred != nil {
		return nil
	}
	fi, err := os.Stat(data)
	if err != nil {
		return nil // not initialised yet
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if ok && int(st.Uid) != os.Geteuid() {
		owner := strconv.Itoa(int(st.Uid))
		if u, err := user.LookupId(owner); err == nil {
			owner = u.Username
		}
		return fmt.Errorf("localpg: %s belongs to %s, not to the current user; run as that user, or delete %s to start afresh", data, owner, filepath.Dir(data))
	}
	return nil
}
