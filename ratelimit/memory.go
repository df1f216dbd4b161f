package ratelimit

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"alpacawrapper/apperr"
)

// Memory counts attempts per key in this process's memory, with the same fixed-window rule as
// Limiter. It is for limits that must not cost a database write per request and must keep
// working while the database is away: the public market-data GETs, where a committed write per
// request was most of the cost and an outage turned quotes held in memory into errors.
//
// Each process counts on its own, so behind N instances a client may make up to N×Limit requests
// a window. That is acceptable for a throttle meant to stop runaway scripts; the limits that guard
// against guessing passwords stay in PostgreSQL (Limiter), shared by every instance.
//
// It is safe for concurrent use.
type Memory struct {
	now     func() time.Time
	maxKeys int

	mu        sync.Mutex
	counters  map[string]memCounter
	nextSweep time.Time
}

// memCounter is one key's window: like a rate_limits row.
type memCounter struct {
	hits int
	ends time.Time
}

// DefaultMaxKeys bounds the keys a Memory holds. Far more than the clients one process serves in a
// window; it exists so that a flood of spoofed addresses cannot grow memory without bound.
const DefaultMaxKeys = 200_000

// ErrFull is returned by Memory.Hit when the limiter holds MaxKeys live windows and cannot count a
// new key. Callers should let the request through (fail open): refusing everyone new because of
// a flood would be the flood's success.
var ErrFull = errors.New("ratelimit: in-memory limiter is full")

// NewMemory returns an empty in-memory limiter on the clock now (time.Now when nil) holding at most
// maxKeys keys (DefaultMaxKeys when not positive).
func NewMemory(now func() time.Time, maxKeys int) *Memory {
	if now == nil {
		now = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &Memory{now: now, maxKeys: maxKeys, counters: make(map[string]memCounter)}
}

// Hit counts one attempt on key and reports whether it is within r. It fails only for an invalid
// rule or when the limiter is full (ErrFull).
func (m *Memory) Hit(key string, r Rule) (Result, error) {
	if err := r.validate(); err != nil {
		return Result{}, fmt.Errorf("ratelimit: hit %q: invalid rule %s: %w", key, r, err)
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.counters[key]
	switch {
	case ok && now.Before(c.ends):
		c.hits++
	default:
		if !ok && len(m.counters) >= m.maxKeys {
			m.sweepLocked(now)
			if len(m.counters) >= m.maxKeys {
				return Result{}, ErrFull
			}
		}
		c = memCounter{hits: 1, ends: now.Add(r.Window)}
	}
	m.counters[key] = c
	if !now.Before(m.nextSweep) {
		// Expired windows behave like missing ones; sweeping only bounds memory, so once per
		// window of the rule is plenty.
		m.sweepLocked(now)
		m.nextSweep = now.Add(r.Window)
	}
	res := Result{Allowed: c.hits <= r.Limit, Remaining: max(0, r.Limit-c.hits), Limit: r.Limit, Resets: c.ends}
	if !res.Allowed {
		res.RetryAfter = c.ends.Sub(now)
	}
	return res, nil
}

// sweepLocked forgets the windows that have ended.
func (m *Memory) sweepLocked(now time.Time) {
	for k, c := range m.counters {
		if !now.Before(c.ends) {
			delete(m.counters, k)
		}
	}
}

// Allow counts one attempt on key and returns an *apperr.Error of kind KindRateLimited when it is
// over r, like Limiter.Allow; any other error (ErrFull) means the limiter could not decide.
func (m *Memory) Allow(r Rule, key string) error {
	res, err := m.Hit(key, r)
	if err != nil {
		return err
	}
	if res.Allowed {
		return nil
	}
	return refusal(res.RetryAfter)
}

// refusal is the rate-limited error for a wait, rounded up to whole seconds: retrying early is
// refused again.
func refusal(wait time.Duration) *apperr.Error {
	secs := max(1, int((wait+time.Second-1)/time.Second))
	e := apperr.New(apperr.KindRateLimited, "rate_limited",
		"Too many attempts. Please wait "+humanWait(secs)+" and try again.")
	e.RetryAfterSeconds = secs
	return e
}
