package live

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// The JSON protocol of /ws/market, for charts and programs. Client to server:
//
//	{"type":"subscribe","symbols":["AAPL"],"timeframe":"5m"}  timeframe optional, last one wins
//	{"type":"unsubscribe","symbols":["AAPL"]}
//	{"type":"ping"}
//
// Server to client (a data frame is a JSON array of messages; a reply is one object):
//
//	{"type":"quote","symbol","bid","ask","bid_size","ask_size","time"}
//	{"type":"trade","symbol","price","size","time"}
//	{"type":"bar","symbol","timeframe","bucket","open","high","low","close","volume","time"}
//	{"type":"subscribed","symbols":[...],"timeframe"}
//	{"type":"pong"}
//	{"type":"error","message"}
//
// Decimals are strings, times RFC 3339 with nanoseconds in UTC. A bar is one minute (time is its
// start) and bucket is the start of the candle of the connection's timeframe it belongs to, so
// a chart merges it into its open candle: high and low widen, close is replaced, volume adds.
//
// Pacing: a connection gets at most one data frame per flush interval (1/LIVE_UPDATES_PER_SECOND,
// 250 ms by default), and a frame carries, per symbol that changed since the previous one, at most
// the newest trade, the minute bars that closed or were corrected (a few at most; the oldest are
// dropped after a long stall), and the newest quote, in that order. Quotes and trades are
// coalesced: a trade message is the latest print of the interval (its own price, size and time),
// not every print; the minute bar carries the interval's full range and volume. Charts and people
// need the latest price a few times a second, and coalescing keeps a slow or busy connection's
// memory and backlog bounded. A program that needs every print needs another feed.

// ClientMessage is a message from a /ws/market client.
type ClientMessage struct {
	Type      string   `json:"type"`
	Symbols   []string `json:"symbols,omitempty"`
	Timeframe string   `json:"timeframe,omitempty"`
}

// QuoteMessage is a quote as sent to /ws/market clients.
type QuoteMessage struct {
	Type    string    `json:"type"` // "quote"
	Symbol  string    `json:"symbol"`
	Bid     string    `json:"bid"`
	Ask     string    `json:"ask"`
	BidSize string    `json:"bid_size"`
	AskSize string    `json:"ask_size"`
	Time    time.Time `json:"time"`
}

// TradeMessage is a print as sent to /ws/market clients.
type TradeMessage struct {
	Type   string    `json:"type"` // "trade"
	Symbol string    `json:"symbol"`
	Price  string    `json:"price"`
	Size   string    `json:"size"`
	Time   time.Time `json:"time"`
}

// BarMessage is a minute bar with the candle of the connection's timeframe it belongs to.
type BarMessage struct {
	Type      string    `json:"type"` // "bar"
	Symbol    string    `json:"symbol"`
	Timeframe string    `json:"timeframe"`
	Bucket    time.Time `json:"bucket"`
	Open      string    `json:"open"`
	High      string    `json:"high"`
	Low       string    `json:"low"`
	Close     string    `json:"close"`
	Volume    string    `json:"volume"`
	Time      time.Time `json:"time"`
}

// SubscribedMessage acknowledges a subscribe or unsubscribe with the whole resulting set.
type SubscribedMessage struct {
	Type      string   `json:"type"` // "subscribed"
	Symbols   []string `json:"symbols"`
	Timeframe string   `json:"timeframe"`
}

// ErrorMessage is the JSON of {"type":"error","message":msg}.
func ErrorMessage(msg string) []byte {
	b, _ := json.Marshal(struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}{"error", msg})
	return b
}

// SymbolResolver validates symbols a client named and returns their catalogue spelling, in the
// given order; its error message is shown to the client as is.
type SymbolResolver func(ctx context.Context, symbols []string) ([]string, error)

// MarketProtocol is the /ws/market protocol for one connection.
type MarketProtocol struct {
	bucketer *market.Bucketer
	resolve  SymbolResolver

	mu sync.Mutex
	tf market.Timeframe
}

