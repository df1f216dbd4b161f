package alpaca

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
	"alpacawrapper/market/alpacafake"
)

func TestStreamDeliversQuotesTradesAndBars(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	// Symbols set before Run are subscribed in the handshake.
	if err := b.prov.Stream().SetSymbols(context.Background(), []string{"AAPL", "BTC/USD"}); err != nil {
		t.Fatal(err)
	}
	b.run(t)
	b.subscribedTo(t, "iex", "AAPL")
	b.subscribedTo(t, "us", "BTC/USD")

	at := time.Date(2024, 12, 2, 15, 30, 0, 0, time.UTC)
	quote := market.Quote{Symbol: "AAPL", BidPrice: d("187.45"), BidSize: d("300"), AskPrice: d("187.47"),
		AskSize: d("100"), BidExchange: "V", AskExchange: "Q", Time: at}
	trade := market.Trade{Symbol: "AAPL", ID: 4242, Price: d("187.46"), Size: d("25"), Exchange: "V", Time: at}
	bar := market.Bar{Symbol: "AAPL", Start: at, Open: d("187.4"), High: d("187.9"), Low: d("187.1"),
		Close: d("187.5"), Volume: d("12345"), TradeCount: 321, VWAP: d("187.55")}
	cquote := market.Quote{Symbol: "BTC/USD", BidPrice: d("64000.5"), BidSize: d("0.125"), AskPrice: d("64010"),
		AskSize: d("1.75"), Time: at}
	ctrade := market.Trade{Symbol: "BTC/USD", ID: 7, Price: d("64005.25"), Size: d("0.0042"), Time: at}
	b.fake.PublishQuote(quote)
	b.fake.PublishTrade(trade)
	b.fake.PublishBar(bar)
	b.fake.PublishQuote(cquote)
	b.fake.PublishTrade(ctrade)

	eventually(t, 5*time.Second, "all five messages reach the sink", func() bool {
		_, q := b.sink.lastQuote("AAPL")
		_, tr := b.sink.lastTrade("AAPL")
		_, br := b.sink.lastBar("AAPL")
		_, cq := b.sink.lastQuote("BTC/USD")
		_, ct := b.sink.lastTrade("BTC/USD")
		return q && tr && br && cq && ct
	})
	if got, _ := b.sink.lastQuote("AAPL"); !sameQuote(got, quote) {
		t.Errorf("quote:\n got  %+v\n want %+v", got, quote)
	}
	if got, _ := b.sink.lastTrade("AAPL"); !sameTrade(got, trade) {
		t.Errorf("trade:\n got  %+v\n want %+v", got, trade)
	}
	if got, _ := b.sink.lastBar("AAPL"); !sameBar(got, bar) {
		t.Errorf("bar:\n got  %+v\n want %+v", got, bar)
	}
	if got, _ := b.sink.lastQuote("BTC/USD"); !got.BidSize.Equal(cquote.BidSize) || !got.AskPrice.Equal(cquote.AskPrice) {
		t.Errorf("crypto quote:\n got  %+v\n want %+v", got, cquote)
	}
	if got, _ := b.sink.lastTrade("BTC/USD"); !got.Size.Equal(ctrade.Size) || !got.Price.Equal(ctrade.Price) || got.ID != 7 {
		t.Errorf("crypto trade:\n got  %+v\n want %+v", got, ctrade)
	}

	eventually(t, 5*time.Second, "status shows the stream connected", func() bool {
		return b.prov.Stream().Status().Connected
	})
	if st := b.prov.Stream().Status(); st.Symbols != 2 || st.LastMessageAt.IsZero() || st.Reconnects != 0 {
		t.Errorf("status = %+v", st)
	}
	if b.sink.overlapped() {
		t.Error("the sink was called concurrently")
	}
}

func TestSetSymbolsSubscribesAndUnsubscribes(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	ctx := context.Background()
	s := b.prov.Stream()
	b.run(t)
	if err := s.SetSymbols(ctx, []string{"AAPL", "MSFT"}); err != nil {
		t.Fatal(err)
	}
	b.subscribedTo(t, "iex", "AAPL", "MSFT")
	eventually(t, 5*time.Second, "status shows two symbols", func() bool {
		st := s.Status()
		return st.Connected && st.Symbols == 2
	})

	if err := s.SetSymbols(ctx, []string{"MSFT", "TSLA", "ETH/USD"}); err != nil {
		t.Fatal(err)
	}
	// Once connected, a change is acknowledged before SetSymbols returns.
	trades, quotes, bars := b.fake.Subscriptions("iex")
	if strings.Join(trades, ",") != "MSFT,TSLA" || strings.Join(quotes, ",") != "MSFT,TSLA" || strings.Join(bars, ",") != "MSFT,TSLA" {
		t.Errorf("right after SetSymbols: trades %v quotes %v bars %v", trades, quotes, bars)
	}
	b.subscribedTo(t, "us", "ETH/USD")

	if err := s.SetSymbols(ctx, nil); err != nil {
		t.Fatal(err)
	}
	b.subscribedTo(t, "iex")
	b.subscribedTo(t, "us")
	if st := s.Status(); st.Symbols != 0 {
		t.Errorf("status after clearing = %+v", st)
	}
}

