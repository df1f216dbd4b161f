// Package relay carries market data from the elected feed process to every web process through
// PostgreSQL LISTEN/NOTIFY, and the web processes' demand back to the feed.
//
// Quotes: the feed's Publisher drains a wildcard subscription of its hub every Interval (50 ms by
// default), so quotes arrive coalesced per symbol, keeps the symbols some other process wants,
// and sends them, with the trades and bars of those symbols, as NOTIFY payloads of at most
// MaxPayload bytes. Each web process's Listener feeds them into its own hub, so everything
// downstream of the hub (the browser sockets, SSE, the pages' last-known prices) is unchanged.
//
// Demand: each web process's DemandPublisher writes what its hub wants (symbol, priority,
// parties) to the feed_demand table with an expiry, on every change and on a heartbeat, and
// wakes the feed with a NOTIFY; the feed's RemoteDemand reads the union of the live rows. A
// process that dies stops renewing its rows and its demand expires with them.
package relay

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// MaxPayload bounds one notification's payload, under PostgreSQL's 8000-byte limit.
const MaxPayload = 7900

// The notification channels.
const (
	QuotesChannel = "market_relay"
	DemandChannel = "market_demand"
)

// The payload format is text, one item a line, fields separated by tabs: a header line
// "origin<TAB>sent-unix-nanos", then "q", "t" or "b" lines. Symbols never hold tabs or newlines;
// decimals are written as their exact strings.

// encoder appends items to payloads no larger than MaxPayload.
type encoder struct {
	header   string
	payloads []string
	cur      strings.Builder
	line     []byte
}

func newEncoder(origin string, sent time.Time) *encoder {
	return &encoder{header: origin + "\t" + strconv.FormatInt(sent.UnixNano(), 10) + "\n"}
}

func (e *encoder) add(line []byte) {
	if e.cur.Len() > 0 && e.cur.Len()+len(line) > MaxPayload {
		e.flush()
	}
	if e.cur.Len() == 0 {
		e.cur.WriteString(e.header)
	}
	e.cur.Write(line)
}

func (e *encoder) flush() {
	if e.cur.Len() > len(e.header) {
		e.payloads = append(e.payloads, e.cur.String())
	}
	e.cur.Reset()
}

// done returns the payloads.
func (e *encoder) done() []string {
	e.flush()
	return e.payloads
}

func (e *encoder) event(ev *market.Event) {
	b := e.line[:0]
	switch ev.Kind {
	case market.EventQuote:
		q := &ev.Quote
		b = append(b, "q\t"...)
		b = append(b, q.Symbol...)
		b = appendDecimals(b, q.BidPrice, q.BidSize, q.AskPrice, q.AskSize)
		b = append(b, '\t')
		b = append(b, q.BidExchange...)
		b = append(b, '\t')
		b = append(b, q.AskExchange...)
		b = appendTime(b, q.Time)
		b = append(b, '\t')
		b = append(b, q.Tape...)
	case market.EventTrade:
		t := &ev.Trade
		b = append(b, "t\t"...)
		b = append(b, t.Symbol...)
		b = append(b, '\t')
		b = strconv.AppendInt(b, t.ID, 10)
		b = appendDecimals(b, t.Price, t.Size)
		b = append(b, '\t')
		b = append(b, t.Exchange...)
		b = appendTime(b, t.Time)
		b = append(b, '\t')
		b = append(b, t.Tape...)
	case market.EventBar:
		r := &ev.Bar
		b = append(b, "b\t"...)
		b = append(b, r.Symbol...)
		b = appendTime(b, r.Start)
		b = appendDecimals(b, r.Open, r.High, r.Low, r.Close, r.Volume)
		b = append(b, '\t')
		b = strconv.AppendInt(b, r.TradeCount, 10)
		b = appendDecimals(b, r.VWAP)
	default:
		return
	}
	b = append(b, '\n')
	e.line = b
	e.add(b)
}

func appendDecimals(b []byte, ds ...decimal.Decimal) []byte {
	for _, d := range ds {
		b = append(b, '\t')
		b = append(b, d.String()...)
	}
	return b
}

// appendTime writes t in Unix nanoseconds; a zero time (outside UnixNano's range) is written 0.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '\t')
	if t.IsZero() {
		return append(b, '0')
	}
	return strconv.AppendInt(b, t.UnixNano(), 10)
}

// batch is one decoded payload.
type batch struct {
	origin string
	sent   time.Time
}

var errMalformed = errors.New("relay: malformed payload")

// decode reads a payload, handing each item to sink. A malformed line is skipped (and counted in
// the returned bad); a malformed header fails the whole payload.
func decode(payload string, sink market.Sink) (b batch, bad int, err error) {
	head, rest, _ := strings.Cut(payload, "\n")
	origin, sentS, ok := strings.Cut(head, "\t")
	if !ok {
		return b, 0, errMalformed
	}
	sent, err := strconv.ParseInt(sentS, 10, 64)
	if err != nil {
		return b, 0, errMalformed
	}
	b = batch{origin: origin, sent: time.Unix(0, sent)}
	var f [12]string
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		n := split(line, f[:])
		if !decodeLine(f[:n], sink) {
			bad++
		}
	}
	return b, bad, nil
}

// split cuts line at tabs into f, returning how many fields it found (at most len(f)).
func split(line string, f []string) int {
	n := 0
	for n < len(f)-1 {
		i := strings.IndexByte(line, '\t')
		if i < 0 {
			break
		}
		f[n] = line[:i]
		line = line[i+1:]
		n++
	}
	f[n] = line
	return n + 1
}

func decodeLine(f []string, sink market.Sink) bool {
	if len(f) < 2 {
		return false
	}
	var p parser
	switch {
	// A line without its last field (the tape) is from a process of the version before it, as
	// during a rolling deploy.
	case f[0] == "q" && (len(f) == 9 || len(f) == 10):
		q := market.Quote{Symbol: f[1], BidPrice: p.dec(f[2]), BidSize: p.dec(f[3]), AskPrice: p.dec(f[4]),
			AskSize: p.dec(f[5]), BidExchange: f[6], AskExchange: f[7], Time: p.time(f[8])}
		if len(f) == 10 {
			q.Tape = f[9]
		}
		if p.bad {
			return false
		}
		sink.Quote(q)
	case f[0] == "t" && (len(f) == 7 || len(f) == 8):
		t := market.Trade{Symbol: f[1], ID: p.int(f[2]), Price: p.dec(f[3]), Size: p.dec(f[4]), Exchange: f[5], Time: p.time(f[6])}
		if len(f) == 8 {
			t.Tape = f[7]
		}
		if p.bad {
			return false
		}
		sink.Trade(t)
	case f[0] == "b" && len(f) == 10:
		r := market.Bar{Symbol: f[1], Start: p.time(f[2]), Open: p.dec(f[3]), High: p.dec(f[4]), Low: p.dec(f[5]),
			Close: p.dec(f[6]), Volume: p.dec(f[7]), TradeCount: p.int(f[8]), VWAP: p.dec(f[9])}
		if p.bad {
			return false
		}
		sink.Bar(r)
	default:
		return false
	}
	return true
}

// parser parses fields, remembering whether any failed.
type parser struct{ bad bool }

func (p *parser) dec(s string) decimal.Decimal {
	d, err := decimal.NewFromString(s)
	if err != nil {
		p.bad = true
	}
	return d
}

func (p *parser) int(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		p.bad = true
	}
	return n
}

func (p *parser) time(s string) time.Time {
	n := p.int(s)
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
