package alpacafake

import (
	"context"
	"sync"
	"time"

	"github.com/coder/websocket"

	"alpacawrapper/market/alpacawire"
)

// The writer's limits.
const (
	maxBatch     = 1000  // data messages per frame
	maxQueue     = 10000 // queued messages before the client is deemed slow
	writeTimeout = 5 * time.Second
)

// conn is one stream connection. A single writer goroutine sends its queue in order, batching
// consecutive data messages into one array frame; the reader handles the client's actions.
type conn struct {
	srv    *Server
	ws     *websocket.Conn
	feed   string
	crypto bool
	format alpacawire.Format
	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{}

	// state is the protocol state, shared with the app's streams (alpacawire.StreamState).
	state *alpacawire.StreamState

	mu        sync.Mutex
	queue     []outFrame
	closing   bool   // close once the queue is sent
	closeMsg  string // the close frame's reason
	authTimer *time.Timer
	dropOnce  sync.Once
}

// outFrame is a queued frame: a ready one (control messages, malformed frames) or a data message
// to be batched with its neighbours.
type outFrame struct {
	raw  []byte
	data any
}

func (c *conn) isAuthenticated() bool {
	ok, _ := c.state.Authenticated()
	return ok
}

// keyIfAuthenticated is the key the connection authenticated with, or "".
func (c *conn) keyIfAuthenticated() string {
	if ok, key := c.state.Authenticated(); ok {
		return key
	}
	return ""
}

// subscriptionSet is the current set by channel, each list sorted.
func (c *conn) subscriptionSet() map[string][]string { return c.state.Set() }

// sendControl queues a control message, alone in its frame as Alpaca sends them.
func (c *conn) sendControl(msg any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.enqueueControlLocked(msg)
}

func (c *conn) enqueueControlLocked(msg any) {
	frame, err := alpacawire.Encode(c.format, msg)
	if err != nil {
		c.srv.log.Error("encode control message", "err", err)
		return
	}
	c.enqueueLocked(outFrame{raw: frame})
}

// sendErrorAndClose sends the error, then closes the connection.
func (c *conn) sendErrorAndClose(code int) { c.sendControlAndClose(alpacawire.NewErrorMsg(code)) }

// sendControlAndClose sends a control message (an error), then closes the connection.
func (c *conn) sendControlAndClose(msg any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.enqueueControlLocked(msg)
	reason := ""
	if e, ok := msg.(alpacawire.ErrorMsg); ok {
		reason = e.Msg
	}
	c.closing, c.closeMsg = true, reason
}

// sendRaw queues a frame as it is.
func (c *conn) sendRaw(frame []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.enqueueLocked(outFrame{raw: frame})
}

// deliver queues a data message if the connection follows its symbol on its channel. A client that
// lets the queue grow past maxQueue is told it is slow and closed, as Alpaca does.
func (c *conn) deliver(channel, symbol string, msg any) {
	if !c.state.Follows(channel, symbol) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return
	}
	if len(c.queue) >= maxQueue {
		c.queue = nil
		c.enqueueControlLocked(alpacawire.NewErrorMsg(alpacawire.CodeSlowClient))
		c.closing, c.closeMsg = true, alpacawire.ErrorText(alpacawire.CodeSlowClient)
		return
	}
	c.enqueueLocked(outFrame{data: msg})
}

func (c *conn) enqueueLocked(f outFrame) {
	if c.closing {
		return
	}
	c.queue = append(c.queue, f)
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// next takes the next frame to write: a ready frame, or up to maxBatch consecutive data messages
// encoded as one array. ok is false when the queue is empty; closing tells whether to close then.
func (c *conn) next() (frame []byte, ok, closing bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) == 0 {
		return nil, false, c.closing
	}
	if head := c.queue[0]; head.raw != nil {
		c.queue = c.queue[1:]
		return head.raw, true, false
	}
	n := 0
	for n < len(c.queue) && n < maxBatch && c.queue[n].raw == nil {
		n++
	}
	msgs := make([]any, n)
	for i := range msgs {
		msgs[i] = c.queue[i].data
	}
	c.queue = c.queue[n:]
	frame, err := alpacawire.Encode(c.format, msgs...)
	if err != nil {
		c.srv.log.Error("encode data frame", "err", err)
		return nil, false, true
	}
	return frame, true, false
}

// writeLoop sends the queue until the connection ends.
func (c *conn) writeLoop() {
	typ := websocket.MessageText
	if c.format == alpacawire.MsgPack {
		typ = websocket.MessageBinary
	}
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.wake:
		}
		for {
			frame, ok, closing := c.next()
			if !ok {
				if closing {
					c.mu.Lock()
					reason := c.closeMsg
					c.mu.Unlock()
					// A proper close handshake, so the client reads the error before the close.
					_ = c.ws.Close(websocket.StatusPolicyViolation, reason)
					c.drop()
					return
				}
				break
			}
			ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
			err := c.ws.Write(ctx, typ, frame)
			cancel()
			if err != nil {
				c.drop()
				return
			}
		}
	}
}

// drop forgets the connection and closes its socket at once, without a close handshake.
func (c *conn) drop() {
	c.dropOnce.Do(func() {
		c.srv.mu.Lock()
		delete(c.srv.conns, c)
		c.srv.mu.Unlock()
		c.mu.Lock()
		if c.authTimer != nil {
			c.authTimer.Stop()
		}
		c.mu.Unlock()
		c.cancel()
		_ = c.ws.CloseNow()
	})
}
