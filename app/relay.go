package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"alpacawrapper/feedlease"
	"alpacawrapper/market"
	"alpacawrapper/market/relay"
	"alpacawrapper/process"
)

// FeedRole is this process's part in the elected feed and the quote relay: the election, the
// relay's two ends and the other processes' demand. Its parts report their state for operators.
type FeedRole struct {
	// Origin names this process in the lease row, the relay's payloads and the demand table.
	Origin string
	// Elector takes part in the election when the process has the feed role.
	Elector *feedlease.Elector
	// Publisher relays the feed's data to the web processes while this process leads the feed.
	Publisher *relay.Publisher
	// Remote is the web processes' demand, read while this process leads the feed.
	Remote *relay.RemoteDemand
	// Listener feeds this process's hub from the relay when it has the web role.
	Listener *relay.Listener

	pool   *pgxpool.Pool
	demand *relay.DemandPublisher
}

// newFeedRole builds the parts for the process named name (see process.Name); nothing runs until
// runFeed or runRelayClient.
func newFeedRole(pool *pgxpool.Pool, hub *market.Hub, log *slog.Logger, name string) *FeedRole {
	origin := relayOrigin(name)
	r := relay.NewRemoteDemand(relay.DemandOptions{Pool: pool, Origin: origin, Logger: log})
	return &FeedRole{
		Origin:    origin,
		Elector:   feedlease.New(feedlease.Options{Pool: pool, Holder: name, Logger: log}),
		Publisher: relay.NewPublisher(relay.PublisherOptions{Pool: pool, Hub: hub, Origin: origin, Wants: r.Wants, Logger: log}),
		Remote:    r,
		Listener:  relay.NewListener(relay.ListenerOptions{Pool: pool, Sink: hub, Origin: origin, Logger: log}),
		pool:      pool,
		demand:    relay.NewDemandPublisher(hub, relay.DemandOptions{Pool: pool, Origin: origin, Logger: log}),
	}
}

// relayOrigin is the process's name with a random suffix: the relay tells its own payloads and
// demand rows by it, so it must be unique even where names are not (a PROCESS_NAME set twice,
// test binaries running several servers in one pid).
func relayOrigin(name string) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return name + "/" + hex.EncodeToString(b[:])
}

// Holder reads who holds the elected feed, for the status page.
func (f *FeedRole) Holder(ctx context.Context) (process.FeedHolder, error) {
	h, err := feedlease.Current(ctx, f.pool)
	if err != nil {
		return process.FeedHolder{}, err
	}
	return process.FeedHolder{Holder: h.Holder, Epoch: h.Epoch, Since: h.AcquiredAt, ExpiresAt: h.ExpiresAt, Live: h.Live}, nil
}

// RelayStats reads the relay's health for the heartbeat: false while this process receives no
// relay (it leads the feed, or nothing has arrived yet).
func (f *FeedRole) RelayStats() (process.RelayStats, bool) {
	st := f.Listener.Stats()
	if f.Elector.Status().Holding || st.Last.IsZero() {
		return process.RelayStats{}, false
	}
	return process.RelayStats{Lag: st.Lag, Last: st.Last}, true
}

// runRelayClient is the web role's end of the relay: it feeds the hub from the elected feed and
// tells the feed what the hub's readers want. In a process that also leads the feed, the
// listener skips its own payloads (the feed relays only what other processes want anyway) and
// the hub keeps its direct path. It returns when ctx ends and its demand rows are deleted.
func runRelayClient(ctx context.Context, f *FeedRole) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); f.Listener.Run(ctx) }()
	go func() { defer wg.Done(); f.demand.Run(ctx) }()
	wg.Wait()
}

// servedProvider is the provider as a web process's pages see it: the stream they report on is
// the one that feeds this process's hub (see servedStream).
type servedProvider struct {
	market.Provider
	stream servedStream
}

// Stream is the stream the pages report on.
func (p servedProvider) Stream() market.Stream { return p.stream }

// servedStream reports the health of whatever feeds the hub: the provider's stream while this
// process leads the feed, the relay from the elected feed otherwise. Everything else is the
// provider's stream's (only the feed's leader runs it).
type servedStream struct {
	market.Stream
	role *FeedRole
}

// Status is the leader's stream's status, or the relay's.
func (s servedStream) Status() market.StreamStatus {
	if s.role.Elector.Status().Holding {
		return s.Stream.Status()
	}
	return s.role.Listener.Status()
}

// servedBy wraps a web process's provider so its feed badge follows the relay when another
// process leads the feed.
func servedBy(p market.Provider, role *FeedRole) market.Provider {
	return servedProvider{Provider: p, stream: servedStream{Stream: p.Stream(), role: role}}
}
