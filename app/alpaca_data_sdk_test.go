package app

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacawire"
	"alpacawrapper/market/sim"
)

// sdkDataNotServed are the methods of the Go SDK's marketdata.Client whose endpoints this app does
// not serve, and why. Every other method must be called, and its answer checked, by
// TestGoSDKMarketDataCoverage.
func sdkDataNotServed() map[string]string {
	options := "options data: the app trades no options"
	perps := "crypto perpetual futures (/v1beta1/crypto-perps): the app trades no futures"
	return map[string]string{
		"GetAuctions":      "stock auctions: neither market keeps opening and closing auction prints",
		"GetMultiAuctions": "stock auctions: neither market keeps opening and closing auction prints",
		"GetNews":          "news: no news source",
		"GetCorporateActions": "corporate actions: the simulated market has none, and the app " +
			"does not adjust for them",
		"GetLatestOptionQuote": options, "GetLatestOptionQuotes": options, "GetLatestOptionTrade": options,
		"GetLatestOptionTrades": options, "GetMultiOptionBars": options, "GetOptionBars": options,
		"GetOptionChain": options, "GetOptionMultiTrades": options, "GetOptionSnapshot": options,
		"GetOptionSnapshots": options, "GetOptionTrades": options,
		"GetLatestCryptoPerpBar": perps, "GetLatestCryptoPerpBars": perps, "GetLatestCryptoPerpPricing": perps,
		"GetLatestCryptoPerpPricingData": perps, "GetLatestCryptoPerpQuote": perps, "GetLatestCryptoPerpQuotes": perps,
		"GetLatestCryptoPerpTrade": perps, "GetLatestCryptoPerpTrades": perps,
	}
}

// coverage records which SDK methods a test called, each with a check of its answer.
type coverage struct {
	t      *testing.T
	called map[string]bool
}

// call runs one SDK call and its check, failing the test with the method's name on an error.
func (c *coverage) call(method string, run func() error) {
	c.t.Helper()
	c.called[method] = true
	if err := run(); err != nil {
		c.t.Errorf("%s: %v", method, err)
	}
}

