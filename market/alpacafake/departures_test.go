package alpacafake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"

	"alpacawrapper/market/alpacafake"
	"alpacawrapper/market/alpacawire"
)

// The departures from Alpaca that driving the fake with the JavaScript and Python SDKs found, each
// fixed in alpacawire and so in the fake and the app alike.

// rawGet does a GET with or without the keys and decodes the JSON answer.
func rawGet(t *testing.T, srv *alpacafake.Server, path string, withKeys bool, v any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+path, nil)
	if withKeys {
		req.Header.Set("APCA-API-KEY-ID", testKey)
		req.Header.Set("APCA-API-SECRET-KEY", testSecret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s: %s: %v", path, body, err)
	}
	return resp.StatusCode
}

func TestCalendarTakesTimestampsAndHasSettlementDates(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	var days []alpacawire.CalendarDay
	// What the JavaScript SDK sends: full timestamps.
	if status := get(t, srv, "/v2/calendar?start=2024-11-27T00:00:00.000Z&end=2024-11-29T23:59:59.000Z", &days); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	got := ""
	for _, d := range days {
		got += d.Date + ">" + d.SettlementDate + " "
	}
	// 2024-11-26T19:00 in New York is the 26th for the start; Thanksgiving (28th) is closed, and
	// the 29th settles on Monday.
	if want := "2024-11-26>2024-11-27 2024-11-27>2024-11-29 2024-11-29>2024-12-02 "; got != want {
		t.Errorf("days %q, want %q", got, want)
	}
}

func TestDailyBarsAreStampedAtMidnightNewYork(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	bars, err := dataClient(srv).GetBars("SPY", marketdata.GetBarsRequest{TimeFrame: marketdata.OneDay, Start: et(t, "2024-04-08 00:00"), End: et(t, "2024-04-10 00:00")})
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 3 {
		t.Fatalf("%d bars, want 3 (end is inclusive)", len(bars))
	}
	for i, b := range bars {
		if want := et(t, "2024-04-08 00:00").AddDate(0, 0, i); !b.Timestamp.Equal(want) {
			t.Errorf("bar %d at %v, want %v", i, b.Timestamp, want)
		}
	}
	snaps, err := dataClient(srv).GetSnapshots([]string{"AAPL"}, marketdata.GetSnapshotRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if s := snaps["AAPL"]; s == nil || !s.DailyBar.Timestamp.Equal(et(t, "2024-04-09 00:00")) {
		t.Errorf("snapshot daily bar %+v", s)
	}
}

func TestSingleSymbolPaths(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	var trade alpacawire.StockLatestTradeSingleResponse
	if status := get(t, srv, "/v2/stocks/AAPL/trades/latest", &trade); status != 200 || trade.Symbol != "AAPL" || trade.Trade.ID != 4242 {
		t.Errorf("latest trade: %d %+v", status, trade)
	}
	var quote alpacawire.StockLatestQuoteSingleResponse
	if status := get(t, srv, "/v2/stocks/AAPL/quotes/latest", &quote); status != 200 || quote.Symbol != "AAPL" || quote.Quote.BidPrice == 0 {
		t.Errorf("latest quote: %d %+v", status, quote)
	}
	var bar alpacawire.StockLatestBarSingleResponse
	if status := get(t, srv, "/v2/stocks/AAPL/bars/latest", &bar); status != 200 || bar.Symbol != "AAPL" || bar.Bar.Close == 0 {
		t.Errorf("latest bar: %d %+v", status, bar)
	}
	var snap alpacawire.StockSnapshotSingleResponse
	if status := get(t, srv, "/v2/stocks/AAPL/snapshot", &snap); status != 200 || snap.Symbol != "AAPL" || snap.LatestTrade == nil || snap.DailyBar == nil {
		t.Errorf("snapshot: %d %+v", status, snap)
	}
	var bars alpacawire.StockBarsSingleResponse
	if status := get(t, srv, "/v2/stocks/AAPL/bars?timeframe=1Min&start=2024-04-09T13:30:00Z&end=2024-04-09T20:00:00Z&limit=100", &bars); status != 200 ||
		bars.Symbol != "AAPL" || len(bars.Bars) != 100 || bars.NextPageToken == nil {
		t.Fatalf("bars: %d %d bars, token %v", status, len(bars.Bars), bars.NextPageToken)
	}
	var next alpacawire.StockBarsSingleResponse
	get(t, srv, "/v2/stocks/AAPL/bars?timeframe=1Min&start=2024-04-09T13:30:00Z&end=2024-04-09T20:00:00Z&limit=1000&page_token="+*bars.NextPageToken, &next)
	if len(next.Bars) != 290 || next.NextPageToken != nil || !next.Bars[0].Timestamp.Equal(bars.Bars[99].Timestamp.Add(time.Minute)) {
		t.Errorf("second page: %d bars, token %v", len(next.Bars), next.NextPageToken)
	}
	var e alpacawire.APIError
	if status := get(t, srv, "/v2/stocks/NOPE/trades/latest", &e); status != http.StatusNotFound {
		t.Errorf("unknown symbol: %d %+v", status, e)
	}
}

func TestCryptoDataNeedsNoKeys(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	var quotes alpacawire.LatestCryptoQuotesResponse
	if status := rawGet(t, srv, "/v1beta3/crypto/us/latest/quotes?symbols=BTC/USD", false, &quotes); status != 200 || quotes.Quotes["BTC/USD"].BidPrice == 0 {
		t.Errorf("crypto without keys: %d %+v", status, quotes)
	}
	var e alpacawire.APIError
	if status := rawGet(t, srv, "/v2/stocks/quotes/latest?symbols=AAPL", false, &e); status != http.StatusUnauthorized {
		t.Errorf("stocks without keys: %d, want 401", status)
	}
	c := marketdata.NewClient(marketdata.ClientOpts{BaseURL: srv.URL(), APIKey: "", APISecret: "", RetryLimit: -1})
	if _, err := c.GetLatestCryptoQuote("BTC/USD", marketdata.GetLatestCryptoQuoteRequest{}); err != nil {
		t.Errorf("SDK without keys: %v", err)
	}
}

func TestAutoPublishSendsTradesAndBars(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{AutoPublish: 20 * time.Millisecond})
	trades, bars := make(chan stream.Trade, 10), make(chan stream.Bar, 10)
	c := stockClient(srv, &sdkLogger{},
		stream.WithTrades(func(tr stream.Trade) { trades <- tr }, "AAPL"),
		stream.WithBars(func(b stream.Bar) { bars <- b }, "MSFT"))
	connect(t, c)
	if tr := receive(t, trades, "auto-published trade"); tr.Symbol != "AAPL" || tr.ID != 4242 {
		t.Errorf("trade %+v", tr)
	}
	if b := receive(t, bars, "auto-published bar"); b.Symbol != "MSFT" || b.Close == 0 {
		t.Errorf("bar %+v", b)
	}
}