// Issue 14, figure 5: a running stream with nothing to follow holds no connection (a feed
// connects on its first symbol) and is idle, not down; the count of symbols says why.
func TestIdleStreamIsConnectedWithNoSymbols(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	s := b.prov.Stream()
	if st := s.Status(); st.Connected {
		t.Errorf("before Run: %+v, want not connected", st)
	}
	b.run(t)
	eventually(t, 5*time.Second, "an idle running stream counts as connected", func() bool {
		st := s.Status()
		return st.Connected && st.Symbols == 0 && st.LastError == ""
	})

	ctx := context.Background()
	if err := s.SetSymbols(ctx, []string{"AAPL", "BTC/USD"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "two symbols followed", func() bool {
		st := s.Status()
		return st.Connected && st.Symbols == 2
	})
	if err := s.SetSymbols(ctx, nil); err != nil {
		t.Fatal(err)
	}
	b.subscribedTo(t, "iex")
	b.subscribedTo(t, "us")
	if st := s.Status(); !st.Connected || st.Symbols != 0 {
		t.Errorf("after every symbol is dropped: %+v, want connected with 0 symbols", st)
	}
}

func TestSymbolLimitKeepsTheFirstSymbols(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{SymbolLimit: 2}, Options{SymbolLimit: 2})
	if got := b.prov.Stream().SymbolLimit(); got != 2 {
		t.Errorf("SymbolLimit() = %d", got)
	}
	b.run(t)
	if err := b.prov.Stream().SetSymbols(context.Background(), []string{"TSLA", "AAPL", "MSFT", "NVDA"}); err != nil {
		t.Fatal(err)
	}
	b.subscribedTo(t, "iex", "AAPL", "TSLA")
}

func TestSymbolLimitExceededOnTheServerIsReported(t *testing.T) {
	t.Parallel()
	// The provider does not know the plan's limit; the server answers 405.
	b := setup(t, alpacafake.Options{SymbolLimit: 1}, Options{})
	s := b.prov.Stream()
	b.run(t)
	if err := s.SetSymbols(context.Background(), []string{"AAPL"}); err != nil {
		t.Fatal(err)
	}
	b.subscribedTo(t, "iex", "AAPL")
	// Only a connected feed answers SetSymbols with the server's verdict.
	eventually(t, 5*time.Second, "connected", func() bool { return s.Status().Connected })
	err := s.SetSymbols(context.Background(), []string{"AAPL", "MSFT"})
	if !errors.Is(err, stream.ErrSymbolLimitExceeded) {
		t.Fatalf("SetSymbols past the server's limit = %v, want the SDK's symbol limit error", err)
	}
	b.subscribedTo(t, "iex", "AAPL")
}

func TestReconnectsAfterDroppedConnectionWithTheSameSymbols(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	s := b.prov.Stream()
	if err := s.SetSymbols(context.Background(), []string{"AAPL", "MSFT", "BTC/USD"}); err != nil {
		t.Fatal(err)
	}
	b.run(t)
	b.subscribedTo(t, "iex", "AAPL", "MSFT")
	b.subscribedTo(t, "us", "BTC/USD")

	b.fake.DropConnections()
	eventually(t, 10*time.Second, "both feeds reconnect", func() bool {
		return s.Status().Reconnects >= 2 && b.fake.Connections() == 2
	})
	b.subscribedTo(t, "iex", "AAPL", "MSFT")
	b.subscribedTo(t, "us", "BTC/USD")

	q := testQuotes()["MSFT"]
	b.fake.PublishQuote(q)
	eventually(t, 5*time.Second, "a quote after the reconnect reaches the sink", func() bool {
		got, ok := b.sink.lastQuote("MSFT")
		return ok && sameQuote(got, q)
	})
	if st := s.Status(); !st.Connected || st.Symbols != 3 {
		t.Errorf("status = %+v", st)
	}
}

