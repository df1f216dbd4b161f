package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// newSecret returns a random, URL-safe secret (256 bits) and the hash under which it is stored.
// Only the hash is kept: a leaked table opens no session and resets no password. SHA-256 (not a
// slow hash) is right here because the secret itself is random and unguessable.
func newSecret() (plain string, hash []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	plain = base64.RawURLEncoding.EncodeToString(b[:])
	return plain, HashSecret(plain)
}

// HashSecret is the stored form of a secret.
func HashSecret(plain string) []byte {
	sum := sha256.Sum256([]byte(plain))
	return sum[:]
}
