package alpaca

import (
	"math/rand/v2"
	"time"
)

// backoff hands out growing delays between reconnection attempts.
type backoff struct {
	cfg     Backoff
	attempt int
}

// next returns the delay before the next attempt: Initial·2ⁿ capped at Max, less a random share
// of up to Jitter of it.
func (b *backoff) next() time.Duration {
	d := b.cfg.Initial
	for i := 0; i < b.attempt && d < b.cfg.Max; i++ {
		d *= 2
	}
	if d > b.cfg.Max {
		d = b.cfg.Max
	}
	b.attempt++
	if b.cfg.Jitter > 0 {
		d -= time.Duration(rand.Float64() * b.cfg.Jitter * float64(d))
	}
	return d
}

// reset starts over from Initial after a connection proved healthy.
func (b *backoff) reset() { b.attempt = 0 }
