package app

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"
	"github.com/coder/websocket"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacawire"
)

// alpacaDataApp is the app on a loopback port with a seeded catalogue and one API key.
type alpacaDataApp struct {
	*wsApp
	base        string
	key, secret string
}

func startAlpacaDataApp(t *testing.T) *alpacaDataApp {
	t.Helper()
	w := startWSApp(t, nil)
	u := w.createUser("bot@example.com", "correct horse battery")
	k, err := w.svc.APIKeys.Create(context.Background(), u.ID, "bot")
	if err != nil {
		t.Fatal(err)
	}
	return &alpacaDataApp{wsApp: w, base: "http://" + w.host, key: k.KeyID, secret: k.Secret}
}

func (a *alpacaDataApp) dataClient() *marketdata.Client {
	return marketdata.NewClient(marketdata.ClientOpts{BaseURL: a.base, APIKey: a.key, APISecret: a.secret, RetryLimit: -1})
}

// silentLog keeps the SDK's stream log out of the test output.
type silentLog struct{}

func (silentLog) Infof(string, ...interface{})  {}
func (silentLog) Warnf(string, ...interface{})  {}
func (silentLog) Errorf(string, ...interface{}) {}

func TestAlpacaDataRESTWithGoSDK(t *testing.T) {
	a := startAlpacaDataApp(t)
	c := a.dataClient()
	ny := alpacawire.NewYork()
	start := time.Date(2024, 4, 8, 0, 0, 0, 0, ny)
	end := time.Date(2024, 4, 10, 23, 59, 0, 0, ny)

	// Minute bars over three days: more than a page of 1000, so the SDK follows the token.
	bars, err := c.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin, Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	want, err := a.svc.Market.Provider.Bars(context.Background(), market.BarsRequest{Symbol: "AAPL", Timeframe: market.Min1, Start: start, End: end.Add(time.Nanosecond)})
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) <= 1000 || len(bars) != len(want) {
		t.Fatalf("%d bars through the SDK, %d from the provider (want more than a page)", len(bars), len(want))
	}
	for i := range bars {
		if !bars[i].Timestamp.Equal(want[i].Start) || !decimal.NewFromFloat(bars[i].Close).Equal(want[i].Close) {
			t.Fatalf("bar %d: %+v, provider %+v", i, bars[i], want[i])
		}
	}
	// Daily bars are stamped at midnight New York time, as Alpaca's are.
	daily, err := c.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneDay, Start: start, End: end})
	if err != nil || len(daily) != 3 {
		t.Fatalf("daily: %d bars, %v", len(daily), err)
	}
	for i, b := range daily {
		if !b.Timestamp.Equal(start.AddDate(0, 0, i)) {
			t.Errorf("daily bar %d at %v", i, b.Timestamp)
		}
	}
	multi, err := c.GetMultiBars([]string{"AAPL", "MSFT"}, marketdata.GetBarsRequest{TimeFrame: marketdata.OneHour, Start: start, End: end})
	if err != nil || len(multi["AAPL"]) == 0 || len(multi["MSFT"]) == 0 {
		t.Fatalf("multi bars: %d AAPL, %d MSFT, %v", len(multi["AAPL"]), len(multi["MSFT"]), err)
	}

	quote, err := c.GetLatestQuote("AAPL", marketdata.GetLatestQuoteRequest{})
	if err != nil || quote == nil || quote.BidPrice <= 0 || quote.AskPrice < quote.BidPrice {
		t.Fatalf("latest quote %+v, %v", quote, err)
	}
	quotes, err := c.GetLatestQuotes([]string{"AAPL", "MSFT", "NOPE"}, marketdata.GetLatestQuoteRequest{})
	if err != nil || len(quotes) != 2 {
		t.Fatalf("latest quotes %+v, %v", quotes, err)
	}
	trade, err := c.GetLatestTrade("AAPL", marketdata.GetLatestTradeRequest{})
	if err != nil || trade == nil || trade.Price <= 0 {
		t.Fatalf("latest trade %+v, %v", trade, err)
	}
	if _, err := c.GetLatestTrades([]string{"AAPL", "MSFT"}, marketdata.GetLatestTradeRequest{}); err != nil {
		t.Fatal(err)
	}
	bar, err := c.GetLatestBar("AAPL", marketdata.GetLatestBarRequest{})
	if err != nil || bar == nil || bar.Close <= 0 {
		t.Fatalf("latest bar %+v, %v", bar, err)
	}
	if _, err := c.GetLatestBars([]string{"AAPL", "MSFT"}, marketdata.GetLatestBarRequest{}); err != nil {
		t.Fatal(err)
	}
	snap, err := c.GetSnapshot("AAPL", marketdata.GetSnapshotRequest{})
	if err != nil || snap == nil || snap.LatestQuote == nil || snap.DailyBar == nil {
		t.Fatalf("snapshot %+v, %v", snap, err)
	}
	if ny := snap.DailyBar.Timestamp.In(ny); ny.Hour() != 0 || ny.Minute() != 0 {
		t.Errorf("snapshot daily bar at %v, want midnight New York", ny)
	}
	if snaps, err := c.GetSnapshots([]string{"AAPL", "MSFT"}, marketdata.GetSnapshotRequest{}); err != nil || len(snaps) != 2 {
		t.Fatalf("snapshots %d, %v", len(snaps), err)
	}

	// Crypto: no keys needed, as on Alpaca.
	anon := marketdata.NewClient(marketdata.ClientOpts{BaseURL: a.base, APIKey: "none", APISecret: "none", RetryLimit: -1})
	day := time.Date(2024, 4, 9, 0, 0, 0, 0, time.UTC)
	cbars, err := anon.GetCryptoBars("BTC/USD", marketdata.GetCryptoBarsRequest{TimeFrame: marketdata.OneMin, Start: day, End: day.Add(24*time.Hour - time.Minute)})
	cwant, _ := a.svc.Market.Provider.Bars(context.Background(), market.BarsRequest{Symbol: "BTC/USD", Timeframe: market.Min1, Start: day, End: day.Add(24 * time.Hour)})
	if err != nil || len(cbars) <= 1000 || len(cbars) != len(cwant) {
		t.Fatalf("crypto bars: %d (provider %d), %v", len(cbars), len(cwant), err)
	}
	if q, err := anon.GetLatestCryptoQuote("BTC/USD", marketdata.GetLatestCryptoQuoteRequest{}); err != nil || q == nil || q.BidPrice <= 0 {
		t.Fatalf("crypto quote %+v, %v", q, err)
	}
	if tr, err := anon.GetLatestCryptoTrade("BTC/USD", marketdata.GetLatestCryptoTradeRequest{}); err != nil || tr == nil {
		t.Fatalf("crypto trade %+v, %v", tr, err)
	}
	if b, err := anon.GetLatestCryptoBar("BTC/USD", marketdata.GetLatestCryptoBarRequest{}); err != nil || b == nil {
		t.Fatalf("crypto bar %+v, %v", b, err)
	}
	if s, err := anon.GetCryptoSnapshot("BTC/USD", marketdata.GetCryptoSnapshotRequest{}); err != nil || s == nil || s.LatestQuote == nil {
		t.Fatalf("crypto snapshot %+v, %v", s, err)
	}

	// Stock data needs a valid key: Alpaca's 401 body.
	_, err = anon.GetLatestQuote("AAPL", marketdata.GetLatestQuoteRequest{})
	var apiErr *alpaca.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || apiErr.Code != alpacawire.ErrCodeUnauthorized {
		t.Errorf("stock data with a wrong key: %v", err)
	}
	// The single-symbol paths the JavaScript SDK calls.
	var single alpacawire.StockLatestTradeSingleResponse
	req, _ := http.NewRequest(http.MethodGet, a.base+"/v2/stocks/AAPL/trades/latest", nil)
	req.Header.Set("APCA-API-KEY-ID", a.key)
	req.Header.Set("APCA-API-SECRET-KEY", a.secret)
	if resp, body := a.do(req); resp.StatusCode != 200 || !strings.Contains(body, `"symbol":"AAPL"`) {
		t.Errorf("single-symbol latest trade: %d %s %+v", resp.StatusCode, body, single)
	}
}

