package ratelimit

import (
	"context"
	"fmt"
	"time"

	"alpacawrapper/apperr"
)

// Backoff slows a key down after failures instead of blocking it: the first Free failures cost
// nothing, then each further failure makes the key wait Base, 2×Base, 4×Base, … up to Max before
// its next attempt. A key's failures are forgotten Forget after its last wait ends.
//
// It shares the rate_limits table with Rule counters (under keys of its own): hits is the number
// of failures and window_ends is when they are forgotten, so the wait ends at window_ends−Forget
// and Prune deletes a row once it is forgotten, never earlier. That is why Forget must be the same
// for every call on a key.
type Backoff struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// delay is the wait after the n-th failure.
func (b Backoff) delay(n int) time.Duration {
	if n <= b.Free {
		return 0
	}
	d := b.Base
	for i := b.Free + 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// failSQL counts one failure; a forgotten row starts again at one.
const failSQL = `
INSERT INTO rate_limits AS rl (key, hits, window_ends)
VALUES (@key, 1, @ends)
ON CONFLICT (key) DO UPDATE SET
	hits        = CASE WHEN rl.window_ends <= @now THEN 1 ELSE rl.hits + 1 END,
	window_ends = CASE WHEN rl.window_ends <= @now THEN EXCLUDED.window_ends ELSE rl.window_ends END
RETURNING hits`

// Fail counts a failure on key and returns how long the key must now wait before its next attempt.
func (l *Limiter) Fail(ctx context.Context, key string, b Backoff) (time.Duration, error) {
	now := l.clock()
	var hits int
	err := l.db.WithContext(ctx).Raw(failSQL, map[string]any{"key": key, "now": now, "ends": now.Add(b.Forget)}).Scan(&hits).Error
	if err != nil {
		return 0, fmt.Errorf("ratelimit: fail %q: %w", key, err)
	}
	wait := b.delay(hits)
	// GREATEST: of two failures at once, the one that asks the longer wait wins.
	err = l.db.WithContext(ctx).Exec(`UPDATE rate_limits SET window_ends = GREATEST(window_ends, ?) WHERE key = ?`,
		now.Add(wait+b.Forget), key).Error
	if err != nil {
		return 0, fmt.Errorf("ratelimit: fail %q: %w", key, err)
	}
	return wait, nil
}

// Wait returns key's failures and how long it must still wait before its next attempt (zero when
// it may try now), without counting anything.
func (l *Limiter) Wait(ctx context.Context, key string, b Backoff) (failures int, wait time.Duration, err error) {
	now := l.clock()
	var rows []counter
	err = l.db.WithContext(ctx).
		Raw(`SELECT hits, window_ends FROM rate_limits WHERE key = ? AND window_ends > ?`, key, now).
		Scan(&rows).Error
	if err != nil {
		return 0, 0, fmt.Errorf("ratelimit: wait %q: %w", key, err)
	}
	if len(rows) == 0 {
		return 0, 0, nil
	}
	return rows[0].Hits, max(0, rows[0].WindowEnds.Add(-b.Forget).Sub(now)), nil
}

// tooMany is the refusal of an attempt that must wait: KindRateLimited, with the wait rounded up
// to whole seconds in RetryAfterSeconds and in words in the message.
func tooMany(wait time.Duration) error {
	secs := max(1, int((wait+time.Second-1)/time.Second)) // round up: retrying early is refused again
	e := apperr.New(apperr.KindRateLimited, "rate_limited",
		"Too many attempts. Please wait "+humanWait(secs)+" and try again.")
	e.RetryAfterSeconds = secs
	return e
}
