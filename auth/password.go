package auth

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
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
type Hasher struct {
	params *argon2id.Params
	// dummy is compared against when no account matches, so a login for an unknown address costs
	// the same time as one for a known address and timing does not reveal which addresses exist.
	dummy string
}

// NewHasher returns a hasher with argon2id's recommended parameters (64 MiB, 1 pass).
func NewHasher() *Hasher { return newHasher(argon2id.DefaultParams) }

// NewFastHasher returns a hasher with deliberately weak parameters, for tests only.
func NewFastHasher() *Hasher {
	return newHasher(&argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
}

func newHasher(p *argon2id.Params) *Hasher {
	h := &Hasher{params: p}
	h.dummy, _ = h.Hash("not-a-real-password-only-for-timing")
	return h
}

// Hash returns the encoded argon2id hash of password.
func (h *Hasher) Hash(password string) (string, error) {
	hash, err := argon2id.CreateHash(password, h.params)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return hash, nil
}

// Matches reports whether password matches hash, in constant time.
func (h *Hasher) Matches(password, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
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