// publisher keeps publishing an event into the hub until the test has what it waits for: the hub
// delivers only to symbols some subscription follows, and the stream's subscription is set up
// asynchronously.
func publishUntil(t *testing.T, publish func(), got func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !got() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for stream data")
		}
		publish()
		<-tick.C
	}
}

func TestAlpacaStocksStreamWithGoSDK(t *testing.T) {
	a := startAlpacaDataApp(t)
	var mu sync.Mutex
	var quotes []stream.Quote
	var trades []stream.Trade
	var bars []stream.Bar
	c := stream.NewStocksClient(marketdata.IEX, stream.WithBaseURL(a.base+"/v2"), stream.WithCredentials(a.key, a.secret),
		stream.WithLogger(silentLog{}),
		stream.WithQuotes(func(q stream.Quote) { mu.Lock(); quotes = append(quotes, q); mu.Unlock() }, "AAPL"),
		stream.WithTrades(func(tr stream.Trade) { mu.Lock(); trades = append(trades, tr); mu.Unlock() }, "AAPL"),
		stream.WithBars(func(b stream.Bar) { mu.Lock(); bars = append(bars, b); mu.Unlock() }, "MSFT"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	hub := a.svc.Market.Hub
	n := int64(0)
	publishUntil(t, func() {
		n++
		hub.Quote(market.Quote{Symbol: "AAPL", BidPrice: decimal.NewFromInt(187), AskPrice: decimal.NewFromInt(188), BidSize: decimal.NewFromInt(100), AskSize: decimal.NewFromInt(200), Time: now.Add(time.Duration(n) * time.Millisecond)})
		hub.Trade(market.Trade{Symbol: "AAPL", ID: n, Price: decimal.RequireFromString("187.5"), Size: decimal.NewFromInt(10), Exchange: "V", Time: now.Add(time.Duration(n) * time.Millisecond)})
		hub.Bar(market.Bar{Symbol: "MSFT", Start: now.Truncate(time.Minute).Add(time.Duration(n) * time.Minute), Open: decimal.NewFromInt(400), High: decimal.NewFromInt(401), Low: decimal.NewFromInt(399), Close: decimal.NewFromInt(400), Volume: decimal.NewFromInt(1000), TradeCount: 5, VWAP: decimal.NewFromInt(400)})
	}, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(quotes) > 0 && len(trades) > 0 && len(bars) > 0
	})
	mu.Lock()
	q, tr, b := quotes[0], trades[0], bars[0]
	mu.Unlock()
	if q.Symbol != "AAPL" || q.BidPrice != 187 || q.AskSize != 200 || tr.Symbol != "AAPL" || tr.Price != 187.5 || tr.Size != 10 ||
		b.Symbol != "MSFT" || b.Close != 400 || b.Volume != 1000 {
		t.Errorf("received quote %+v, trade %+v, bar %+v", q, tr, b)
	}
	// Subscription changes are acknowledged (the SDK returns only on the ack).
	if err := c.SubscribeToQuotes(func(stream.Quote) {}, "MSFT"); err != nil {
		t.Fatal(err)
	}
	if err := c.UnsubscribeFromQuotes("AAPL"); err != nil {
		t.Fatal(err)
	}
	if err := c.UnsubscribeFromBars("MSFT"); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-c.Terminated()
}

func TestAlpacaCryptoStreamWithGoSDK(t *testing.T) {
	a := startAlpacaDataApp(t)
	got := make(chan stream.CryptoTrade, 100)
	bars := make(chan stream.CryptoBar, 100)
	c := stream.NewCryptoClient(marketdata.US, stream.WithBaseURL(a.base+"/v1beta3/crypto"), stream.WithCredentials(a.key, a.secret),
		stream.WithLogger(silentLog{}),
		stream.WithCryptoTrades(func(tr stream.CryptoTrade) { got <- tr }, "BTC/USD"),
		stream.WithCryptoBars(func(b stream.CryptoBar) { bars <- b }, "BTC/USD"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	n := int64(0)
	var tr stream.CryptoTrade
	var bar stream.CryptoBar
	var haveTrade, haveBar bool
	publishUntil(t, func() {
		n++
		a.svc.Market.Hub.Trade(market.Trade{Symbol: "BTC/USD", ID: n, Price: decimal.NewFromInt(64000), Size: decimal.RequireFromString("0.25"), Time: now.Add(time.Duration(n) * time.Millisecond)})
		a.svc.Market.Hub.Bar(market.Bar{Symbol: "BTC/USD", Start: now.Truncate(time.Minute).Add(time.Duration(n) * time.Minute), Open: decimal.NewFromInt(64000), High: decimal.NewFromInt(64001), Low: decimal.NewFromInt(63999), Close: decimal.NewFromInt(64000), Volume: decimal.RequireFromString("1.5")})
	}, func() bool {
		for {
			select {
			case tr = <-got:
				haveTrade = true
			case bar = <-bars:
				haveBar = true
			default:
				return haveTrade && haveBar
			}
		}
	})
	if tr.Symbol != "BTC/USD" || tr.Size != 0.25 || bar.Volume != 1.5 {
		t.Errorf("trade %+v bar %+v", tr, bar)
	}
	if err := c.UnsubscribeFromTrades("BTC/USD"); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-c.Terminated()
}

func TestAlpacaStreamRefusals(t *testing.T) {
	a := startAlpacaDataApp(t)
	// A wrong key is final for the SDK.
	c := stream.NewStocksClient(marketdata.IEX, stream.WithBaseURL(a.base+"/v2"), stream.WithCredentials(a.key, "wrong"), stream.WithLogger(silentLog{}))
	if err := c.Connect(context.Background()); err == nil || !strings.Contains(err.Error(), "invalid credentials") {
		t.Errorf("wrong secret: %v", err)
	}
	// JSON clients: the handshake, then the per-key limit (406 and close) after alpacaStreamsPerKey.
	read := func(conn *websocket.Conn) string {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, msg, err := conn.Read(ctx)
		if err != nil {
			return err.Error()
		}
		return string(msg)
	}
	auth := `{"action":"auth","key":"` + a.key + `","secret":"` + a.secret + `"}`
	for i := 0; i <= alpacaStreamsPerKey; i++ {
		conn, _, err := a.dial("/v1beta3/crypto/us")
		if err != nil {
			t.Fatal(err)
		}
		if hello := read(conn); hello != `[{"T":"success","msg":"connected"}]` {
			t.Fatalf("hello %s", hello)
		}
		_ = conn.Write(context.Background(), websocket.MessageText, []byte(auth))
		answer := read(conn)
		if i < alpacaStreamsPerKey {
			if answer != `[{"T":"success","msg":"authenticated"}]` {
				t.Fatalf("connection %d: %s", i+1, answer)
			}
			continue
		}
		if answer != `[{"T":"error","code":406,"msg":"connection limit exceeded"}]` {
			t.Fatalf("connection past the limit: %s", answer)
		}
		if closed := read(conn); !strings.Contains(closed, "connection limit exceeded") {
			t.Errorf("after 406: %s, want the close", closed)
		}
	}
}

func TestAlpacaStreamEndsWhenItsKeyIsRevoked(t *testing.T) {
	w := startWSApp(t, nil)
	u := w.createUser("revoked@example.com", "correct horse battery")
	k, err := w.svc.APIKeys.Create(context.Background(), u.ID, "bot")
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := w.dial("/v2/iex")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*alpacaRecheckEvery)
	defer cancel()
	read := func() string {
		_, msg, err := conn.Read(ctx)
		if err != nil {
			return err.Error()
		}
		return string(msg)
	}
	read() // connected
	_ = conn.Write(ctx, websocket.MessageText, []byte(`{"action":"auth","key":"`+k.KeyID+`","secret":"`+k.Secret+`"}`))
	if got := read(); got != `[{"T":"success","msg":"authenticated"}]` {
		t.Fatalf("auth: %s", got)
	}
	if err := w.svc.APIKeys.Revoke(context.Background(), u.ID, k.ID); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != `[{"T":"error","code":402,"msg":"auth failed"}]` {
		t.Fatalf("after revoking: %s", got)
	}
	if got := read(); !strings.Contains(got, "auth failed") {
		t.Errorf("after the error: %s, want the close", got)
	}
}
