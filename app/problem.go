package app

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// Problem is the JSON body of every API error, after RFC 9457 ("problem details"), plus the request
// id so a person reporting a failure can quote it.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Code      string            `json:"code,omitempty"`
	Errors    map[string]string `json:"errors,omitempty"` // field → message, for validation failures
	RequestID string            `json:"request_id,omitempty"`
}

// Rejection is implemented by errors that are meant for the person who made the request: a
// validation failure, a refused order, a missing object. Their message is shown as it is, in every
// environment; any other error is an internal one and its text is hidden in production.
type Rejection interface {
	error
	HTTPStatus() int
	Code() string
}

// FieldErrors is implemented by rejections that name the form fields at fault.
type FieldErrors interface {
	FieldErrors() map[string]string
}

// describe turns any error into the status, title, public detail and code to show. internal is true
// when the error was not meant for users (its text must not reach them in production).
func describe(err error) (p Problem, internal bool) {
	var rej Rejection
	var fe *fiber.Error
	switch {
	case errors.As(err, &rej):
		p = Problem{Status: rej.HTTPStatus(), Detail: rej.Error(), Code: rej.Code()}
		var fields FieldErrors
		if errors.As(err, &fields) {
			p.Errors = fields.FieldErrors()
		}
	case errors.As(err, &fe):
		p = Problem{Status: fe.Code, Detail: fe.Message}
		internal = fe.Code >= http.StatusInternalServerError
	default:
		p = Problem{Status: http.StatusInternalServerError, Detail: err.Error()}
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
