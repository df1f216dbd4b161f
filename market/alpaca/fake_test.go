package alpaca

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/internal/testwait"
	"alpacawrapper/market"
	"alpacawrapper/market/alpacafake"
)

// Test fixtures shared by the tests that run the SDK against the fake Alpaca server.

const (
	testKey    = "PKTEST"
	testSecret = "test-secret"
)

// testData is a small deterministic market.Provider: the fake server's source of truth.
type testData struct{}

var _ market.Provider = testData{}

func (testData) Name() string          { return "testdata" }
func (testData) Stream() market.Stream { return nil }

func (testData) Assets(context.Context) ([]market.Asset, error) {
	return []market.Asset{
		{ProviderID: "8ccae427-5dd0-45b3-b5fe-7ba5e422c766", Symbol: "AAPL", Name: "Apple Inc.", Class: market.USEquity,
			Exchange: "NASDAQ", Active: true, Tradable: true, Marginable: true, Shortable: true, EasyToBorrow: true,
			Fractionable: true, MarginRequirement: decimal.NewFromInt(30)},
		{ProviderID: "0b4ea4c2-3bc8-4c49-9d5c-0b9c0e7c1e55", Symbol: "OLDCO", Name: "Old Company", Class: market.USEquity,
			Exchange: "OTC", Active: false, MarginRequirement: decimal.NewFromInt(100)},
		{ProviderID: "276e2673-764b-4ab6-a611-caf665ca6340", Symbol: "BTC/USD", Name: "Bitcoin / US Dollar",
			Class: market.Crypto, Exchange: "CRYPTO", Active: true, Tradable: true, Fractionable: true,
			MinOrderSize: decimal.RequireFromString("0.000018777"), MinTradeIncrement: decimal.RequireFromString("0.000000001"),
			PriceIncrement: decimal.RequireFromString("1")},
	}, nil
}

// testCalendar has an ordinary day, the early close after Thanksgiving, and a winter day.
func testCalendar() []market.CalendarDay {
	ny, _ := time.LoadLocation("America/New_York")
	day := func(date string, closeHour, sessionCloseHour int) market.CalendarDay {
		d, _ := time.ParseInLocation(time.DateOnly, date, ny)
		at := func(h, m int) time.Time {
			return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, ny).UTC()
		}
		return market.CalendarDay{Date: d, Open: at(9, 30), Close: at(closeHour, 0),
			SessionOpen: at(4, 0), SessionClose: at(sessionCloseHour, 0)}
	}
	return []market.CalendarDay{
		day("2024-11-27", 16, 20),
		day("2024-11-29", 13, 17),
		day("2024-12-02", 16, 20),
	}
}

func (testData) Calendar(_ context.Context, start, end time.Time) ([]market.CalendarDay, error) {
	var out []market.CalendarDay
	for _, d := range testCalendar() {
		if !d.Date.Before(start) && !d.Date.After(end) {
			out = append(out, d)
		}
	}
	return out, nil
}

func quoteTime() time.Time { return time.Date(2024, 12, 2, 15, 0, 0, 0, time.UTC) }

func testQuotes() map[string]market.Quote {
	return map[string]market.Quote{
		"AAPL": {Symbol: "AAPL", BidPrice: decimal.RequireFromString("187.45"), BidSize: decimal.NewFromInt(300),
			AskPrice: decimal.RequireFromString("187.47"), AskSize: decimal.NewFromInt(100), BidExchange: "V",
			AskExchange: "Q", Time: quoteTime()},
		"MSFT": {Symbol: "MSFT", BidPrice: decimal.RequireFromString("420.1"), BidSize: decimal.NewFromInt(200),
			AskPrice: decimal.RequireFromString("420.15"), AskSize: decimal.NewFromInt(400), BidExchange: "K",
			AskExchange: "P", Time: quoteTime()},
		"BTC/USD": {Symbol: "BTC/USD", BidPrice: decimal.RequireFromString("64000.5"),
			BidSize: decimal.RequireFromString("0.125"), AskPrice: decimal.RequireFromString("64010"),
			AskSize: decimal.RequireFromString("1.75"), Time: quoteTime()},
	}
}

func (testData) LatestQuotes(_ context.Context, symbols []string) (map[string]market.Quote, error) {
	all := testQuotes()
	out := map[string]market.Quote{}
	for _, s := range symbols {
		if q, ok := all[s]; ok {
			out[s] = q
		}
	}
	return out, nil
}

