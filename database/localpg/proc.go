package localpg

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// processAlive reports whether pid names a running process. A zombie (exited
// but not yet reaped by its parent) counts as dead: some container init
// processes are slow to reap, and a killed postmaster lingers as a zombie
// that kill(pid, 0) still reports as present.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	state, _ := procStat(pid)
	return state != "Z" && state != "X"
}

// processZombie reports whether pid is a zombie, as far as /proc tells.
func processZombie(pid int) bool {
	state, _ := procStat(pid)
	return state == "Z"
}

// processStartTime returns an opaque token for when pid started, or "" when
// the platform does not expose it. Leases record it so that a pid reused by
// an unrelated process is not mistaken for the lease holder.
func processStartTime(pid int) string {
	_, start := procStat(pid)
	return start
}

// procStat reads the state (field 3) and start time (field 22) of pid from
// /proc/<pid>/stat. Both are "" when /proc is unavailable (non-Linux).
func procStat(pid int) (state, start string) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", ""
	}
	// The command name (field 2) is in parentheses and may contain spaces,
	// so split after its closing parenthesis; fields then start at 3.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return "", ""
	}
	return f[0], f[19]
}
