package alpacafake

import (
	"context"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"alpacawrapper/market/alpacawire"
)

// isStockFeed reports whether feed is a stock stream served under /v2: the SDK's feeds plus "test",
// Alpaca's always-on test stream.
func isStockFeed(feed string) bool {
	switch feed {
	case "iex", "sip", "delayed_sip", "boats", "overnight", "otc", "test":
		return true
	}
	return false
}

// handleStockStream is the stock stream at /v2/{feed}. An unknown feed is a 404 on the upgrade,
// which the SDK treats as irrecoverable.
func (s *Server) handleStockStream(w http.ResponseWriter, r *http.Request) {
	feed := r.PathValue("feed")
	if !isStockFeed(feed) {
		writeError(w, http.StatusNotFound, alpacawire.ErrCodeNotFound, "endpoint not found")
		return
	}
	s.serveStream(w, r, feed, false)
}

// handleCryptoStream is the crypto stream at /v1beta3/crypto/us.
func (s *Server) handleCryptoStream(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("loc") != cryptoLocation {
		writeError(w, http.StatusNotFound, alpacawire.ErrCodeNotFound, "endpoint not found")
		return
	}
	s.serveStream(w, r, cryptoLocation, true)
}

// serveStream upgrades the request and runs the connection until it ends.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request, feed string, crypto bool) {
	format := alpacawire.FormatFor(r.Header.Get("Content-Type"))
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		// Browsers on other origins (the app in development) may connect: this is a fake.
		InsecureSkipVerify: true,
	})
	if err != nil {
		s.log.Warn("stream upgrade", "err", err)
		return
	}
	ws.SetReadLimit(1 << 20)
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		srv: s, ws: ws, feed: feed, crypto: crypto, format: format,
		ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1),
		state: alpacawire.NewStreamState(crypto, s.opts.SymbolLimit),
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		_ = ws.CloseNow()
		return
	}
	s.conns[c] = struct{}{}
	s.bg.Add(1)
	s.mu.Unlock()
	s.log.Debug("stream connected", "feed", feed, "format", format)

	go func() {
		defer s.bg.Done()
		c.writeLoop()
	}()
	c.sendControl(alpacawire.NewSuccessMsg(alpacawire.MsgConnected))
	c.mu.Lock()
	c.authTimer = time.AfterFunc(s.opts.AuthTimeout, c.authTimedOut)
	c.mu.Unlock()
	// Reading all the time is also what answers the client's pings.
	c.readLoop()
	c.drop()
}

// readLoop handles client messages until the connection fails or is dropped.
func (c *conn) readLoop() {
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			return
		}
		// Decode by frame type: the SDK sends binary msgpack, browsers text JSON.
		f := alpacawire.JSON
		if typ == websocket.MessageBinary {
			f = alpacawire.MsgPack
		}
		a, err := alpacawire.DecodeAction(f, data)
		v := c.state.Handle(a, err)
		if v.Authenticate {
			v = c.handleAuth(a)
		}
		switch {
		case v.Reply == nil:
		case v.Close:
			c.sendControlAndClose(v.Reply)
		default:
			c.sendControl(v.Reply)
		}
	}
}

// handleAuth checks an auth message's credentials; a failed attempt gets a new auth window.
func (c *conn) handleAuth(a alpacawire.Action) alpacawire.Verdict {
	code, closeAfter := c.srv.authorize(c, a.Key, a.Secret)
	if code == 0 {
		c.srv.log.Debug("stream authenticated", "feed", c.feed)
		c.mu.Lock()
		if c.authTimer != nil {
			c.authTimer.Stop()
		}
		c.mu.Unlock()
		return alpacawire.Verdict{Reply: alpacawire.NewSuccessMsg(alpacawire.MsgAuthenticated)}
	}
	if !closeAfter {
		c.mu.Lock()
		if c.authTimer != nil {
			c.authTimer.Reset(c.srv.opts.AuthTimeout) // a new attempt gets a new window
		}
		c.mu.Unlock()
	}
	return c.state.AuthVerdict(a.Key, code, closeAfter)
}

// authorize decides an auth attempt: 0 when accepted (c is then authenticated, marked under the
// server's lock so that two connections of one key cannot both pass the limit), else the error
// code and whether the connection is to be closed after it.
func (s *Server) authorize(c *conn, key, secret string) (code int, closeAfter bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authAttempts++
	if s.rejectTimes > 0 {
		s.rejectTimes--
		return s.rejectCode, false
	}
	if key != s.opts.KeyID || secret != s.opts.SecretKey {
		return alpacawire.CodeAuthFailed, false
	}
	held := 0
	for other := range s.conns {
		if other != c && other.feed == c.feed && other.keyIfAuthenticated() == key {
			held++
		}
	}
	if held >= s.opts.MaxConnections {
		return alpacawire.CodeConnectionLimitExceeded, true
	}
	c.state.SetAuthenticated(key)
	return 0, false
}

// authTimedOut closes a connection that has not authenticated in time.
func (c *conn) authTimedOut() {
	if !c.isAuthenticated() {
		c.sendErrorAndClose(alpacawire.CodeAuthTimeout)
	}
}
