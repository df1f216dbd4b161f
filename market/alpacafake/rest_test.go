package alpacafake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacafake"
	"alpacawrapper/market/alpacawire"
)

// et is a time in New York.
func et(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, alpacawire.NewYork())
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestStockBarsFollowPaginationToTheEnd(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	// Mon 2024-04-08 to Wed 2024-04-10: three sessions of 390 minutes, end inclusive at the last
	// minute's start.
	start, end := et(t, "2024-04-08 09:30"), et(t, "2024-04-10 15:59")
	bars, err := dataClient(srv).GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin, Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 3*390 {
		t.Fatalf("%d bars, want %d", len(bars), 3*390)
	}
	if pages := srv.Requests("/v2/stocks/bars"); pages != 2 {
		t.Errorf("%d requests, want 2 pages of at most 1000", pages)
	}
	for i := 1; i < len(bars); i++ {
		if !bars[i].Timestamp.After(bars[i-1].Timestamp) {
			t.Fatalf("bar %d at %v is not after %v", i, bars[i].Timestamp, bars[i-1].Timestamp)
		}
	}
	if !bars[0].Timestamp.Equal(start) || !bars[len(bars)-1].Timestamp.Equal(end) {
		t.Errorf("first %v last %v, want %v and %v (inclusive)", bars[0].Timestamp, bars[len(bars)-1].Timestamp, start, end)
	}
	want := minuteBar("AAPL", start)
	if b := bars[0]; !sameFloat(b.Open, want.Open) || !sameFloat(b.High, want.High) || !sameFloat(b.VWAP, want.VWAP) ||
		b.Volume != uint64(want.Volume.IntPart()) || b.TradeCount != 10 {
		t.Errorf("first bar %+v, want %+v", b, want)
	}
}