func TestSymbolsChangedWhileDisconnectedAreAppliedOnReconnect(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	s := b.prov.Stream()
	b.run(t)
	if err := s.SetSymbols(context.Background(), []string{"AAPL"}); err != nil {
		t.Fatal(err)
	}
	b.subscribedTo(t, "iex", "AAPL")
	// Refuse the next two logins with 406, so that the reconnect takes a while.
	b.fake.RejectAuth(406, 2)
	b.fake.DropConnections()
	eventually(t, 5*time.Second, "the stream notices the drop", func() bool { return !s.Status().Connected })
	if err := s.SetSymbols(context.Background(), []string{"MSFT", "NVDA"}); err != nil {
		t.Fatal(err)
	}
	b.subscribedTo(t, "iex", "MSFT", "NVDA")
}

// publishEvery keeps a quote flowing, as a live market would.
func publishEvery(t *testing.T, b *bundle, every time.Duration, symbol string) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() {
		q := testQuotes()[symbol]
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := int64(1); ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				q.BidSize = decimal.NewFromInt(i)
				b.fake.PublishQuote(q)
			}
		}
	}()
}

func TestSilenceWhileOpenTriggersAReconnect(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{SilenceTimeout: 300 * time.Millisecond})
	s := b.prov.Stream()
	if err := s.SetSymbols(context.Background(), []string{"AAPL"}); err != nil {
		t.Fatal(err)
	}
	b.run(t)
	b.subscribedTo(t, "iex", "AAPL")
	publishEvery(t, b, 30*time.Millisecond, "AAPL")
	eventually(t, 5*time.Second, "quotes flow", func() bool { return b.sink.quoteCount("AAPL") > 3 })
	if st := s.Status(); st.Reconnects != 0 {
		t.Fatalf("reconnected while data was flowing: %+v", st)
	}

	b.fake.Silence(time.Second)
	eventually(t, 5*time.Second, "the silent stream is replaced", func() bool { return s.Status().Reconnects >= 1 })
	if !strings.Contains(b.logs.String(), "stream silent") {
		t.Error("the silence was not logged")
	}
	before := b.sink.quoteCount("AAPL")
	eventually(t, 10*time.Second, "quotes flow again after the silence", func() bool {
		return b.sink.quoteCount("AAPL") > before+3 && s.Status().Connected
	})
	// Recovered: the silence is no longer reported beside "connected" (issue 10 item 16).
	if st := s.Status(); st.LastError != "" {
		t.Errorf("LastError = %q after recovery, want it cleared", st.LastError)
	}
	b.subscribedTo(t, "iex", "AAPL")
}

func TestSilenceWhileClosedIsNormal(t *testing.T) {
	t.Parallel()
	var asked atomic.Int64
	b := setup(t, alpacafake.Options{}, Options{
		SilenceTimeout: 200 * time.Millisecond,
		IsMarketOpen:   func(time.Time) bool { asked.Add(1); return false },
	})
	s := b.prov.Stream()
	if err := s.SetSymbols(context.Background(), []string{"AAPL"}); err != nil {
		t.Fatal(err)
	}
	b.run(t)
	b.subscribedTo(t, "iex", "AAPL")
	// Not synchronisation: a stretch of quiet in which a reconnect must not happen (nothing to
	// wait for when the right outcome is that nothing occurs).
	time.Sleep(time.Second)
	if st := s.Status(); st.Reconnects != 0 || !st.Connected {
		t.Errorf("a quiet stream outside market hours was reconnected: %+v", st)
	}
	if asked.Load() == 0 {
		t.Error("IsMarketOpen was never asked")
	}
}

func TestConnectionLimitIsRetried(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	b.fake.RejectAuth(406, 2)
	s := b.prov.Stream()
	if err := s.SetSymbols(context.Background(), []string{"AAPL"}); err != nil {
		t.Fatal(err)
	}
	r := b.run(t)
	b.subscribedTo(t, "iex", "AAPL")
	if n := b.fake.AuthAttempts(); n < 3 {
		t.Errorf("auth attempts = %d, want the two refusals and a success", n)
	}
	eventually(t, 5*time.Second, "status shows the stream connected", func() bool { return s.Status().Connected })
	select {
	case <-r.done:
		t.Fatalf("Run returned: %v", r.err)
	default:
	}
}