// ticksOf is the provider's own tape of symbol over [start, end], all of it, for comparison.
func ticksOf[T any](t *testing.T, fetch func(context.Context, market.TicksRequest) ([]T, error), symbol string, start, end time.Time, desc bool) []T {
	t.Helper()
	out, err := fetch(context.Background(), market.TicksRequest{Symbol: symbol, Start: start, End: end.Add(time.Nanosecond), Limit: 1 << 20, Desc: desc})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTape compares what the SDK returned with the provider's tape, item by item.
func sameTape[S, M any](got []S, want []M, same func(S, M) bool) error {
	if len(got) != len(want) || len(want) == 0 {
		return fmt.Errorf("%d items through the SDK, %d from the provider", len(got), len(want))
	}
	for i := range got {
		if !same(got[i], want[i]) {
			return fmt.Errorf("item %d: %+v, provider %+v", i, got[i], want[i])
		}
	}
	return nil
}

func sameStockTrade(g marketdata.Trade, w market.Trade) bool {
	return g.ID == w.ID && g.Timestamp.Equal(w.Time) && decimal.NewFromFloat(g.Price).Equal(w.Price) && int64(g.Size) == w.Size.IntPart() &&
		g.Tape == w.Tape && g.Tape != ""
}

func sameStockQuote(g marketdata.Quote, w market.Quote) bool {
	return g.Timestamp.Equal(w.Time) && decimal.NewFromFloat(g.BidPrice).Equal(w.BidPrice) && decimal.NewFromFloat(g.AskPrice).Equal(w.AskPrice) &&
		int64(g.AskSize) == w.AskSize.IntPart() && g.BidExchange == w.BidExchange && g.Tape == w.Tape && g.Tape != ""
}

func sameCryptoTrade(g marketdata.CryptoTrade, w market.Trade) bool {
	return g.ID == w.ID && g.Timestamp.Equal(w.Time) && decimal.NewFromFloat(g.Price).Equal(w.Price) && decimal.NewFromFloat(g.Size).Equal(w.Size)
}

func sameCryptoQuote(g marketdata.CryptoQuote, w market.Quote) bool {
	return g.Timestamp.Equal(w.Time) && decimal.NewFromFloat(g.BidPrice).Equal(w.BidPrice) && decimal.NewFromFloat(g.BidSize).Equal(w.BidSize)
}

// Every marketdata.Client method for an endpoint the app serves is called through the official
// Go SDK, and its answer compared with the app's provider: historical trades, quotes and bars over
// several pages, in both directions, latest values and snapshots, stocks and crypto. Methods left
// out are listed, with the reason, in sdkDataNotServed; a new SDK method fails the test until it
// is placed in one or the other.
func TestGoSDKMarketDataCoverage(t *testing.T) {
	a := startAlpacaDataApp(t)
	c := a.dataClient()
	anon := marketdata.NewClient(marketdata.ClientOpts{BaseURL: a.base, RetryLimit: -1}) // crypto needs no key
	prov := a.svc.Market.Provider
	cov := &coverage{t: t, called: map[string]bool{}}
	ny := alpacawire.NewYork()
	open := time.Date(2024, 4, 9, 9, 30, 0, 0, ny) // a Tuesday
	end := open.Add(10 * time.Minute)
	cday := time.Date(2024, 4, 9, 0, 0, 0, 0, time.UTC)

	// Historical trades and quotes: pages far smaller than the range, so the SDK follows tokens.
	cov.call("GetTrades", func() error {
		got, err := c.GetTrades("AAPL", marketdata.GetTradesRequest{Start: open, End: end, PageLimit: 200})
		if err != nil {
			return err
		}
		if len(got) <= 400 {
			return fmt.Errorf("only %d prints: want several pages", len(got))
		}
		return sameTape(got, ticksOf(t, prov.Trades, "AAPL", open, end, false), sameStockTrade)
	})
	cov.call("GetMultiTrades", func() error {
		got, err := c.GetMultiTrades([]string{"MSFT", "AAPL", "NOPE"}, marketdata.GetTradesRequest{Start: open, End: end, PageLimit: 300})
		if err != nil {
			return err
		}
		if len(got) != 2 {
			return fmt.Errorf("prints of %d symbols, want AAPL and MSFT", len(got))
		}
		return errors.Join(sameTape(got["AAPL"], ticksOf(t, prov.Trades, "AAPL", open, end, false), sameStockTrade),
			sameTape(got["MSFT"], ticksOf(t, prov.Trades, "MSFT", open, end, false), sameStockTrade))
	})
	cov.call("GetQuotes", func() error {
		// Newest first, stopping at a total: the last 1500 quotes up to end, over two pages.
		got, err := c.GetQuotes("AAPL", marketdata.GetQuotesRequest{Start: open, End: end, TotalLimit: 1500, PageLimit: 1000, Sort: marketdata.SortDesc})
		if err != nil {
			return err
		}
		want := ticksOf(t, prov.Quotes, "AAPL", open, end, true)
		if len(want) < 1500 {
			return fmt.Errorf("the provider has %d quotes: want more than 1500", len(want))
		}
		return sameTape(got, want[:1500], sameStockQuote)
	})
	cov.call("GetMultiQuotes", func() error {
		got, err := c.GetMultiQuotes([]string{"AAPL", "SPY"}, marketdata.GetQuotesRequest{Start: open, End: open.Add(2 * time.Minute)})
		if err != nil {
			return err
		}
		return errors.Join(sameTape(got["AAPL"], ticksOf(t, prov.Quotes, "AAPL", open, open.Add(2*time.Minute), false), sameStockQuote),
			sameTape(got["SPY"], ticksOf(t, prov.Quotes, "SPY", open, open.Add(2*time.Minute), false), sameStockQuote))
	})
	cov.call("GetCryptoTrades", func() error {
		got, err := anon.GetCryptoTrades("BTC/USD", marketdata.GetCryptoTradesRequest{Start: cday, End: cday.Add(10 * time.Minute), PageLimit: 250})
		if err != nil {
			return err
		}
		return sameTape(got, ticksOf(t, prov.Trades, "BTC/USD", cday, cday.Add(10*time.Minute), false), sameCryptoTrade)
	})
	cov.call("GetCryptoMultiTrades", func() error {
		got, err := anon.GetCryptoMultiTrades([]string{"BTC/USD", "ETH/USD"}, marketdata.GetCryptoTradesRequest{Start: cday, End: cday.Add(2 * time.Minute), Sort: marketdata.SortDesc})
		if err != nil {
			return err
		}
		return errors.Join(sameTape(got["BTC/USD"], ticksOf(t, prov.Trades, "BTC/USD", cday, cday.Add(2*time.Minute), true), sameCryptoTrade),
			sameTape(got["ETH/USD"], ticksOf(t, prov.Trades, "ETH/USD", cday, cday.Add(2*time.Minute), true), sameCryptoTrade))
	})
	cov.call("GetCryptoQuotes", func() error {
		got, err := anon.GetCryptoQuotes("ETH/USD", marketdata.GetCryptoQuotesRequest{Start: cday, End: cday.Add(5 * time.Minute), PageLimit: 400})
		if err != nil {
			return err
		}
		return sameTape(got, ticksOf(t, prov.Quotes, "ETH/USD", cday, cday.Add(5*time.Minute), false), sameCryptoQuote)
	})
	cov.call("GetCryptoMultiQuotes", func() error {
		got, err := anon.GetCryptoMultiQuotes([]string{"BTC/USD", "ETH/USD"}, marketdata.GetCryptoQuotesRequest{Start: cday, End: cday.Add(time.Minute), TotalLimit: 100})
		if err != nil {
			return err
		}
		// The total counts across symbols, and BTC/USD comes first.
		return errors.Join(sameTape(got["BTC/USD"], ticksOf(t, prov.Quotes, "BTC/USD", cday, cday.Add(time.Minute), false)[:100], sameCryptoQuote),
			func() error {
				if len(got["ETH/USD"]) != 0 {
					return fmt.Errorf("%d ETH/USD quotes past the total", len(got["ETH/USD"]))
				}
				return nil
			}())
	})

	// Bars: minute bars over several pages, hourly for many symbols, crypto alike.
	cov.call("GetBars", func() error {
		got, err := c.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin, Start: open, End: open.Add(3 * time.Hour), PageLimit: 50})
		if err != nil {
			return err
		}
		want, err := prov.Bars(context.Background(), market.BarsRequest{Symbol: "AAPL", Timeframe: market.Min1, Start: open, End: open.Add(3*time.Hour + time.Minute)})
		if err != nil {
			return err
		}
		return sameTape(got, want, func(g marketdata.Bar, w market.Bar) bool {
			return g.Timestamp.Equal(w.Start) && decimal.NewFromFloat(g.Close).Equal(w.Close) && g.Volume == uint64(w.Volume.IntPart())
		})
	})
	cov.call("GetMultiBars", func() error {
		got, err := c.GetMultiBars([]string{"AAPL", "MSFT"}, marketdata.GetBarsRequest{TimeFrame: marketdata.OneHour, Start: open.AddDate(0, 0, -7), End: end, PageLimit: 10})
		if err != nil {
			return err
		}
		if len(got["AAPL"]) < 40 || len(got["AAPL"]) != len(got["MSFT"]) {
			return fmt.Errorf("%d AAPL and %d MSFT hourly bars", len(got["AAPL"]), len(got["MSFT"]))
		}
		return nil
	})
	cov.call("GetCryptoBars", func() error {
		got, err := anon.GetCryptoBars("BTC/USD", marketdata.GetCryptoBarsRequest{TimeFrame: marketdata.OneMin, Start: cday, End: cday.Add(time.Hour), PageLimit: 25})
		if err != nil || len(got) != 61 {
			return fmt.Errorf("%d bars, want 61: %w", len(got), err)
		}
		return nil
	})
	cov.call("GetCryptoMultiBars", func() error {
		got, err := anon.GetCryptoMultiBars([]string{"BTC/USD", "ETH/USD"}, marketdata.GetCryptoBarsRequest{TimeFrame: marketdata.OneDay, Start: cday.AddDate(0, 0, -9), End: cday})
		if err != nil || len(got["BTC/USD"]) != 10 || len(got["ETH/USD"]) != 10 {
			return fmt.Errorf("%d BTC/USD and %d ETH/USD daily bars, want 10 each: %w", len(got["BTC/USD"]), len(got["ETH/USD"]), err)
		}
		return nil
	})

	// Latest values and snapshots, checked against the provider's.
	latest, err := prov.LatestQuotes(context.Background(), []string{"AAPL", "BTC/USD"})
	if err != nil {
		t.Fatal(err)
	}
	cov.call("GetLatestQuote", func() error {
		q, err := c.GetLatestQuote("AAPL", marketdata.GetLatestQuoteRequest{})
		if err != nil || q == nil || q.BidPrice <= 0 || q.AskPrice < q.BidPrice {
			return fmt.Errorf("%+v, %w", q, err)
		}
		return nil
	})
	cov.call("GetLatestQuotes", func() error {
		qs, err := c.GetLatestQuotes([]string{"AAPL", "MSFT", "NOPE"}, marketdata.GetLatestQuoteRequest{})
		if err != nil || len(qs) != 2 || !qs["AAPL"].Timestamp.After(latest["AAPL"].Time.Add(-time.Minute)) {
			return fmt.Errorf("%+v, %w", qs, err)
		}
		return nil
	})
	cov.call("GetLatestTrade", func() error {
		tr, err := c.GetLatestTrade("MSFT", marketdata.GetLatestTradeRequest{})
		if err != nil || tr == nil || tr.Price <= 0 {
			return fmt.Errorf("%+v, %w", tr, err)
		}
		return nil
	})
	cov.call("GetLatestTrades", func() error {
		trs, err := c.GetLatestTrades([]string{"AAPL", "MSFT"}, marketdata.GetLatestTradeRequest{})
		if err != nil || len(trs) != 2 {
			return fmt.Errorf("%+v, %w", trs, err)
		}
		return nil
	})
	cov.call("GetLatestBar", func() error {
		b, err := c.GetLatestBar("AAPL", marketdata.GetLatestBarRequest{})
		if err != nil || b == nil || b.Close <= 0 {
			return fmt.Errorf("%+v, %w", b, err)
		}
		return nil
	})
	cov.call("GetLatestBars", func() error {
		bs, err := c.GetLatestBars([]string{"AAPL", "SPY"}, marketdata.GetLatestBarRequest{})
		if err != nil || len(bs) != 2 {
			return fmt.Errorf("%+v, %w", bs, err)
		}
		return nil
	})
	cov.call("GetSnapshot", func() error {
		s, err := c.GetSnapshot("AAPL", marketdata.GetSnapshotRequest{})
		if err != nil || s == nil || s.LatestQuote == nil || s.LatestTrade == nil || s.DailyBar == nil {
			return fmt.Errorf("%+v, %w", s, err)
		}
		return nil
	})
	cov.call("GetSnapshots", func() error {
		ss, err := c.GetSnapshots([]string{"AAPL", "MSFT"}, marketdata.GetSnapshotRequest{})
		if err != nil || len(ss) != 2 || ss["MSFT"] == nil || ss["MSFT"].MinuteBar == nil {
			return fmt.Errorf("%+v, %w", ss, err)
		}
		return nil
	})
	cov.call("GetLatestCryptoQuote", func() error {
		q, err := anon.GetLatestCryptoQuote("BTC/USD", marketdata.GetLatestCryptoQuoteRequest{})
		if err != nil || q == nil || q.BidPrice <= 0 || q.BidSize <= 0 {
			return fmt.Errorf("%+v, %w", q, err)
		}
		return nil
	})
	cov.call("GetLatestCryptoQuotes", func() error {
		qs, err := anon.GetLatestCryptoQuotes([]string{"BTC/USD", "ETH/USD", "AAPL"}, marketdata.GetLatestCryptoQuoteRequest{})
		if err != nil || len(qs) != 2 || !decimal.NewFromFloat(qs["BTC/USD"].BidPrice).IsPositive() {
			return fmt.Errorf("%+v, %w", qs, err)
		}
		return nil
	})
	cov.call("GetLatestCryptoTrade", func() error {
		tr, err := anon.GetLatestCryptoTrade("ETH/USD", marketdata.GetLatestCryptoTradeRequest{})
		if err != nil || tr == nil || tr.Size <= 0 || tr.TakerSide == "" {
			return fmt.Errorf("%+v, %w", tr, err)
		}
		return nil
	})
	cov.call("GetLatestCryptoTrades", func() error {
		trs, err := anon.GetLatestCryptoTrades([]string{"BTC/USD", "ETH/USD"}, marketdata.GetLatestCryptoTradeRequest{})
		if err != nil || len(trs) != 2 {
			return fmt.Errorf("%+v, %w", trs, err)
		}
		return nil
	})
	cov.call("GetLatestCryptoBar", func() error {
		b, err := anon.GetLatestCryptoBar("BTC/USD", marketdata.GetLatestCryptoBarRequest{})
		if err != nil || b == nil || b.Volume <= 0 {
			return fmt.Errorf("%+v, %w", b, err)
		}
		return nil
	})
	cov.call("GetLatestCryptoBars", func() error {
		bs, err := anon.GetLatestCryptoBars([]string{"BTC/USD", "ETH/USD"}, marketdata.GetLatestCryptoBarRequest{})
		if err != nil || len(bs) != 2 {
			return fmt.Errorf("%+v, %w", bs, err)
		}
		return nil
	})
	cov.call("GetCryptoSnapshot", func() error {
		s, err := anon.GetCryptoSnapshot("BTC/USD", marketdata.GetCryptoSnapshotRequest{})
		if err != nil || s == nil || s.LatestQuote == nil || s.DailyBar == nil {
			return fmt.Errorf("%+v, %w", s, err)
		}
		return nil
	})
	cov.call("GetCryptoSnapshots", func() error {
		ss, err := anon.GetCryptoSnapshots([]string{"BTC/USD", "ETH/USD"}, marketdata.GetCryptoSnapshotRequest{})
		if err != nil || len(ss) != 2 || ss["ETH/USD"].LatestTrade == nil {
			return fmt.Errorf("%+v, %w", ss, err)
		}
		return nil
	})

	// Every method of the client is either called above or listed as not served.
	notServed := sdkDataNotServed()
	var missing []string
	typ := reflect.TypeOf(c)
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if !cov.called[name] && notServed[name] == "" {
			missing = append(missing, name)
		}
		if cov.called[name] && notServed[name] != "" {
			t.Errorf("%s is called but listed as not served", name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("marketdata.Client methods neither exercised nor listed as not served: %v", missing)
	}
}

