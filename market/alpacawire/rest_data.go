package alpacawire

import (
	"time"

	"alpacawrapper/market"
)

// Trade is a stock trade in a market-data REST response (no symbol: the symbol is the map key).
type Trade struct {
	Timestamp  time.Time `json:"t"`
	Price      float64   `json:"p"`
	Size       uint32    `json:"s"`
	Exchange   string    `json:"x"`
	ID         int64     `json:"i"`
	Conditions []string  `json:"c"`
	Tape       string    `json:"z"`
}

// NewTrade is a stock trade as REST sends it. The size is truncated to whole shares.
func NewTrade(t market.Trade) Trade {
	return Trade{
		Timestamp: t.Time.UTC(), Price: toFloat(t.Price), Size: toUint32(t.Size), Exchange: t.Exchange,
		ID: t.ID, Conditions: []string{}, Tape: t.Tape,
	}
}

// Market is the trade in the app's terms.
func (t Trade) Market(symbol string) market.Trade {
	return market.Trade{
		Symbol: symbol, ID: t.ID, Price: fromFloat(t.Price), Size: fromUint(uint64(t.Size)),
		Exchange: t.Exchange, Time: t.Timestamp.UTC(), Tape: t.Tape,
	}
}

// CryptoTrade is a crypto trade in a REST response.
type CryptoTrade struct {
	Timestamp time.Time `json:"t"`
	Price     float64   `json:"p"`
	Size      float64   `json:"s"`
	ID        int64     `json:"i"`
	TakerSide string    `json:"tks"`
}

// NewCryptoTrade is a crypto trade as REST sends it.
func NewCryptoTrade(t market.Trade) CryptoTrade {
	return CryptoTrade{Timestamp: t.Time.UTC(), Price: toFloat(t.Price), Size: toFloat(t.Size), ID: t.ID, TakerSide: TakerSideUnknown}
}

// Market is the trade in the app's terms.
func (t CryptoTrade) Market(symbol string) market.Trade {
	return market.Trade{Symbol: symbol, ID: t.ID, Price: fromFloat(t.Price), Size: fromFloat(t.Size), Time: t.Timestamp.UTC()}
}

// Quote is a stock quote in a REST response.
type Quote struct {
	Timestamp   time.Time `json:"t"`
	BidPrice    float64   `json:"bp"`
	BidSize     uint32    `json:"bs"`
	BidExchange string    `json:"bx"`
	AskPrice    float64   `json:"ap"`
	AskSize     uint32    `json:"as"`
	AskExchange string    `json:"ax"`
	Conditions  []string  `json:"c"`
	Tape        string    `json:"z"`
}

// NewQuote is a stock quote as REST sends it.
func NewQuote(q market.Quote) Quote {
	return Quote{
		Timestamp: q.Time.UTC(),
		BidPrice:  toFloat(q.BidPrice), BidSize: toUint32(q.BidSize), BidExchange: q.BidExchange,
		AskPrice: toFloat(q.AskPrice), AskSize: toUint32(q.AskSize), AskExchange: q.AskExchange,
		Conditions: []string{}, Tape: q.Tape,
	}
}

// Market is the quote in the app's terms.
func (q Quote) Market(symbol string) market.Quote {
	return market.Quote{
		Symbol:   symbol,
		BidPrice: fromFloat(q.BidPrice), BidSize: fromUint(uint64(q.BidSize)),
		AskPrice: fromFloat(q.AskPrice), AskSize: fromUint(uint64(q.AskSize)),
		BidExchange: q.BidExchange, AskExchange: q.AskExchange, Time: q.Timestamp.UTC(), Tape: q.Tape,
	}
}

// CryptoQuote is a crypto quote in a REST response.
type CryptoQuote struct {
	Timestamp time.Time `json:"t"`
	BidPrice  float64   `json:"bp"`
	BidSize   float64   `json:"bs"`
	AskPrice  float64   `json:"ap"`
	AskSize   float64   `json:"as"`
}

// NewCryptoQuote is a crypto quote as REST sends it.
func NewCryptoQuote(q market.Quote) CryptoQuote {
	return CryptoQuote{
		Timestamp: q.Time.UTC(),
		BidPrice:  toFloat(q.BidPrice), BidSize: toFloat(q.BidSize),
		AskPrice: toFloat(q.AskPrice), AskSize: toFloat(q.AskSize),
	}
}

