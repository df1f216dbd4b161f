package alpaca

import (
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// The SDK speaks float64 (and integer sizes for stocks); these functions are the one place where
// those numbers become decimals. decimal.NewFromFloat keeps the shortest representation that
// round-trips, so 187.45 stays 187.45 rather than 187.4499999….
//
// Stock quote sizes pass through as shares. They were round lots (×100) until the SIPs switched
// to shares, rounded down to the stock's round lot, on 2025-11-03 (Regulation NMS round-lot
// amendments); Alpaca follows the SIPs. Older quotes keep round lots, and nothing here converts
// them: the engine fills only on quotes seconds old. docs/ALPACA.md, "Quote sizes", has the
// sources.

func dec(f float64) decimal.Decimal { return decimal.NewFromFloat(f) }

func decUint(u uint64) decimal.Decimal { return decimal.NewFromUint64(u) }

func utc(t time.Time) time.Time { return t.UTC() }

// Stream messages.

func quoteFromStream(q stream.Quote) market.Quote {
	return market.Quote{
		Symbol:      q.Symbol,
		BidPrice:    dec(q.BidPrice),
		BidSize:     decUint(uint64(q.BidSize)),
		AskPrice:    dec(q.AskPrice),
		AskSize:     decUint(uint64(q.AskSize)),
		BidExchange: q.BidExchange,
		AskExchange: q.AskExchange,
		Time:        utc(q.Timestamp),
		Tape:        q.Tape,
	}
}

func tradeFromStream(t stream.Trade) market.Trade {
	return market.Trade{
		Symbol:   t.Symbol,
		ID:       t.ID,
		Price:    dec(t.Price),
		Size:     decUint(uint64(t.Size)),
		Exchange: t.Exchange,
		Time:     utc(t.Timestamp),
		Tape:     t.Tape,
	}
}

func barFromStream(b stream.Bar) market.Bar {
	return market.Bar{
		Symbol:     b.Symbol,
		Start:      utc(b.Timestamp),
		Open:       dec(b.Open),
		High:       dec(b.High),
		Low:        dec(b.Low),
		Close:      dec(b.Close),
		Volume:     decUint(b.Volume),
		TradeCount: int64(b.TradeCount),
		VWAP:       dec(b.VWAP),
	}
}

func quoteFromCryptoStream(q stream.CryptoQuote) market.Quote {
	return market.Quote{
		Symbol:      q.Symbol,
		BidPrice:    dec(q.BidPrice),
		BidSize:     dec(q.BidSize),
		AskPrice:    dec(q.AskPrice),
		AskSize:     dec(q.AskSize),
		BidExchange: q.Exchange,
		AskExchange: q.Exchange,
		Time:        utc(q.Timestamp),
	}
}

func tradeFromCryptoStream(t stream.CryptoTrade) market.Trade {
	return market.Trade{
		Symbol:   t.Symbol,
		ID:       t.ID,
		Price:    dec(t.Price),
		Size:     dec(t.Size),
		Exchange: t.Exchange,
		Time:     utc(t.Timestamp),
	}
}

func barFromCryptoStream(b stream.CryptoBar) market.Bar {
	return market.Bar{
		Symbol:     b.Symbol,
		Start:      utc(b.Timestamp),
		Open:       dec(b.Open),
		High:       dec(b.High),
		Low:        dec(b.Low),
		Close:      dec(b.Close),
		Volume:     dec(b.Volume),
		TradeCount: int64(b.TradeCount),
		VWAP:       dec(b.VWAP),
	}
}

// REST entities. They carry no symbol: the caller knows it from the map key.

func quoteFromREST(symbol string, q marketdata.Quote) market.Quote {
	return market.Quote{
		Symbol:      symbol,
		BidPrice:    dec(q.BidPrice),
		BidSize:     decUint(uint64(q.BidSize)),
		AskPrice:    dec(q.AskPrice),
		AskSize:     decUint(uint64(q.AskSize)),
		BidExchange: q.BidExchange,
		AskExchange: q.AskExchange,
		Time:        utc(q.Timestamp),
		Tape:        q.Tape,
	}
}

func tradeFromREST(symbol string, t marketdata.Trade) market.Trade {
	return market.Trade{
		Symbol:   symbol,
		ID:       t.ID,
		Price:    dec(t.Price),
		Size:     decUint(uint64(t.Size)),
		Exchange: t.Exchange,
		Time:     utc(t.Timestamp),
		Tape:     t.Tape,
	}
}

func barFromREST(symbol string, b marketdata.Bar) market.Bar {
	return market.Bar{
		Symbol:     symbol,
		Start:      utc(b.Timestamp),
		Open:       dec(b.Open),
		High:       dec(b.High),
		Low:        dec(b.Low),
		Close:      dec(b.Close),
		Volume:     decUint(b.Volume),
		TradeCount: int64(b.TradeCount),
		VWAP:       dec(b.VWAP),
	}
}

func quoteFromCryptoREST(symbol string, q marketdata.CryptoQuote) market.Quote {
	return market.Quote{
		Symbol:   symbol,
		BidPrice: dec(q.BidPrice),
		BidSize:  dec(q.BidSize),
		AskPrice: dec(q.AskPrice),
		AskSize:  dec(q.AskSize),
		Time:     utc(q.Timestamp),
	}
}

func tradeFromCryptoREST(symbol string, t marketdata.CryptoTrade) market.Trade {
	return market.Trade{
		Symbol: symbol,
		ID:     t.ID,
		Price:  dec(t.Price),
		Size:   dec(t.Size),
		Time:   utc(t.Timestamp),
	}
}

func barFromCryptoREST(symbol string, b marketdata.CryptoBar) market.Bar {
	return market.Bar{
		Symbol:     symbol,
		Start:      utc(b.Timestamp),
		Open:       dec(b.Open),
		High:       dec(b.High),
		Low:        dec(b.Low),
		Close:      dec(b.Close),
		Volume:     dec(b.Volume),
		TradeCount: int64(b.TradeCount),
		VWAP:       dec(b.VWAP),
	}
}

// snapshotFromREST and snapshotFromCryptoREST keep absent parts nil.
func snapshotFromREST(symbol string, s *marketdata.Snapshot) market.Snapshot {
	out := market.Snapshot{Symbol: symbol}
	if s == nil {
		return out
	}
	if s.LatestTrade != nil {
		t := tradeFromREST(symbol, *s.LatestTrade)
		out.LatestTrade = &t
	}
	if s.LatestQuote != nil {
		q := quoteFromREST(symbol, *s.LatestQuote)
		out.LatestQuote = &q
	}
	out.MinuteBar = optionalBar(symbol, s.MinuteBar, barFromREST)
	out.DailyBar = optionalBar(symbol, s.DailyBar, barFromREST)
	out.PrevDailyBar = optionalBar(symbol, s.PrevDailyBar, barFromREST)
	return out
}

func snapshotFromCryptoREST(symbol string, s marketdata.CryptoSnapshot) market.Snapshot {
	out := market.Snapshot{Symbol: symbol}
	if s.LatestTrade != nil {
		t := tradeFromCryptoREST(symbol, *s.LatestTrade)
		out.LatestTrade = &t
	}
	if s.LatestQuote != nil {
		q := quoteFromCryptoREST(symbol, *s.LatestQuote)
		out.LatestQuote = &q
	}
	out.MinuteBar = optionalBar(symbol, s.MinuteBar, barFromCryptoREST)
	out.DailyBar = optionalBar(symbol, s.DailyBar, barFromCryptoREST)
	out.PrevDailyBar = optionalBar(symbol, s.PrevDailyBar, barFromCryptoREST)
	return out
}

func optionalBar[B any](symbol string, b *B, conv func(string, B) market.Bar) *market.Bar {
	if b == nil {
		return nil
	}
	out := conv(symbol, *b)
	return &out
}
