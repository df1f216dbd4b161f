package app

import (
	"alpacawrapper/market"
	"alpacawrapper/models"
	"time"

	"github.com/shopspring/decimal"
)

// The JSON shapes of the market-data API: exact decimals as strings, RFC 3339 times in UTC.

// decimalString renders a decimal exactly.
func decimalString(d decimal.Decimal) string { return d.String() }

// nullDecimalString renders an optional decimal: null when unknown.
func nullDecimalString(d decimal.NullDecimal) *string {
	if !d.Valid {
		return nil
	}
	s := d.Decimal.String()
	return &s
}

// optionalTime renders a zero time as null.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// assetJSON is an asset of the catalogue. margin_requirement is the maintenance margin in
// percent; it and the crypto increments are null when unknown or not applicable.
type assetJSON struct {
	Symbol            string    `json:"symbol" example:"AAPL"`
	Name              string    `json:"name" example:"Apple Inc. Common Stock"`
	Class             string    `json:"class" example:"us_equity" enum:"us_equity,crypto"`
	Exchange          string    `json:"exchange" example:"NASDAQ"`
	Active            bool      `json:"active" example:"true"`
	Tradable          bool      `json:"tradable" example:"true"`
	Marginable        bool      `json:"marginable" example:"true"`
	Shortable         bool      `json:"shortable" example:"true"`
	EasyToBorrow      bool      `json:"easy_to_borrow" example:"true"`
	Fractionable      bool      `json:"fractionable" example:"true"`
	MarginRequirement *string   `json:"margin_requirement" example:"30" format:"decimal"`
	MinOrderSize      *string   `json:"min_order_size" example:"0.0001" format:"decimal"`
	MinTradeIncrement *string   `json:"min_trade_increment" example:"0.0001" format:"decimal"`
	PriceIncrement    *string   `json:"price_increment" example:"0.01" format:"decimal"`
	SyncedAt          time.Time `json:"synced_at" example:"2026-12-07T05:00:00Z"`
}

func toAssetJSON(a *models.Asset) assetJSON {
	return assetJSON{
		Symbol: a.Symbol, Name: a.Name, Class: string(a.Class), Exchange: a.Exchange, Active: a.Active,
		Tradable: a.Tradable, Marginable: a.Marginable, Shortable: a.Shortable, EasyToBorrow: a.EasyToBorrow,
		Fractionable: a.Fractionable, MarginRequirement: nullDecimalString(a.MarginRequirement),
		MinOrderSize: nullDecimalString(a.MinOrderSize), MinTradeIncrement: nullDecimalString(a.MinTradeIncrement),
		PriceIncrement: nullDecimalString(a.PriceIncrement), SyncedAt: a.SyncedAt.UTC(),
	}
}

// quoteJSON is the best bid and offer at a moment.
type quoteJSON struct {
	Symbol      string    `json:"symbol" example:"AAPL"`
	BidPrice    string    `json:"bid_price" example:"187.41" format:"decimal"`
	BidSize     string    `json:"bid_size" example:"3" format:"decimal"`
	AskPrice    string    `json:"ask_price" example:"187.43" format:"decimal"`
	AskSize     string    `json:"ask_size" example:"2" format:"decimal"`
	BidExchange string    `json:"bid_exchange,omitempty" example:"Q"`
	AskExchange string    `json:"ask_exchange,omitempty" example:"Q"`
	Time        time.Time `json:"time" example:"2026-12-07T15:04:05Z"`
}

func toQuoteJSON(q market.Quote) quoteJSON {
	return quoteJSON{
		Symbol: q.Symbol, BidPrice: decimalString(q.BidPrice), BidSize: decimalString(q.BidSize),
		AskPrice: decimalString(q.AskPrice), AskSize: decimalString(q.AskSize),
		BidExchange: q.BidExchange, AskExchange: q.AskExchange, Time: q.Time.UTC(),
	}
}

// tradeJSON is one print.
type tradeJSON struct {
	Symbol   string    `json:"symbol" example:"AAPL"`
	ID       int64     `json:"id" example:"52983525029461"`
	Price    string    `json:"price" example:"187.42" format:"decimal"`
	Size     string    `json:"size" example:"100" format:"decimal"`
	Exchange string    `json:"exchange,omitempty" example:"V"`
	Time     time.Time `json:"time" example:"2026-12-07T15:04:05Z"`
}

func toTradeJSON(t market.Trade) tradeJSON {
	return tradeJSON{Symbol: t.Symbol, ID: t.ID, Price: decimalString(t.Price), Size: decimalString(t.Size),
		Exchange: t.Exchange, Time: t.Time.UTC()}
}

