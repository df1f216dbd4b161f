package alpacaapi

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// maxQueryValue bounds one query value before it is read; the longest real one is a list of
// symbols.
const maxQueryValue = 4096

// Query reads an endpoint's query parameters as Alpaca does: a parameter the endpoint does not
// know, or a value it cannot read, is refused with 400 and code 40010001, never ignored, so a bot
// with a typo learns of it at once. The first problem is kept; Err returns it.
type Query struct {
	v   url.Values
	err error
}

// NewQuery checks that every parameter of v is one of known (a repeated parameter is refused
// too: Alpaca's lists are comma-separated).
func NewQuery(v url.Values, known ...string) *Query {
	q := &Query{v: v}
	for name, values := range v {
		switch {
		case !slices.Contains(known, name):
			q.fail("unknown query parameter %q (accepted: %s)", name, strings.Join(known, ", "))
		case len(values) > 1:
			q.fail("query parameter %q is given more than once", name)
		case len(values[0]) > maxQueryValue:
			q.fail("query parameter %q is too long", name)
		}
	}
	return q
}

func (q *Query) fail(format string, args ...any) {
	if q.err == nil {
		q.err = BadRequest(fmt.Sprintf(format, args...))
	}
}

// Err is the first problem found, or nil.
func (q *Query) Err() error { return q.err }

// Has reports whether the parameter was sent with a value.
func (q *Query) Has(name string) bool { return q.v.Get(name) != "" }

// String is a parameter's raw value.
func (q *Query) String(name string) string { return strings.TrimSpace(q.v.Get(name)) }

// Enum is a parameter that must be one of allowed (compared case-insensitively, as alpaca-py
// capitalises some); def when absent.
func (q *Query) Enum(name, def string, allowed ...string) string {
	s := q.String(name)
	if s == "" {
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(s, a) {
			return a
		}
	}
	q.fail("invalid %s %q (accepted: %s)", name, s, strings.Join(allowed, ", "))
	return def
}

// Bool is a true/false parameter. alpaca-py sends Python's True and False, so case is ignored.
func (q *Query) Bool(name string, def bool) bool {
	s := q.String(name)
	if s == "" {
		return def
	}
	b, err := strconv.ParseBool(strings.ToLower(s))
	if err != nil {
		q.fail("invalid %s %q (accepted: true, false)", name, s)
		return def
	}
	return b
}

// Int is a whole-number parameter within [lo, hi]; def when absent.
func (q *Query) Int(name string, def, lo, hi int) int {
	s := q.String(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		q.fail("invalid %s %q: expected a whole number from %d to %d", name, s, lo, hi)
		return def
	}
	return n
}

// Time is a time parameter: RFC 3339 (with or without fractional seconds) or a date, which
// means its midnight in loc. Zero when absent.
func (q *Query) Time(name string, loc *time.Location) time.Time {
	s := q.String(name)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t
	}
	q.fail("invalid %s %q: expected a date (2006-01-02) or an RFC 3339 time", name, s)
	return time.Time{}
}

// Symbols is a comma-separated list of symbols, upper-cased, at most max of them.
func (q *Query) Symbols(name string, max int) []string {
	s := q.String(name)
	if s == "" {
		return nil
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.ToUpper(strings.TrimSpace(part)); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) > max {
		q.fail("too many %s: at most %d", name, max)
		return nil
	}
	return out
}

// Amount is a decimal parameter, bounded like a body's.
func (q *Query) Amount(name string) decimal.NullDecimal {
	d, err := ParseAmount(name, q.String(name))
	if err != nil && q.err == nil {
		q.err = err
	}
	return d
}
