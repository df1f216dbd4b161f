// Package apperr is the vocabulary domain packages use to refuse a request in terms a person can act
// on: what kind of refusal it is, a stable code for programs, a message for people, and the form
// fields at fault. It knows nothing about HTTP; the app maps each Kind to a status in one place.
package apperr

import (
	"errors"
	"sort"
	"strings"
)

// Kind classifies a refusal.
type Kind int

// The kinds of refusal.
const (
	KindInvalid         Kind = iota + 1 // the input is wrong; Fields says where
	KindUnauthenticated                 // who is asking is unknown or their credentials are bad
	KindForbidden                       // known, but not allowed
	KindNotFound                        // no such object (or not theirs: never reveal which)
	KindConflict                        // the request contradicts the current state
	KindRateLimited                     // too many attempts; RetryAfter says when to try again
	KindUnavailable                     // a dependency is down or too slow; RetryAfter says when to try again
)

// Error is a refusal meant for the person who made the request. Its Message is shown as it is.
type Error struct {
	Kind    Kind
	Code    string            // stable, for programs: "invalid_input", "email_taken", …
	Message string            // for people
	Fields  map[string]string // form field → what is wrong with it
	// RetryAfterSeconds is set for KindRateLimited and KindUnavailable.
	RetryAfterSeconds int
}

func (e *Error) Error() string { return e.Message }

// Invalid reports wrong input, field by field. The message summarises; the fields say where.
func Invalid(fields map[string]string) *Error {
	msg := "Please correct the highlighted fields."
	if len(fields) == 1 {
		for _, m := range fields {
			msg = m
		}
	}
	return &Error{Kind: KindInvalid, Code: "invalid_input", Message: msg, Fields: fields}
}

// New builds a refusal of any kind.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Unavailable reports that the request could not be served for now through no fault of the
// client (the database is down or did not answer in time); retryAfter is in seconds.
func Unavailable(code, message string, retryAfter int) *Error {
	return &Error{Kind: KindUnavailable, Code: code, Message: message, RetryAfterSeconds: retryAfter}
}

// As returns the refusal inside err, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsKind reports whether err is a refusal of kind k.
func IsKind(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}

// Fields collects field errors while validating a form, in the order a person reads it.
type Fields map[string]string

// Add records msg for field unless it already has an error (the first problem is the one to fix).
func (f Fields) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns an Invalid refusal when anything was recorded, else nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(map[string]string(f))
}

// String lists the fields at fault, for logs and tests.
func (f Fields) String() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}
