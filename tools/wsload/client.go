package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// totals are the counters every client adds to. Frames and updates count only while measuring,
// so warm-up traffic does not inflate the rates.
type totals struct {
	measuring   atomic.Bool
	windowStart atomic.Int64 // unix nanoseconds; set before measuring turns on

	connected    atomic.Int64 // handshakes that succeeded (ever)
	subscribed   atomic.Int64 // clients whose subscription was acknowledged
	open         atomic.Int64 // connections currently open
	dialFailures atomic.Int64
	dropped      atomic.Int64 // connections the server closed while the run was going on
	frames       atomic.Uint64
	updates      atomic.Uint64 // quote, trade and bar messages
	quotes       atomic.Uint64
	errorsMsg    atomic.Uint64 // {"type":"error"} messages
	resubscribes atomic.Int64  // subscriptions sent again after an error reply
	badFrames    atomic.Uint64

	raw    histogram // receive time − quote time
	beyond histogram // the same, minus the part the per-symbol rate limit accounts for

	mu          sync.Mutex
	firstErrors []string // a few distinct failures, for the report
	closeCodes  map[string]int
}

func (t *totals) noteError(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.firstErrors {
		if e == msg {
			return
		}
	}
	if len(t.firstErrors) < 8 {
		t.firstErrors = append(t.firstErrors, msg)
	}
}

func (t *totals) noteClose(reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closeCodes == nil {
		t.closeCodes = map[string]int{}
	}
	t.closeCodes[reason]++
}

// group is the clients of one web process: their latencies apart, so a scaled-out run shows
// each process's share (the totals hold every client's too).
type group struct {
	base  string // the process's base URL
	wsURL string

	raw    histogram
	beyond histogram
}

// clientResult is what one client knows at the end of the measurement window.
type clientResult struct {
	held    bool          // still connected at the end
	updates uint64        // updates received in the window
	maxGap  time.Duration // longest stretch without an update in the window (including to its end)
}

// client is one simulated browser tab: one connection following its symbols.
type client struct {
	id       int
	wsURL    string
	origin   string
	symbols  []string
	interval time.Duration // the server's minimum spacing of a connection's flushes (1 / LIVE_UPDATES_PER_SECOND)
	http     *http.Client
	t        *totals
	g        *group // the web process it is connected to

	// Read only by the client's own goroutine until done is closed.
	conn       *websocket.Conn
	sub        []byte // the subscribe message
	retries    int
	prevNewest time.Time // the newest quote time in the previous frame that carried quotes
	curNewest  time.Time // the same for the frame being read
	lastUpdate time.Time
	droppedAt  time.Time // when the server closed the connection; zero if it did not
	res        clientResult
}

// dial connects and subscribes, waiting for the acknowledgement.
func (c *client) dial(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, c.wsURL, &websocket.DialOptions{
		HTTPClient:      c.http,
		HTTPHeader:      http.Header{"Origin": {c.origin}},
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		if resp != nil {
			return fmt.Errorf("handshake answered %s", resp.Status)
		}
		return err
	}
	conn.SetReadLimit(4 << 20)
	c.conn = conn
	c.t.connected.Add(1)
	c.t.open.Add(1)

	c.sub, _ = json.Marshal(map[string]any{"type": "subscribe", "symbols": c.symbols})
	if err := conn.Write(ctx, websocket.MessageText, c.sub); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return nil
}

