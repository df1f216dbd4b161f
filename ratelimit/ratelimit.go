// Package ratelimit counts attempts per key in PostgreSQL, so every app instance behind a load
// balancer sees the same counters and a client cannot multiply its allowance by reaching another
// instance.
//
// # Algorithm: fixed window, anchored at the first hit
//
// Each key has one row: a hit count and the instant its window ends. The first hit of a key (or the
// first after its window has ended) starts a new window of Rule.Window and counts 1; later hits in
// the window add 1. An attempt is allowed while the count, this attempt included, is at most
// Rule.Limit. Refused attempts are counted too, but they never move window_ends, so hammering a
// blocked key does not extend the block: the wait is always the rest of the current window.
//
// A fixed window lets a client that times its attempts well make up to 2×Limit attempts in a span
// of one Window (Limit just before a window ends, Limit just after). For login and similar
// brute-force guards that factor of two is harmless, and it keeps each check to one indexed
// upsert of one row. A sliding-window approximation would need the previous window's count as
// well (a second column) for only a small gain in precision.
//
// # Time
//
// The time comes from the Limiter's clock (time.Now in production), truncated to PostgreSQL's
// microsecond precision and passed into the SQL as a parameter rather than read from the
// database's now(). That keeps tests in control of time, and avoids now()'s "start of the
// transaction" meaning when the limiter runs inside one. Instances' clocks differ by milliseconds
// under NTP, which moves a window's end by as much: irrelevant for windows of minutes.
package ratelimit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Rule is how many attempts a key may make per window.
type Rule struct {
	// Limit is the number of attempts allowed in one window; at least 1.
	Limit int
	// Window is how long a window lasts from the key's first attempt; positive.
	Window time.Duration
}

// ruleSyntax is the part of ParseRule's error that tells a person what to write.
const ruleSyntax = "must look like 10/15m: a count, a slash, a duration"

// ParseRule reads a rule written as count/duration, such as "10/15m", "5/1h" or "100/1m" (the
// duration in time.ParseDuration's syntax). Its error names the value and the expected form, so
// configuration validation can show it as it is.
func ParseRule(s string) (Rule, error) {
	count, window, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Rule{}, fmt.Errorf("ratelimit: rule %q %s", s, ruleSyntax)
	}
	limit, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil {
		return Rule{}, fmt.Errorf("ratelimit: rule %q %s", s, ruleSyntax)
	}
	d, err := time.ParseDuration(strings.TrimSpace(window))
	if err != nil {
		return Rule{}, fmt.Errorf("ratelimit: rule %q %s", s, ruleSyntax)
	}
	r := Rule{Limit: limit, Window: d}
	if err := r.validate(); err != nil {
		return Rule{}, fmt.Errorf("ratelimit: rule %q %s (%w)", s, ruleSyntax, err)
	}
	return r, nil
}

// validate rejects rules that would allow nothing or never expire; a zero Rule is a programming
// error that must not silently disable the limit.
func (r Rule) validate() error {
	switch {
	case r.Limit < 1:
		return errors.New("the count must be at least 1")
	case r.Window < time.Microsecond:
		// PostgreSQL keeps microseconds: a shorter window would end as it starts.
		return errors.New("the duration must be positive")
	}
	return nil
}

// String writes the rule the way ParseRule reads it, without time.Duration's trailing zero
// units ("10/15m", not "10/15m0s"), so logs show what was configured.
func (r Rule) String() string {
	d := r.Window.String()
	if strings.HasSuffix(d, "m0s") {
		d = strings.TrimSuffix(d, "0s")
	}
	if strings.HasSuffix(d, "h0m") {
		d = strings.TrimSuffix(d, "0m")
	}
	return strconv.Itoa(r.Limit) + "/" + d
}

