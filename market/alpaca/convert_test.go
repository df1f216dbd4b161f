package alpaca

import (
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// sameQuote compares decimals by value, which reflect.DeepEqual would not.
func sameQuote(a, b market.Quote) bool {
	return a.Symbol == b.Symbol && a.BidPrice.Equal(b.BidPrice) && a.BidSize.Equal(b.BidSize) &&
		a.AskPrice.Equal(b.AskPrice) && a.AskSize.Equal(b.AskSize) && a.BidExchange == b.BidExchange &&
		a.AskExchange == b.AskExchange && a.Time.Equal(b.Time) && a.Time.Location() == time.UTC
}

func sameTrade(a, b market.Trade) bool {
	return a.Symbol == b.Symbol && a.ID == b.ID && a.Price.Equal(b.Price) && a.Size.Equal(b.Size) &&
		a.Exchange == b.Exchange && a.Time.Equal(b.Time) && a.Time.Location() == time.UTC
}

func sameBar(a, b market.Bar) bool {
	return a.Symbol == b.Symbol && a.Start.Equal(b.Start) && a.Open.Equal(b.Open) && a.High.Equal(b.High) &&
		a.Low.Equal(b.Low) && a.Close.Equal(b.Close) && a.Volume.Equal(b.Volume) &&
		a.TradeCount == b.TradeCount && a.VWAP.Equal(b.VWAP) && a.Start.Location() == time.UTC
}

func TestQuoteConversions(t *testing.T) {
	t.Parallel()
	ny := time.FixedZone("EDT", -4*3600)
	at := time.Date(2024, 7, 1, 10, 0, 0, 123456789, ny)
	tests := []struct {
		name string
		got  market.Quote
		want market.Quote
	}{
		{
			// Since 2025-11-03 the SIPs send shares, rounded down to the stock's round lot (40 for a
			// stock between $250 and $1,000): 120 means 120 shares, not 12,000 (docs/ALPACA.md).
			name: "stock stream, sizes in shares",
			got: quoteFromStream(stream.Quote{Symbol: "MSFT", BidExchange: "V", BidPrice: 412.5, BidSize: 120,
				AskExchange: "Q", AskPrice: 412.55, AskSize: 40, Timestamp: time.Date(2026, 11, 24, 10, 0, 0, 0, ny)}),
			want: market.Quote{Symbol: "MSFT", BidPrice: d("412.5"), BidSize: d("120"), AskPrice: d("412.55"),
				AskSize: d("40"), BidExchange: "V", AskExchange: "Q", Time: time.Date(2026, 11, 24, 10, 0, 0, 0, ny)},
		},
		{
			name: "stock stream",
			got: quoteFromStream(stream.Quote{Symbol: "AAPL", BidExchange: "V", BidPrice: 187.45, BidSize: 300,
				AskExchange: "Q", AskPrice: 187.46, AskSize: 100, Timestamp: at}),
			want: market.Quote{Symbol: "AAPL", BidPrice: d("187.45"), BidSize: d("300"), AskPrice: d("187.46"),
				AskSize: d("100"), BidExchange: "V", AskExchange: "Q", Time: at},
		},
		{
			name: "crypto stream",
			got: quoteFromCryptoStream(stream.CryptoQuote{Symbol: "BTC/USD", Exchange: "CBSE", BidPrice: 64000.1,
				BidSize: 0.000123, AskPrice: 64001.25, AskSize: 1.5, Timestamp: at}),
			want: market.Quote{Symbol: "BTC/USD", BidPrice: d("64000.1"), BidSize: d("0.000123"), AskPrice: d("64001.25"),
				AskSize: d("1.5"), BidExchange: "CBSE", AskExchange: "CBSE", Time: at},
		},
		{
			name: "stock REST",
			got: quoteFromREST("MSFT", marketdata.Quote{BidPrice: 0.1, BidSize: 1, BidExchange: "K",
				AskPrice: 0.3, AskSize: 2, AskExchange: "P", Timestamp: at}),
			want: market.Quote{Symbol: "MSFT", BidPrice: d("0.1"), BidSize: d("1"), AskPrice: d("0.3"),
				AskSize: d("2"), BidExchange: "K", AskExchange: "P", Time: at},
		},
		{
			name: "crypto REST",
			got: quoteFromCryptoREST("ETH/USD", marketdata.CryptoQuote{BidPrice: 3000.5, BidSize: 2.25,
				AskPrice: 3001, AskSize: 0.5, Timestamp: at}),
			want: market.Quote{Symbol: "ETH/USD", BidPrice: d("3000.5"), BidSize: d("2.25"), AskPrice: d("3001"),
				AskSize: d("0.5"), Time: at},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !sameQuote(tt.got, tt.want) {
				t.Errorf("got %+v\nwant %+v", tt.got, tt.want)
			}
		})
	}
}

