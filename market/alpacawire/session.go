package alpacawire

import (
	"slices"
	"sync"
)

// StreamState is the protocol state of one market-data stream connection, whatever carries it:
// whether it has authenticated, with which key, and what it follows on each channel. The fake
// server's connections and the app's /v2/{feed} and /v1beta3/crypto/us sessions both keep one, so
// they answer every client message alike. It is safe for concurrent use.
type StreamState struct {
	crypto      bool
	symbolLimit int
	limitAll    bool // the limit counts every channel, not only trades and quotes

	mu     sync.Mutex
	authed bool
	key    string
	subs   map[string]map[string]bool // channel → symbols ("*" for all)
}

// NewStreamState is the state of a new connection to the crypto feed or a stock feed.
// symbolLimit caps the distinct symbols followed (see Apply); 0 means no limit.
func NewStreamState(crypto bool, symbolLimit int) *StreamState {
	return &StreamState{crypto: crypto, symbolLimit: symbolLimit, subs: map[string]map[string]bool{}}
}

// LimitEveryChannel makes the symbol limit count the symbols of every channel, bars included: a
// server that must fetch each symbol followed, whatever the channel, limits them all.
func (st *StreamState) LimitEveryChannel() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.limitAll = true
}

// Crypto reports whether this is the crypto feed.
func (st *StreamState) Crypto() bool { return st.crypto }

// Authenticated reports whether the connection has authenticated, and with which key.
func (st *StreamState) Authenticated() (bool, string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.authed, st.key
}

// SetAuthenticated marks the connection authenticated with key.
func (st *StreamState) SetAuthenticated(key string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.authed, st.key = true, key
}

// Verdict is how a server answers one client message.
type Verdict struct {
	// Reply is the control message to send (alone in its frame); nil for none.
	Reply any
	// Close says to close the connection once Reply is sent.
	Close bool
	// Authenticate is set for an auth message the server must check: it calls its own check
	// and answers with AuthVerdict.
	Authenticate bool
	// Changed says the subscription set changed (Reply is its acknowledgement).
	Changed bool
}

// Handle decides the answer to one client message, decoded with DecodeAction (decodeErr is its
// error: 400 invalid syntax). An auth message comes back with Authenticate set: the server checks
// the credentials (the Action's Key and Secret) and then calls AuthVerdict.
func (st *StreamState) Handle(a Action, decodeErr error) Verdict {
	if decodeErr != nil {
		return Verdict{Reply: NewErrorMsg(CodeInvalidSyntax)}
	}
	switch a.Action {
	case ActionAuth:
		if ok, _ := st.Authenticated(); ok {
			return Verdict{Reply: NewErrorMsg(CodeAlreadyAuthenticated)}
		}
		return Verdict{Authenticate: true}
	case ActionSubscribe, ActionUnsubscribe:
		return st.apply(a)
	}
	return Verdict{Reply: NewErrorMsg(CodeInvalidSyntax)}
}

// AuthVerdict answers an auth attempt the server has checked: code 0 accepts it under key (the
// connection is then authenticated), anything else is that error, closing the connection when
// closeAfter is set (406 on a connection that may not retry).
func (st *StreamState) AuthVerdict(key string, code int, closeAfter bool) Verdict {
	if code == 0 {
		st.SetAuthenticated(key)
		return Verdict{Reply: NewSuccessMsg(MsgAuthenticated)}
	}
	return Verdict{Reply: NewErrorMsg(code), Close: closeAfter}
}

// apply applies a subscribe or unsubscribe and acknowledges with the full set. A channel the feed
// does not have is 410; a change that would take the connection past its symbol limit is 405
// and changes nothing.
func (st *StreamState) apply(a Action) Verdict {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.authed {
		return Verdict{Reply: NewErrorMsg(CodeNotAuthenticated)}
	}
	allowed := StockChannels()
	if st.crypto {
		allowed = CryptoChannels()
	}
	lists := a.Lists()
	for ch := range lists {
		if !slices.Contains(allowed, ch) {
			return Verdict{Reply: NewErrorMsg(CodeInvalidForFeed)}
		}
	}
	next := make(map[string]map[string]bool, len(st.subs))
	for ch, set := range st.subs {
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
			if a.Action == ActionSubscribe {
				next[ch][sym] = true
			} else {
				delete(next[ch], sym)
			}
		}
	}
	if st.symbolLimit > 0 && a.Action == ActionSubscribe && countLimited(next, st.limitAll) > st.symbolLimit {
		return Verdict{Reply: NewErrorMsg(CodeSymbolLimitExceeded)}
	}
	st.subs = next
	return Verdict{Reply: st.ackLocked(), Changed: true}
}

// countLimited counts the distinct symbols the limit applies to: trades and quotes together, as
// on Alpaca's plans (bars are not counted; "*" counts as one), or every channel when all is set.
func countLimited(subs map[string]map[string]bool, all bool) int {
	distinct := map[string]bool{}
	for ch, set := range subs {
		if !all && ch != ChanTrades && ch != ChanQuotes {
			continue
		}
		for sym := range set {
			distinct[sym] = true
		}
	}
	return len(distinct)
}

func (st *StreamState) ackLocked() any {
	set := st.setLocked()
	if st.crypto {
		return NewCryptoSubscriptionMsg(set)
	}
	return NewStockSubscriptionMsg(set)
}

// Set is the current set by channel, each list sorted; nil before authentication.
func (st *StreamState) Set() map[string][]string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.authed {
		return nil
	}
	return st.setLocked()
}

func (st *StreamState) setLocked() map[string][]string {
	out := make(map[string][]string, len(st.subs))
	for ch, set := range st.subs {
		for sym := range set {
			out[ch] = append(out[ch], sym)
		}
		slices.Sort(out[ch])
	}
	return out
}

// Symbols is every symbol followed on some channel, sorted, "*" included if followed.
func (st *StreamState) Symbols() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	seen := map[string]bool{}
	for _, set := range st.subs {
		for sym := range set {
			seen[sym] = true
		}
	}
	out := make([]string, 0, len(seen))
	for sym := range seen {
		out = append(out, sym)
	}
	slices.Sort(out)
	return out
}

// Follows reports whether the connection is authenticated and follows symbol on channel.
func (st *StreamState) Follows(channel, symbol string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.authed {
		return false
	}
	set := st.subs[channel]
	return set[symbol] || set["*"]
}
