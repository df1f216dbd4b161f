package alpacaapi

import (
	"errors"
	"net/http"
	"strconv"

	"alpacawrapper/apperr"
)

// Alpaca's error codes. Each starts with its HTTP status: 40010001 is a 400, 42210000 a 422.
const (
	CodeMalformedBody = 40010000 // the body is not JSON, or not the JSON expected
	CodeBadRequest    = 40010001 // a parameter is missing, unknown or out of range
	CodeUnauthorized  = 40110000
	CodeForbidden     = 40310000 // buying power, quantity, a rule of the account
	CodeNotFound      = 40410000
	CodeNotAllowed    = 40510000
	CodeUnprocessable = 42210000
	CodeRateLimited   = 42910000
	CodeInternal      = 50010000
	CodeUnavailable   = 50310000
)

// Error is Alpaca's error body, {"code": …, "message": …}, which the SDKs decode into their own
// error types (the Go SDK's *alpaca.APIError). Errors made here are also Go errors a handler can
// return.
type Error struct {
	Status  int    `json:"-"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

// Refuse makes an error with Alpaca's code; the status is the code's first three digits.
func Refuse(code int, message string) *Error {
	return &Error{Status: statusOfCode(code), Code: code, Message: message}
}

// BadRequest refuses a parameter (400, 40010001), as Alpaca refuses an unknown query parameter or
// value.
func BadRequest(message string) *Error { return Refuse(CodeBadRequest, message) }

// NotFound is Alpaca's 404.
func NotFound(message string) *Error { return Refuse(CodeNotFound, message) }

// Unprocessable is Alpaca's 422 for parameters it will not process together.
func Unprocessable(message string) *Error { return Refuse(CodeUnprocessable, message) }

func statusOfCode(code int) int {
	s := code / 100000
	if s < 400 || s > 599 {
		return http.StatusInternalServerError
	}
	return s
}

// FromError turns any error a handler returns into Alpaca's status and body. internal is true
// for errors not meant for the client (logged by the caller, and answered with a generic
// message). Every refusal of the trading engine carries Alpaca's code already (trading/order's
// 40010001 and 42210000, trading's 40310000 and 40410000); the other refusals of the app are
// mapped by kind.
func FromError(err error) (e Error, internal bool) {
	var ae *Error
	if errors.As(err, &ae) {
		return *ae, false
	}
	if rej, ok := apperr.As(err); ok {
		return fromRefusal(rej), false
	}
	return Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal server error"}, true
}

// fromRefusal maps an app refusal: a numeric code is Alpaca's already and decides the status
// (trading's 40310000 is a 403, order validation's 40010001 a 400); otherwise the kind decides.
func fromRefusal(rej *apperr.Error) Error {
	if code, err := strconv.Atoi(rej.Code); err == nil && len(rej.Code) == 8 {
		return Error{Status: statusOfCode(code), Code: code, Message: rej.Message}
	}
	code := CodeUnprocessable
	switch rej.Kind {
	case apperr.KindInvalid, apperr.KindConflict:
		code = CodeUnprocessable
	case apperr.KindUnauthenticated:
		code = CodeUnauthorized
	case apperr.KindForbidden:
		code = CodeForbidden
	case apperr.KindNotFound:
		code = CodeNotFound
	case apperr.KindRateLimited:
		code = CodeRateLimited
	}
	msg := rej.Message
	if code == CodeUnauthorized {
		msg = "request is not authorized" // Alpaca's words; which credential failed is not said
	}
	return Error{Status: statusOfCode(code), Code: code, Message: msg}
}

// FromStatus maps a bare HTTP status from the web framework (a route that does not exist, a body
// over the size limit) to Alpaca's body.
func FromStatus(status int, message string) Error {
	switch status {
	case http.StatusNotFound:
		return Error{Status: status, Code: CodeNotFound, Message: "endpoint not found"}
	case http.StatusMethodNotAllowed:
		return Error{Status: status, Code: CodeNotAllowed, Message: "method not allowed"}
	case http.StatusRequestEntityTooLarge:
		return Error{Status: status, Code: 41310000, Message: "request body too large"}
	case http.StatusServiceUnavailable:
		return Error{Status: status, Code: CodeUnavailable, Message: message}
	}
	return Error{Status: status, Code: status * 100000, Message: message}
}