// NewMarketProtocol returns the protocol for one connection. bucketer maps minute bars to
// candles; resolve checks the symbols of subscribe messages.
func NewMarketProtocol(bucketer *market.Bucketer, resolve SymbolResolver) *MarketProtocol {
	return &MarketProtocol{bucketer: bucketer, resolve: resolve, tf: market.Min1}
}

// MessageType is text.
func (p *MarketProtocol) MessageType() int { return websocket.TextMessage }

// Timeframe is the connection's timeframe (1m until a subscribe names another).
func (p *MarketProtocol) Timeframe() market.Timeframe {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tf
}

// HandleMessage answers subscribe, unsubscribe and ping; anything else gets an error message and
// the connection stays open.
func (p *MarketProtocol) HandleMessage(s *Session, raw []byte) {
	var msg ClientMessage
	if err := json.Unmarshal(raw, &msg); err != nil {
		s.Reply(ErrorMessage("malformed message: expected a JSON object with a \"type\""))
		return
	}
	switch msg.Type {
	case "ping":
		s.Reply([]byte(`{"type":"pong"}`))
	case "subscribe":
		p.subscribe(s, msg)
	case "unsubscribe":
		if len(msg.Symbols) == 0 {
			s.Reply(ErrorMessage("unsubscribe needs \"symbols\""))
			return
		}
		drop := make(map[string]bool, len(msg.Symbols))
		for _, sym := range msg.Symbols {
			drop[sym] = true
		}
		if resolved, err := p.resolve(s.Context(), msg.Symbols); err == nil {
			for _, sym := range resolved {
				drop[sym] = true
			}
		}
		kept := slices.DeleteFunc(s.Symbols(), func(sym string) bool { return drop[sym] })
		s.SetSymbols(kept)
		p.ack(s, kept)
	case "":
		s.Reply(ErrorMessage("message has no \"type\""))
	default:
		s.Reply(ErrorMessage(fmt.Sprintf("unknown message type %q: use subscribe, unsubscribe or ping", msg.Type)))
	}
}

func (p *MarketProtocol) subscribe(s *Session, msg ClientMessage) {
	var tf market.Timeframe
	if msg.Timeframe != "" {
		var ok bool
		if tf, ok = market.ParseTimeframe(msg.Timeframe); !ok {
			s.Reply(ErrorMessage(fmt.Sprintf("unknown timeframe %q: use 1m, 5m, 15m, 30m, 1h, 4h or 1D", msg.Timeframe)))
			return
		}
	}
	current := s.Symbols()
	var added []string
	if len(msg.Symbols) > 0 {
		if len(msg.Symbols) > s.MaxSymbols() {
			s.Reply(ErrorMessage(fmt.Sprintf("at most %d symbols per connection", s.MaxSymbols())))
			return
		}
		var err error
		if added, err = p.resolve(s.Context(), msg.Symbols); err != nil {
			s.Reply(ErrorMessage(err.Error()))
			return
		}
	} else if tf == "" {
		s.Reply(ErrorMessage("subscribe needs \"symbols\" or \"timeframe\""))
		return
	}
	next := current
	for _, sym := range added {
		if !slices.Contains(next, sym) {
			next = append(next, sym)
		}
	}
	if len(next) > s.MaxSymbols() {
		s.Reply(ErrorMessage(fmt.Sprintf("at most %d symbols per connection (following %d, asked for %d more)",
			s.MaxSymbols(), len(current), len(next)-len(current))))
		return
	}
	if tf != "" {
		p.mu.Lock()
		p.tf = tf
		p.mu.Unlock()
	}
	s.SetSymbols(next)
	p.ack(s, next)
}

func (p *MarketProtocol) ack(s *Session, symbols []string) {
	if symbols == nil {
		symbols = []string{}
	}
	b, _ := json.Marshal(SubscribedMessage{Type: "subscribed", Symbols: symbols, Timeframe: string(p.Timeframe())})
	s.Reply(b)
}

