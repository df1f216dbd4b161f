package alpaca

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"alpacawrapper/market"
)

// Stream is the live feed: one SDK stream client for stocks and one for crypto, each created
// when the first symbol of its class is followed. It implements market.Stream.
type Stream struct {
	opts   Options
	log    *slog.Logger
	stocks *feed
	crypto *feed

	runMu   sync.Mutex
	running bool

	sinkMu sync.Mutex // held while the sink is called: the Sink contract is one call at a time
	sink   market.Sink

	reconnects atomic.Int64
	errMu      sync.Mutex
	lastErr    string // why the last subscription change failed; the feeds keep their own errors
}

var _ market.Stream = (*Stream)(nil)

func newStream(opts Options) *Stream {
	s := &Stream{opts: opts, log: opts.Logger}
	s.stocks = newFeed(s, market.USEquity)
	s.crypto = newFeed(s, market.Crypto)
	return s
}

// Run connects the feeds that have symbols and delivers their data to sink until ctx ends
// (nil). Dropped connections are restored, silent ones replaced and failures retried with
// back-off; a refusal of the keys, the feed or the scope (a *RejectedError) is logged, shown in
// Status and retried with the long RefusedBackoff, so the feed recovers without a restart once
// an operator has fixed it.
func (s *Stream) Run(ctx context.Context, sink market.Sink) error {
	s.runMu.Lock()
	if s.running {
		s.runMu.Unlock()
		return errors.New("alpaca: stream: Run is already running")
	}
	s.running = true
	s.runMu.Unlock()
	defer func() {
		s.runMu.Lock()
		s.running = false
		s.runMu.Unlock()
	}()

	s.sinkMu.Lock()
	s.sink = sink
	s.sinkMu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	feeds := []*feed{s.stocks, s.crypto}
	errc := make(chan error, len(feeds))
	for _, f := range feeds {
		go func() { errc <- f.run(ctx) }()
	}
	var first error
	for range feeds {
		if err := <-errc; err != nil && first == nil {
			first = err
			cancel() // one feed refused for good: stop the other too
		}
	}
	if first != nil {
		s.setError(first)
		s.log.Error(first.Error())
	}
	return first
}

// SetSymbols replaces the symbols followed, keeping the first SymbolLimit of them: the caller
// lists them most important first. Changes reach a connected feed before SetSymbols returns;
// a feed that is not connected applies them when it connects.
func (s *Stream) SetSymbols(ctx context.Context, symbols []string) error {
	symbols = dedupe(symbols)
	if limit := s.opts.SymbolLimit; limit > 0 && len(symbols) > limit {
		s.log.Debug("alpaca: symbol limit reached; following the first ones only",
			"asked", len(symbols), "limit", limit)
		symbols = symbols[:limit]
	}
	stocks, cryptos := splitByClass(symbols)
	var errs []error
	if err := s.stocks.setDesired(ctx, stocks); err != nil {
		errs = append(errs, err)
	}
	if err := s.crypto.setDesired(ctx, cryptos); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		s.setError(err)
		return fmt.Errorf("alpaca: set symbols: %w", err)
	}
	s.errMu.Lock()
	s.lastErr = ""
	s.errMu.Unlock()
	return nil
}

// SymbolLimit is how many symbols may be followed at once (0: no limit).
func (s *Stream) SymbolLimit() int { return s.opts.SymbolLimit }

// Status reports the feed's health and how many symbols it follows. Connected means that every
// feed with symbols to follow is up and that some feed is up, or, while Run is active, that no
// symbol is wanted at all: a feed connects only when its first symbol is followed, so an idle
// stream has no connection and is not down (issue 14, figure 5).
func (s *Stream) Status() market.StreamStatus {
	st := market.StreamStatus{Reconnects: int(s.reconnects.Load()), SilenceTimeout: s.opts.SilenceTimeout}
	anyLive, anyWanted, allUp := false, false, true
	var errs []string
	for _, f := range []*feed{s.stocks, s.crypto} {
		fs := f.status()
		if fs.lastErr != "" && !slices.Contains(errs, fs.lastErr) {
			errs = append(errs, fs.lastErr)
		}
		anyLive = anyLive || fs.live
		anyWanted = anyWanted || fs.wanted
		allUp = allUp && (fs.live || !fs.wanted)
		st.Symbols += fs.symbols
		if fs.lastMsg.After(st.LastMessageAt) {
			st.LastMessageAt = fs.lastMsg
		}
	}
	s.runMu.Lock()
	running := s.running
	s.runMu.Unlock()
	st.Connected = allUp && (anyLive || (running && !anyWanted))
	s.errMu.Lock()
	if s.lastErr != "" && !slices.Contains(errs, s.lastErr) {
		errs = append(errs, s.lastErr)
	}
	s.errMu.Unlock()
	st.LastError = strings.Join(errs, "; ")
	return st
}

// deliver hands one message to the sink, one call at a time across both feeds.
func (s *Stream) deliver(call func(market.Sink)) {
	s.sinkMu.Lock()
	defer s.sinkMu.Unlock()
	if s.sink != nil {
		call(s.sink)
	}
}

func (s *Stream) setError(err error) {
	if err == nil {
		return
	}
	s.errMu.Lock()
	s.lastErr = err.Error()
	s.errMu.Unlock()
}
