package alpaca

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"
)

// The endpoints used when Options leaves them empty: Alpaca's production hosts, with the paper
// trading host for the catalogue and calendar (it serves both, and keeps a live key out of play).
const (
	DefaultTradingURL      = "https://paper-api.alpaca.markets"
	DefaultDataURL         = "https://data.alpaca.markets"
	DefaultStreamURL       = "https://stream.data.alpaca.markets/v2"
	DefaultCryptoStreamURL = "https://stream.data.alpaca.markets/v1beta3/crypto"
)

// Options configures a Provider. Only the keys are required.
type Options struct {
	KeyID     string
	SecretKey string
	// TradingURL serves assets and the calendar; default DefaultTradingURL.
	TradingURL string
	// DataURL serves historical and latest market data; default DefaultDataURL.
	DataURL string
	// StreamURL is the stock stream's base without the feed; default DefaultStreamURL.
	StreamURL string
	// CryptoStreamURL is the crypto stream's base without the location; default
	// DefaultCryptoStreamURL.
	CryptoStreamURL string
	// Feed is the stock feed, "iex" (free plan, the default) or "sip".
	Feed string
	// SymbolLimit caps how many symbols are streamed at once, stocks and crypto together
	// (0: no limit). The IEX free plan allows 30.
	SymbolLimit int
	// Logger receives the provider's and the SDK's logs; default: discarded.
	Logger *slog.Logger
	// SilenceTimeout is how long a connected feed with subscriptions may stay silent while its
	// market is open before it is torn down and reconnected; default 30s. Alpaca has been seen to
	// keep a socket open and answering pings while sending nothing, which the SDK cannot notice.
	SilenceTimeout time.Duration
	// IsMarketOpen tells whether silence on the stock feed is suspicious at a moment (quiet hours
	// are normal outside the sessions). Nil treats every moment as open. Crypto trades around the
	// clock, so its feed is always checked.
	IsMarketOpen func(time.Time) bool
	// Backoff paces the reconnections that Run itself makes (the SDK's own quick reconnects after
	// a dropped socket come first).
	Backoff Backoff
	// RefusedBackoff paces the retries after Alpaca refused the stream (402 keys, 409 plan, 411
	// scope): no quick retry can fix those, but an operator can (new keys, a new plan), so the
	// feed comes back by itself without a restart. Default 5 minutes, doubling to an hour.
	RefusedBackoff Backoff
	// RequestTimeout bounds each REST request (one page of a paginated call); default 30s.
	RequestTimeout time.Duration
}

// Backoff is an exponential back-off with jitter.
type Backoff struct {
	// Initial is the first delay; default 1s.
	Initial time.Duration
	// Max caps the delay; default 1m.
	Max time.Duration
	// Jitter is the fraction of each delay drawn at random, so that many processes restarting
	// together do not reconnect in step: a delay d becomes a value in [d·(1−Jitter), d].
	// 0 means the default 0.5; a negative value turns jitter off.
	Jitter float64
}

func (o Options) withDefaults() (Options, error) {
	if o.KeyID == "" || o.SecretKey == "" {
		return o, errors.New("alpaca: the API key id and secret are both required")
	}
	o.TradingURL = orDefault(o.TradingURL, DefaultTradingURL)
	o.DataURL = orDefault(o.DataURL, DefaultDataURL)
	o.StreamURL = orDefault(o.StreamURL, DefaultStreamURL)
	o.CryptoStreamURL = orDefault(o.CryptoStreamURL, DefaultCryptoStreamURL)
	switch o.Feed {
	case "":
		o.Feed = "iex"
	case "iex", "sip":
	default:
		return o, errors.New("alpaca: feed must be iex or sip, not " + o.Feed)
	}
	if o.SymbolLimit < 0 {
		o.SymbolLimit = 0
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.SilenceTimeout <= 0 {
		o.SilenceTimeout = 30 * time.Second
	}
	if o.IsMarketOpen == nil {
		o.IsMarketOpen = func(time.Time) bool { return true }
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	o.Backoff = o.Backoff.withDefaults()
	if o.RefusedBackoff.Initial <= 0 {
		o.RefusedBackoff.Initial = 5 * time.Minute
	}
	if o.RefusedBackoff.Max <= 0 {
		o.RefusedBackoff.Max = time.Hour
	}
	o.RefusedBackoff = o.RefusedBackoff.withDefaults()
	return o, nil
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = time.Second
	}
	if b.Max <= 0 {
		b.Max = time.Minute
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	switch {
	case b.Jitter == 0:
		b.Jitter = 0.5
	case b.Jitter < 0:
		b.Jitter = 0
	case b.Jitter > 1:
		b.Jitter = 1
	}
	return b
}

func orDefault(s, def string) string {
	s = strings.TrimRight(s, "/")
	if s == "" {
		return def
	}
	return s
}
