// Package live keeps browser and program WebSocket connections fed from the market hub: one
// Session per connection with its own bounded, coalescing send state, a flush rate per symbol,
// ping/pong keep-alive and a slow-client cut-off, plus the shared pieces those sessions need (a
// per-IP connection limiter and a cache of per-symbol reference data). It knows nothing of Fiber:
// app/ws_*.go upgrade the request and hand the connection over as a Transport.
package live

import "time"

// Defaults of Options.
const (
	DefaultUpdatesPerSecond = 4
	DefaultMaxSymbols       = 50
	DefaultPingInterval     = 20 * time.Second
	DefaultSlowAfter        = 5 * time.Second
	DefaultWriteTimeout     = 10 * time.Second
	DefaultCloseGrace       = 2 * time.Second
	DefaultMaxMessage       = 8 << 10
	DefaultMaxBars          = 4
	DefaultMaxReplies       = 32
	DefaultMessagesPerSec   = 5
	DefaultMessageBurst     = 20
)

// Close codes and reasons a session ends with (RFC 6455 §7.4.1).
const (
	CloseNormal     = 1000
	CloseGoingAway  = 1001 // the server is shutting down or the hub closed
	CloseTooSlow    = 1008 // policy violation: the client did not read fast enough
	ClosePolicy     = 1008 // policy violation: credentials refused, revoked, or never sent
	CloseInternal   = 1011 // the server met an error it cannot go on from
	CloseRestart    = 1012 // the server is restarting: come back soon
	CloseTryAgain   = 1013 // the server refused the connection for now
	ReasonTooSlow   = "client too slow: updates backed up"
	ReasonWriteTime = "client too slow: write timed out"
	// ReasonTooManyMessages is the error reply to a message beyond the connection's allowance.
	ReasonTooManyMessages = "too many messages: this one was ignored; slow down"
)

// Options tune every session of a Manager. Zero values select the documented defaults.
type Options struct {
	// UpdatesPerSecond bounds how often a connection is flushed, and so how many updates of one
	// symbol it gets a second: a person cannot read more, and coalescing in between means the
	// latest value always goes out. Default DefaultUpdatesPerSecond (LIVE_UPDATES_PER_SECOND).
	UpdatesPerSecond int
	// MaxSymbols bounds the symbols one connection follows. Default DefaultMaxSymbols.
	MaxSymbols int
	// PingInterval is how often the server pings; a connection that answers nothing (no pong, no
	// message) for two intervals is closed. Default DefaultPingInterval.
	PingInterval time.Duration
	// SlowAfter is how long data may wait behind a write that does not complete before the client
	// is judged too slow and closed with CloseTooSlow. Default DefaultSlowAfter.
	SlowAfter time.Duration
	// WriteTimeout bounds each write. Default DefaultWriteTimeout.
	WriteTimeout time.Duration
	// CloseGrace is how long a slow client's stuck write is given to finish so that the close
	// frame can follow it; after that the socket is simply closed. Default DefaultCloseGrace.
	CloseGrace time.Duration
	// MaxMessage bounds a client message in bytes. Default DefaultMaxMessage.
	MaxMessage int64
	// MaxBars bounds the minute bars waiting per symbol between flushes; the oldest are dropped
	// (and counted) beyond. Bars come once a minute, so a few cover any stall a client survives.
	// Trades need no bound: like quotes, they are coalesced to the newest per symbol per flush.
	// Default DefaultMaxBars.
	MaxBars int
	// MaxReplies bounds the protocol replies (acks, errors, pongs) waiting to be written; a client
	// flooding the server with messages loses replies rather than growing memory.
	MaxReplies int
	// MessagesPerSecond and MessageBurst are a connection's allowance of client messages: a burst
	// of MessageBurst, refilled at MessagesPerSecond. A message beyond it is not acted on; the
	// client gets an error reply instead (replies are bounded by MaxReplies). Pages send a message
	// when their symbols change, a program a few to set up. Defaults DefaultMessagesPerSec and
	// DefaultMessageBurst.
	MessagesPerSecond int
	MessageBurst      int
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.UpdatesPerSecond, DefaultUpdatesPerSecond)
	def(&o.MaxSymbols, DefaultMaxSymbols)
	def(&o.MaxBars, DefaultMaxBars)
	def(&o.MaxReplies, DefaultMaxReplies)
	def(&o.MessagesPerSecond, DefaultMessagesPerSec)
	def(&o.MessageBurst, DefaultMessageBurst)
	defDur(&o.PingInterval, DefaultPingInterval)
	defDur(&o.SlowAfter, DefaultSlowAfter)
	defDur(&o.WriteTimeout, DefaultWriteTimeout)
	defDur(&o.CloseGrace, DefaultCloseGrace)
	if o.MaxMessage <= 0 {
		o.MaxMessage = DefaultMaxMessage
	}
	return o
}

// FlushInterval is the least time between two flushes of one connection.
func (o Options) FlushInterval() time.Duration {
	return time.Second / time.Duration(o.withDefaults().UpdatesPerSecond)
}
