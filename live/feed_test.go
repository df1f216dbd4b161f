package live

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 11, 14, 37, 1, 123456789, time.FixedZone("EDT", -4*3600))
	q := market.Quote{Symbol: "BTC/USD", BidPrice: decimal.RequireFromString("97123.50"), AskPrice: decimal.RequireFromString("97124"),
		BidSize: decimal.RequireFromString("0.0012"), AskSize: decimal.NewFromInt(3), Time: at}
	tr := market.Trade{Symbol: `O"DD\SYM`, Price: decimal.RequireFromString("-1.5"), Size: decimal.NewFromInt(100), Time: at}
	cases := []struct {
		name string
		got  []byte
		want any
	}{
		{"quote", appendQuote(nil, &q), QuoteMessage{Type: "quote", Symbol: q.Symbol, Bid: q.BidPrice.String(), Ask: q.AskPrice.String(),
			BidSize: q.BidSize.String(), AskSize: q.AskSize.String(), Time: at.UTC()}},
		{"trade", appendTrade(nil, &tr), TradeMessage{Type: "trade", Symbol: tr.Symbol, Price: tr.Price.String(), Size: tr.Size.String(), Time: at.UTC()}},
	}
	for _, tc := range cases {
		want, _ := json.Marshal(tc.want)
		if string(tc.got) != string(want) {
			t.Errorf("%s: encoded\n%s\nwant\n%s", tc.name, tc.got, want)
		}
	}
}

func TestFeedCoalescesAndSendsOnlyWhatIsNew(t *testing.T) {
	t.Parallel()
	hub := market.NewHub(market.HubOptions{})
	defer hub.Close()
	var dropped atomic.Uint64
	f := newFeed(hub, 2, &dropped)
	f.follow([]string{"AAPL"}, nil, market.PriorityScreen)
	mark := []uint64{f.now()}
	all := [market.EventBar + 1]bool{market.EventQuote: true, market.EventTrade: true, market.EventBar: true}
	base := time.Date(2026, 3, 11, 14, 0, 0, 0, time.UTC)
	var events []market.Event
	for i := range 5 {
		events = append(events,
			market.Event{Kind: market.EventQuote, Quote: market.Quote{Symbol: "AAPL", BidPrice: decimal.NewFromInt(int64(i))}},
			market.Event{Kind: market.EventTrade, Trade: market.Trade{Symbol: "AAPL", Price: decimal.NewFromInt(int64(i)), Time: base.Add(time.Duration(i) * time.Second)}},
			market.Event{Kind: market.EventBar, Bar: market.Bar{Symbol: "AAPL", Start: base.Add(time.Duration(i) * time.Minute)}})
	}
	// A late print does not replace the newest one.
	events = append(events, market.Event{Kind: market.EventTrade, Trade: market.Trade{Symbol: "AAPL", Price: decimal.NewFromInt(99), Time: base}})
	f.apply(events)

	got := f.take([]string{"AAPL"}, mark, all, nil)
	if len(got) != 1 {
		t.Fatalf("took %d symbols, want 1", len(got))
	}
	p := got[0]
	if p.quote == nil || !p.quote.quote.BidPrice.Equal(decimal.NewFromInt(4)) || p.trade == nil || !p.trade.trade[0].Price.Equal(decimal.NewFromInt(4)) {
		t.Errorf("took quote %+v trade %+v, want the newest of each (4)", p.quote, p.trade)
	}
	if len(p.bars) != 2 || !p.bars[1].Start.Equal(base.Add(4*time.Minute)) || dropped.Load() != 3 {
		t.Errorf("took %d bars (last %v), %d dropped; want the 2 newest, 3 dropped", len(p.bars), p.bars, dropped.Load())
	}
	if again := f.take([]string{"AAPL"}, mark, all, nil); len(again) != 0 {
		t.Errorf("a second take with nothing new returned %+v", again)
	}
	quotesOnly := [market.EventBar + 1]bool{market.EventQuote: true}
	f.apply([]market.Event{{Kind: market.EventBar, Bar: market.Bar{Symbol: "AAPL", Start: base.Add(9 * time.Minute)}}})
	if got := f.take([]string{"AAPL"}, mark, quotesOnly, nil); len(got) != 0 || f.waiting([]string{"AAPL"}, mark) {
		t.Errorf("a quotes-only session took %+v after a bar; waiting=%v", got, f.waiting([]string{"AAPL"}, mark))
	}
}

func TestCatalogLooksUpWithoutTheLoaderAfterTheFirstLoad(t *testing.T) {
	t.Parallel()
	var loads atomic.Int32
	c := NewCatalog(func(context.Context) ([]CatalogEntry, error) {
		loads.Add(1)
		return []CatalogEntry{{Symbol: "AAPL", Class: market.USEquity}, {Symbol: "BTC/USD", Class: market.Crypto}}, nil
	}, time.Hour, nil)
	cases := []struct {
		in   string
		want string // "" when unknown
	}{{"aapl", "AAPL"}, {" BTC/USD", "BTC/USD"}, {"btcusd", "BTC/USD"}, {"NOPE", ""}}
	for _, tc := range cases {
		got, ok := c.Lookup(context.Background(), []string{tc.in})
		if !ok || got[tc.in].Symbol != tc.want {
			t.Errorf("Lookup(%q) = %+v, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("loaded %d times for 4 lookups within the TTL, want 1", n)
	}

	down := NewCatalog(func(context.Context) ([]CatalogEntry, error) { return nil, errors.New("down") }, time.Hour, nil)
	if _, ok := down.Lookup(context.Background(), []string{"AAPL"}); ok {
		t.Error("a catalogue that never loaded answered; want ok=false so the caller asks the database")
	}
}
