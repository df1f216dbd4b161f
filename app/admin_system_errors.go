package app

import (
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/views"
)

// serverErrorsKept is how many server errors the System page lists: enough to see a pattern, few
// enough that the memory is nothing. The log keeps them all.
const serverErrorsKept = 50

// maxErrorMessage bounds one kept error's text, so a huge error cannot hold memory.
const maxErrorMessage = 500

// serverErrors keeps the last requests this process answered with a server error, so an
// operator told "it failed, request id X" can find it on the System page without the logs.
type serverErrors struct {
	mu   sync.Mutex
	ring []views.AdminServerError
	next int
	full bool
}

func newServerErrors(n int) *serverErrors {
	return &serverErrors{ring: make([]views.AdminServerError, n)}
}

// add records the failed request. Connection details are removed from the text, as in any
// answer a person sees.
func (e *serverErrors) add(c *fiber.Ctx, status int, err error) {
	msg := redactConnInfo(err.Error())
	if len(msg) > maxErrorMessage {
		msg = msg[:maxErrorMessage] + "…"
	}
	entry := views.AdminServerError{At: time.Now(), RequestID: requestID(c), Method: c.Method(),
		Path: string([]byte(c.Path())), Status: status, Message: msg}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ring[e.next] = entry
	e.next = (e.next + 1) % len(e.ring)
	e.full = e.full || e.next == 0
}

// recent lists the kept errors, newest first.
func (e *serverErrors) recent() []views.AdminServerError {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.next
	if e.full {
		n = len(e.ring)
	}
	out := make([]views.AdminServerError, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, e.ring[(e.next-i+len(e.ring))%len(e.ring)])
	}
	return out
}