func (testData) Snapshots(_ context.Context, symbols []string) (map[string]market.Snapshot, error) {
	all := testQuotes()
	out := map[string]market.Snapshot{}
	for _, s := range symbols {
		q, ok := all[s]
		if !ok {
			continue
		}
		daily := testBar(s, market.Day1, time.Date(2024, 12, 2, 5, 0, 0, 0, time.UTC), 0)
		snap := market.Snapshot{Symbol: s, LatestQuote: &q, DailyBar: &daily}
		if s == "AAPL" {
			trade := market.Trade{Symbol: s, ID: 77, Price: decimal.RequireFromString("187.46"),
				Size: decimal.NewFromInt(50), Exchange: "V", Time: quoteTime()}
			minute := testBar(s, market.Min1, quoteTime().Truncate(time.Minute), 3)
			prev := testBar(s, market.Day1, time.Date(2024, 11, 29, 5, 0, 0, 0, time.UTC), 1)
			snap.LatestTrade, snap.MinuteBar, snap.PrevDailyBar = &trade, &minute, &prev
		}
		out[s] = snap
	}
	return out, nil
}

// Bars has a bar at every step of the timeframe, around the clock, so that counts are easy.
func (testData) Bars(_ context.Context, req market.BarsRequest) ([]market.Bar, error) {
	step := barStep(req.Timeframe)
	var out []market.Bar
	for t := req.Start.UTC().Truncate(step); t.Before(req.End); t = t.Add(step) {
		if t.Before(req.Start) {
			continue
		}
		out = append(out, testBar(req.Symbol, req.Timeframe, t, int(t.Unix()/int64(step.Seconds()))%1000))
	}
	return out, nil
}

func barStep(tf market.Timeframe) time.Duration {
	if tf == market.Day1 {
		return 24 * time.Hour
	}
	return time.Minute
}

// testBar's prices depend on i only, with two decimals, so that floats round-trip exactly.
func testBar(symbol string, _ market.Timeframe, start time.Time, i int) market.Bar {
	base := decimal.NewFromInt(100).Add(decimal.New(int64(i), -2))
	volume := decimal.NewFromInt(int64(1000 + i))
	if market.ClassOf(symbol) == market.Crypto {
		volume = decimal.New(int64(1000+i), -3)
	}
	return market.Bar{Symbol: symbol, Start: start, Open: base, High: base.Add(decimal.NewFromInt(1)),
		Low: base.Sub(decimal.NewFromInt(1)), Close: base.Add(decimal.New(5, -1)), Volume: volume,
		TradeCount: int64(10 + i), VWAP: base.Add(decimal.New(25, -2))}
}

// recorder is a market.Sink that keeps everything, and notices overlapping calls.
type recorder struct {
	mu      sync.Mutex
	busy    bool
	overlap bool
	quotes  []market.Quote
	trades  []market.Trade
	bars    []market.Bar
}

func (r *recorder) enter() {
	r.mu.Lock()
	if r.busy {
		r.overlap = true
	}
	r.busy = true
	r.mu.Unlock()
}

func (r *recorder) Quote(q market.Quote) {
	r.enter()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.quotes = append(r.quotes, q)
	r.busy = false
}

func (r *recorder) Trade(t market.Trade) {
	r.enter()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.trades = append(r.trades, t)
	r.busy = false
}

func (r *recorder) Bar(b market.Bar) {
	r.enter()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bars = append(r.bars, b)
	r.busy = false
}

func (r *recorder) overlapped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.overlap
}

func (r *recorder) quoteCount(symbol string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.quotes {
		if q.Symbol == symbol {
			n++
		}
	}
	return n
}

func (r *recorder) lastQuote(symbol string) (market.Quote, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.quotes) - 1; i >= 0; i-- {
		if r.quotes[i].Symbol == symbol {
			return r.quotes[i], true
		}
	}
	return market.Quote{}, false
}

func (r *recorder) lastTrade(symbol string) (market.Trade, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.trades) - 1; i >= 0; i-- {
		if r.trades[i].Symbol == symbol {
			return r.trades[i], true
		}
	}
	return market.Trade{}, false
}

func (r *recorder) lastBar(symbol string) (market.Bar, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.bars) - 1; i >= 0; i-- {
		if r.bars[i].Symbol == symbol {
			return r.bars[i], true
		}
	}
	return market.Bar{}, false
}

// bundle is one fake server and one provider pointed at it.
type bundle struct {
	fake *alpacafake.Server
	prov *Provider
	sink *recorder
	logs *syncBuffer
}

