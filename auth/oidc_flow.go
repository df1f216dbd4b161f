package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// flowSealer encrypts and authenticates a Flow for the browser's cookie (AES-256-GCM under a key
// derived from the app's secret). The browser can neither read the PKCE verifier and nonce nor
// change anything; no row is written for a flow that may never come back.
type flowSealer struct{ aead cipher.AEAD }

// flowAAD ties a sealed value to its use: nothing else sealed under the same key opens as a flow.
var flowAAD = []byte("alpacawrapper oidc flow v1")

func newFlowSealer(secret []byte) flowSealer {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("oidc-flow-cookie"))
	block, _ := aes.NewCipher(mac.Sum(nil)) // a 32-byte key cannot fail
	aead, _ := cipher.NewGCM(block)
	return flowSealer{aead: aead}
}

func (s flowSealer) seal(f Flow) (string, error) {
	plain, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("auth: seal flow: %w", err)
	}
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, flowAAD)), nil
}

// open returns the flow of a sealed value that is intact and younger than FlowTTL.
func (s flowSealer) open(sealed string, now time.Time) (Flow, error) {
	var f Flow
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return f, errors.New("auth: flow: malformed")
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], flowAAD)
	if err != nil {
		return f, errors.New("auth: flow: not ours")
	}
	if err := json.Unmarshal(plain, &f); err != nil {
		return f, fmt.Errorf("auth: flow: %w", err)
	}
	if age := now.Sub(f.StartedAt); age > FlowTTL || age < -time.Minute {
		return Flow{}, errors.New("auth: flow: expired")
	}
	return f, nil
}
