package alpacafake

import (
	"context"
	"net/http"
	"slices"
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
		subs: map[string]map[string]bool{},
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
		if err != nil {
			c.sendError(alpacawire.CodeInvalidSyntax)
			continue
		}
		switch a.Action {
		case alpacawire.ActionAuth:
			c.handleAuth(a)
		case alpacawire.ActionSubscribe, alpacawire.ActionUnsubscribe:
			c.handleSubscription(a)
		default:
			c.sendError(alpacawire.CodeInvalidSyntax)
		}
	}
}

// handleAuth answers an auth message: authenticated, or an error code.
func (c *conn) handleAuth(a alpacawire.Action) {
	if c.isAuthenticated() {
		c.sendError(alpacawire.CodeAlreadyAuthenticated)
		return
	}
	code, closeAfter := c.srv.authorize(c, a.Key, a.Secret)
	switch {
	case code == 0:
		c.srv.log.Debug("stream authenticated", "feed", c.feed)
	case closeAfter:
		c.sendErrorAndClose(code)
	default:
		c.sendError(code)
		c.mu.Lock()
		if c.authTimer != nil {
			c.authTimer.Reset(c.srv.opts.AuthTimeout) // a new attempt gets a new window
		}
		c.mu.Unlock()
	}
}

// authorize decides an auth attempt: 0 when accepted (c is then authenticated and its
// "authenticated" message queued), else the error code and whether the connection is to be closed
// after it.
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
	c.mu.Lock()
	c.authed, c.key = true, key
	if c.authTimer != nil {
		c.authTimer.Stop()
	}
	// Queued under the same lock that marks the connection authenticated, so nothing can come
	// before it.
	c.enqueueControlLocked(alpacawire.NewSuccessMsg(alpacawire.MsgAuthenticated))
	c.mu.Unlock()
	return 0, false
}

// authTimedOut closes a connection that has not authenticated in time.
func (c *conn) authTimedOut() {
	if !c.isAuthenticated() {
		c.sendErrorAndClose(alpacawire.CodeAuthTimeout)
	}
}

// handleSubscription applies a subscribe or unsubscribe and acknowledges with the full set, as the
// very next message. A change that would pass the symbol limit is refused whole.
func (c *conn) handleSubscription(a alpacawire.Action) {
	if !c.isAuthenticated() {
		c.sendError(alpacawire.CodeNotAuthenticated)
		return
	}
	allowed := alpacawire.StockChannels()
	if c.crypto {
		allowed = alpacawire.CryptoChannels()
	}
	lists := a.Lists()
	for ch := range lists {
		if !slices.Contains(allowed, ch) {
			c.sendError(alpacawire.CodeInvalidForFeed)
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	next := make(map[string]map[string]bool, len(c.subs))
	for ch, set := range c.subs {
		next[ch] = make(map[string]bool, len(set))
		for sym := range set {
			next[ch][sym] = true
		}
	}
	for ch, syms := range lists {
		if next[ch] == nil {
			next[ch] = map[string]bool{}
		}
		for _, sym := range syms {
			if a.Action == alpacawire.ActionSubscribe {
				next[ch][sym] = true
			} else {
				delete(next[ch], sym)
			}
		}
	}
	if limit := c.srv.opts.SymbolLimit; limit > 0 && a.Action == alpacawire.ActionSubscribe {
		distinct := map[string]bool{}
		for _, ch := range []string{alpacawire.ChanTrades, alpacawire.ChanQuotes} {
			for sym := range next[ch] {
				distinct[sym] = true
			}
		}
		if len(distinct) > limit {
			c.enqueueControlLocked(alpacawire.NewErrorMsg(alpacawire.CodeSymbolLimitExceeded))
			return
		}
	}
	c.subs = next
	set := c.subscriptionSetLocked()
	if c.crypto {
		c.enqueueControlLocked(alpacawire.NewCryptoSubscriptionMsg(set))
	} else {
		c.enqueueControlLocked(alpacawire.NewStockSubscriptionMsg(set))
	}
}
