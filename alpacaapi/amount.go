package alpacaapi

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/shopspring/decimal"
)

// maxAmountLength bounds the text of a number before it is parsed: decimal parsing costs grow
// with the square of the length, and no price or quantity needs more than 32 characters.
const maxAmountLength = 32

// Amount is a decimal field of a request body as sent: a JSON string ("1.5") or number (1.5),
// absent when null or "" (as the SDKs send unset fields). Decoding only keeps its text; Parse
// reads it, bounded, for a named field, so a refusal says which field was wrong.
type Amount struct {
	raw string
}

// UnmarshalJSON keeps the value's text.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		a.raw = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return Refuse(CodeMalformedBody, "request body format is invalid")
		}
		a.raw = strings.TrimSpace(s)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		a.raw = string(b)
	default:
		a.raw = "\x00" // true, an object, an array: not a number, refused by Parse
	}
	return nil
}

// Parse reads the amount for field.
func (a Amount) Parse(field string) (decimal.NullDecimal, error) { return ParseAmount(field, a.raw) }

// ParseAmount reads a number sent as text (a query parameter, a JSON string) for field: plain
// decimal notation of at most 32 characters, with an exponent of at most two digits. Empty text
// is absent (Valid false).
func ParseAmount(field, raw string) (decimal.NullDecimal, error) {
	if raw == "" {
		return decimal.NullDecimal{}, nil
	}
	if len(raw) > maxAmountLength || !plainNumber(raw) {
		return decimal.NullDecimal{}, BadRequest(field + " must be a number, such as 10 or 187.50")
	}
	d, err := decimal.NewFromString(raw)
	if err != nil {
		return decimal.NullDecimal{}, BadRequest(field + " must be a number, such as 10 or 187.50")
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}, nil
}

// plainNumber reports whether s is [+-]digits[.digits][e[+-]d[d]].
func plainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		n := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			n++
		}
		if n == 0 || n > 2 {
			return false
		}
	}
	return i == len(s)
}
