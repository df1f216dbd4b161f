package alpacaapi

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/shopspring/decimal"

	"alpacawrapper/trading/order"
)

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

// ParseAmount reads a number sent as text (a query parameter, a JSON value) for field with
// trading/order's bounded parser, the one every number from outside goes through: at most 32
// characters, a bounded exponent, a bounded size for its kind. Empty text is absent (Valid
// false). A refusal carries Alpaca's 40010001.
func ParseAmount(field, raw string) (decimal.NullDecimal, error) {
	return order.ParseAmount(field, raw, amountKind(field))
}

// amountKind is what a field measures, which bounds its size.
func amountKind(field string) order.AmountKind {
	switch field {
	case "qty":
		return order.Quantity
	case "notional":
		return order.Dollars
	case "trail_percent", "percentage":
		return order.Percent
	}
	return order.Price
}
