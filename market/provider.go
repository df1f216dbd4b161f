package market

import (
	"context"
	"time"
)

// Provider is the one interface the rest of the application uses for market data. The Alpaca
// implementation talks to Alpaca through its official SDK; the simulated one makes a believable
// market offline. Implementations must be safe for concurrent use.
type Provider interface {
	// Name identifies the provider in logs and on the feed-health badge ("alpaca", "simulated").
	Name() string
	// Assets is the full catalogue, active and inactive.
	Assets(ctx context.Context) ([]Asset, error)
	// Calendar lists the US equity trading days from start to end (dates in America/New_York).
	Calendar(ctx context.Context, start, end time.Time) ([]CalendarDay, error)
	// LatestQuotes returns the latest quote of each symbol it knows; unknown symbols are absent.
	LatestQuotes(ctx context.Context, symbols []string) (map[string]Quote, error)
	// Snapshots returns the latest trade, quote and bars of each symbol it knows.
	Snapshots(ctx context.Context, symbols []string) (map[string]Snapshot, error)
	// Bars returns the bars of one symbol with Start in [req.Start, req.End), oldest first,
	// following the provider's pagination to the end. Only Min1 and Day1 are asked for: coarser
	// candles are aggregated locally so that live and backfilled candles share one definition.
	Bars(ctx context.Context, req BarsRequest) ([]Bar, error)
	// Trades returns the prints of one symbol with Time in [req.Start, req.End), oldest first
	// (newest first with req.Desc), at most req.Limit of them: the historical tape that Alpaca's
	// trades endpoints page through.
	Trades(ctx context.Context, req TicksRequest) ([]Trade, error)
	// Quotes is Trades for the quotes.
	Quotes(ctx context.Context, req TicksRequest) ([]Quote, error)
	// Stream is the live feed.
	Stream() Stream
}

// BarsRequest asks for historical bars.
type BarsRequest struct {
	Symbol    string
	Timeframe Timeframe // Min1 or Day1
	Start     time.Time
	End       time.Time
}

// TicksRequest asks for a stretch of one symbol's historical quotes or trades. Unlike bars, a
// tape has no natural end short of the range's, so the request says how many items it wants:
// Limit must be positive, and the range is walked from Start (or back from End with Desc) until
// that many are found.
type TicksRequest struct {
	Symbol string
	Start  time.Time
	End    time.Time
	Limit  int
	Desc   bool
}

// Sink receives live data. Calls come from the stream's goroutine, one at a time, and must not
// block: the hub's Publish methods satisfy this.
type Sink interface {
	Quote(Quote)
	Trade(Trade)
	Bar(Bar)
}

// Stream is a live feed of quotes, trades and minute bars.
type Stream interface {
	// Run connects and delivers data to sink until ctx ends (returning nil) or the feed fails in a
	// way retrying cannot fix, such as rejected credentials (returning why). Transient failures are
	// retried inside Run with back-off.
	Run(ctx context.Context, sink Sink) error
	// SetSymbols replaces the set of symbols followed (quotes, trades and minute bars for each).
	// It may be called before or during Run; a feed that is not connected applies it on connect.
	SetSymbols(ctx context.Context, symbols []string) error
	// SymbolLimit is how many symbols the feed can follow at once (0: no limit). The caller picks
	// which, by priority.
	SymbolLimit() int
	// Status reports the feed's health for operators and the feed badge.
	Status() StreamStatus
}

// StreamStatus is a snapshot of a feed's health.
type StreamStatus struct {
	Connected     bool
	Symbols       int
	LastMessageAt time.Time // zero when nothing has arrived yet
	Reconnects    int
	LastError     string
	// SilenceTimeout is how long the feed may go without a message before it counts as stale
	// (the provider reconnects after as long); zero leaves it to the caller's default.
	SilenceTimeout time.Duration
}