// setup starts a fake Alpaca and a provider on it. fakeOpts and provOpts may be adjusted by the
// caller; keys, URLs, data and loggers are filled in here.
func setup(t *testing.T, fakeOpts alpacafake.Options, provOpts Options) *bundle {
	t.Helper()
	fakeOpts.KeyID, fakeOpts.SecretKey = testKey, testSecret
	fakeOpts.Data = testData{}
	fake := alpacafake.New(fakeOpts)
	if err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)

	logs := &syncBuffer{}
	if provOpts.KeyID == "" {
		provOpts.KeyID, provOpts.SecretKey = testKey, testSecret
	}
	provOpts.TradingURL = fake.URL()
	provOpts.DataURL = fake.URL()
	provOpts.StreamURL = fake.URL() + "/v2"
	provOpts.CryptoStreamURL = fake.URL() + "/v1beta3/crypto"
	provOpts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if provOpts.Backoff.Initial == 0 {
		provOpts.Backoff = Backoff{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond}
	}
	prov, err := New(provOpts)
	if err != nil {
		t.Fatal(err)
	}
	return &bundle{fake: fake, prov: prov, sink: &recorder{}, logs: logs}
}

// runner is one Run of the provider's stream in the background.
type runner struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// run starts the stream; the test's cleanup stops it and checks that it returned.
func (b *bundle) run(t *testing.T) *runner {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = b.prov.Stream().Run(ctx, b.sink)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	})
	return r
}

// wait returns Run's result, failing the test if it does not come within d.
func (r *runner) wait(t *testing.T, d time.Duration) error {
	t.Helper()
	select {
	case <-r.done:
		return r.err
	case <-time.After(d):
		t.Fatalf("Run still running after %s", d)
		return nil
	}
}

// eventually polls cond until it holds or the time is up.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, within, what, cond)
}

// subscribedTo waits until the fake's feed follows exactly symbols on trades, quotes and bars.
func (b *bundle) subscribedTo(t *testing.T, feed string, symbols ...string) {
	t.Helper()
	want := slices.Sorted(slices.Values(symbols))
	eventually(t, 10*time.Second, "fake "+feed+" subscriptions = "+strings.Join(want, ","), func() bool {
		trades, quotes, bars := b.fake.Subscriptions(feed)
		return slices.Equal(trades, want) && slices.Equal(quotes, want) && slices.Equal(bars, want)
	})
}

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// tapeSeconds are the whole seconds of [req.Start, req.End) in the order asked, at most req.Limit:
// the test tape has a quote and a print every second.
func tapeSeconds(req market.TicksRequest) []time.Time {
	first := req.Start.UTC().Truncate(time.Second)
	if first.Before(req.Start) {
		first = first.Add(time.Second)
	}
	last := req.End.UTC().Add(-time.Nanosecond).Truncate(time.Second)
	var out []time.Time
	for i := 0; len(out) < req.Limit; i++ {
		t := first.Add(time.Duration(i) * time.Second)
		if req.Desc {
			t = last.Add(-time.Duration(i) * time.Second)
		}
		if t.Before(first) || t.After(last) {
			break
		}
		out = append(out, t)
	}
	return out
}

// testTick's prices depend on the second only, with two decimals, so that floats round-trip.
func testTickPrice(t time.Time) decimal.Decimal {
	return decimal.NewFromInt(100).Add(decimal.New(t.Unix()%1000, -2))
}

func (testData) Trades(_ context.Context, req market.TicksRequest) ([]market.Trade, error) {
	var out []market.Trade
	for _, t := range tapeSeconds(req) {
		size := decimal.NewFromInt(t.Unix()%100 + 1)
		if market.ClassOf(req.Symbol) == market.Crypto {
			size = size.Shift(-3)
		}
		out = append(out, market.Trade{Symbol: req.Symbol, ID: t.Unix(), Price: testTickPrice(t), Size: size, Time: t})
	}
	return out, nil
}

func (testData) Quotes(_ context.Context, req market.TicksRequest) ([]market.Quote, error) {
	var out []market.Quote
	for _, t := range tapeSeconds(req) {
		p := testTickPrice(t)
		out = append(out, market.Quote{Symbol: req.Symbol, BidPrice: p, AskPrice: p.Add(decimal.New(1, -2)),
			BidSize: decimal.NewFromInt(100), AskSize: decimal.NewFromInt(200), Time: t})
	}
	return out, nil
}
