package localpg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// fileLock is an exclusive flock(2) on a file. The kernel drops it when the
// process dies, so a crashed holder never blocks others.
type fileLock struct{ f *os.File }

// lockFile takes an exclusive flock on path, creating the file if needed.
// It polls with LOCK_NB instead of blocking so that ctx can cancel the wait
// (another process may hold the lock for a whole initdb or server start).
func lockFile(ctx context.Context, path string) (*fileLock, error) {
	// os.OpenFile sets O_CLOEXEC, so pg_ctl and the server it spawns never
	// inherit the descriptor (and with it the lock).
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("localpg: open lock file: %w", err)
	}
	delay := 5 * time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &fileLock{f: f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("localpg: lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("localpg: waiting for lock %s: %w", path, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 100*time.Millisecond)
	}
}

// unlock releases the lock by closing the file.
func (l *fileLock) unlock() { l.f.Close() }
