package app

import (
	"alpacawrapper/urls"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

const (
	headerRequestID = "X-Request-ID"
	localRequestID  = "request_id"
)

// acceptableRequestID limits what we take from a proxy's X-Request-ID: it ends up in logs, so it
// must be short and free of anything that could forge a log line.
var acceptableRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// withRequestID gives every request an id, reusing the one a proxy set when it is well formed, and
// echoes it in the response so users and operators can match a failure to its log lines.
func withRequestID(c *fiber.Ctx) error {
	id := c.Get(headerRequestID)
	if !acceptableRequestID.MatchString(id) {
		var b [12]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Locals(localRequestID, id)
	c.Set(headerRequestID, id)
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// accessLog writes one structured line per request after the response is decided (the error
// handler runs inside c.Next here, so the status is the one the client gets).
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.errorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	// A streamed body (an event stream) is still being written, and reading it here would wait
	// for its end: its size is unknown (-1).
	size := -1
	if !c.Response().IsBodyStream() {
		size = len(c.Response().Body())
	}
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case c.Path() == urls.Path(urls.Healthz) || c.Path() == urls.Path(urls.Readyz):
		level = slog.LevelDebug // probes every few seconds would drown the log
	}
	s.log.LogAttrs(c.UserContext(), level, "http request",
		slog.String("request_id", requestID(c)),
		slog.String("method", c.Method()),
		slog.String("path", c.Path()),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
		slog.Int("bytes", size),
		slog.String("ip", clientIPOf(c)),
	)
	return nil
}

// recoverPanics turns a panic in a handler into a logged 500 instead of a dead connection; the stack
// goes to the log, never to the client.
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.ErrorContext(c.UserContext(), "panic in handler",
				slog.String("request_id", requestID(c)), slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
			err = fmt.Errorf("app: panic: %v", r)
		}
	}()
	return c.Next()
}

// withDeadline gives every request a deadline. Handlers pass c.UserContext() to the database, so a
// frozen or unreachable database holds no request (nor a pool connection) longer than d; the
// error handler then answers 503. Live streams run on contexts of their own after their handler
// has returned, so the deadline does not end them.
func withDeadline(d time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if d <= 0 {
			return c.Next()
		}
		ctx, cancel := context.WithTimeout(c.UserContext(), d)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}

// minCompressedBody is the smallest body worth compressing. A smaller one (an API answer such as
// GET /v2/account, about 1 KB; a redirect; an error) fits in a packet or two either way, so
// compressing it saves the client no round trip and costs the server a compressor per request:
// under load that was a measurable share of GET /v2/account's time (docs/BENCHMARKS.md).
const minCompressedBody = 4 << 10

// compressResponses compresses what the request accepts (brotli, gzip or deflate, as Fiber's
// compress middleware does) when it is worth it: never an event stream, which a compressor would
// hold back in its buffer (SSE under /v2/events/trades and /api/v1/stream must reach the client
// as each event is written), and never a body under minCompressedBody.
func compressResponses() fiber.Handler {
	compress := fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {},
		fasthttp.CompressBrotliDefaultCompression, fasthttp.CompressDefaultCompression)
	return func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			return err
		}
		resp := c.Response()
		if resp.IsBodyStream() {
			if bytes.HasPrefix(resp.Header.ContentType(), []byte("text/event-stream")) {
				return nil
			}
		} else if len(resp.Body()) < minCompressedBody {
			return nil
		}
		compress(c.Context())
		return nil
	}
}
