package alpacafake_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacafake"
)

// sameFloat reports whether the SDK's float is the decimal that was published.
func sameFloat(f float64, want decimal.Decimal) bool { return decimal.NewFromFloat(f).Equal(want) }

func TestStreamHandshakeAndSubscriptionChanges(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := stockClient(srv, &sdkLogger{},
		stream.WithTrades(func(stream.Trade) {}, "AAPL"),
		stream.WithQuotes(func(stream.Quote) {}, "AAPL", "SPY"),
		stream.WithBars(func(stream.Bar) {}, "*"))
	connect(t, c)

	if n := srv.Connections(); n != 1 {
		t.Fatalf("Connections() = %d, want 1", n)
	}
	assertSubs(t, srv, "iex", []string{"AAPL"}, []string{"AAPL", "SPY"}, []string{"*"})

	if err := c.SubscribeToQuotes(func(stream.Quote) {}, "MSFT"); err != nil {
		t.Fatal(err)
	}
	if err := c.UnsubscribeFromTrades("AAPL"); err != nil {
		t.Fatal(err)
	}
	if err := c.UnsubscribeFromBars("*"); err != nil {
		t.Fatal(err)
	}
	assertSubs(t, srv, "iex", nil, []string{"AAPL", "MSFT", "SPY"}, nil)
	if tr, q, b := srv.Subscriptions("sip"); len(tr)+len(q)+len(b) != 0 {
		t.Errorf("sip feed has subscriptions %v %v %v", tr, q, b)
	}
}

func assertSubs(t *testing.T, srv *alpacafake.Server, feed string, trades, quotes, bars []string) {
	t.Helper()
	gt, gq, gb := srv.Subscriptions(feed)
	if !slices.Equal(gt, trades) && !(len(gt) == 0 && len(trades) == 0) ||
		!slices.Equal(gq, quotes) && !(len(gq) == 0 && len(quotes) == 0) ||
		!slices.Equal(gb, bars) && !(len(gb) == 0 && len(bars) == 0) {
		t.Errorf("Subscriptions(%q) = %v %v %v, want %v %v %v", feed, gt, gq, gb, trades, quotes, bars)
	}
}