// Issue 10 item 16: a refusal (402) no longer stops the feed until a restart. It is shown in the
// status, retried after the long RefusedBackoff, and once the keys are accepted again the feed
// delivers and the old error is gone.
func TestRefusedKeysAreRetriedWithLongBackoffAndShownUntilRecovery(t *testing.T) {
	t.Parallel()
	refused := Backoff{Initial: 400 * time.Millisecond, Max: time.Second, Jitter: -1}
	b := setup(t, alpacafake.Options{}, Options{RefusedBackoff: refused})
	b.fake.RejectAuth(402, 2) // one refusal for each feed's first login
	s := b.prov.Stream()
	if err := s.SetSymbols(context.Background(), []string{"AAPL", "BTC/USD"}); err != nil {
		t.Fatal(err)
	}
	r := b.run(t)
	const want = "alpaca: the stream rejected the API keys (402 auth failed): check ALPACA_API_KEY_ID and ALPACA_API_SECRET_KEY"
	eventually(t, 10*time.Second, "the 402 shows in the status", func() bool {
		st := s.Status()
		return !st.Connected && strings.Contains(st.LastError, want)
	})
	if !strings.Contains(b.logs.String(), want) {
		t.Errorf("the refusal was not logged:\n%s", b.logs.String())
	}
	// Not retried at once: the long back-off holds the next attempt.
	if n := b.fake.AuthAttempts(); n > 2 {
		t.Errorf("auth attempts = %d right after the refusals, want no quick retries", n)
	}
	// The keys are accepted again (the fake refuses only twice): the feed comes back by itself.
	b.subscribedTo(t, "us", "BTC/USD")
	eventually(t, 10*time.Second, "connected with the old error cleared", func() bool {
		st := s.Status()
		return st.Connected && st.LastError == ""
	})
	select {
	case <-r.done:
		t.Fatalf("Run returned: %v", r.err)
	default:
	}
}

// Issue 10 item 16: a 406 (another client holds the keys' one connection), which the SDK retries
// by itself, is shown in the status while it lasts.
func TestConnectionLimitIsShown(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	b.fake.RejectAuth(406, 1000)
	s := b.prov.Stream()
	if err := s.SetSymbols(context.Background(), []string{"BTC/USD"}); err != nil {
		t.Fatal(err)
	}
	b.run(t)
	eventually(t, 10*time.Second, "the 406 shows in the status", func() bool {
		st := s.Status()
		return !st.Connected && strings.Contains(st.LastError, "406")
	})
	b.fake.RejectAuth(406, 0)
	eventually(t, 20*time.Second, "connected with the 406 cleared", func() bool {
		st := s.Status()
		return st.Connected && st.LastError == ""
	})
}

func TestMalformedMessageDoesNotStopTheStream(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	s := b.prov.Stream()
	if err := s.SetSymbols(context.Background(), []string{"AAPL"}); err != nil {
		t.Fatal(err)
	}
	b.run(t)
	b.subscribedTo(t, "iex", "AAPL")
	b.fake.SendMalformed()
	q := testQuotes()["AAPL"]
	b.fake.PublishQuote(q)
	eventually(t, 5*time.Second, "a quote after the malformed message arrives", func() bool {
		got, ok := b.sink.lastQuote("AAPL")
		return ok && sameQuote(got, q)
	})
	eventually(t, 5*time.Second, "status shows the stream connected", func() bool { return s.Status().Connected })
}

func TestRunEndsWithItsContext(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	s := b.prov.Stream()
	if err := s.SetSymbols(context.Background(), []string{"AAPL", "BTC/USD"}); err != nil {
		t.Fatal(err)
	}
	r := b.run(t)
	eventually(t, 5*time.Second, "two connections", func() bool { return b.fake.Connections() == 2 })
	if err := b.prov.Stream().Run(context.Background(), b.sink); err == nil {
		t.Error("a second concurrent Run was accepted")
	}
	r.cancel()
	if err := r.wait(t, 10*time.Second); err != nil {
		t.Errorf("Run = %v, want nil after its context ended", err)
	}
	eventually(t, 5*time.Second, "connections closed", func() bool { return b.fake.Connections() == 0 })
	if st := s.Status(); st.Connected {
		t.Errorf("status after Run = %+v", st)
	}
}

func TestNoConnectionWithoutSymbols(t *testing.T) {
	t.Parallel()
	b := setup(t, alpacafake.Options{}, Options{})
	b.run(t)
	// Not synchronisation: a stretch in which no connection may be opened (the right outcome is
	// that nothing occurs, so there is no event to wait for).
	time.Sleep(300 * time.Millisecond)
	if n := b.fake.Requests("/v2/iex") + b.fake.Requests("/v1beta3/crypto/us"); n != 0 {
		t.Errorf("%d stream connections opened with nothing to follow", n)
	}
	if err := b.prov.Stream().SetSymbols(context.Background(), []string{"BTC/USD"}); err != nil {
		t.Fatal(err)
	}
	b.subscribedTo(t, "us", "BTC/USD")
	if n := b.fake.Requests("/v2/iex"); n != 0 {
		t.Errorf("the stock stream connected with only crypto followed (%d)", n)
	}
}