// barJSON is a candle; time is the start of its interval. symbol is left out where the answer
// already names it (a page of candles).
type barJSON struct {
	Symbol     string    `json:"symbol,omitempty" example:"AAPL"`
	Time       time.Time `json:"time" example:"2026-12-07T14:30:00Z"`
	Open       string    `json:"open" example:"186.10" format:"decimal"`
	High       string    `json:"high" example:"188.00" format:"decimal"`
	Low        string    `json:"low" example:"185.90" format:"decimal"`
	Close      string    `json:"close" example:"187.42" format:"decimal"`
	Volume     string    `json:"volume" example:"51234567" format:"decimal"`
	TradeCount int64     `json:"trade_count" example:"612345"`
	VWAP       string    `json:"vwap" example:"187.05" format:"decimal"`
}

func toBarJSON(b market.Bar, withSymbol bool) barJSON {
	out := barJSON{Time: b.Start.UTC(), Open: decimalString(b.Open), High: decimalString(b.High),
		Low: decimalString(b.Low), Close: decimalString(b.Close), Volume: decimalString(b.Volume),
		TradeCount: b.TradeCount, VWAP: decimalString(b.VWAP)}
	if withSymbol {
		out.Symbol = b.Symbol
	}
	return out
}

func optionalBar(b *market.Bar) *barJSON {
	if b == nil {
		return nil
	}
	j := toBarJSON(*b, false)
	return &j
}

// snapshotJSON is everything known about a symbol now. price is the latest print (or, without
// one, the daily close or the quote's midpoint); change and change_percent compare it with the
// previous day's close, and are null when either is unknown.
type snapshotJSON struct {
	LatestQuote   *quoteJSON `json:"latest_quote"`
	LatestTrade   *tradeJSON `json:"latest_trade"`
	MinuteBar     *barJSON   `json:"minute_bar"`
	DailyBar      *barJSON   `json:"daily_bar"`
	PrevDailyBar  *barJSON   `json:"prev_daily_bar"`
	Price         *string    `json:"price" example:"187.42" format:"decimal"`
	PrevClose     *string    `json:"prev_close" example:"185.00" format:"decimal"`
	Change        *string    `json:"change" example:"2.42" format:"decimal"`
	ChangePercent *string    `json:"change_percent" example:"1.31" format:"decimal"`
}

func toSnapshotJSON(s market.Snapshot) snapshotJSON {
	out := snapshotJSON{MinuteBar: optionalBar(s.MinuteBar), DailyBar: optionalBar(s.DailyBar),
		PrevDailyBar: optionalBar(s.PrevDailyBar)}
	if s.LatestQuote != nil {
		q := toQuoteJSON(*s.LatestQuote)
		out.LatestQuote = &q
	}
	if s.LatestTrade != nil {
		t := toTradeJSON(*s.LatestTrade)
		out.LatestTrade = &t
	}
	price, ok := lastPrice(s)
	if !ok {
		return out
	}
	str := func(d decimal.Decimal) *string { v := d.String(); return &v }
	out.Price = str(price)
	if s.PrevDailyBar != nil && s.PrevDailyBar.Close.IsPositive() {
		prev := s.PrevDailyBar.Close
		change := price.Sub(prev)
		pct := change.Mul(decimal.NewFromInt(100)).Div(prev).StringFixed(percentPrecision)
		out.PrevClose, out.Change, out.ChangePercent = str(prev), str(change), &pct
	}
	return out
}

// lastPrice is the best idea of "the price now" a snapshot gives.
func lastPrice(s market.Snapshot) (decimal.Decimal, bool) {
	switch {
	case s.LatestTrade != nil && s.LatestTrade.Price.IsPositive():
		return s.LatestTrade.Price, true
	case s.DailyBar != nil && s.DailyBar.Close.IsPositive():
		return s.DailyBar.Close, true
	case s.LatestQuote != nil && s.LatestQuote.Valid():
		return s.LatestQuote.Mid(), true
	}
	return decimal.Decimal{}, false
}

// assetListJSON is a page of search results with the counts beside them.
type assetListJSON struct {
	Assets []assetJSON     `json:"assets"`
	Total  int64           `json:"total" example:"1"`
	Limit  int             `json:"limit" example:"50"`
	Offset int             `json:"offset" example:"0"`
	Facets assetFacetsJSON `json:"facets"`
}

// assetFacetsJSON counts the matches by class and by exchange, each ignoring its own filter so
// the other choices show what picking them would give.
type assetFacetsJSON struct {
	Class    map[string]int64 `json:"class" example:"{\"us_equity\":1}"`
	Exchange map[string]int64 `json:"exchange" example:"{\"NASDAQ\":1}"`
}

// assetDetailJSON is an asset with its market snapshot. snapshot is null when the provider has no
// data for it (a delisted asset) or could not be reached; snapshot_error then says which.
type assetDetailJSON struct {
	assetJSON
	Snapshot      *snapshotJSON `json:"snapshot"`
	SnapshotError string        `json:"snapshot_error,omitempty" example:"Live market data is unavailable right now; try again shortly."`
}