// Result is the state of a key after Hit, or before the next attempt for Check.
type Result struct {
	// Allowed reports whether the attempt (Hit) or the next attempt (Check) is within the limit.
	Allowed bool
	// Remaining is how many more attempts the current window allows.
	Remaining int
	// RetryAfter is how long until the window ends and attempts are allowed again; zero when
	// Allowed.
	RetryAfter time.Duration
	// Limit is the rule's limit, for RateLimit-* response headers.
	Limit int
	// Resets is when the current window ends (set by Memory; zero from Limiter).
	Resets time.Time
}

// Limiter counts attempts in the rate_limits table. It is safe for concurrent use by any number
// of goroutines and processes: every count is one atomic statement.
type Limiter struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns a limiter on db. Give it the application's root handle, not a request's
// transaction: a count must survive the rollback of the attempt it counts (a failed login rolls
// back; its attempt must still count), and inside a long transaction the row lock taken by the
// upsert would serialise every other attempt on the same key until the commit.
func New(db *gorm.DB) *Limiter {
	return NewWithClock(db, time.Now)
}

// NewWithClock is New with the time taken from now, so tests of code that uses the limiter can
// let windows end without waiting.
func NewWithClock(db *gorm.DB, now func() time.Time) *Limiter {
	return &Limiter{db: db, now: now}
}

// clock is the limiter's time at PostgreSQL's precision, so that what is compared in SQL is the
// exact value RetryAfter is computed from.
func (l *Limiter) clock() time.Time {
	return l.now().UTC().Truncate(time.Microsecond)
}

// hitSQL counts one attempt in one statement. The row lock taken by ON CONFLICT DO UPDATE
// serialises concurrent hits on a key, so none is lost. An expired row is reused as a new window,
// which is why pruning is only housekeeping and never needed for correctness.
const hitSQL = `
INSERT INTO rate_limits AS rl (key, hits, window_ends)
VALUES (@key, 1, @ends)
ON CONFLICT (key) DO UPDATE SET
	hits        = CASE WHEN rl.window_ends <= @now THEN 1 ELSE rl.hits + 1 END,
	window_ends = CASE WHEN rl.window_ends <= @now THEN EXCLUDED.window_ends ELSE rl.window_ends END
RETURNING hits, window_ends`

// counter is a row of rate_limits as the queries return it.
type counter struct {
	Hits       int
	WindowEnds time.Time
}

// Hit counts one attempt on key and reports whether it is within r.
func (l *Limiter) Hit(ctx context.Context, key string, r Rule) (Result, error) {
	if err := r.validate(); err != nil {
		return Result{}, fmt.Errorf("ratelimit: hit %q: invalid rule %s: %w", key, r, err)
	}
	now := l.clock()
	var c counter
	err := l.db.WithContext(ctx).Raw(hitSQL, map[string]any{
		"key": key, "now": now, "ends": now.Add(r.Window),
	}).Scan(&c).Error
	if err != nil {
		return Result{}, fmt.Errorf("ratelimit: hit %q: %w", key, err)
	}
	res := Result{Allowed: c.Hits <= r.Limit, Remaining: max(0, r.Limit-c.Hits), Limit: r.Limit}
	if !res.Allowed {
		res.RetryAfter = c.WindowEnds.Sub(now)
	}
	return res, nil
}

// Check reports whether the next attempt on key would be allowed, without counting one: a caller
// can refuse a blocked client before doing expensive work (hashing a password), then Hit only
// when it does the work.
func (l *Limiter) Check(ctx context.Context, key string, r Rule) (Result, error) {
	if err := r.validate(); err != nil {
		return Result{}, fmt.Errorf("ratelimit: check %q: invalid rule %s: %w", key, r, err)
	}
	now := l.clock()
	var rows []counter
	err := l.db.WithContext(ctx).
		Raw(`SELECT hits, window_ends FROM rate_limits WHERE key = ? AND window_ends > ?`, key, now).
		Scan(&rows).Error
	if err != nil {
		return Result{}, fmt.Errorf("ratelimit: check %q: %w", key, err)
	}
	hits := 0
	if len(rows) == 1 {
		hits = rows[0].Hits
	}
	res := Result{Allowed: hits < r.Limit, Remaining: max(0, r.Limit-hits), Limit: r.Limit}
	if !res.Allowed {
		res.RetryAfter = rows[0].WindowEnds.Sub(now)
	}
	return res, nil
}