// Encode writes the batch as one JSON array: each symbol's trade (the last of Update.Trades),
// then its bars, then its quote.
// A bar that joins no candle of the timeframe (a stock's minute outside every session, for 1D
// outside the regular one) is left out. The JSON is appended by hand into dst, which the session
// reuses: at thousands of connections, reflection and a buffer per message were most of the
// server's work.
func (p *MarketProtocol) Encode(dst []byte, batch []Update) []byte {
	tf := p.Timeframe()
	start := len(dst)
	dst = append(dst, '[')
	sep := func() {
		if len(dst) > start+1 {
			dst = append(dst, ',')
		}
	}
	for _, u := range batch {
		if n := len(u.Trades); n > 0 {
			sep()
			if u.TradeJSON != nil {
				dst = append(dst, u.TradeJSON...)
			} else {
				dst = appendTrade(dst, &u.Trades[n-1])
			}
		}
		for _, b := range u.Bars {
			bucket, ok := p.bucketer.BucketStart(tf, market.ClassOf(b.Symbol), b.Start)
			if !ok {
				continue
			}
			sep()
			dst = append(dst, `{"type":"bar","symbol":`...)
			dst = appendString(dst, b.Symbol)
			dst = appendString(append(dst, `,"timeframe":`...), string(tf))
			dst = appendTime(append(dst, `,"bucket":`...), bucket)
			dst = appendDecimal(append(dst, `,"open":`...), b.Open)
			dst = appendDecimal(append(dst, `,"high":`...), b.High)
			dst = appendDecimal(append(dst, `,"low":`...), b.Low)
			dst = appendDecimal(append(dst, `,"close":`...), b.Close)
			dst = appendDecimal(append(dst, `,"volume":`...), b.Volume)
			dst = appendTime(append(dst, `,"time":`...), b.Start)
			dst = append(dst, '}')
		}
		if q := u.Quote; q != nil {
			sep()
			if u.QuoteJSON != nil {
				dst = append(dst, u.QuoteJSON...)
			} else {
				dst = appendQuote(dst, q)
			}
		}
	}
	if len(dst) == start+1 {
		return dst[:start]
	}
	return append(dst, ']')
}

// appendTrade appends t as a trade message.
func appendTrade(dst []byte, t *market.Trade) []byte {
	dst = append(dst, `{"type":"trade","symbol":`...)
	dst = appendString(dst, t.Symbol)
	dst = appendDecimal(append(dst, `,"price":`...), t.Price)
	dst = appendDecimal(append(dst, `,"size":`...), t.Size)
	dst = appendTime(append(dst, `,"time":`...), t.Time)
	return append(dst, '}')
}

// appendQuote appends q as a quote message.
func appendQuote(dst []byte, q *market.Quote) []byte {
	dst = append(dst, `{"type":"quote","symbol":`...)
	dst = appendString(dst, q.Symbol)
	dst = appendDecimal(append(dst, `,"bid":`...), q.BidPrice)
	dst = appendDecimal(append(dst, `,"ask":`...), q.AskPrice)
	dst = appendDecimal(append(dst, `,"bid_size":`...), q.BidSize)
	dst = appendDecimal(append(dst, `,"ask_size":`...), q.AskSize)
	dst = appendTime(append(dst, `,"time":`...), q.Time)
	return append(dst, '}')
}

// appendString appends s as a JSON string. Symbols and timeframes are plain ASCII, so the common
// case is a copy; anything else goes through encoding/json for exact escaping.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendDecimal appends d as a JSON string, as decimal.Decimal's String gives it.
func appendDecimal(dst []byte, d decimal.Decimal) []byte {
	dst = append(dst, '"')
	dst = append(dst, d.String()...)
	return append(dst, '"')
}

// appendTime appends t in UTC as a JSON string in RFC 3339 with nanoseconds, as encoding/json
// writes a time.Time.
func appendTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}