// candlePageJSON is one page of candles, oldest first. next_cursor (pass it as before) loads
// older candles and is null at the beginning of history; prev_cursor (as after) loads newer ones.
type candlePageJSON struct {
	Symbol     string    `json:"symbol" example:"AAPL"`
	Timeframe  string    `json:"timeframe" example:"1D" enum:"1m,5m,15m,30m,1h,4h,1D"`
	Candles    []barJSON `json:"candles"`
	NextCursor *string   `json:"next_cursor" example:"2026-11-01T13:30:00Z"`
	PrevCursor *string   `json:"prev_cursor" example:"2026-12-07T14:30:00Z"`
}

// tradingDayJSON is one trading day: the regular session and the extended one around it.
type tradingDayJSON struct {
	Date         string    `json:"date" example:"2026-12-07" format:"date"` // YYYY-MM-DD in New York
	Open         time.Time `json:"open" example:"2026-12-07T14:30:00Z"`
	Close        time.Time `json:"close" example:"2026-12-07T21:00:00Z"`
	SessionOpen  time.Time `json:"session_open" example:"2026-12-07T09:00:00Z"`
	SessionClose time.Time `json:"session_close" example:"2026-12-08T01:00:00Z"`
}

// toTradingDayJSON names the day by its open's date in New York, whatever zone the provider gave
// Date in.
func toTradingDayJSON(d market.CalendarDay, ny *time.Location) tradingDayJSON {
	return tradingDayJSON{Date: d.Open.In(ny).Format(time.DateOnly), Open: d.Open.UTC(),
		Close: d.Close.UTC(), SessionOpen: d.SessionOpen.UTC(), SessionClose: d.SessionClose.UTC()}
}

// clockJSON is the stock market's session now. today is null on weekends and holidays.
type clockJSON struct {
	Timestamp  time.Time       `json:"timestamp" example:"2026-12-07T15:04:05Z"`
	Session    string          `json:"session" enum:"pre,regular,post,closed" example:"regular"`
	IsOpen     bool            `json:"is_open" example:"true"`
	NextOpen   *time.Time      `json:"next_open" example:"2026-12-08T14:30:00Z"`
	NextClose  *time.Time      `json:"next_close" example:"2026-12-07T21:00:00Z"`
	Today      *tradingDayJSON `json:"today"`
	AlwaysOpen bool            `json:"always_open" doc:"True when the simulated market trades around the clock." example:"false"`
}

// calendarJSON lists the trading days from start to end (New York dates).
type calendarJSON struct {
	Start string           `json:"start" format:"date" example:"2026-12-07"`
	End   string           `json:"end" format:"date" example:"2027-01-06"`
	Days  []tradingDayJSON `json:"days"`
}

// marketStatusJSON is where market data comes from and how its feed and hub are doing.
type marketStatusJSON struct {
	Provider string             `json:"provider" example:"simulated"`
	Stream   feedStatusJSON     `json:"stream"`
	Hub      hubStatusJSON      `json:"hub"`
	Calendar calendarStatusJSON `json:"calendar"`
}

// feedStatusJSON is the upstream stream's health.
type feedStatusJSON struct {
	Connected     bool       `json:"connected" example:"true"`
	Symbols       int        `json:"symbols" example:"12"`
	SymbolLimit   int        `json:"symbol_limit" example:"30"`
	LastMessageAt *time.Time `json:"last_message_at" example:"2026-12-07T15:04:05Z"`
	Reconnects    int        `json:"reconnects" example:"0"`
	LastError     string     `json:"last_error" example:""`
}

// hubStatusJSON counts the quote hub's traffic.
type hubStatusJSON struct {
	Published     uint64 `json:"published" example:"120931"`
	Coalesced     uint64 `json:"coalesced" example:"5210"`
	Dropped       uint64 `json:"dropped" example:"0"`
	Unrouted      uint64 `json:"unrouted" example:"17"`
	Subscriptions int    `json:"subscriptions" example:"4"`
	Symbols       int    `json:"symbols" example:"12"`
	Wanted        int    `json:"wanted" example:"12"`
}

// calendarStatusJSON is the trading calendar held in memory.
type calendarStatusJSON struct {
	LoadedAt  *time.Time `json:"loaded_at" example:"2026-12-07T05:00:00Z"`
	Days      int        `json:"days" example:"252"`
	LastError string     `json:"last_error" example:""`
}

// quotesJSON is the latest quote of each symbol asked for that anything is known of.
type quotesJSON struct {
	Quotes map[string]quoteJSON `json:"quotes" example:"{\"AAPL\":{\"symbol\":\"AAPL\",\"bid_price\":\"187.41\",\"bid_size\":\"3\",\"ask_price\":\"187.43\",\"ask_size\":\"2\",\"time\":\"2026-12-07T15:04:05Z\"}}"`
}

// jobQueuedJSON says a background job was queued.
type jobQueuedJSON struct {
	Status string `json:"status" enum:"queued" example:"queued"`
}
