package fill

import (
	"time"

	"alpacawrapper/market"
)

// OpeningWindow is how long after the regular open an opg order may still fill. The model has
// no auction prints, so an opg order fills like a market-on-open at the first valid quote of
// the regular session (as Alpaca paper does); an opg order first evaluated later than this
// (the engine was down at the open) missed the auction and is cancelled.
const OpeningWindow = 5 * time.Minute

// SessionInfo is where in the trading day the evaluation happens, as the caller's market.Clock
// sees it.
type SessionInfo struct {
	// Session is the stock market's session at the evaluation time; ignored for crypto.
	Session market.Session
	// Crypto is true for crypto assets, which trade around the clock.
	Crypto bool
	// Open and Close are the current (or, after the close, the just-ended) trading day's
	// regular session. opg and cls orders need them; so do regular orders, which refuse quotes
	// timed before the open, and resting orders, which meet a new session's first quote as
	// arriving orders.
	Open, Close time.Time
	// PreOpen is the trading day's pre-market start (4:00 ET); only extended-hours orders in the
	// pre-market session need it.
	PreOpen time.Time
	// Source names the feed the quote came from ("sip", "iex", "sim", …); it is copied into
	// receipts because market.Quote does not carry it.
	Source string
}

// allows reports whether an order may execute (or trigger) in the session, and why not.
func (s SessionInfo) allows(o Order) bool {
	if s.Crypto {
		return true
	}
	switch s.Session {
	case market.SessionRegular:
		return true
	case market.SessionPre, market.SessionPost:
		// Alpaca: extended hours are for limit orders only; stops never trigger outside
		// regular hours. A triggered stop-limit is a limit, but it triggered in regular hours
		// without extended-hours eligibility, so it waits too.
		return o.ExtendedHours && o.Type == Limit
	}
	return false
}

// Start is when the session in progress began, in the sense of the last time quotes could gap:
// the pre-market start in the pre-market, and the open (the opening cross) in the regular and
// after-hours sessions, the after-hours session continuing the regular one without a break.
// Zero for crypto, which trades in one session that never ends, and when the times are unknown.
func (s SessionInfo) Start() time.Time {
	if s.Crypto {
		return time.Time{}
	}
	switch s.Session {
	case market.SessionRegular, market.SessionPost:
		return s.Open
	case market.SessionPre:
		return s.PreOpen
	}
	return time.Time{}
}

// arriving reports whether o has yet to meet a usable quote in the session in progress.
func (s SessionInfo) arriving(o Order) bool {
	if o.RestedAt.IsZero() {
		return true
	}
	start := s.Start()
	return !start.IsZero() && o.RestedAt.Before(start)
}

// regularOnly reports whether o may trade in the regular session only: everything but crypto and
// extended-hours limit orders.
func (s SessionInfo) regularOnly(o Order) bool {
	return !s.Crypto && !(o.ExtendedHours && o.Type == Limit)
}
