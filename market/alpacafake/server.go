package alpacafake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacawire"
)

// Options configures a Server.
type Options struct {
	// KeyID and SecretKey are the only credentials accepted, on REST (headers) and streams (auth).
	KeyID     string
	SecretKey string
	// Data is the source of assets, calendar, bars, latest quotes and snapshots.
	Data market.Provider
	// Logger receives the server's diagnostics; nil discards them.
	Logger *slog.Logger
	// MaxConnections is how many authenticated streams one key may hold on one endpoint (a stock
	// feed or the crypto feed) at once; 0 means 1, like Alpaca. The next one is answered 406
	// "connection limit exceeded" and closed.
	MaxConnections int
	// SymbolLimit caps the distinct symbols a stream connection may follow on trades and quotes
	// together (bars are not counted, as on Alpaca's free plan; "*" counts as one); 0 means no
	// limit. A subscribe past it is answered 405 "symbol limit exceeded" and changes nothing.
	SymbolLimit int
	// AuthTimeout is how long a new stream connection may go without an auth attempt before it is
	// answered 404 "auth timeout" and closed; 0 means 10s.
	AuthTimeout time.Duration
	// AutoPublish, when set, polls Data at this interval for the subscribed symbols' latest
	// quotes (LatestQuotes) and latest trades and minute bars (Snapshots), and publishes those that
	// changed on the quotes, trades and bars channels.
	AutoPublish time.Duration
	// Now is the server's clock for /v2/clock and default time ranges; nil means time.Now.
	Now func() time.Time
}

// Server is a fake Alpaca. Create it with New; it is safe for concurrent use.
type Server struct {
	opts    Options
	log     *slog.Logger
	handler http.Handler
	stop    chan struct{}
	bg      sync.WaitGroup

	mu           sync.Mutex
	url          string
	httpServers  []*http.Server
	conns        map[*conn]struct{}
	requests     map[string]int
	authAttempts int
	rejectCode   int
	rejectTimes  int
	silentUntil  time.Time
	latency      time.Duration
	closed       bool
}

// New makes a server. It serves nothing until Start or Serve (or until Handler is mounted).
func New(opts Options) *Server {
	if opts.MaxConnections <= 0 {
		opts.MaxConnections = 1
	}
	if opts.AuthTimeout <= 0 {
		opts.AuthTimeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Data == nil {
		opts.Data = emptyProvider{}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		opts:     opts,
		log:      log.With("component", "alpacafake"),
		stop:     make(chan struct{}),
		conns:    make(map[*conn]struct{}),
		requests: make(map[string]int),
	}
	s.handler = s.routes()
	if opts.AutoPublish > 0 {
		s.bg.Add(1)
		go s.autoPublish(opts.AutoPublish)
	}
	return s
}

// Start listens on a free port of 127.0.0.1 and serves in the background until Close.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("alpacafake: listen: %w", err)
	}
	s.setURL(ln)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return errors.New("alpacafake: start after close")
	}
	s.bg.Add(1) // under the lock, so never after Close has begun waiting
	s.mu.Unlock()
	go func() {
		defer s.bg.Done()
		if err := s.Serve(ln); err != nil {
			s.log.Error("serve", "err", err)
		}
	}()
	return nil
}

// Serve serves on ln until Close, then returns nil.
func (s *Server) Serve(ln net.Listener) error {
	s.setURL(ln)
	hs := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("alpacafake: serve after close")
	}
	s.httpServers = append(s.httpServers, hs)
	s.mu.Unlock()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("alpacafake: serve: %w", err)
	}
	return nil
}

func (s *Server) setURL(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.url == "" {
		s.url = "http://" + ln.Addr().String()
	}
}

// Handler is the whole server as an http.Handler, for mounting elsewhere. Stream upgrades are
// handled by it too.
func (s *Server) Handler() http.Handler { return s.handler }