// Market is the quote in the app's terms.
func (q CryptoQuote) Market(symbol string) market.Quote {
	return market.Quote{
		Symbol:   symbol,
		BidPrice: fromFloat(q.BidPrice), BidSize: fromFloat(q.BidSize),
		AskPrice: fromFloat(q.AskPrice), AskSize: fromFloat(q.AskSize),
		Time: q.Timestamp.UTC(),
	}
}

// Bar is a stock bar in a REST response; the volume is whole shares.
type Bar struct {
	Timestamp  time.Time `json:"t"`
	Open       float64   `json:"o"`
	High       float64   `json:"h"`
	Low        float64   `json:"l"`
	Close      float64   `json:"c"`
	Volume     uint64    `json:"v"`
	TradeCount uint64    `json:"n"`
	VWAP       float64   `json:"vw"`
}

// NewBar is a stock bar as REST sends it.
func NewBar(b market.Bar) Bar {
	return Bar{
		Timestamp: b.Start.UTC(), Open: toFloat(b.Open), High: toFloat(b.High), Low: toFloat(b.Low), Close: toFloat(b.Close),
		Volume: toUint64(b.Volume), TradeCount: intCount(b.TradeCount), VWAP: toFloat(b.VWAP),
	}
}

// Market is the bar in the app's terms.
func (b Bar) Market(symbol string) market.Bar {
	return market.Bar{
		Symbol: symbol, Start: b.Timestamp.UTC(),
		Open: fromFloat(b.Open), High: fromFloat(b.High), Low: fromFloat(b.Low), Close: fromFloat(b.Close),
		Volume: fromUint(b.Volume), TradeCount: countFromWire(b.TradeCount), VWAP: fromFloat(b.VWAP),
	}
}

// CryptoBar is a crypto bar in a REST response; the volume is fractional.
type CryptoBar struct {
	Timestamp  time.Time `json:"t"`
	Open       float64   `json:"o"`
	High       float64   `json:"h"`
	Low        float64   `json:"l"`
	Close      float64   `json:"c"`
	Volume     float64   `json:"v"`
	TradeCount uint64    `json:"n"`
	VWAP       float64   `json:"vw"`
}

// NewCryptoBar is a crypto bar as REST sends it.
func NewCryptoBar(b market.Bar) CryptoBar {
	return CryptoBar{
		Timestamp: b.Start.UTC(), Open: toFloat(b.Open), High: toFloat(b.High), Low: toFloat(b.Low), Close: toFloat(b.Close),
		Volume: toFloat(b.Volume), TradeCount: intCount(b.TradeCount), VWAP: toFloat(b.VWAP),
	}
}

// Market is the bar in the app's terms.
func (b CryptoBar) Market(symbol string) market.Bar {
	return market.Bar{
		Symbol: symbol, Start: b.Timestamp.UTC(),
		Open: fromFloat(b.Open), High: fromFloat(b.High), Low: fromFloat(b.Low), Close: fromFloat(b.Close),
		Volume: fromFloat(b.Volume), TradeCount: countFromWire(b.TradeCount), VWAP: fromFloat(b.VWAP),
	}
}

// BarsResponse is GET /v2/stocks/bars. NextPageToken is null on the last page.
type BarsResponse struct {
	Bars          map[string][]Bar `json:"bars"`
	NextPageToken *string          `json:"next_page_token"`
}

// CryptoBarsResponse is GET /v1beta3/crypto/{loc}/bars.
type CryptoBarsResponse struct {
	Bars          map[string][]CryptoBar `json:"bars"`
	NextPageToken *string                `json:"next_page_token"`
}

// LatestBarsResponse is GET /v2/stocks/bars/latest.
type LatestBarsResponse struct {
	Bars map[string]Bar `json:"bars"`
}

// LatestTradesResponse is GET /v2/stocks/trades/latest.
type LatestTradesResponse struct {
	Trades map[string]Trade `json:"trades"`
}

// LatestQuotesResponse is GET /v2/stocks/quotes/latest.
type LatestQuotesResponse struct {
	Quotes map[string]Quote `json:"quotes"`
}

// LatestCryptoBarsResponse is GET /v1beta3/crypto/{loc}/latest/bars.
type LatestCryptoBarsResponse struct {
	Bars map[string]CryptoBar `json:"bars"`
}

// LatestCryptoTradesResponse is GET /v1beta3/crypto/{loc}/latest/trades.
type LatestCryptoTradesResponse struct {
	Trades map[string]CryptoTrade `json:"trades"`
}

// LatestCryptoQuotesResponse is GET /v1beta3/crypto/{loc}/latest/quotes.
type LatestCryptoQuotesResponse struct {
	Quotes map[string]CryptoQuote `json:"quotes"`
}

