package alpacawire

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Page tokens are opaque to clients, which send back next_page_token unchanged as page_token. This
// one says where the next page starts: the symbol and the time of its first item, and, for a tape
// where several items may share one instant (real Alpaca quotes do), how many items of that
// instant the pages before have already given.

// pageToken is a decoded token.
type pageToken struct {
	symbol string
	at     time.Time
	skip   int // items at exactly `at` already given
}

// EncodePageToken is the token for a page starting at the item of symbol at t.
func EncodePageToken(symbol string, t time.Time) string {
	return encodePageToken(pageToken{symbol: symbol, at: t})
}

func encodePageToken(tok pageToken) string {
	raw := tok.symbol + "|" + tok.at.UTC().Format(time.RFC3339Nano)
	if tok.skip > 0 {
		raw += "|" + strconv.Itoa(tok.skip)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodePageToken reads a token made by EncodePageToken.
func DecodePageToken(token string) (symbol string, t time.Time, err error) {
	tok, err := decodePageToken(token)
	return tok.symbol, tok.at, err
}

func decodePageToken(token string) (pageToken, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return pageToken{}, fmt.Errorf("alpacawire: invalid page token: %w", err)
	}
	sym, rest, ok := strings.Cut(string(raw), "|")
	if !ok || sym == "" {
		return pageToken{}, errors.New("alpacawire: invalid page token")
	}
	ts, skip, hasSkip := strings.Cut(rest, "|")
	tok := pageToken{symbol: sym}
	if tok.at, err = time.Parse(time.RFC3339Nano, ts); err != nil {
		return pageToken{}, fmt.Errorf("alpacawire: invalid page token: %w", err)
	}
	if hasSkip {
		if tok.skip, err = strconv.Atoi(skip); err != nil || tok.skip < 1 {
			return pageToken{}, errors.New("alpacawire: invalid page token")
		}
	}
	return tok, nil
}
