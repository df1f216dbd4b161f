package app

import (
	"bufio"
	"context"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/live"
	"alpacawrapper/trading"
)

// Alpaca's two trade-update transports, both protocols of the live runtime reading the
// trade-event log (their translation is package alpacaapi):
//   - GET /v2/events/trades: Server-Sent Events, the Go SDK's StreamTradeUpdates, with
//     since/until/since_id/until_id;
//   - GET /stream: the WebSocket alpaca-py and the JavaScript SDK use.
// A key sees only its own account's events; a revoked key's open streams end (see streamGuard).

// alpacaTradeEvents is GET /v2/events/trades (after alpacaAuth).
func (s *Server) alpacaTradeEvents(c *fiber.Ctx) error {
	caller, _ := AlpacaCallerOf(c)
	if s.live == nil {
		return fiber.ErrServiceUnavailable
	}
	rng, err := alpacaapi.ParseTradeEventsQuery(alpacaQuery(c, alpacaapi.TradeEventsParams...))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := alpacaapi.NewSSEProtocol(rng, s.eventFrames, func(r trading.Resume) (*trading.Listener, error) {
		return s.trading.Updates().Listen(ctx, caller.AccountID, r)
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("X-Accel-Buffering", "no") // nginx would otherwise hold events back in its buffer
	// Never compressed (compressResponses skips event streams): a compressor held events back for
	// seconds, and Go's HTTP client, so every SDK stream, asks for gzip by default.
	// The writer runs after this handler returns, when Fiber has recycled c: take what it needs now.
	conn := c.Context().Conn()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		t := live.NewSSETransport(w, conn)
		defer p.Listener().Close()
		s.live.manager.Run(context.Background(), t, &guarded{Protocol: p, guard: s.live.streams, caller: caller}, live.SessionConfig{})
	})
	return nil
}

// alpacaTradeStream is GET /stream: the trade-update WebSocket. It is admitted like the other live
// endpoints (a WebSocket handshake, within the address's connection allowance); credentials
// come in its first message.
func (s *Server) alpacaTradeStream(c *fiber.Ctx) error {
	if err := s.wsAdmit(c); err != nil {
		return err
	}
	return s.live.stream(c)
}

// serveStream runs one /stream connection.
func (s *Server) serveStream(conn *websocket.Conn) {
	var session *live.Session
	var remove func()
	p := alpacaapi.NewStreamProtocol(alpacaapi.StreamDeps{
		Authenticate: func(ctx context.Context, keyID, secret string) (alpacaapi.StreamCaller, error) {
			caller, err := s.AuthenticateAlpacaKey(ctx, keyID, secret)
			if err != nil {
				return alpacaapi.StreamCaller{}, err
			}
			return alpacaapi.StreamCaller{AccountID: caller.AccountID, KeyID: caller.KeyID}, nil
		},
		Listen: s.trading.Updates().Listen,
		Authorized: func(ss *live.Session, c alpacaapi.StreamCaller) {
			session = ss
			if remove != nil {
				remove()
			}
			remove = s.live.streams.add(ss, AlpacaCaller{AccountID: c.AccountID, KeyID: c.KeyID})
		},
	})
	s.serveLive(conn, p, live.SessionConfig{})
	// Authorized runs on the session's reading goroutine, which has ended when serveLive returns.
	if session != nil && remove != nil {
		remove()
	}
}

// guarded is a protocol whose session the stream guard watches from the start (the SSE stream,
// authenticated before it opens).
type guarded struct {
	live.Protocol
	guard  *streamGuard
	caller AlpacaCaller
}

// Open registers the session, then opens the protocol.
func (g *guarded) Open(s *live.Session) error {
	remove := g.guard.add(s, g.caller)
	context.AfterFunc(s.Context(), remove)
	g.guard.srv.live.users.add(s, g.caller.UserID, nil)
	if op, ok := g.Protocol.(live.Opener); ok {
		return op.Open(s)
	}
	return nil
}

// Wake and Next pass the protocol's source through.
func (g *guarded) Wake() <-chan struct{} { return g.Protocol.(live.Source).Wake() }

// Next is the protocol's.
func (g *guarded) Next(ctx context.Context, dst []byte) ([]byte, bool, error) {
	return g.Protocol.(live.Source).Next(ctx, dst)
}

// streamGuardEvery is how often the guard asks whether the keys of open streams still hold. A
// revocation through this process ends the key's streams at once (revoked); this catches one
// made on another process, or a person disabled.
const streamGuardEvery = time.Second

// streamGuard ends the trade-event streams of a key that is no longer valid. It holds the open
// streams by key; while there are any it checks their keys every streamGuardEvery, one query per
// key, not per stream.
type streamGuard struct {
	srv *Server

	mu      sync.Mutex
	byKey   map[int64]map[*live.Session]struct{}
	running bool
}

func newStreamGuard(s *Server) *streamGuard {
	return &streamGuard{srv: s, byKey: map[int64]map[*live.Session]struct{}{}}
}

// add watches a session of caller's; the returned function stops watching it.
func (g *streamGuard) add(s *live.Session, caller AlpacaCaller) (remove func()) {
	if caller.KeyID == 0 {
		return func() {} // an access token: its own expiry governs it
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.byKey[caller.KeyID] == nil {
		g.byKey[caller.KeyID] = map[*live.Session]struct{}{}
	}
	g.byKey[caller.KeyID][s] = struct{}{}
	if !g.running {
		g.running = true
		go g.run()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			delete(g.byKey[caller.KeyID], s)
			if len(g.byKey[caller.KeyID]) == 0 {
				delete(g.byKey, caller.KeyID)
			}
		})
	}
}

// revoked ends every open stream of a key.
func (g *streamGuard) revoked(keyID int64) {
	g.mu.Lock()
	sessions := make([]*live.Session, 0, len(g.byKey[keyID]))
	for s := range g.byKey[keyID] {
		sessions = append(sessions, s)
	}
	g.mu.Unlock()
	for _, s := range sessions {
		s.Close(live.ClosePolicy, "api key revoked")
	}
}

// run checks the keys while any stream is open, then stops.
func (g *streamGuard) run() {
	t := time.NewTicker(streamGuardEvery)
	defer t.Stop()
	for range t.C {
		g.mu.Lock()
		keys := make([]int64, 0, len(g.byKey))
		for k := range g.byKey {
			keys = append(keys, k)
		}
		if len(keys) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		for _, k := range keys {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			ok, err := g.srv.AlpacaCallerStillValid(ctx, AlpacaCaller{KeyID: k})
			cancel()
			if err == nil && !ok {
				g.revoked(k)
			}
		}
	}
}