func TestPublishedDataReachesSDKHandlers(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	quotes := make(chan stream.Quote, 100)
	trades := make(chan stream.Trade, 10)
	bars := make(chan stream.Bar, 10)
	c := stockClient(srv, &sdkLogger{},
		stream.WithQuotes(func(q stream.Quote) { quotes <- q }, "AAPL"),
		stream.WithTrades(func(tr stream.Trade) { trades <- tr }, "AAPL"),
		stream.WithBars(func(b stream.Bar) { bars <- b }, "AAPL"))
	connect(t, c)

	at := time.Date(2024, 4, 9, 14, 30, 0, 987654321, time.UTC)
	srv.PublishQuote(market.Quote{Symbol: "MSFT", BidPrice: d("1"), AskPrice: d("2"), Time: at}) // not followed
	q := market.Quote{Symbol: "AAPL", BidPrice: d("187.23"), BidSize: d("300"), AskPrice: d("187.25"), AskSize: d("200"), BidExchange: "V", AskExchange: "Q", Time: at}
	srv.PublishQuote(q)
	tr := market.Trade{Symbol: "AAPL", ID: 52983525029461, Price: d("187.24"), Size: d("100"), Exchange: "V", Time: at}
	srv.PublishTrade(tr)
	b := market.Bar{Symbol: "AAPL", Start: at.Truncate(time.Minute), Open: d("187.1"), High: d("187.3"), Low: d("187.05"), Close: d("187.24"), Volume: d("4521"), TradeCount: 37, VWAP: d("187.1812")}
	srv.PublishBar(b)

	gq := receive(t, quotes, "quote")
	if gq.Symbol != "AAPL" || !sameFloat(gq.BidPrice, q.BidPrice) || !sameFloat(gq.AskPrice, q.AskPrice) ||
		gq.BidSize != 300 || gq.AskSize != 200 || gq.BidExchange != "V" || gq.AskExchange != "Q" || !gq.Timestamp.Equal(at) {
		t.Errorf("quote = %+v", gq)
	}
	gt := receive(t, trades, "trade")
	if gt.ID != tr.ID || !sameFloat(gt.Price, tr.Price) || gt.Size != 100 || gt.Exchange != "V" || !gt.Timestamp.Equal(at) {
		t.Errorf("trade = %+v", gt)
	}
	gb := receive(t, bars, "bar")
	if !sameFloat(gb.Open, b.Open) || !sameFloat(gb.High, b.High) || !sameFloat(gb.Low, b.Low) || !sameFloat(gb.Close, b.Close) ||
		gb.Volume != 4521 || gb.TradeCount != 37 || !sameFloat(gb.VWAP, b.VWAP) || !gb.Timestamp.Equal(b.Start) {
		t.Errorf("bar = %+v", gb)
	}

	// A burst arrives complete and in order (batched into array frames on the way).
	for i := range 50 {
		srv.PublishQuote(market.Quote{Symbol: "AAPL", BidPrice: decimal.New(int64(10000+i), -2), AskPrice: d("200"), Time: at})
	}
	for i := range 50 {
		got := receive(t, quotes, "burst quote")
		if want := decimal.New(int64(10000+i), -2); !sameFloat(got.BidPrice, want) {
			t.Fatalf("burst quote %d has bid %v, want %v", i, got.BidPrice, want)
		}
	}
	select {
	case extra := <-quotes:
		t.Errorf("unfollowed symbol delivered: %+v", extra)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestCryptoStreamWithSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	quotes := make(chan stream.CryptoQuote, 10)
	trades := make(chan stream.CryptoTrade, 10)
	bars := make(chan stream.CryptoBar, 10)
	c := stream.NewCryptoClient(marketdata.US,
		stream.WithBaseURL(srv.URL()+"/v1beta3/crypto"), stream.WithCredentials(testKey, testSecret), stream.WithLogger(&sdkLogger{}),
		stream.WithCryptoQuotes(func(q stream.CryptoQuote) { quotes <- q }, "BTC/USD"),
		stream.WithCryptoTrades(func(tr stream.CryptoTrade) { trades <- tr }, "BTC/USD"),
		stream.WithCryptoBars(func(b stream.CryptoBar) { bars <- b }, "BTC/USD"))
	connect(t, c)
	assertSubs(t, srv, "us", []string{"BTC/USD"}, []string{"BTC/USD"}, []string{"BTC/USD"})

	at := time.Date(2024, 4, 9, 3, 0, 0, 0, time.UTC)
	srv.PublishQuote(market.Quote{Symbol: "AAPL", BidPrice: d("1"), AskPrice: d("2"), Time: at}) // stock: not on the crypto feed
	srv.PublishQuote(market.Quote{Symbol: "BTC/USD", BidPrice: d("64123.45"), BidSize: d("0.12345678"), AskPrice: d("64125.5"), AskSize: d("1.5"), Time: at})
	srv.PublishTrade(market.Trade{Symbol: "BTC/USD", ID: 9, Price: d("64124"), Size: d("0.0042"), Time: at})
	srv.PublishBar(market.Bar{Symbol: "BTC/USD", Start: at, Open: d("64000"), High: d("64200"), Low: d("63950.5"), Close: d("64124"), Volume: d("3.14159"), TradeCount: 21, VWAP: d("64100.25")})

	q := receive(t, quotes, "crypto quote")
	if q.Symbol != "BTC/USD" || !sameFloat(q.BidPrice, d("64123.45")) || !sameFloat(q.BidSize, d("0.12345678")) || !sameFloat(q.AskSize, d("1.5")) {
		t.Errorf("crypto quote = %+v", q)
	}
	tr := receive(t, trades, "crypto trade")
	if !sameFloat(tr.Size, d("0.0042")) || tr.ID != 9 || tr.TakerSide != "-" {
		t.Errorf("crypto trade = %+v", tr)
	}
	b := receive(t, bars, "crypto bar")
	if !sameFloat(b.Volume, d("3.14159")) || !sameFloat(b.Low, d("63950.5")) || b.TradeCount != 21 {
		t.Errorf("crypto bar = %+v", b)
	}
}

func TestWrongKeyIsInvalidCredentials(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := stream.NewStocksClient(marketdata.IEX, stream.WithBaseURL(srv.URL()+"/v2"),
		stream.WithCredentials("WRONG", testSecret), stream.WithLogger(&sdkLogger{}))
	err := c.Connect(context.Background())
	if !errors.Is(err, stream.ErrInvalidCredentials) {
		t.Fatalf("Connect = %v, want the SDK's invalid-credentials error", err)
	}
	if srv.Connections() != 0 || srv.AuthAttempts() != 1 {
		t.Errorf("connections %d, auth attempts %d; want 0 and 1 (402 is not retried)", srv.Connections(), srv.AuthAttempts())
	}
}

func TestConnectionLimitRejectionsAreRetriedOnTheSameSocket(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	srv.RejectAuth(406, 2)
	c := stockClient(srv, &sdkLogger{}, stream.WithQuotes(func(stream.Quote) {}, "AAPL"))
	connect(t, c)
	if got := srv.AuthAttempts(); got != 3 {
		t.Errorf("auth attempts = %d, want 3 (two 406s, then success)", got)
	}
	if got := srv.Requests("/v2/iex"); got != 1 {
		t.Errorf("upgrades = %d, want 1: the SDK retries auth without reconnecting", got)
	}
	assertSubs(t, srv, "iex", nil, []string{"AAPL"}, nil)
}

func TestRejectAuth402TerminatesSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	srv.RejectAuth(402, 1)
	err := stockClient(srv, &sdkLogger{}).Connect(context.Background())
	if !errors.Is(err, stream.ErrInvalidCredentials) {
		t.Fatalf("Connect = %v, want invalid credentials", err)
	}
}