// Snapshot is a stock snapshot. Missing parts are null.
type Snapshot struct {
	LatestTrade  *Trade `json:"latestTrade"`
	LatestQuote  *Quote `json:"latestQuote"`
	MinuteBar    *Bar   `json:"minuteBar"`
	DailyBar     *Bar   `json:"dailyBar"`
	PrevDailyBar *Bar   `json:"prevDailyBar"`
}

// SnapshotsResponse is GET /v2/stocks/snapshots: a top-level map by symbol, not wrapped.
type SnapshotsResponse map[string]Snapshot

// NewSnapshot is a stock snapshot as REST sends it.
func NewSnapshot(s market.Snapshot) Snapshot {
	var out Snapshot
	if s.LatestTrade != nil {
		t := NewTrade(*s.LatestTrade)
		out.LatestTrade = &t
	}
	if s.LatestQuote != nil {
		q := NewQuote(*s.LatestQuote)
		out.LatestQuote = &q
	}
	out.MinuteBar = newBarPtr(s.MinuteBar, false)
	out.DailyBar = newBarPtr(s.DailyBar, true)
	out.PrevDailyBar = newBarPtr(s.PrevDailyBar, true)
	return out
}

// newBarPtr is a snapshot's bar on the wire; daily ones are stamped as Alpaca stamps them.
func newBarPtr(b *market.Bar, daily bool) *Bar {
	if b == nil {
		return nil
	}
	w := NewBar(*b)
	if daily {
		w.Timestamp = DayStamp(b.Start)
	}
	return &w
}

// Market is the snapshot in the app's terms.
func (s Snapshot) Market(symbol string) market.Snapshot {
	out := market.Snapshot{Symbol: symbol}
	if s.LatestTrade != nil {
		t := s.LatestTrade.Market(symbol)
		out.LatestTrade = &t
	}
	if s.LatestQuote != nil {
		q := s.LatestQuote.Market(symbol)
		out.LatestQuote = &q
	}
	bar := func(b *Bar) *market.Bar {
		if b == nil {
			return nil
		}
		m := b.Market(symbol)
		return &m
	}
	out.MinuteBar, out.DailyBar, out.PrevDailyBar = bar(s.MinuteBar), bar(s.DailyBar), bar(s.PrevDailyBar)
	return out
}

// CryptoSnapshot is a crypto snapshot.
type CryptoSnapshot struct {
	LatestTrade  *CryptoTrade `json:"latestTrade"`
	LatestQuote  *CryptoQuote `json:"latestQuote"`
	MinuteBar    *CryptoBar   `json:"minuteBar"`
	DailyBar     *CryptoBar   `json:"dailyBar"`
	PrevDailyBar *CryptoBar   `json:"prevDailyBar"`
}

// CryptoSnapshotsResponse is GET /v1beta3/crypto/{loc}/snapshots: wrapped in "snapshots", unlike
// the stock one.
type CryptoSnapshotsResponse struct {
	Snapshots map[string]CryptoSnapshot `json:"snapshots"`
}

// NewCryptoSnapshot is a crypto snapshot as REST sends it.
func NewCryptoSnapshot(s market.Snapshot) CryptoSnapshot {
	var out CryptoSnapshot
	if s.LatestTrade != nil {
		t := NewCryptoTrade(*s.LatestTrade)
		out.LatestTrade = &t
	}
	if s.LatestQuote != nil {
		q := NewCryptoQuote(*s.LatestQuote)
		out.LatestQuote = &q
	}
	bar := func(b *market.Bar) *CryptoBar {
		if b == nil {
			return nil
		}
		w := NewCryptoBar(*b)
		return &w
	}
	out.MinuteBar, out.DailyBar, out.PrevDailyBar = bar(s.MinuteBar), bar(s.DailyBar), bar(s.PrevDailyBar)
	return out
}

// Market is the snapshot in the app's terms.
func (s CryptoSnapshot) Market(symbol string) market.Snapshot {
	out := market.Snapshot{Symbol: symbol}
	if s.LatestTrade != nil {
		t := s.LatestTrade.Market(symbol)
		out.LatestTrade = &t
	}
	if s.LatestQuote != nil {
		q := s.LatestQuote.Market(symbol)
		out.LatestQuote = &q
	}
	bar := func(b *CryptoBar) *market.Bar {
		if b == nil {
			return nil
		}
		m := b.Market(symbol)
		return &m
	}
	out.MinuteBar, out.DailyBar, out.PrevDailyBar = bar(s.MinuteBar), bar(s.DailyBar), bar(s.PrevDailyBar)
	return out
}
