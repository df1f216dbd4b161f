package alpacawire

import (
	"time"

	"alpacawrapper/market"
)

// The "T" values of stream data messages.
const (
	TypeTrade      = "t"
	TypeQuote      = "q"
	TypeBar        = "b" // minute bar
	TypeUpdatedBar = "u" // minute bar corrected by late trades
	TypeDailyBar   = "d" // running daily bar
)

// TakerSideUnknown is the crypto taker side sent when it is not known (the others are "B" and "S").
const TakerSideUnknown = "-"

// TradeMsg is a stock trade on the stream. Field order is wire order: T must come first.
type TradeMsg struct {
	T          string    `msgpack:"T" json:"T"`
	Symbol     string    `msgpack:"S" json:"S"`
	ID         int64     `msgpack:"i" json:"i"`
	Exchange   string    `msgpack:"x" json:"x"`
	Price      float64   `msgpack:"p" json:"p"`
	Size       uint32    `msgpack:"s" json:"s"`
	Timestamp  time.Time `msgpack:"t" json:"t"`
	Conditions []string  `msgpack:"c" json:"c"`
	Tape       string    `msgpack:"z" json:"z"`
}

// NewTradeMsg is a stock trade as the stream sends it. The size is truncated to whole shares.
func NewTradeMsg(t market.Trade) TradeMsg {
	return TradeMsg{
		T: TypeTrade, Symbol: t.Symbol, ID: t.ID, Exchange: t.Exchange,
		Price: toFloat(t.Price), Size: toUint32(t.Size), Timestamp: t.Time.UTC(), Conditions: []string{}, Tape: t.Tape,
	}
}

// Market is the trade in the app's terms.
func (m TradeMsg) Market() market.Trade {
	return market.Trade{
		Symbol: m.Symbol, ID: m.ID, Price: fromFloat(m.Price), Size: fromUint(uint64(m.Size)),
		Exchange: m.Exchange, Time: m.Timestamp.UTC(), Tape: m.Tape,
	}
}

// CryptoTradeMsg is a crypto trade on the stream: fractional size and a taker side, no exchange.
type CryptoTradeMsg struct {
	T         string    `msgpack:"T" json:"T"`
	Symbol    string    `msgpack:"S" json:"S"`
	Price     float64   `msgpack:"p" json:"p"`
	Size      float64   `msgpack:"s" json:"s"`
	Timestamp time.Time `msgpack:"t" json:"t"`
	ID        int64     `msgpack:"i" json:"i"`
	TakerSide string    `msgpack:"tks" json:"tks"`
}

// NewCryptoTradeMsg is a crypto trade as the stream sends it.
func NewCryptoTradeMsg(t market.Trade) CryptoTradeMsg {
	return CryptoTradeMsg{
		T: TypeTrade, Symbol: t.Symbol, Price: toFloat(t.Price), Size: toFloat(t.Size),
		Timestamp: t.Time.UTC(), ID: t.ID, TakerSide: TakerSideUnknown,
	}
}

// Market is the trade in the app's terms.
func (m CryptoTradeMsg) Market() market.Trade {
	return market.Trade{
		Symbol: m.Symbol, ID: m.ID, Price: fromFloat(m.Price), Size: fromFloat(m.Size), Time: m.Timestamp.UTC(),
	}
}

// QuoteMsg is a stock quote on the stream.
type QuoteMsg struct {
	T           string    `msgpack:"T" json:"T"`
	Symbol      string    `msgpack:"S" json:"S"`
	BidExchange string    `msgpack:"bx" json:"bx"`
	BidPrice    float64   `msgpack:"bp" json:"bp"`
	BidSize     uint32    `msgpack:"bs" json:"bs"`
	AskExchange string    `msgpack:"ax" json:"ax"`
	AskPrice    float64   `msgpack:"ap" json:"ap"`
	AskSize     uint32    `msgpack:"as" json:"as"`
	Timestamp   time.Time `msgpack:"t" json:"t"`
	Conditions  []string  `msgpack:"c" json:"c"`
	Tape        string    `msgpack:"z" json:"z"`
}

// NewQuoteMsg is a stock quote as the stream sends it. Sizes are whole shares, passed through as
// they are (market.Quote already counts shares, not round lots).
func NewQuoteMsg(q market.Quote) QuoteMsg {
	return QuoteMsg{
		T: TypeQuote, Symbol: q.Symbol,
		BidExchange: q.BidExchange, BidPrice: toFloat(q.BidPrice), BidSize: toUint32(q.BidSize),
		AskExchange: q.AskExchange, AskPrice: toFloat(q.AskPrice), AskSize: toUint32(q.AskSize),
		Timestamp: q.Time.UTC(), Conditions: []string{}, Tape: q.Tape,
	}
}

// Market is the quote in the app's terms.
func (m QuoteMsg) Market() market.Quote {
	return market.Quote{
		Symbol:   m.Symbol,
		BidPrice: fromFloat(m.BidPrice), BidSize: fromUint(uint64(m.BidSize)),
		AskPrice: fromFloat(m.AskPrice), AskSize: fromUint(uint64(m.AskSize)),
		BidExchange: m.BidExchange, AskExchange: m.AskExchange, Time: m.Timestamp.UTC(), Tape: m.Tape,
	}
}

// CryptoQuoteMsg is a crypto quote on the stream: fractional sizes, no exchanges.
type CryptoQuoteMsg struct {
	T         string    `msgpack:"T" json:"T"`
	Symbol    string    `msgpack:"S" json:"S"`
	BidPrice  float64   `msgpack:"bp" json:"bp"`
	BidSize   float64   `msgpack:"bs" json:"bs"`
	AskPrice  float64   `msgpack:"ap" json:"ap"`
	AskSize   float64   `msgpack:"as" json:"as"`
	Timestamp time.Time `msgpack:"t" json:"t"`
}

