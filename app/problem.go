package app

import (
	"errors"
	"net/http"
	"regexp"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
)

// Problem is the JSON body of every API error, after RFC 9457 ("problem details"), plus the request
// id so a person reporting a failure can quote it.
type Problem struct {
	Type      string            `json:"type" example:"about:blank"`
	Title     string            `json:"title" example:"Not Found"`
	Status    int               `json:"status" example:"404"`
	Detail    string            `json:"detail,omitempty" doc:"What went wrong, for people." example:"There is no such watchlist."`
	Code      string            `json:"code,omitempty" doc:"What went wrong, for programs." example:"watchlist_not_found"`
	Errors    map[string]string `json:"errors,omitempty" doc:"Field → message, for validation failures." example:"{\"name\":\"This field is required.\"}"` // field → message, for validation failures
	RequestID string            `json:"request_id,omitempty" doc:"Quote it when reporting a failure." example:"01JEXAMPLE0REQUEST0ID00000"`
}

// statusOf maps a refusal's kind to its HTTP status: the one place where domain refusals meet HTTP.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.KindInvalid:
		return http.StatusUnprocessableEntity
	case apperr.KindUnauthenticated:
		return http.StatusUnauthorized
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindNotFound:
		return http.StatusNotFound
	case apperr.KindConflict:
		return http.StatusConflict
	case apperr.KindRateLimited:
		return http.StatusTooManyRequests
	case apperr.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// describe turns any error into the status, title, public detail and code to show. internal is true
// when the error was not meant for users (its text must not reach them in production).
func describe(err error) (p Problem, internal bool) {
	var fe *fiber.Error
	rej, isRejection := apperr.As(err)
	switch {
	case isRejection:
		p = Problem{Status: statusOf(rej.Kind), Detail: rej.Message, Code: rej.Code, Errors: rej.Fields}
	case errors.As(err, &fe):
		p = Problem{Status: fe.Code, Detail: fe.Message}
		internal = fe.Code >= http.StatusInternalServerError
	default:
		// Shown in development only; even there, never how to reach the database.
		p = Problem{Status: http.StatusInternalServerError, Detail: redactConnInfo(err.Error())}
		internal = true
	}
	p.Title = http.StatusText(p.Status)
	if p.Title == "" {
		p.Title = "Error"
	}
	if p.Detail == p.Title {
		p.Detail = "" // fiber.NewError(404) repeats the status text: say nothing twice
	}
	p.Type = "about:blank"
	return p, internal
}

// connInfo matches what driver errors say about where the database is: connection strings,
// key=value connection settings, and IP addresses with their ports.
var connInfo = regexp.MustCompile(`(?i)postgres(?:ql)?://\S+|\b(?:user|host|hostaddr|port|dbname|database|password|sslmode)=[^\s` + "`" + `'",)]+|\[[0-9a-f]*:[0-9a-f:]*\](?::\d+)?|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b`)

// redactConnInfo removes connection details from an error's text.
func redactConnInfo(s string) string { return connInfo.ReplaceAllString(s, "[redacted]") }