// Alpaca's test stream, /v2/test, streams FAKEPACA around the clock to the Go SDK, whatever the
// app's own market does; other symbols are acknowledged and stay quiet, as there.
func TestAlpacaTestStreamWithGoSDK(t *testing.T) {
	a := startAlpacaDataApp(t)
	quotes := make(chan stream.Quote, 1000)
	trades := make(chan stream.Trade, 1000)
	c := stream.NewStocksClient("test", stream.WithBaseURL(a.base+"/v2"), stream.WithCredentials(a.key, a.secret),
		stream.WithLogger(silentLog{}),
		stream.WithQuotes(func(q stream.Quote) { quotes <- q }, sim.TestSymbol),
		stream.WithTrades(func(tr stream.Trade) { trades <- tr }, sim.TestSymbol, "AAPL"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(15 * time.Second)
	var last time.Time
	for q, tr := 0, 0; q < 3 || tr < 1; {
		select {
		case quote := <-quotes:
			if quote.Symbol != sim.TestSymbol || quote.BidPrice <= 0 || quote.AskPrice < quote.BidPrice || quote.Timestamp.Before(last) {
				t.Fatalf("quote %+v after one at %v", quote, last)
			}
			last = quote.Timestamp
			q++
		case print := <-trades:
			if print.Symbol != sim.TestSymbol || print.Price <= 0 {
				t.Fatalf("print %+v", print)
			}
			tr++
		case <-timeout:
			t.Fatalf("from the test stream: %d quotes and %d prints in 15 s", q, tr)
		}
	}
	cancel()
	<-c.Terminated()
}