// URL is the base URL (http://127.0.0.1:PORT) once Start or Serve has been called, else "".
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops serving, drops every stream connection and stops AutoPublish.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	servers := s.httpServers
	conns := s.takeConnsLocked(func(*conn) bool { return true })
	s.mu.Unlock()

	close(s.stop)
	for _, c := range conns {
		c.drop()
	}
	for _, hs := range servers {
		_ = hs.Close()
	}
	s.bg.Wait()
}

// ListenAndServe runs a server on addr until ctx ends, for local development
// ("alpacawrapper fakealpaca --addr 127.0.0.1:8081").
func ListenAndServe(ctx context.Context, addr string, opts Options) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("alpacafake: listen %s: %w", addr, err)
	}
	s := New(opts)
	s.setURL(ln)
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ln) }()
	s.log.Info("fake Alpaca listening", "url", s.URL(),
		"stocks_stream", s.URL()+"/v2/{iex,sip,test}", "crypto_stream", s.URL()+"/v1beta3/crypto/us")
	select {
	case <-ctx.Done():
		s.Close()
		<-errc
		return nil
	case err := <-errc:
		s.Close()
		return err
	}
}

// Requests is how many requests the server has seen for an exact URL path ("/v2/stocks/bars"),
// stream upgrades included.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// AuthAttempts is how many stream auth messages the server has received, rejected ones included.
func (s *Server) AuthAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authAttempts
}

// Connections is how many authenticated stream connections are open.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		if c.isAuthenticated() {
			n++
		}
	}
	return n
}

// Subscriptions is the union of what the authenticated connections of a feed follow, sorted. The
// feed is the stream path's last element: "iex", "sip", "test" for stocks, "us" for crypto.
func (s *Server) Subscriptions(feed string) (trades, quotes, bars []string) {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		if c.feed == feed {
			conns = append(conns, c)
		}
	}
	s.mu.Unlock()
	union := map[string]map[string]bool{}
	for _, c := range conns {
		for ch, syms := range c.subscriptionSet() {
			if union[ch] == nil {
				union[ch] = map[string]bool{}
			}
			for _, sym := range syms {
				union[ch][sym] = true
			}
		}
	}
	sorted := func(ch string) []string {
		out := make([]string, 0, len(union[ch]))
		for sym := range union[ch] {
			out = append(out, sym)
		}
		slices.Sort(out)
		return out
	}
	return sorted(alpacawire.ChanTrades), sorted(alpacawire.ChanQuotes), sorted(alpacawire.ChanBars)
}

// takeConnsLocked removes and returns the connections that match; s.mu must be held.
func (s *Server) takeConnsLocked(match func(*conn) bool) []*conn {
	var out []*conn
	for c := range s.conns {
		if match(c) {
			out = append(out, c)
			delete(s.conns, c)
		}
	}
	return out
}

// emptyProvider stands in when Options.Data is nil: it knows nothing.
type emptyProvider struct{}

func (emptyProvider) Name() string                                                   { return "empty" }
func (emptyProvider) Assets(context.Context) ([]market.Asset, error)                 { return nil, nil }
func (emptyProvider) Bars(context.Context, market.BarsRequest) ([]market.Bar, error) { return nil, nil }
func (emptyProvider) Stream() market.Stream                                          { return nil }
func (emptyProvider) Trades(context.Context, market.TicksRequest) ([]market.Trade, error) {
	return nil, nil
}
func (emptyProvider) Quotes(context.Context, market.TicksRequest) ([]market.Quote, error) {
	return nil, nil
}
func (emptyProvider) Calendar(context.Context, time.Time, time.Time) ([]market.CalendarDay, error) {
	return nil, nil
}
func (emptyProvider) LatestQuotes(context.Context, []string) (map[string]market.Quote, error) {
	return map[string]market.Quote{}, nil
}
func (emptyProvider) Snapshots(context.Context, []string) (map[string]market.Snapshot, error) {
	return map[string]market.Snapshot{}, nil
}
