package alpacaapi

import (
	"sync"
	"time"
)

// Limiter counts requests per API key in fixed windows, in memory. Alpaca limits each key to 200
// requests a minute; counting in memory costs no database write per request, which matters at
// that rate (a bot that polls is the normal case, not an attack). With several web processes
// each counts its own share, so the limit is per process: the load balancer spreads a key's
// requests, and the database is protected either way.
type Limiter struct {
	limit  int
	window time.Duration

	mu      sync.Mutex
	windows map[string]*keyWindow
	swept   time.Time
}

type keyWindow struct {
	start time.Time
	hits  int
}

// Decision is what one request learned: whether it may proceed, and the values of Alpaca's
// X-RateLimit-Limit, -Remaining and -Reset headers.
type Decision struct {
	Allowed   bool
	Limit     int
	Remaining int
	Reset     time.Time // when the window ends and the count starts again
}

// NewLimiter allows limit requests per window per key; a limit of 0 allows everything.
func NewLimiter(limit int, window time.Duration) *Limiter {
	return &Limiter{limit: limit, window: window, windows: map[string]*keyWindow{}}
}

// Allow counts one request of key at now.
func (l *Limiter) Allow(key string, now time.Time) Decision {
	if l.limit <= 0 { // no limit configured
		return Decision{Allowed: true}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	w := l.windows[key]
	if w == nil || !now.Before(w.start.Add(l.window)) {
		w = &keyWindow{start: now.Truncate(time.Second)}
		l.windows[key] = w
	}
	d := Decision{Limit: l.limit, Reset: w.start.Add(l.window)}
	if w.hits >= l.limit {
		return d
	}
	w.hits++
	d.Allowed, d.Remaining = true, l.limit-w.hits
	return d
}

// sweep drops windows that have ended, at most once a window, so the map holds only keys in use.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.window {
		return
	}
	l.swept = now
	for k, w := range l.windows {
		if !now.Before(w.start.Add(l.window)) {
			delete(l.windows, k)
		}
	}
}