// run reads until ctx ends or the server closes the connection.
func (c *client) run(ctx context.Context) {
	defer c.t.open.Add(-1)
	acked := false
	for {
		_, data, err := c.conn.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				c.droppedAt = time.Now()
				c.t.dropped.Add(1)
				reason := "read error"
				var ce websocket.CloseError
				if errors.As(err, &ce) {
					reason = fmt.Sprintf("close %d %s", ce.Code, ce.Reason)
				}
				c.t.noteClose(reason)
				c.t.noteError("client %d: %v", c.id, err)
			}
			return
		}
		now := time.Now()
		measuring := c.t.measuring.Load()
		if measuring {
			c.t.frames.Add(1)
		}
		c.curNewest = time.Time{}
		err = parseFrame(data, func(m message) {
			switch m.Type {
			case "quote":
				c.quote(m, now, measuring)
			case "trade", "bar":
				c.update(now, measuring)
			case "subscribed":
				if !acked {
					acked = true
					c.t.subscribed.Add(1)
				}
			case "error":
				c.t.errorsMsg.Add(1)
				c.t.noteError("server error message: %s", data)
				if !acked {
					c.resubscribe(ctx)
				}
			}
		})
		if err != nil {
			c.t.badFrames.Add(1)
			c.t.noteError("%v: %.120s", err, data)
		}
		if !c.curNewest.IsZero() {
			c.prevNewest = c.curNewest
		}
	}
}

// maxResubscribes bounds how often a client asks again after its subscription was refused.
const maxResubscribes = 5

// resubscribe sends the subscription again after a growing pause, as a page would when the server
// answers "try again" (it checks symbols against the database, which can lag behind a connection
// storm). It does not block the reader.
func (c *client) resubscribe(ctx context.Context) {
	if c.retries >= maxResubscribes {
		return
	}
	c.retries++
	c.t.resubscribes.Add(1)
	wait := time.Duration(c.retries) * time.Second
	time.AfterFunc(wait, func() {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = c.conn.Write(wctx, websocket.MessageText, c.sub)
	})
}

// update counts one update received in the window and tracks the client's longest silence, from
// the window's start to its end.
func (c *client) update(now time.Time, measuring bool) {
	if !measuring {
		return
	}
	c.t.updates.Add(1)
	c.res.updates++
	prev := c.lastUpdate
	if prev.IsZero() {
		prev = time.Unix(0, c.t.windowStart.Load())
	}
	if gap := now.Sub(prev); gap > c.res.maxGap {
		c.res.maxGap = gap
	}
	c.lastUpdate = now
}

// quote records one quote's latency: raw, from the quote's time (the simulator stamps it when it
// generates it) to its arrival, and beyond the batching interval. The server flushes a connection
// at most once per interval, so a quote generated soon after a flush is held on purpose until the
// next one. The previous flush was sent no earlier than the newest quote it carried, so the next
// could go out no earlier than that time plus the interval: measuring "beyond" from the later of
// that moment and the quote's own time can only overstate the non-deliberate part, never hide it.
func (c *client) quote(m message, now time.Time, measuring bool) {
	qt, err := time.Parse(time.RFC3339Nano, m.Time)
	if err != nil {
		c.t.badFrames.Add(1)
		c.t.noteError("quote time %q: %v", m.Time, err)
		return
	}
	if qt.After(c.curNewest) {
		c.curNewest = qt
	}
	if !measuring {
		return
	}
	c.update(now, true)
	c.t.quotes.Add(1)
	c.t.raw.add(now.Sub(qt))
	c.g.raw.add(now.Sub(qt))
	allowed := qt
	if !c.prevNewest.IsZero() && c.interval > 0 {
		if a := c.prevNewest.Add(c.interval); a.After(allowed) {
			allowed = a
		}
	}
	c.t.beyond.add(now.Sub(allowed))
	c.g.beyond.add(now.Sub(allowed))
}

// finish closes the connection and returns the client's result; end is the end of the window.
// It must be called after the client's read goroutine has returned.
func (c *client) finish(end time.Time) clientResult {
	r := c.res
	r.held = c.droppedAt.IsZero() || c.droppedAt.After(end)
	last := c.lastUpdate
	if last.IsZero() {
		last = time.Unix(0, c.t.windowStart.Load())
	}
	if !r.held {
		end = c.droppedAt
	}
	if gap := end.Sub(last); gap > r.maxGap {
		r.maxGap = gap
	}
	return r
}

// httpClientFor is an HTTP client whose connections come from the given loopback address.
func httpClientFor(src net.IP) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 10 * time.Second}
	return &http.Client{Transport: &http.Transport{
		DialContext:     d.DialContext,
		IdleConnTimeout: time.Second,
	}}
}