// NewCryptoQuoteMsg is a crypto quote as the stream sends it.
func NewCryptoQuoteMsg(q market.Quote) CryptoQuoteMsg {
	return CryptoQuoteMsg{
		T: TypeQuote, Symbol: q.Symbol,
		BidPrice: toFloat(q.BidPrice), BidSize: toFloat(q.BidSize),
		AskPrice: toFloat(q.AskPrice), AskSize: toFloat(q.AskSize),
		Timestamp: q.Time.UTC(),
	}
}

// Market is the quote in the app's terms.
func (m CryptoQuoteMsg) Market() market.Quote {
	return market.Quote{
		Symbol:   m.Symbol,
		BidPrice: fromFloat(m.BidPrice), BidSize: fromFloat(m.BidSize),
		AskPrice: fromFloat(m.AskPrice), AskSize: fromFloat(m.AskSize),
		Time: m.Timestamp.UTC(),
	}
}

// BarMsg is a stock bar on the stream; T is "b", "u" or "d". The volume is whole shares.
type BarMsg struct {
	T          string    `msgpack:"T" json:"T"`
	Symbol     string    `msgpack:"S" json:"S"`
	Open       float64   `msgpack:"o" json:"o"`
	High       float64   `msgpack:"h" json:"h"`
	Low        float64   `msgpack:"l" json:"l"`
	Close      float64   `msgpack:"c" json:"c"`
	Volume     uint64    `msgpack:"v" json:"v"`
	Timestamp  time.Time `msgpack:"t" json:"t"`
	TradeCount uint64    `msgpack:"n" json:"n"`
	VWAP       float64   `msgpack:"vw" json:"vw"`
}

// NewBarMsg is a stock bar of the given type (TypeBar, TypeUpdatedBar or TypeDailyBar).
func NewBarMsg(typ string, b market.Bar) BarMsg {
	return BarMsg{
		T: typ, Symbol: b.Symbol,
		Open: toFloat(b.Open), High: toFloat(b.High), Low: toFloat(b.Low), Close: toFloat(b.Close),
		Volume: toUint64(b.Volume), Timestamp: b.Start.UTC(), TradeCount: intCount(b.TradeCount), VWAP: toFloat(b.VWAP),
	}
}

// Market is the bar in the app's terms.
func (m BarMsg) Market() market.Bar {
	return market.Bar{
		Symbol: m.Symbol, Start: m.Timestamp.UTC(),
		Open: fromFloat(m.Open), High: fromFloat(m.High), Low: fromFloat(m.Low), Close: fromFloat(m.Close),
		Volume: fromUint(m.Volume), TradeCount: countFromWire(m.TradeCount), VWAP: fromFloat(m.VWAP),
	}
}

// CryptoBarMsg is a crypto bar on the stream: the volume is fractional.
type CryptoBarMsg struct {
	T          string    `msgpack:"T" json:"T"`
	Symbol     string    `msgpack:"S" json:"S"`
	Open       float64   `msgpack:"o" json:"o"`
	High       float64   `msgpack:"h" json:"h"`
	Low        float64   `msgpack:"l" json:"l"`
	Close      float64   `msgpack:"c" json:"c"`
	Volume     float64   `msgpack:"v" json:"v"`
	Timestamp  time.Time `msgpack:"t" json:"t"`
	TradeCount uint64    `msgpack:"n" json:"n"`
	VWAP       float64   `msgpack:"vw" json:"vw"`
}

// NewCryptoBarMsg is a crypto bar of the given type (TypeBar, TypeUpdatedBar or TypeDailyBar).
func NewCryptoBarMsg(typ string, b market.Bar) CryptoBarMsg {
	return CryptoBarMsg{
		T: typ, Symbol: b.Symbol,
		Open: toFloat(b.Open), High: toFloat(b.High), Low: toFloat(b.Low), Close: toFloat(b.Close),
		Volume: toFloat(b.Volume), Timestamp: b.Start.UTC(), TradeCount: intCount(b.TradeCount), VWAP: toFloat(b.VWAP),
	}
}

// Market is the bar in the app's terms.
func (m CryptoBarMsg) Market() market.Bar {
	return market.Bar{
		Symbol: m.Symbol, Start: m.Timestamp.UTC(),
		Open: fromFloat(m.Open), High: fromFloat(m.High), Low: fromFloat(m.Low), Close: fromFloat(m.Close),
		Volume: fromFloat(m.Volume), TradeCount: countFromWire(m.TradeCount), VWAP: fromFloat(m.VWAP),
	}
}

// TradeMessage is the stream message for a trade, in the stock or crypto shape as its symbol says.
func TradeMessage(t market.Trade) any {
	if market.ClassOf(t.Symbol) == market.Crypto {
		return NewCryptoTradeMsg(t)
	}
	return NewTradeMsg(t)
}

// QuoteMessage is the stream message for a quote, in the stock or crypto shape as its symbol says.
func QuoteMessage(q market.Quote) any {
	if market.ClassOf(q.Symbol) == market.Crypto {
		return NewCryptoQuoteMsg(q)
	}
	return NewQuoteMsg(q)
}

// BarMessage is the stream message for a bar of the given type, in the stock or crypto shape as its
// symbol says.
func BarMessage(typ string, b market.Bar) any {
	if market.ClassOf(b.Symbol) == market.Crypto {
		return NewCryptoBarMsg(typ, b)
	}
	return NewBarMsg(typ, b)
}