func TestSecondStreamWithSameKeyIsRefused(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	connect(t, stockClient(srv, &sdkLogger{}))

	// A second SDK client gets 406 and a closed socket, and gives up after its reconnect limit.
	second := stockClient(srv, &sdkLogger{}, stream.WithReconnectSettings(2, 10*time.Millisecond))
	err := second.Connect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "connection limit exceeded") {
		t.Fatalf("second connection with the same key: %v, want connection limit exceeded", err)
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("Connections() = %d, want 1", n)
	}
	// The crypto endpoint is another endpoint: the same key may hold one there too.
	cc := stream.NewCryptoClient(marketdata.US, stream.WithBaseURL(srv.URL()+"/v1beta3/crypto"),
		stream.WithCredentials(testKey, testSecret), stream.WithLogger(&sdkLogger{}))
	connect(t, cc)
	if n := srv.Connections(); n != 2 {
		t.Errorf("Connections() = %d, want 2 (stocks + crypto)", n)
	}
}

func TestDropConnectionsSDKReconnectsAndResubscribes(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	var connects, disconnects atomic.Int32
	quotes := make(chan stream.Quote, 10)
	c := stockClient(srv, &sdkLogger{},
		stream.WithConnectCallback(func() { connects.Add(1) }),
		stream.WithDisconnectCallback(func() { disconnects.Add(1) }),
		stream.WithQuotes(func(q stream.Quote) { quotes <- q }, "AAPL"))
	connect(t, c)
	if err := c.SubscribeToTrades(func(stream.Trade) {}, "MSFT"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, "first connect callback", func() bool { return connects.Load() == 1 })

	srv.DropConnections() // the SDK may be back within a millisecond, so no count is checked here
	eventually(t, 5*time.Second, "reconnect", func() bool { return connects.Load() == 2 && srv.Connections() == 1 })
	if disconnects.Load() < 1 {
		t.Error("no disconnect callback")
	}
	// The SDK re-subscribed with the last acknowledged set, runtime changes included.
	eventually(t, 2*time.Second, "re-subscription", func() bool {
		tr, q, _ := srv.Subscriptions("iex")
		return slices.Equal(tr, []string{"MSFT"}) && slices.Equal(q, []string{"AAPL"})
	})
	srv.PublishQuote(market.Quote{Symbol: "AAPL", BidPrice: d("10.5"), AskPrice: d("10.6"), Time: time.Now()})
	if q := receive(t, quotes, "quote after reconnect"); !sameFloat(q.BidPrice, d("10.5")) {
		t.Errorf("quote after reconnect = %+v", q)
	}
	if got := srv.Requests("/v2/iex"); got != 2 {
		t.Errorf("upgrades = %d, want 2", got)
	}
}

func TestMalformedFrameIsSurvived(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	log := &sdkLogger{}
	quotes := make(chan stream.Quote, 10)
	var connects atomic.Int32
	c := stockClient(srv, log, stream.WithQuotes(func(q stream.Quote) { quotes <- q }, "AAPL"),
		stream.WithConnectCallback(func() { connects.Add(1) }))
	connect(t, c)

	srv.SendMalformed()
	eventually(t, 2*time.Second, "the SDK to reject the malformed frame", func() bool { return log.contains("could not handle message") })
	srv.PublishQuote(market.Quote{Symbol: "AAPL", BidPrice: d("99.99"), AskPrice: d("100.01"), Time: time.Now()})
	if q := receive(t, quotes, "quote after malformed frame"); !sameFloat(q.AskPrice, d("100.01")) {
		t.Errorf("quote = %+v", q)
	}
	if connects.Load() != 1 || srv.Connections() != 1 {
		t.Errorf("the malformed frame cost a reconnect: connects %d", connects.Load())
	}
}

