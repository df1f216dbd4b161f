package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// clock is a settable time source, so windows can end without the test waiting for them.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// setup returns a limiter on a rolled-back transaction, driven by a clock the test moves.
func setup(t *testing.T) (*Limiter, *clock, *gorm.DB) {
	t.Helper()
	tx := dbtest.Tx(t)
	clk := &clock{t: time.Date(2025, 3, 10, 14, 0, 0, 0, time.UTC)}
	return NewWithClock(tx, clk.now), clk, tx
}

var fifteenMinutes = Rule{Limit: 3, Window: 15 * time.Minute}

func mustHit(t *testing.T, l *Limiter, key string, r Rule) Result {
	t.Helper()
	res, err := l.Hit(context.Background(), key, r)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestHit(t *testing.T) {
	t.Parallel()

	t.Run("allows exactly Limit attempts, then refuses until the window ends", func(t *testing.T) {
		t.Parallel()
		l, _, _ := setup(t)
		for i, want := range []Result{
			{Allowed: true, Remaining: 2, Limit: 3},
			{Allowed: true, Remaining: 1, Limit: 3},
			{Allowed: true, Remaining: 0, Limit: 3},
			{Allowed: false, Remaining: 0, Limit: 3, RetryAfter: 15 * time.Minute},
		} {
			if got := mustHit(t, l, "login:ip:192.0.2.1", fifteenMinutes); got != want {
				t.Errorf("attempt %d: got %+v, want %+v", i+1, got, want)
			}
		}
	})
	t.Run("refused attempts do not extend the block", func(t *testing.T) {
		t.Parallel()
		l, clk, _ := setup(t)
		for range 3 {
			mustHit(t, l, "k", fifteenMinutes)
		}
		clk.advance(10 * time.Minute)
		for range 5 {
			mustHit(t, l, "k", fifteenMinutes)
		}
		if got := mustHit(t, l, "k", fifteenMinutes); got.Allowed || got.RetryAfter != 5*time.Minute {
			t.Errorf("got %+v, want refused with 5m to wait", got)
		}
	})
	t.Run("a new window starts the moment the old one ends", func(t *testing.T) {
		t.Parallel()
		l, clk, _ := setup(t)
		for range 4 {
			mustHit(t, l, "k", fifteenMinutes)
		}
		clk.advance(15*time.Minute - time.Microsecond)
		if got := mustHit(t, l, "k", fifteenMinutes); got.Allowed || got.RetryAfter != time.Microsecond {
			t.Fatalf("just before the end: got %+v", got)
		}
		clk.advance(time.Microsecond)
		if got := mustHit(t, l, "k", fifteenMinutes); !got.Allowed || got.Remaining != 2 {
			t.Errorf("at the end: got %+v, want the first attempt of a new window", got)
		}
	})
	t.Run("the new window is measured from its first attempt", func(t *testing.T) {
		t.Parallel()
		l, clk, _ := setup(t)
		mustHit(t, l, "k", fifteenMinutes)
		clk.advance(time.Hour)
		mustHit(t, l, "k", fifteenMinutes)
		clk.advance(time.Minute)
		mustHit(t, l, "k", fifteenMinutes)
		mustHit(t, l, "k", fifteenMinutes)
		if got := mustHit(t, l, "k", fifteenMinutes); got.RetryAfter != 14*time.Minute {
			t.Errorf("got %+v, want 14m to wait", got)
		}
	})
	t.Run("keys are counted separately", func(t *testing.T) {
		t.Parallel()
		l, _, _ := setup(t)
		for range 4 {
			mustHit(t, l, "login:ip:192.0.2.1", fifteenMinutes)
		}
		if got := mustHit(t, l, "login:ip:192.0.2.2", fifteenMinutes); !got.Allowed || got.Remaining != 2 {
			t.Errorf("other key: got %+v", got)
		}
	})
	t.Run("sub-microsecond clock readings do not skew the wait", func(t *testing.T) {
		t.Parallel()
		l, clk, _ := setup(t)
		clk.advance(123 * time.Nanosecond)
		for range 3 {
			mustHit(t, l, "k", fifteenMinutes)
		}
		if got := mustHit(t, l, "k", fifteenMinutes); got.RetryAfter != 15*time.Minute {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("an invalid rule is an error, not an open door", func(t *testing.T) {
		t.Parallel()
		l, _, _ := setup(t)
		for _, r := range []Rule{{}, {Limit: 0, Window: time.Minute}, {Limit: 5, Window: 0}} {
			if _, err := l.Hit(context.Background(), "k", r); err == nil || !strings.HasPrefix(err.Error(), "ratelimit: ") {
				t.Errorf("rule %+v: err %v", r, err)
			}
		}
	})
}

// TestHitConcurrently checks that simultaneous attempts from several connections are each counted
// once: with a lost update two attempts would see the same count and both be let in.
func TestHitConcurrently(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	l := New(db.Gorm)
	const attempts, limit = 20, 10
	rule := Rule{Limit: limit, Window: time.Minute}

	var wg sync.WaitGroup
	results := make([]Result, attempts)
	errs := make([]error, attempts)
	start := make(chan struct{})
	for i := range attempts {
		wg.Go(func() {
			<-start
			results[i], errs[i] = l.Hit(context.Background(), "hot", rule)
		})
	}
	close(start)
	wg.Wait()

	allowed := 0
	seen := map[int]bool{}
	for i, res := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if res.Allowed {
			allowed++
			if seen[res.Remaining] {
				t.Errorf("two attempts were both told %d remain", res.Remaining)
			}
			seen[res.Remaining] = true
		}
	}
	if allowed != limit {
		t.Errorf("%d attempts allowed, want %d", allowed, limit)
	}
	var hits int
	if err := db.Gorm.Raw(`SELECT hits FROM rate_limits WHERE key = 'hot'`).Scan(&hits).Error; err != nil {
		t.Fatal(err)
	}
	if hits != attempts {
		t.Errorf("counted %d hits, want %d", hits, attempts)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("does not count an attempt", func(t *testing.T) {
		t.Parallel()
		l, _, _ := setup(t)
		for range 5 {
			if _, err := l.Check(ctx, "k", fifteenMinutes); err != nil {
				t.Fatal(err)
			}
		}
		if got := mustHit(t, l, "k", fifteenMinutes); got.Remaining != 2 {
			t.Errorf("after checks, first hit: got %+v", got)
		}
	})
	t.Run("predicts the next hit", func(t *testing.T) {
		t.Parallel()
		l, clk, _ := setup(t)
		want := []Result{
			{Allowed: true, Remaining: 3, Limit: 3},
			{Allowed: true, Remaining: 2, Limit: 3},
			{Allowed: true, Remaining: 1, Limit: 3},
			{Allowed: false, Remaining: 0, Limit: 3, RetryAfter: 15*time.Minute - 3*time.Second},
		}
		for i, w := range want {
			got, err := l.Check(ctx, "k", fifteenMinutes)
			if err != nil {
				t.Fatal(err)
			}
			if got != w {
				t.Errorf("after %d hits: got %+v, want %+v", i, got, w)
			}
			mustHit(t, l, "k", fifteenMinutes)
			clk.advance(time.Second)
		}
	})
	t.Run("an ended window counts as empty", func(t *testing.T) {
		t.Parallel()
		l, clk, _ := setup(t)
		for range 4 {
			mustHit(t, l, "k", fifteenMinutes)
		}
		clk.advance(15 * time.Minute)
		if got, err := l.Check(ctx, "k", fifteenMinutes); err != nil || !got.Allowed || got.Remaining != 3 {
			t.Errorf("got %+v, %v", got, err)
		}
	})
}

func TestReset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, _, _ := setup(t)
	for range 4 {
		mustHit(t, l, "login:acct:a", fifteenMinutes)
		mustHit(t, l, "login:ip:192.0.2.1", fifteenMinutes)
	}
	if err := l.Reset(ctx, "login:acct:a"); err != nil {
		t.Fatal(err)
	}
	if got := mustHit(t, l, "login:acct:a", fifteenMinutes); !got.Allowed || got.Remaining != 2 {
		t.Errorf("reset key: got %+v", got)
	}
	if got := mustHit(t, l, "login:ip:192.0.2.1", fifteenMinutes); got.Allowed {
		t.Errorf("other key was reset too: got %+v", got)
	}
	if err := l.Reset(ctx, "never-seen"); err != nil {
		t.Errorf("resetting an unknown key: %v", err)
	}
}

func TestAllow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const ip, acct = "login:ip:192.0.2.1", "login:acct:a"

	t.Run("nil while every key is within the limit", func(t *testing.T) {
		t.Parallel()
		l, _, _ := setup(t)
		for i := range 3 {
			if err := l.Allow(ctx, fifteenMinutes, ip, acct); err != nil {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
	})
	t.Run("a rate-limited refusal once any key is over", func(t *testing.T) {
		t.Parallel()
		l, clk, _ := setup(t)
		for range 3 {
			mustHit(t, l, acct, fifteenMinutes)
		}
		clk.advance(5*time.Minute + 500*time.Millisecond)
		err := l.Allow(ctx, fifteenMinutes, ip, acct)
		e, ok := apperr.As(err)
		if !ok {
			t.Fatalf("want an *apperr.Error, got %v", err)
		}
		if e.Kind != apperr.KindRateLimited || e.Code != "rate_limited" {
			t.Errorf("kind %v, code %q", e.Kind, e.Code)
		}
		// 9m59.5s to wait, rounded up: waiting as told must be enough.
		if e.RetryAfterSeconds != 600 {
			t.Errorf("RetryAfterSeconds = %d, want 600", e.RetryAfterSeconds)
		}
		if e.Message != "Too many attempts. Please wait 10 minutes and try again." {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("the wait is the longest among the keys over the limit", func(t *testing.T) {
		t.Parallel()
		l, clk, _ := setup(t)
		for range 3 {
			mustHit(t, l, acct, fifteenMinutes)
		}
		clk.advance(10 * time.Minute)
		for range 3 {
			mustHit(t, l, ip, fifteenMinutes)
		}
		e, _ := apperr.As(l.Allow(ctx, fifteenMinutes, ip, acct))
		if e == nil || e.RetryAfterSeconds != 15*60 {
			t.Errorf("got %+v, want the IP key's 15 minutes, not the account's 5", e)
		}
	})
	t.Run("an attempt refused by one key does not count against the later ones", func(t *testing.T) {
		t.Parallel()
		l, _, _ := setup(t)
		for range 3 {
			mustHit(t, l, ip, fifteenMinutes)
		}
		for range 10 {
			if err := l.Allow(ctx, fifteenMinutes, ip, acct); !apperr.IsKind(err, apperr.KindRateLimited) {
				t.Fatalf("want refused, got %v", err)
			}
		}
		if got, _ := l.Check(ctx, acct, fifteenMinutes); got.Remaining != 3 {
			t.Errorf("blocked IP used up the account's attempts: %+v", got)
		}
	})
	t.Run("no keys is a programming error", func(t *testing.T) {
		t.Parallel()
		l, _, _ := setup(t)
		err := l.Allow(ctx, fifteenMinutes)
		if err == nil || apperr.IsKind(err, apperr.KindRateLimited) {
			t.Errorf("got %v", err)
		}
	})
}

func TestHumanWait(t *testing.T) {
	t.Parallel()
	for secs, want := range map[int]string{
		1:         "1 second",
		45:        "45 seconds",
		60:        "1 minute",
		61:        "2 minutes",
		15 * 60:   "15 minutes",
		120 * 60:  "120 minutes",
		121 * 60:  "3 hours",
		24 * 3600: "24 hours",
	} {
		if got := humanWait(secs); got != want {
			t.Errorf("humanWait(%d) = %q, want %q", secs, got, want)
		}
	}
}

func TestPrune(t *testing.T) {
	t.Parallel()
	l, clk, tx := setup(t)
	ctx := context.Background()
	mustHit(t, l, "ends-first", Rule{Limit: 1, Window: time.Minute})
	mustHit(t, l, "ends-at-cutoff", Rule{Limit: 1, Window: 2 * time.Minute})
	mustHit(t, l, "still-running", Rule{Limit: 1, Window: 3 * time.Minute})

	n, err := l.Prune(ctx, clk.now().Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	if err := tx.Raw(`SELECT key FROM rate_limits ORDER BY key`).Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	if n != 2 || len(left) != 1 || left[0] != "still-running" {
		t.Errorf("pruned %d, left %v; want 2 pruned and only still-running left", n, left)
	}
}

func TestParseRule(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Rule{
		"10/15m":       {Limit: 10, Window: 15 * time.Minute},
		"5/1h":         {Limit: 5, Window: time.Hour},
		"100/1m":       {Limit: 100, Window: time.Minute},
		"3/90s":        {Limit: 3, Window: 90 * time.Second},
		" 20 / 1h30m ": {Limit: 20, Window: 90 * time.Minute},
	} {
		got, err := ParseRule(in)
		if err != nil || got != want {
			t.Errorf("ParseRule(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := ParseRule(got.String()); err != nil || back != got {
			t.Errorf("%+v.String() = %q does not read back", got, got.String())
		}
	}
	for _, in := range []string{
		"", "10", "10/", "/15m", "ten/15m", "10/15", "10/fifteen", "0/15m", "-1/15m", "10/0s",
		"10/-5m", "10/15m/2", "1.5/1m",
	} {
		_, err := ParseRule(in)
		if err == nil {
			t.Errorf("ParseRule(%q) accepted", in)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "ratelimit: ") ||
			!strings.Contains(msg, "must look like 10/15m: a count, a slash, a duration") ||
			!strings.Contains(msg, fmt.Sprintf("%q", in)) {
			t.Errorf("ParseRule(%q): error %q does not name the value and the form", in, msg)
		}
	}
}

func TestRuleString(t *testing.T) {
	t.Parallel()
	for r, want := range map[Rule]string{
		{Limit: 10, Window: 15 * time.Minute}:       "10/15m",
		{Limit: 5, Window: time.Hour}:               "5/1h",
		{Limit: 5, Window: 90 * time.Minute}:        "5/1h30m",
		{Limit: 3, Window: 90 * time.Second}:        "3/1m30s",
		{Limit: 3, Window: 30 * time.Second}:        "3/30s",
		{Limit: 3, Window: 1500 * time.Millisecond}: "3/1.5s",
	} {
		if got := r.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", r, got, want)
		}
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	t.Run("account keys ignore case and surrounding space and hide the address", func(t *testing.T) {
		secret := []byte("test-secret-key-0123456789abcdefghij")
		a, b := AccountKey(secret, "login", "Ada@Example.com "), AccountKey(secret, "login", "ada@example.com")
		if a != b {
			t.Errorf("%q != %q", a, b)
		}
		if !strings.HasPrefix(a, "login:acct:") || strings.Contains(a, "ada") || len(a) != len("login:acct:")+64 {
			t.Errorf("key %q", a)
		}
		if AccountKey(secret, "reset", "ada@example.com") == a {
			t.Error("actions share a key")
		}
		// Keyed (issue 10, security 11): without the secret, a guessed address cannot be checked
		// against the table, as a plain SHA-256 of it could.
		plain := sha256.Sum256([]byte("ada@example.com"))
		if a == "login:acct:"+hex.EncodeToString(plain[:]) || AccountKey([]byte("another secret key 0123456789abcdef"), "login", "ada@example.com") == a {
			t.Error("the account key is not keyed by the secret")
		}
	})
	t.Run("IP keys", func(t *testing.T) {
		for in, want := range map[string]string{
			"192.0.2.1":            "login:ip:192.0.2.1",
			"::ffff:192.0.2.1":     "login:ip:192.0.2.1",
			"2001:db8:1:2:3:4:5:6": "login:ip:2001:db8:1:2::/64",
			"2001:DB8:1:2:ffff::1": "login:ip:2001:db8:1:2::/64",
			"2001:db8:1:3::1":      "login:ip:2001:db8:1:3::/64",
			"not an address":       "login:ip:not an address",
		} {
			if got := IPKey("login", in); got != want {
				t.Errorf("IPKey(%q) = %q, want %q", in, got, want)
			}
		}
	})
}

// BenchmarkHit measures one counted attempt: one upsert round trip on a committed database.
func BenchmarkHit(b *testing.B) {
	db := dbtest.DB(b)
	l := New(db.Gorm)
	ctx := context.Background()
	rule := Rule{Limit: 1 << 30, Window: time.Hour}
	b.Run("same key", func(b *testing.B) {
		for b.Loop() {
			if _, err := l.Hit(ctx, "bench", rule); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("new key each time", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			if _, err := l.Hit(ctx, "bench:"+fmt.Sprint(i), rule); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("same key, parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := l.Hit(ctx, "bench-parallel", rule); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
