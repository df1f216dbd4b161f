// Package market is market data: the Provider interface with its Alpaca and simulated
// implementations, the quote hub that fans data out, the exchange clock and calendar, and candle
// aggregation. Prices, sizes and volumes are decimals everywhere; times are UTC instants, with
// exchange time (America/New_York) used only to decide session and bucket boundaries.
package market

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// AssetClass is the kind of instrument.
type AssetClass string

// The asset classes the app trades.
const (
	USEquity AssetClass = "us_equity"
	Crypto   AssetClass = "crypto"
)

// ClassOf tells a symbol's class from its shape: crypto pairs are written with a slash (BTC/USD),
// as Alpaca writes them.
func ClassOf(symbol string) AssetClass {
	if strings.Contains(symbol, "/") {
		return Crypto
	}
	return USEquity
}

// Asset is one instrument of the provider's catalogue.
type Asset struct {
	ProviderID   string // the provider's own id (a UUID for Alpaca)
	Symbol       string
	Name         string
	Class        AssetClass
	Exchange     string // NASDAQ, NYSE, ARCA, AMEX, BATS, OTC, CRYPTO …
	Active       bool   // listed and trading
	Tradable     bool
	Marginable   bool
	Shortable    bool
	EasyToBorrow bool
	Fractionable bool
	// MarginRequirement is the maintenance margin as a percentage (30 = 30%); zero when unknown.
	MarginRequirement decimal.Decimal
	// MinOrderSize, MinTradeIncrement and PriceIncrement are set for crypto; zero for stocks.
	MinOrderSize      decimal.Decimal
	MinTradeIncrement decimal.Decimal
	PriceIncrement    decimal.Decimal
}

// Quote is the best bid and offer at a moment.
type Quote struct {
	Symbol   string
	BidPrice decimal.Decimal
	// BidSize and AskSize are shares for stocks (as the SIPs have disseminated them since
	// 2025-11-03; see docs/ALPACA.md, "Quote sizes") and coins for crypto.
	BidSize     decimal.Decimal
	AskPrice    decimal.Decimal
	AskSize     decimal.Decimal
	BidExchange string
	AskExchange string
	Time        time.Time
	// Tape is the consolidated tape of a US stock (TapeOf its listing exchange); empty for crypto.
	Tape string
}

// Mid is the midpoint of bid and ask, the reference for the cost of a fill.
func (q Quote) Mid() decimal.Decimal { return q.BidPrice.Add(q.AskPrice).Div(decimal.NewFromInt(2)) }

// Valid reports whether the quote is two-sided and not crossed.
func (q Quote) Valid() bool {
	return q.BidPrice.IsPositive() && q.AskPrice.IsPositive() && q.AskPrice.GreaterThanOrEqual(q.BidPrice)
}

// Trade is one print on the tape.
type Trade struct {
	Symbol   string
	ID       int64
	Price    decimal.Decimal
	Size     decimal.Decimal
	Exchange string
	Time     time.Time
	// Tape is the consolidated tape of a US stock (TapeOf its listing exchange); empty for crypto.
	Tape string
}

// TapeOf is the consolidated tape a US stock listed on exchange is reported to, as Alpaca's `z`
// field gives it: A for NYSE, B for NYSE Arca, NYSE American and Cboe (BATS), C for Nasdaq. It is
// empty for anything else (crypto, OTC).
func TapeOf(exchange string) string {
	switch exchange {
	case "NYSE":
		return "A"
	case "ARCA", "AMEX", "BATS":
		return "B"
	case "NASDAQ":
		return "C"
	}
	return ""
}

// Bar is an OHLCV candle. Start is the beginning of its interval.
type Bar struct {
	Symbol     string
	Start      time.Time
	Open       decimal.Decimal
	High       decimal.Decimal
	Low        decimal.Decimal
	Close      decimal.Decimal
	Volume     decimal.Decimal
	TradeCount int64
	VWAP       decimal.Decimal
}

// Snapshot is everything known about a symbol right now.
type Snapshot struct {
	Symbol       string
	LatestTrade  *Trade
	LatestQuote  *Quote
	MinuteBar    *Bar
	DailyBar     *Bar
	PrevDailyBar *Bar
}

// CalendarDay is one trading day of the US equity market: the regular session's open and close
// (early closes included) and the extended session around it, all as UTC instants.
type CalendarDay struct {
	Date         time.Time // midnight of the trading day in America/New_York
	Open         time.Time // regular session open, usually 09:30 ET
	Close        time.Time // regular session close, 16:00 ET, or 13:00 ET on early-close days
	SessionOpen  time.Time // pre-market start, 04:00 ET
	SessionClose time.Time // after-hours end, 20:00 ET (17:00 ET after an early close)
}

// Timeframe is a candle width.
type Timeframe string

// The timeframes candles are kept in.
const (
	Min1  Timeframe = "1m"
	Min5  Timeframe = "5m"
	Min15 Timeframe = "15m"
	Min30 Timeframe = "30m"
	Hour1 Timeframe = "1h"
	Hour4 Timeframe = "4h"
	Day1  Timeframe = "1D"
)

// Timeframes lists every timeframe, finest first.
func Timeframes() []Timeframe { return []Timeframe{Min1, Min5, Min15, Min30, Hour1, Hour4, Day1} }

// ParseTimeframe accepts the names above.
func ParseTimeframe(s string) (Timeframe, bool) {
	for _, tf := range Timeframes() {
		if string(tf) == s {
			return tf, true
		}
	}
	return "", false
}
