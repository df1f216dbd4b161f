package alpacawire

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Page tokens are opaque to clients, which send back next_page_token unchanged as page_token. This
// one says where the next page starts: the symbol and the time of its first item.

// EncodePageToken is the token for a page starting at the item of symbol at t.
func EncodePageToken(symbol string, t time.Time) string {
	return base64.RawURLEncoding.EncodeToString([]byte(symbol + "|" + t.UTC().Format(time.RFC3339Nano)))
}

// DecodePageToken reads a token made by EncodePageToken.
func DecodePageToken(token string) (symbol string, t time.Time, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("alpacawire: invalid page token: %w", err)
	}
	sym, ts, ok := strings.Cut(string(raw), "|")
	if !ok || sym == "" {
		return "", time.Time{}, errors.New("alpacawire: invalid page token")
	}
	t, err = time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("alpacawire: invalid page token: %w", err)
	}
	return sym, t, nil
}
