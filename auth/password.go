package auth

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"alpacawrapper/apperr"
)

// Password rules. A long minimum beats composition rules (NIST SP 800-63B); the maximum bounds the
// hashing work one request can ask for.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 128
)

// commonPasswords are refused outright: they are the first guesses of every credential-stuffing
// list, whatever their length.
var commonPasswords = map[string]bool{
	"1234567890": true, "12345678910": true, "123456789012": true, "0123456789": true, "1q2w3e4r5t": true,
	"qwertyuiop": true, "password123": true, "password1234": true, "passw0rd123": true, "iloveyou123": true,
	"1qaz2wsx3edc": true, "qwerty12345": true, "qwerty123456": true, "abcdefghij": true, "letmein123": true,
	"welcome123": true, "football123": true, "baseball123": true, "sunshine123": true, "princess123": true,
	"aaaaaaaaaa": true, "0000000000": true, "1111111111": true, "trustno1234": true, "administrator": true,
	"changeme123": true, "superman123": true, "dragon12345": true, "monkey12345": true, "master12345": true,
}

// Hasher hashes and checks passwords with argon2id. Tests use cheaper parameters; production uses
// the OWASP-recommended defaults.
//
// Each hash takes 64 MiB for its duration, so the number running at once is bounded (about one
// per CPU, which is all the CPUs can run anyway): sixteen failed logins at once took the server
// from 157 MB to 1.07 GB before. A hash waits a short while for a free slot and is otherwise
// refused with a KindUnavailable error, which the app answers 503 with Retry-After.
type Hasher struct {
	params *argon2id.Params
	// dummy is compared against when no account matches, so a login for an unknown address costs
	// the same time as one for a known address and timing does not reveal which addresses exist.
	dummy string
	slots chan struct{}
	wait  time.Duration
}

// DefaultHashWait is how long a hash waits for a free slot before it is refused.
const DefaultHashWait = 2 * time.Second

// hashBusyRetryAfter is the Retry-After, in seconds, of a refused hash.
const hashBusyRetryAfter = 2

// NewHasher returns a hasher with argon2id's recommended parameters (64 MiB, 1 pass), running at
// most one hash per CPU at a time.
func NewHasher() *Hasher { return newHasher(argon2id.DefaultParams) }

// NewFastHasher returns a hasher with deliberately weak parameters, for tests only.
func NewFastHasher() *Hasher {
	return newHasher(&argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
}

func newHasher(p *argon2id.Params) *Hasher {
	h := &Hasher{params: p}
	h.Limit(runtime.NumCPU(), DefaultHashWait)
	h.dummy, _ = argon2id.CreateHash("not-a-real-password-only-for-timing", p)
	return h
}

// Limit sets how many hashes may run at once (at least one) and how long a hash waits for a free
// slot, and returns h. Call it before h is used.
func (h *Hasher) Limit(slots int, wait time.Duration) *Hasher {
	h.slots, h.wait = make(chan struct{}, max(1, slots)), wait
	return h
}

// Acquire takes one hashing slot, waiting at most the hasher's wait (or until ctx ends), and
// returns the function that gives it back. Hash and Matches take their own; a caller holds one
// only to keep hashing from starting (tests of the bound).
func (h *Hasher) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	default:
	}
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-t.C:
		return nil, apperr.Unavailable("busy", "The server is busy checking other passwords. Please try again in a moment.", hashBusyRetryAfter)
	case <-ctx.Done():
		return nil, fmt.Errorf("auth: wait to hash: %w", ctx.Err())
	}
}

// Hash returns the encoded argon2id hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	release, err := h.Acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	hash, err := argon2id.CreateHash(password, h.params)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return hash, nil
}

// Matches reports whether password matches hash, in constant time. Its error is only that no
// slot came free in time.
func (h *Hasher) Matches(ctx context.Context, password, hash string) (bool, error) {
	release, err := h.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok, nil
}

// passwordProblem says what is wrong with a new password, or "" if it is acceptable.
func passwordProblem(password, email string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case n == 0:
		return "Choose a password."
	case n < MinPasswordLength:
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLength)
	case n > MaxPasswordLength:
		return fmt.Sprintf("Use at most %d characters.", MaxPasswordLength)
	case commonPasswords[strings.ToLower(password)]:
		return "This password is too common. Choose one that is harder to guess."
	case email != "" && strings.EqualFold(password, email):
		return "Don't use your e-mail address as your password."
	}
	distinct := map[rune]bool{}
	for _, r := range password {
		distinct[r] = true
	}
	if len(distinct) < 4 {
		return "This password repeats too few characters. Choose one that is harder to guess."
	}
	return ""
}