// Reset forgets key's attempts, e.g. the per-account counter after a successful login, so that a
// person's own earlier typos do not count against their next session. Resetting an unknown key
// is not an error.
func (l *Limiter) Reset(ctx context.Context, key string) error {
	if err := l.db.WithContext(ctx).Exec(`DELETE FROM rate_limits WHERE key = ?`, key).Error; err != nil {
		return fmt.Errorf("ratelimit: reset %q: %w", key, err)
	}
	return nil
}

// Allow counts one attempt on each key in order (typically the per-IP key, then the per-account
// key) and returns an *apperr.Error of kind KindRateLimited when any of them is over r.
//
// Counting stops at the first key that refuses: the attempt is not going to be made, so it must
// not count against the keys after it. Otherwise one client, already blocked by its IP key, could
// keep sending attempts to lock out any number of accounts. The keys after a refusing one are
// only checked, so RetryAfterSeconds is the longest wait among all the keys that are over.
func (l *Limiter) Allow(ctx context.Context, r Rule, keys ...string) error {
	if len(keys) == 0 {
		return errors.New("ratelimit: allow: no keys given")
	}
	var wait time.Duration
	refused := false
	for _, key := range keys {
		var res Result
		var err error
		if refused {
			res, err = l.Check(ctx, key, r)
		} else {
			res, err = l.Hit(ctx, key, r)
		}
		if err != nil {
			return err
		}
		if !res.Allowed {
			refused = true
			wait = max(wait, res.RetryAfter)
		}
	}
	if !refused {
		return nil
	}
	return tooMany(wait)
}

// humanWait writes a wait the way a person would say it, rounding up so that whoever waits as
// told is let in.
func humanWait(secs int) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	switch {
	case secs < 60:
		return plural(secs, "second")
	case secs <= 120*60:
		return plural((secs+59)/60, "minute")
	default:
		return plural((secs+3599)/3600, "hour")
	}
}

// Prune deletes the rows whose window ended at or before before, and returns how many it deleted.
// An expired row behaves exactly like a missing one, so pruning only keeps the table small.
func (l *Limiter) Prune(ctx context.Context, before time.Time) (int64, error) {
	res := l.db.WithContext(ctx).Exec(`DELETE FROM rate_limits WHERE window_ends <= ?`, before)
	if res.Error != nil {
		return 0, fmt.Errorf("ratelimit: prune: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// AccountKey is the key for action on the account with this e-mail address. The address is
// trimmed and lower-cased, so "Ada@Example.com " and "ada@example.com" share a counter (the users
// table compares addresses case-insensitively), and stored only as an HMAC-SHA256 under secret
// (the app's SECRET_KEY): the table holds no e-mail addresses, and unlike a plain hash, no one
// who reads it can test guessed addresses against it.
func AccountKey(secret []byte, action, email string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("alpacawrapper/ratelimit/account/v1\x00"))
	mac.Write([]byte(strings.ToLower(strings.TrimSpace(email))))
	return action + ":acct:" + hex.EncodeToString(mac.Sum(nil))
}

// IPKey is the key for action from the client address ip. An IPv6 address is reduced to its /64:
// one subscriber is usually given a whole /64, so counting single IPv6 addresses would give an
// attacker 2^64 fresh counters. IPv4-mapped IPv6 addresses count as the IPv4 address. A value that
// is not an IP address is used as it is.
func IPKey(action, ip string) string {
	addr := net.ParseIP(ip)
	switch {
	case addr == nil:
		return action + ":ip:" + ip
	case addr.To4() != nil:
		return action + ":ip:" + addr.To4().String()
	default:
		prefix := &net.IPNet{IP: addr.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}
		return action + ":ip:" + prefix.String()
	}
}