func TestCryptoBarsPaginateOverThreeDays(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	start := time.Date(2024, 4, 6, 0, 0, 0, 0, time.UTC)
	end := start.Add(72*time.Hour - time.Minute)
	bars, err := dataClient(srv).GetCryptoBars("BTC/USD", marketdata.GetCryptoBarsRequest{TimeFrame: marketdata.OneMin, Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 3*1440 {
		t.Fatalf("%d bars, want %d", len(bars), 3*1440)
	}
	if pages := srv.Requests("/v1beta3/crypto/us/bars"); pages != 5 {
		t.Errorf("%d requests, want 5", pages)
	}
	for i := 1; i < len(bars); i++ {
		if bars[i].Timestamp.Sub(bars[i-1].Timestamp) != time.Minute {
			t.Fatalf("gap or disorder at bar %d", i)
		}
	}
	if want := minuteBar("BTC/USD", start); !sameFloat(bars[0].Volume, want.Volume) {
		t.Errorf("crypto volume %v, want fractional %v", bars[0].Volume, want.Volume)
	}
}

func TestMultiSymbolPagesCrossSymbols(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	start, end := et(t, "2024-04-09 09:30"), et(t, "2024-04-09 15:59")
	got, err := dataClient(srv).GetMultiBars([]string{"MSFT", "AAPL"}, marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin, Start: start, End: end, PageLimit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(got["AAPL"]) != 390 || len(got["MSFT"]) != 390 {
		t.Fatalf("AAPL %d MSFT %d bars, want 390 each", len(got["AAPL"]), len(got["MSFT"]))
	}
	if pages := srv.Requests("/v2/stocks/bars"); pages != 8 { // 780 bars, 100 a page
		t.Errorf("%d requests, want 8", pages)
	}
	for _, sym := range []string{"AAPL", "MSFT"} {
		for i := 1; i < len(got[sym]); i++ {
			if !got[sym][i].Timestamp.After(got[sym][i-1].Timestamp) {
				t.Fatalf("%s bar %d out of order", sym, i)
			}
		}
	}
}

func TestAggregatedAndDailyBars(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := dataClient(srv)
	day := et(t, "2024-04-09 00:00")
	five, err := c.GetBars("SPY", marketdata.GetBarsRequest{TimeFrame: marketdata.NewTimeFrame(5, marketdata.Min), Start: day, End: day.Add(24*time.Hour - time.Nanosecond)})
	if err != nil {
		t.Fatal(err)
	}
	if len(five) != 78 {
		t.Fatalf("%d 5Min bars, want 78", len(five))
	}
	open := et(t, "2024-04-09 09:30")
	var vol uint64
	for i := range 5 {
		vol += uint64(minuteBar("SPY", open.Add(time.Duration(i)*time.Minute)).Volume.IntPart())
	}
	if !five[0].Timestamp.Equal(open) || five[0].Volume != vol || !sameFloat(five[0].Open, minuteBar("SPY", open).Open) {
		t.Errorf("first 5Min bar %+v, want start %v volume %d", five[0], open, vol)
	}

	// Good Friday 2024-03-29 is a holiday: March 25–April 5 has 9 sessions.
	daily, err := c.GetBars("SPY", marketdata.GetBarsRequest{TimeFrame: marketdata.OneDay, Start: et(t, "2024-03-25 00:00"), End: et(t, "2024-04-05 00:00")})
	if err != nil {
		t.Fatal(err)
	}
	if len(daily) != 9 {
		t.Errorf("%d daily bars, want 9", len(daily))
	}
	hourly, err := c.GetCryptoBars("ETH/USD", marketdata.GetCryptoBarsRequest{TimeFrame: marketdata.OneHour, Start: time.Date(2024, 4, 9, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 4, 9, 23, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(hourly) != 24 {
		t.Errorf("%d hourly crypto bars, want 24", len(hourly))
	}
}

func TestBarsDescendingAndLimits(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	start, end := et(t, "2024-04-09 09:30"), et(t, "2024-04-09 15:59")
	bars, err := dataClient(srv).GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin, Start: start, End: end, Sort: marketdata.SortDesc, PageLimit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 390 || !bars[0].Timestamp.Equal(end) || !bars[389].Timestamp.Equal(start) {
		t.Fatalf("desc: %d bars from %v to %v", len(bars), bars[0].Timestamp, bars[len(bars)-1].Timestamp)
	}
	total, err := dataClient(srv).GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin, Start: start, End: end, TotalLimit: 10})
	if err != nil || len(total) != 10 {
		t.Fatalf("TotalLimit 10: %d bars, %v", len(total), err)
	}
}

// get does a raw authenticated GET and decodes the JSON answer.
func get(t *testing.T, srv *alpacafake.Server, path string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+path, nil)
	req.Header.Set("APCA-API-KEY-ID", testKey)
	req.Header.Set("APCA-API-SECRET-KEY", testSecret)
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

func TestBarsParameterErrors(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	cases := []struct {
		query string
		want  string
	}{
		{"/v2/stocks/bars?symbols=AAPL&timeframe=7Day", "invalid timeframe"},
		{"/v2/stocks/bars?symbols=AAPL&timeframe=1Min&limit=10001", "invalid limit"},
		{"/v2/stocks/bars?symbols=AAPL&timeframe=1Min&start=yesterday", "invalid start"},
		{"/v2/stocks/bars?symbols=AAPL&timeframe=1Min&page_token=garbage!", "invalid page token"},
		{"/v2/stocks/bars?timeframe=1Min", "missing symbols"},
		{"/v2/stocks/bars?symbols=AAPL&timeframe=1Min&feed=nasdaq", "invalid feed"},
	}
	for _, c := range cases {
		var e alpacawire.APIError
		if status := get(t, srv, c.query, &e); status != http.StatusBadRequest || e.Code != alpacawire.ErrCodeInvalidRequest || !strings.HasPrefix(e.Message, c.want) {
			t.Errorf("%s: %d %+v, want 400 %q", c.query, status, e, c.want)
		}
	}
	var e alpacawire.APIError
	if status := get(t, srv, "/v1beta3/crypto/eu/bars?symbols=BTC/USD&timeframe=1Min", &e); status != http.StatusNotFound {
		t.Errorf("unknown crypto location: %d", status)
	}
	var page alpacawire.BarsResponse
	if status := get(t, srv, "/v2/stocks/bars?symbols=AAPL&timeframe=1Min&start=2024-04-06T00:00:00Z&end=2024-04-07T00:00:00Z", &page); status != 200 || page.Bars == nil || len(page.Bars) != 0 || page.NextPageToken != nil {
		t.Errorf("weekend: %d %+v, want an empty bars map and a null token", status, page)
	}
}

func TestLatestDataAndSnapshotsDecodeInSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := dataClient(srv)

	quotes, err := c.GetLatestQuotes([]string{"AAPL", "NOPE"}, marketdata.GetLatestQuoteRequest{Feed: marketdata.IEX})
	if err != nil {
		t.Fatal(err)
	}
	want := quoteOf("AAPL", 0)
	if q, ok := quotes["AAPL"]; !ok || !sameFloat(q.BidPrice, want.BidPrice) || q.BidSize != 300 || q.AskSize != 200 || !q.Timestamp.Equal(want.Time) {
		t.Errorf("latest AAPL quote %+v", quotes["AAPL"])
	}
	if _, ok := quotes["NOPE"]; ok {
		t.Error("unknown symbol has a quote")
	}
	if q, err := c.GetLatestQuote("NOPE", marketdata.GetLatestQuoteRequest{}); q != nil || err != nil {
		t.Errorf("GetLatestQuote(NOPE) = %v, %v; want nil, nil", q, err)
	}
	trade, err := c.GetLatestTrade("MSFT", marketdata.GetLatestTradeRequest{})
	if err != nil || trade == nil || trade.ID != 4242 || trade.Size != 25 {
		t.Errorf("latest trade %+v %v", trade, err)
	}
	bar, err := c.GetLatestBar("SPY", marketdata.GetLatestBarRequest{})
	if err != nil || bar == nil || !bar.Timestamp.Equal(quoteOf("SPY", 0).Time.Truncate(time.Minute)) {
		t.Errorf("latest bar %+v %v", bar, err)
	}

	snaps, err := c.GetSnapshots([]string{"AAPL", "BTC/USD"}, marketdata.GetSnapshotRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snaps["BTC/USD"]; ok {
		t.Error("the stock endpoint answered for a crypto pair")
	}
	s := snaps["AAPL"]
	if s == nil || s.LatestTrade == nil || s.LatestQuote == nil || s.MinuteBar == nil || s.DailyBar == nil || s.PrevDailyBar == nil ||
		!sameFloat(s.LatestQuote.AskPrice, want.AskPrice) {
		t.Fatalf("stock snapshot %+v", s)
	}

	cs, err := c.GetCryptoSnapshot("BTC/USD", marketdata.GetCryptoSnapshotRequest{})
	if err != nil || cs == nil || cs.LatestTrade == nil || !sameFloat(cs.LatestTrade.Size, d("0.0042")) || !sameFloat(cs.LatestQuote.BidSize, d("0.12345678")) {
		t.Fatalf("crypto snapshot %+v %v", cs, err)
	}
	cq, err := c.GetLatestCryptoQuotes([]string{"BTC/USD", "ETH/USD", "AAPL"}, marketdata.GetLatestCryptoQuoteRequest{})
	if err != nil || len(cq) != 2 {
		t.Errorf("latest crypto quotes %v %v, want BTC/USD and ETH/USD only", cq, err)
	}
	ct, err := c.GetLatestCryptoTrade("ETH/USD", marketdata.GetLatestCryptoTradeRequest{})
	if err != nil || ct == nil || ct.ID != 4242 {
		t.Errorf("latest crypto trade %+v %v", ct, err)
	}
	cb, err := c.GetLatestCryptoBar("ETH/USD", marketdata.GetLatestCryptoBarRequest{})
	if err != nil || cb == nil || cb.Volume <= 0 {
		t.Errorf("latest crypto bar %+v %v", cb, err)
	}

	// The two snapshot shapes, on the wire.
	var stockRaw map[string]json.RawMessage
	get(t, srv, "/v2/stocks/snapshots?symbols=AAPL", &stockRaw)
	if _, ok := stockRaw["AAPL"]; !ok {
		t.Errorf("stock snapshots are not a top-level map: %v", stockRaw)
	}
	var cryptoRaw map[string]json.RawMessage
	get(t, srv, "/v1beta3/crypto/us/snapshots?symbols=BTC/USD", &cryptoRaw)
	if _, ok := cryptoRaw["snapshots"]; !ok || len(cryptoRaw) != 1 {
		t.Errorf("crypto snapshots are not wrapped: %v", cryptoRaw)
	}
}

func TestAssetsDecodeInSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := tradingClient(srv)
	all, err := c.GetAssets(alpaca.GetAssetsRequest{})
	if err != nil || len(all) != 6 {
		t.Fatalf("all assets: %d, %v", len(all), err)
	}
	cases := []struct {
		req  alpaca.GetAssetsRequest
		want int
	}{
		{alpaca.GetAssetsRequest{Status: "active"}, 5},
		{alpaca.GetAssetsRequest{Status: "inactive"}, 1},
		{alpaca.GetAssetsRequest{AssetClass: "crypto"}, 2},
		{alpaca.GetAssetsRequest{Status: "active", AssetClass: "us_equity", Exchange: "NASDAQ"}, 2},
	}
	for _, cs := range cases {
		got, err := c.GetAssets(cs.req)
		if err != nil || len(got) != cs.want {
			t.Errorf("GetAssets(%+v) = %d assets, %v; want %d", cs.req, len(got), err, cs.want)
		}
	}
	btc, err := c.GetAsset("BTC/USD")
	if err != nil || btc.ID != "276e2673-764b-4ab6-a611-caf665ca6340" || btc.Class != alpaca.Crypto || !btc.Fractionable {
		t.Fatalf("GetAsset(BTC/USD) = %+v, %v", btc, err)
	}
	if same, err := c.GetAsset("BTCUSD"); err != nil || same.Symbol != "BTC/USD" {
		t.Errorf("GetAsset(BTCUSD) = %+v, %v", same, err)
	}
	aapl, err := c.GetAsset("AAPL")
	if err != nil || aapl.MaintenanceMarginRequirement != 30 || aapl.Status != alpaca.AssetActive || aapl.Exchange != "NASDAQ" {
		t.Fatalf("GetAsset(AAPL) = %+v, %v", aapl, err)
	}
	if byID, err := c.GetAsset(aapl.ID); err != nil || byID.Symbol != "AAPL" {
		t.Errorf("GetAsset by id = %+v, %v", byID, err)
	}
	_, err = c.GetAsset("NOPE")
	var apiErr *alpaca.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Code != alpacawire.ErrCodeNotFound {
		t.Errorf("GetAsset(NOPE) = %v, want a 404 APIError", err)
	}
	// The wire keeps decimals exact where the SDK does not look.
	var raw []alpacawire.Asset
	get(t, srv, "/v2/assets?asset_class=crypto", &raw)
	if len(raw) != 2 || raw[0].MinOrderSize != "0.000018777" || raw[0].PriceIncrement != "1" {
		t.Errorf("crypto asset increments %+v", raw)
	}
}

func TestCalendarAndClockDecodeInSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{Now: func() time.Time { return et(t, "2024-11-29 12:00") }})
	c := tradingClient(srv)
	days, err := c.GetCalendar(alpaca.GetCalendarRequest{Start: et(t, "2024-11-25 00:00"), End: et(t, "2024-12-02 00:00")})
	if err != nil {
		t.Fatal(err)
	}
	var dates []string
	for _, d := range days {
		dates = append(dates, d.Date+" "+d.Open+"-"+d.Close)
	}
	want := "2024-11-25 09:30-16:00,2024-11-26 09:30-16:00,2024-11-27 09:30-16:00,2024-11-29 09:30-13:00,2024-12-02 09:30-16:00"
	if got := strings.Join(dates, ","); got != want {
		t.Errorf("calendar\n got %s\nwant %s", got, want)
	}

	// Friday after Thanksgiving, noon: open until the early close, next open on Monday.
	clock, err := c.GetClock()
	if err != nil {
		t.Fatal(err)
	}
	if !clock.IsOpen || !clock.NextClose.Equal(et(t, "2024-11-29 13:00")) || !clock.NextOpen.Equal(et(t, "2024-12-02 09:30")) ||
		!clock.Timestamp.Equal(et(t, "2024-11-29 12:00")) {
		t.Errorf("clock %+v", clock)
	}
	var rawDays []alpacawire.CalendarDay
	get(t, srv, "/v2/calendar?start=2024-11-29&end=2024-11-29", &rawDays)
	if len(rawDays) != 1 || rawDays[0].SessionOpen != "0400" || rawDays[0].SessionClose != "1700" {
		t.Errorf("calendar session times %+v", rawDays)
	}
	var rawClock struct {
		NextOpen string `json:"next_open"`
	}
	get(t, srv, "/v2/clock", &rawClock)
	if rawClock.NextOpen != "2024-12-02T09:30:00-05:00" {
		t.Errorf("next_open on the wire %q, want the exchange offset", rawClock.NextOpen)
	}
}

func TestRESTAuthentication(t *testing.T) { // not parallel: it clears the SDK's environment fallbacks
	srv := startServer(t, alpacafake.Options{})
	cases := []struct{ key, secret string }{{"WRONG", testSecret}, {testKey, "wrong"}, {"", ""}}
	t.Setenv("APCA_API_KEY_ID", "") // the SDK falls back to these when a key is empty
	t.Setenv("APCA_API_SECRET_KEY", "")
	for _, c := range cases {
		_, err := alpaca.NewClient(alpaca.ClientOpts{BaseURL: srv.URL(), APIKey: c.key, APISecret: c.secret, OAuth: "", RetryLimit: -1}).GetClock()
		var apiErr *alpaca.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || apiErr.Code != alpacawire.ErrCodeUnauthorized {
			t.Errorf("key %q secret %q: %v, want a 401 APIError", c.key, c.secret, err)
		}
		_, err = marketdata.NewClient(marketdata.ClientOpts{BaseURL: srv.URL(), APIKey: c.key, APISecret: c.secret}).GetLatestQuotes([]string{"AAPL"}, marketdata.GetLatestQuoteRequest{})
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
			t.Errorf("market data with key %q secret %q: %v, want 401", c.key, c.secret, err)
		}
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	srv.SetLatency(300 * time.Millisecond)
	start := time.Now()
	if _, err := tradingClient(srv).GetAssets(alpaca.GetAssetsRequest{}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("answered in %v despite 300ms latency", took)
	}
	srv.SetLatency(0)
	start = time.Now()
	if _, err := tradingClient(srv).GetAssets(alpaca.GetAssetsRequest{}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 200*time.Millisecond {
		t.Errorf("answered in %v after latency was removed", took)
	}
}

func TestProviderFailureIsAnInternalError(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{Data: errProvider{&testProvider{}}})
	var e alpacawire.APIError
	if status := get(t, srv, "/v2/assets", &e); status != http.StatusInternalServerError || e.Code != alpacawire.ErrCodeInternal {
		t.Errorf("provider failure: %d %+v", status, e)
	}
	if status := get(t, srv, "/v2/nothing/here", &e); status != http.StatusNotFound || e.Code != alpacawire.ErrCodeNotFound {
		t.Errorf("unknown path: %d %+v", status, e)
	}
}

func TestListenAndServe(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- alpacafake.ListenAndServe(ctx, addr, alpacafake.Options{KeyID: testKey, SecretKey: testSecret, Data: &testProvider{}})
	}()
	c := alpaca.NewClient(alpaca.ClientOpts{BaseURL: "http://" + addr, APIKey: testKey, APISecret: testSecret, RetryLimit: -1})
	var assets []alpaca.Asset
	eventually(t, 3*time.Second, "the server to answer", func() bool {
		assets, err = c.GetAssets(alpaca.GetAssetsRequest{AssetClass: string(market.Crypto)})
		return err == nil
	})
	if len(assets) != 2 {
		t.Errorf("%d crypto assets", len(assets))
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ListenAndServe = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ListenAndServe did not return after its context ended")
	}
	if err := alpacafake.ListenAndServe(context.Background(), "256.0.0.1:1", alpacafake.Options{}); err == nil {
		t.Error("bad address accepted")
	}
}
