package live

import (
	"bufio"
	"net"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
)

// SSETransport carries a session over Server-Sent Events, so that an event stream is a protocol
// of the same runtime as the WebSockets (the same write deadlines, slow-client cut-off and
// keep-alive). The protocol's frames are written as they are (a protocol for SSE formats its
// own "id:" and "data:" lines); a ping is a comment line, which keeps proxies from closing an
// idle stream and makes a client that went away fail the write. The client says nothing, so
// ReadMessage waits until the transport closes and read deadlines do not apply.
type SSETransport struct {
	conn net.Conn // for write deadlines; nil in in-process tests

	mu sync.Mutex
	w  *bufio.Writer

	closeOnce sync.Once
	closed    chan struct{}
}

// NewSSETransport wraps the response body writer of an event stream and its connection.
func NewSSETransport(w *bufio.Writer, conn net.Conn) *SSETransport {
	return &SSETransport{w: w, conn: conn, closed: make(chan struct{})}
}

// ReadMessage waits until the transport closes.
func (t *SSETransport) ReadMessage() (int, []byte, error) {
	<-t.closed
	return 0, nil, net.ErrClosed
}

// WriteMessage writes data and flushes it to the client.
func (t *SSETransport) WriteMessage(_ int, data []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = t.w.Write(data)
	// A failed write is sticky in bufio.Writer, so the flush reports every earlier one too.
	return t.w.Flush()
}

// WriteControl writes a ping as a comment line; a close needs nothing (the response ends).
func (t *SSETransport) WriteControl(kind int, _ []byte, deadline time.Time) error {
	if kind != websocket.PingMessage {
		return nil
	}
	_ = t.SetWriteDeadline(deadline)
	return t.WriteMessage(kind, []byte(": ping\n\n"))
}

// SetReadDeadline does nothing: the client of an event stream sends nothing.
func (t *SSETransport) SetReadDeadline(time.Time) error { return nil }

// SetWriteDeadline moves the connection's write deadline.
func (t *SSETransport) SetWriteDeadline(d time.Time) error {
	if t.conn == nil {
		return nil
	}
	return t.conn.SetWriteDeadline(d)
}

// SetReadLimit does nothing (nothing is read).
func (t *SSETransport) SetReadLimit(int64) {}

// SetPongHandler does nothing (there are no pongs).
func (t *SSETransport) SetPongHandler(func(string) error) {}

// NetConn is the connection, for the slow-client cut-off.
func (t *SSETransport) NetConn() net.Conn { return t.conn }

// Close ends ReadMessage; the response ends when the session's Run returns.
func (t *SSETransport) Close() error {
	t.closeOnce.Do(func() { close(t.closed) })
	return nil
}