func TestSymbolLimitRefusesAndKeepsSubscriptions(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{SymbolLimit: 2})
	c := stockClient(srv, &sdkLogger{}, stream.WithQuotes(func(stream.Quote) {}, "AAPL"), stream.WithBars(func(stream.Bar) {}, "AAPL", "MSFT", "SPY"))
	connect(t, c)
	if err := c.SubscribeToTrades(func(stream.Trade) {}, "MSFT"); err != nil {
		t.Fatalf("second symbol refused: %v", err)
	}
	err := c.SubscribeToQuotes(func(stream.Quote) {}, "SPY")
	if !errors.Is(err, stream.ErrSymbolLimitExceeded) {
		t.Fatalf("third symbol: %v, want symbol limit exceeded", err)
	}
	assertSubs(t, srv, "iex", []string{"MSFT"}, []string{"AAPL"}, []string{"AAPL", "MSFT", "SPY"})
	if err := c.UnsubscribeFromQuotes("AAPL"); err != nil {
		t.Fatal(err)
	}
	if err := c.SubscribeToQuotes(func(stream.Quote) {}, "SPY"); err != nil {
		t.Fatalf("after making room: %v", err)
	}
}

func TestSilenceStopsDataButKeepsConnection(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	quotes := make(chan stream.Quote, 10)
	var disconnects atomic.Int32
	c := stockClient(srv, &sdkLogger{}, stream.WithQuotes(func(q stream.Quote) { quotes <- q }, "AAPL"),
		stream.WithDisconnectCallback(func() { disconnects.Add(1) }))
	connect(t, c)

	srv.Silence(400 * time.Millisecond)
	srv.PublishQuote(market.Quote{Symbol: "AAPL", BidPrice: d("1"), AskPrice: d("2"), Time: time.Now()})
	select {
	case q := <-quotes:
		t.Fatalf("data sent during silence: %+v", q)
	case <-time.After(200 * time.Millisecond):
	}
	// Control messages still flow while silent.
	if err := c.SubscribeToQuotes(func(q stream.Quote) { quotes <- q }, "MSFT"); err != nil {
		t.Fatalf("subscribe during silence: %v", err)
	}
	// Not synchronisation: outlasting the 400 ms silence is the behaviour under test (the SDK's
	// subscribe above already waited for the server's acknowledgement).
	time.Sleep(250 * time.Millisecond)
	srv.PublishQuote(market.Quote{Symbol: "MSFT", BidPrice: d("3"), AskPrice: d("4"), Time: time.Now()})
	if q := receive(t, quotes, "quote after silence"); q.Symbol != "MSFT" {
		t.Errorf("quote after silence = %+v", q)
	}
	if disconnects.Load() != 0 || srv.Connections() != 1 {
		t.Error("silence disconnected the client")
	}
}

func TestAutoPublishPollsProviderQuotes(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{AutoPublish: 30 * time.Millisecond})
	quotes := make(chan stream.Quote, 100)
	c := stockClient(srv, &sdkLogger{}, stream.WithQuotes(func(q stream.Quote) { quotes <- q }, "AAPL", "NOPE"))
	connect(t, c)
	first := receive(t, quotes, "first auto-published quote")
	second := receive(t, quotes, "second auto-published quote")
	if first.Symbol != "AAPL" || second.Symbol != "AAPL" {
		t.Fatalf("quotes for %s, %s", first.Symbol, second.Symbol)
	}
	if second.BidPrice <= first.BidPrice || !second.Timestamp.After(first.Timestamp) {
		t.Errorf("auto-published prices do not move: %v then %v", first.BidPrice, second.BidPrice)
	}
}

func TestUnknownFeedIsIrrecoverable(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	c := stream.NewStocksClient("nofeed", stream.WithBaseURL(srv.URL()+"/v2"),
		stream.WithCredentials(testKey, testSecret), stream.WithLogger(&sdkLogger{}))
	err := c.Connect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "irrecoverable") {
		t.Fatalf("Connect = %v, want an irrecoverable 4xx", err)
	}
}

func TestTestFeedServesFakepaca(t *testing.T) {
	t.Parallel()
	srv := startServer(t, alpacafake.Options{})
	trades := make(chan stream.Trade, 1)
	c := stream.NewStocksClient("test", stream.WithBaseURL(srv.URL()+"/v2"), stream.WithCredentials(testKey, testSecret),
		stream.WithLogger(&sdkLogger{}), stream.WithTrades(func(tr stream.Trade) { trades <- tr }, "FAKEPACA"))
	connect(t, c)
	assertSubs(t, srv, "test", []string{"FAKEPACA"}, nil, nil)
	srv.PublishTrade(market.Trade{Symbol: "FAKEPACA", ID: 1, Price: d("123.45"), Size: d("7"), Exchange: "V", Time: time.Now()})
	if tr := receive(t, trades, "FAKEPACA trade"); tr.Size != 7 {
		t.Errorf("trade = %+v", tr)
	}
}
