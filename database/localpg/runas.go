package localpg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
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
	cred *syscall.Credential // nil: run as the current user
	home string              // HOME for the postgres user
	name string              // user name for USER/LOGNAME
}

// newRunner prepares to run the server programs. As root it checks that the
// postgres user exists.
func newRunner() (*runner, error) {
	if os.Geteuid() != 0 {
		return &runner{}, nil
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
	var groups []uint32
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if n, err := strconv.ParseUint(id, 10, 32); err == nil {
				groups = append(groups, uint32(n))
			}
		}
	}
	return &runner{
		// Groups set explicitly so the child does not keep root's
		// supplementary groups.
		cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups},
		home: u.HomeDir,
		name: u.Username,
	}, nil
}

// place decides where the server files of the cluster go and returns the
// layout to use. Only root needs to decide: the server then runs as the
// postgres user, which must reach them. When some folder above l.dir shuts
// that user out (a fresh checkout under /root, mode 0700, say) they go to
// fallback, a folder of their own under relocateRoot, and l.dir/LOCATION
// records the move for findLayout and for people. We move the files rather
// than chmod the blocking folder: loosening permissions of folders we do
// not own (a home folder, say) is not our call.
func (r *runner) place(l layout, fallback string, log *slog.Logger) (layout, error) {
	if r.cred == nil {
		return l, nil
	}
	if l.relocated() {
		// Recreate the folder if someone removed it, to start afresh.
		if err := r.prepareRelocated(l.srv); err != nil {
			return l, fmt.Errorf("localpg: %s says the server files of the cluster in %s live in %s, which cannot be used: %v", l.location(), l.dir, l.srv, err)
		}
		return l, nil
	}
	blocked, err := r.blockedDir(filepath.Dir(l.dir))
	if err != nil || blocked == "" {
		return l, err
	}
	if readPGVersion(l) != "" {
		// Relocating now would swap the existing database for an empty
		// one without a word; let a person choose.
		return l, fmt.Errorf("localpg: the %q user cannot enter %s, so the server cannot reach the existing cluster in %s; run \"chmod o+x %s\", or remove %s to have a new cluster made in %s", serverUser, blocked, l.data(), blocked, l.data(), fallback)
	}
	if err := r.prepareRelocated(fallback); err != nil {
		return l, fmt.Errorf("localpg: the %q user cannot enter %s, which leads to the cluster folder %s, and the fallback folder %s cannot be used either (%v); run \"chmod o+x %s\" or put the cluster folder elsewhere", serverUser, blocked, l.dir, fallback, err, blocked)
	}
	note := fallback + "\n\n" +
		"The PostgreSQL server of the cluster in this folder keeps its files\n" +
		"(data, run, postgres.log) in the folder named above, because the\n" +
		"\"" + serverUser + "\" user cannot enter " + blocked + ".\n" +
		"To start afresh, stop the server and remove both that folder and this file.\n"
	if err := os.WriteFile(l.location(), []byte(note), 0o644); err != nil {
		return l, fmt.Errorf("localpg: record the cluster location: %w", err)
	}
	log.Info("localpg: the postgres user cannot reach the cluster folder, so the server files live elsewhere",
		"dir", l.dir, "location", fallback, "blocked", blocked, "record", l.location())
	return layout{dir: l.dir, srv: fallback}, nil
}

// prepareRelocated makes srv, a folder under relocateRoot, ready for the
// server user. relocateRoot sits in world-writable /var/tmp, so before we,
// as root, put anything in it we make sure nobody else controls it: it must
// be a real folder, owned by root and writable by root only. Its errors
// carry no "localpg: " prefix because place wraps them.
func (r *runner) prepareRelocated(srv string) error {
	root := filepath.Dir(srv)
	if err := mkdirMode(root, 0o755); err != nil {
		return err
	}
	fi, err := os.Lstat(root)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || st.Uid != 0 || fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is not a folder owned by root and writable by root only", root)
	}
	blocked, err := r.blockedDir(root)
	if err != nil {
		return err
	}
	if blocked != "" {
		return fmt.Errorf("the %q user cannot enter %s", serverUser, blocked)
	}
	// Only root can create entries in root, so an existing srv is ours.
	if err := mkdirMode(srv, 0o755); err != nil {
		return err
	}
	return os.Lchown(srv, int(r.cred.Uid), int(r.cred.Gid))
}

// mkdirMode creates dir with exactly perm, whatever the umask, and leaves an
// existing dir alone: we chmod only what we create.
func mkdirMode(dir string, perm os.FileMode) error {
	err := os.Mkdir(dir, perm)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.Chmod(dir, perm)
}

// blockedDir returns the first folder from dir up to "/" that the server
// user cannot enter, or "" when it can reach dir (always, when we are not
// root).
func (r *runner) blockedDir(dir string) (string, error) {
	if r.cred == nil {
		return "", nil
	}
	gids := append([]uint32{r.cred.Gid}, r.cred.Groups...)
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("localpg: %w", err)
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			perm := fi.Mode().Perm()
			var can bool
			switch {
			case st.Uid == r.cred.Uid:
				can = perm&0o100 != 0
			case slices.Contains(gids, st.Gid):
				can = perm&0o010 != 0
			default:
				can = perm&0o001 != 0
			}
			if !can {
				return p, nil
			}
		}
		if parent := filepath.Dir(p); parent == p {
			return "", nil
		}
	}
}

// command builds an exec.Cmd for one of the server programs, run in cwd.
// cwd must be a folder the server user can enter: the child changes to it
// after taking on that user's identity.
func (r *runner) command(ctx context.Context, cwd, path string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = cwd
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