func TestTradeConversions(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 7, 1, 14, 0, 1, 0, time.UTC)
	tests := []struct {
		name string
		got  market.Trade
		want market.Trade
	}{
		{
			name: "stock stream",
			got:  tradeFromStream(stream.Trade{ID: 42, Symbol: "AAPL", Exchange: "V", Price: 187.455, Size: 7, Timestamp: at}),
			want: market.Trade{Symbol: "AAPL", ID: 42, Price: d("187.455"), Size: d("7"), Exchange: "V", Time: at},
		},
		{
			name: "crypto stream",
			got: tradeFromCryptoStream(stream.CryptoTrade{ID: 9, Symbol: "BTC/USD", Exchange: "CBSE", Price: 64000.5,
				Size: 0.0001, Timestamp: at}),
			want: market.Trade{Symbol: "BTC/USD", ID: 9, Price: d("64000.5"), Size: d("0.0001"), Exchange: "CBSE", Time: at},
		},
		{
			name: "stock REST",
			got:  tradeFromREST("AAPL", marketdata.Trade{ID: 1, Price: 10.01, Size: 100, Exchange: "N", Timestamp: at}),
			want: market.Trade{Symbol: "AAPL", ID: 1, Price: d("10.01"), Size: d("100"), Exchange: "N", Time: at},
		},
		{
			name: "crypto REST",
			got:  tradeFromCryptoREST("BTC/USD", marketdata.CryptoTrade{ID: 2, Price: 1.5, Size: 0.25, Timestamp: at}),
			want: market.Trade{Symbol: "BTC/USD", ID: 2, Price: d("1.5"), Size: d("0.25"), Time: at},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !sameTrade(tt.got, tt.want) {
				t.Errorf("got %+v\nwant %+v", tt.got, tt.want)
			}
		})
	}
}

func TestBarConversions(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 7, 1, 13, 30, 0, 0, time.UTC)
	want := func(sym, vol string) market.Bar {
		return market.Bar{Symbol: sym, Start: at, Open: d("10.1"), High: d("10.5"), Low: d("9.9"), Close: d("10.2"),
			Volume: d(vol), TradeCount: 12, VWAP: d("10.25")}
	}
	tests := []struct {
		name string
		got  market.Bar
		want market.Bar
	}{
		{
			name: "stock stream",
			got: barFromStream(stream.Bar{Symbol: "AAPL", Open: 10.1, High: 10.5, Low: 9.9, Close: 10.2, Volume: 1500,
				Timestamp: at, TradeCount: 12, VWAP: 10.25}),
			want: want("AAPL", "1500"),
		},
		{
			name: "crypto stream",
			got: barFromCryptoStream(stream.CryptoBar{Symbol: "BTC/USD", Open: 10.1, High: 10.5, Low: 9.9, Close: 10.2,
				Volume: 0.75, Timestamp: at, TradeCount: 12, VWAP: 10.25}),
			want: want("BTC/USD", "0.75"),
		},
		{
			name: "stock REST",
			got: barFromREST("AAPL", marketdata.Bar{Open: 10.1, High: 10.5, Low: 9.9, Close: 10.2, Volume: 1500,
				Timestamp: at, TradeCount: 12, VWAP: 10.25}),
			want: want("AAPL", "1500"),
		},
		{
			name: "crypto REST",
			got: barFromCryptoREST("BTC/USD", marketdata.CryptoBar{Open: 10.1, High: 10.5, Low: 9.9, Close: 10.2,
				Volume: 0.75, Timestamp: at, TradeCount: 12, VWAP: 10.25}),
			want: want("BTC/USD", "0.75"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !sameBar(tt.got, tt.want) {
				t.Errorf("got %+v\nwant %+v", tt.got, tt.want)
			}
		})
	}
}

func TestSnapshotConversionKeepsAbsentPartsNil(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 7, 1, 14, 0, 0, 0, time.UTC)
	stock := snapshotFromREST("AAPL", &marketdata.Snapshot{
		LatestQuote: &marketdata.Quote{BidPrice: 1, AskPrice: 2, Timestamp: at},
		DailyBar:    &marketdata.Bar{Open: 1, Close: 2, Timestamp: at},
	})
	if stock.Symbol != "AAPL" || stock.LatestQuote == nil || !stock.LatestQuote.AskPrice.Equal(d("2")) ||
		stock.LatestQuote.Symbol != "AAPL" || stock.DailyBar == nil || !stock.DailyBar.Close.Equal(d("2")) {
		t.Errorf("stock snapshot: %+v", stock)
	}
	if stock.LatestTrade != nil || stock.MinuteBar != nil || stock.PrevDailyBar != nil {
		t.Errorf("stock snapshot invented parts: %+v", stock)
	}
	if s := snapshotFromREST("X", nil); s.Symbol != "X" || s.LatestQuote != nil {
		t.Errorf("nil snapshot: %+v", s)
	}
	crypto := snapshotFromCryptoREST("BTC/USD", marketdata.CryptoSnapshot{
		LatestTrade:  &marketdata.CryptoTrade{Price: 64000, Size: 0.5, Timestamp: at},
		PrevDailyBar: &marketdata.CryptoBar{Close: 63000, Volume: 12.5, Timestamp: at},
	})
	if crypto.LatestTrade == nil || !crypto.LatestTrade.Size.Equal(d("0.5")) || crypto.PrevDailyBar == nil ||
		!crypto.PrevDailyBar.Volume.Equal(d("12.5")) || crypto.LatestQuote != nil || crypto.MinuteBar != nil {
		t.Errorf("crypto snapshot: %+v", crypto)
	}
}
