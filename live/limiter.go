package live

import "sync"

// ConnLimiter counts open connections per client IP so that one client cannot hold thousands of
// sockets (each costs memory and upstream demand). It is safe for concurrent use.
type ConnLimiter struct {
	mu   sync.Mutex
	open map[string]int
}

// NewConnLimiter returns an empty limiter.
func NewConnLimiter() *ConnLimiter { return &ConnLimiter{open: make(map[string]int)} }

// Acquire takes one of ip's max connection slots. It returns a release function to call exactly
// once when the connection ends, or false when ip already holds max connections.
func (l *ConnLimiter) Acquire(ip string, max int) (release func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[ip] >= max {
		return nil, false
	}
	l.open[ip]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.open[ip]--; l.open[ip] <= 0 {
				delete(l.open, ip)
			}
		})
	}, true
}

// Open is the number of connections ip holds now.
func (l *ConnLimiter) Open(ip string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open[ip]
}
