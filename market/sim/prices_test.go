package sim

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

func TestAssets(t *testing.T) {
	t.Parallel()
	assets, err := New(Options{Seed: 1}).Assets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	other, err := New(Options{Seed: 2}).Assets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	symbols, ids := map[string]bool{}, map[string]bool{}
	var stocks, crypto, inactive, notFractionable, notShortable int
	for i, a := range assets {
		if symbols[a.Symbol] || ids[a.ProviderID] {
			t.Fatalf("%s: duplicate symbol or id %s", a.Symbol, a.ProviderID)
		}
		symbols[a.Symbol], ids[a.ProviderID] = true, true
		if other[i].ProviderID != a.ProviderID {
			t.Errorf("%s: provider id depends on the seed", a.Symbol)
		}
		if a.Class != market.ClassOf(a.Symbol) {
			t.Errorf("%s: class %s, but the symbol says %s", a.Symbol, a.Class, market.ClassOf(a.Symbol))
		}
		switch {
		case !a.Active:
			inactive++
			if a.Tradable {
				t.Errorf("%s: delisted but tradable", a.Symbol)
			}
		case a.Class == market.Crypto:
			crypto++
			if a.Exchange != "CRYPTO" || a.Marginable || a.Shortable || !a.Fractionable ||
				!a.MinOrderSize.IsPositive() || !a.MinTradeIncrement.IsPositive() || !a.PriceIncrement.IsPositive() {
				t.Errorf("%s: crypto flags or increments wrong: %+v", a.Symbol, a)
			}
		default:
			stocks++
			if !a.Tradable || !a.MarginRequirement.GreaterThanOrEqual(decimal.NewFromInt(30)) || a.Name == "" {
				t.Errorf("%s: %+v", a.Symbol, a)
			}
			if !a.Fractionable {
				notFractionable++
			}
			if !a.Shortable {
				notShortable++
			}
		}
	}
	if stocks < 95 || crypto != 6 || inactive < 2 || notFractionable == 0 || notShortable == 0 {
		t.Errorf("%d stocks, %d crypto, %d inactive, %d not fractionable, %d not shortable", stocks, crypto, inactive, notFractionable, notShortable)
	}
	for _, s := range []string{"AAPL", "MSFT", "NVDA", "BRK.B", "SPY", "QQQ", "GLD", "TLT", "XLK", "BTC/USD", "AVAX/USD"} {
		if !symbols[s] {
			t.Errorf("%s missing", s)
		}
	}
}

func TestRoundPrice(t *testing.T) {
	t.Parallel()
	p := New(Options{})
	stock, ltc := p.bySymbol["F"], p.bySymbol["LTC/USD"]
	tests := []struct {
		in    *instrument
		model float64
		want  string
	}{
		{stock, 12.345678, "12.35"},
		{stock, 12.344, "12.34"},
		{stock, 0.51234, "0.5123"}, // below $1 stocks trade in hundredths of a cent
		{stock, 0.99996, "1"},
		{stock, 0.00001, "0.0001"}, // never zero
		{ltc, 98.8537, "98.855"},
		{ltc, 98.8512, "98.85"},
	}
	for _, tt := range tests {
		if got := tt.in.price(tt.in.roundPrice(tt.model)); !got.Equal(decimal.RequireFromString(tt.want)) {
			t.Errorf("%s: %v rounds to %s, want %s", tt.in.asset.Symbol, tt.model, got, tt.want)
		}
	}
}

func TestLatestQuotes(t *testing.T) {
	t.Parallel()
	var at time.Time
	p := New(Options{Seed: 4, Now: func() time.Time { return at }})
	assets, err := p.Assets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	bySymbol := map[string]market.Asset{}
	var symbols []string
	for _, a := range assets {
		bySymbol[a.Symbol] = a
		symbols = append(symbols, a.Symbol)
	}
	symbols = append(symbols, "NOPE")

	// Quotes in and out of sessions, across a weekend and a clock change.
	start := et(t, 2026, time.March, 6, 3, 0)
	for at = start; at.Before(start.Add(80 * time.Hour)); at = at.Add(47*time.Minute + 13*time.Second) {
		quotes, err := p.LatestQuotes(context.Background(), symbols)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := quotes["NOPE"]; ok {
			t.Fatal("a quote for an unknown symbol")
		}
		if _, ok := quotes["TWTR"]; ok {
			t.Fatal("a quote for a delisted symbol")
		}
		for symbol, q := range quotes {
			a := bySymbol[symbol]
			if !q.Valid() || !q.BidPrice.LessThan(q.AskPrice) {
				t.Fatalf("%s at %s: crossed or empty quote %+v", symbol, at, q)
			}
			if !onGrid(q.BidPrice, priceStep(a, q.BidPrice)) || !onGrid(q.AskPrice, priceStep(a, q.AskPrice)) {
				t.Fatalf("%s at %s: quote off the tick %+v", symbol, at, q)
			}
			if !q.BidSize.IsPositive() || !q.AskSize.IsPositive() {
				t.Fatalf("%s at %s: sizes %s × %s", symbol, at, q.BidSize, q.AskSize)
			}
			if a.Class == market.USEquity {
				lot := decimal.NewFromInt(roundLot(q.Mid().InexactFloat64()))
				if !onGrid(q.BidSize, lot) || !onGrid(q.AskSize, lot) {
					t.Fatalf("%s at %s: sizes %s × %s are not round lots of %s", symbol, at, q.BidSize, q.AskSize, lot)
				}
			}
			if q.Symbol != symbol || q.Time.After(at) {
				t.Fatalf("%s at %s: quote %+v", symbol, at, q)
			}
		}
	}
}

func TestQuotesFollowSessions(t *testing.T) {
	t.Parallel()
	quoteAt := func(at time.Time, alwaysOpen bool, symbol string) market.Quote {
		t.Helper()
		p := New(Options{Seed: 8, AlwaysOpen: alwaysOpen, Now: fixedClock(at)})
		quotes, err := p.LatestQuotes(context.Background(), []string{symbol})
		if err != nil {
			t.Fatal(err)
		}
		return quotes[symbol]
	}
	saturday, sunday := et(t, 2026, time.March, 7, 11, 0), et(t, 2026, time.March, 8, 15, 0)
	fridayLast := et(t, 2026, time.March, 6, 20, 0).Add(-time.Second)

	t.Run("stocks stand still over the weekend", func(t *testing.T) {
		t.Parallel()
		sat, sun := quoteAt(saturday, false, "AAPL"), quoteAt(sunday, false, "AAPL")
		if !sat.Time.Equal(fridayLast) || !sun.Time.Equal(fridayLast) || !sat.BidPrice.Equal(sun.BidPrice) || !sat.AskPrice.Equal(sun.AskPrice) {
			t.Fatalf("Saturday %+v, Sunday %+v; want Friday's last after-hours quote (%s) both days", sat, sun, fridayLast)
		}
	})
	t.Run("crypto trades on Sunday", func(t *testing.T) {
		t.Parallel()
		q := quoteAt(sunday, false, "BTC/USD")
		if !q.Time.Equal(sunday) || !q.Valid() {
			t.Fatalf("quote %+v, want a live one at %s", q, sunday)
		}
		if q2 := quoteAt(sunday.Add(time.Hour), false, "BTC/USD"); q2.Mid().Equal(q.Mid()) {
			t.Fatalf("BTC did not move in an hour: %s", q.Mid())
		}
	})
	t.Run("always open moves stocks at the weekend", func(t *testing.T) {
		t.Parallel()
		q := quoteAt(sunday, true, "AAPL")
		if !q.Time.Equal(sunday) || !q.Valid() {
			t.Fatalf("quote %+v, want a live one at %s", q, sunday)
		}
	})
	t.Run("pre-market quotes are live and wider", func(t *testing.T) {
		t.Parallel()
		pre := et(t, 2026, time.March, 10, 5, 0)
		q := quoteAt(pre, false, "SPY")
		regular := quoteAt(et(t, 2026, time.March, 10, 12, 0), false, "SPY")
		if !q.Time.Equal(pre) {
			t.Fatalf("pre-market quote at %s, want %s", q.Time, pre)
		}
		if spread, normal := q.AskPrice.Sub(q.BidPrice), regular.AskPrice.Sub(regular.BidPrice); !spread.GreaterThan(normal) {
			t.Errorf("pre-market spread %s is not wider than the regular %s", spread, normal)
		}
	})
	t.Run("the overnight gap opens the session", func(t *testing.T) {
		t.Parallel()
		p := New(Options{Seed: 8, Now: later})
		friday := bars(t, p, "TSLA", market.Min1, et(t, 2026, time.March, 6, 0, 0), et(t, 2026, time.March, 7, 0, 0))
		monday := bars(t, p, "TSLA", market.Min1, et(t, 2026, time.March, 9, 0, 0), et(t, 2026, time.March, 10, 0, 0))
		if friday[len(friday)-1].Close.Equal(monday[0].Open) {
			t.Errorf("Monday opened exactly at Friday's close %s: no weekend gap", monday[0].Open)
		}
	})
}

func TestSnapshots(t *testing.T) {
	t.Parallel()
	now := et(t, 2026, time.March, 10, 10, 15).Add(20 * time.Second)
	p := New(Options{Seed: 12, Now: fixedClock(now)})
	snaps, err := p.Snapshots(context.Background(), []string{"AAPL", "ETH/USD", "NOPE", "ATVI"})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 2 {
		t.Fatalf("snapshots for %d symbols, want AAPL and ETH/USD", len(snaps))
	}
	quotes, err := p.LatestQuotes(context.Background(), []string{"AAPL", "ETH/USD"})
	if err != nil {
		t.Fatal(err)
	}
	for symbol, s := range snaps {
		if s.LatestQuote == nil || s.LatestTrade == nil || s.MinuteBar == nil || s.DailyBar == nil || s.PrevDailyBar == nil {
			t.Fatalf("%s: incomplete snapshot %+v", symbol, s)
		}
		if q := quotes[symbol]; !q.BidPrice.Equal(s.LatestQuote.BidPrice) || !q.Time.Equal(s.LatestQuote.Time) {
			t.Errorf("%s: snapshot quote %+v, latest quote %+v", symbol, s.LatestQuote, q)
		}
		if !s.MinuteBar.Start.Equal(et(t, 2026, time.March, 10, 10, 14)) {
			t.Errorf("%s: minute bar of %s, want the last finished minute", symbol, s.MinuteBar.Start)
		}
		if tr := s.LatestTrade; !tr.Size.IsPositive() || !tr.Price.IsPositive() || !tr.Time.Equal(now) {
			t.Errorf("%s: trade %+v", symbol, tr)
		}
		if !s.PrevDailyBar.Start.Before(s.DailyBar.Start) {
			t.Errorf("%s: previous daily bar %s not before %s", symbol, s.PrevDailyBar.Start, s.DailyBar.Start)
		}
	}
	if got := snaps["AAPL"].DailyBar.Start; !got.Equal(et(t, 2026, time.March, 10, 9, 30)) {
		t.Errorf("AAPL daily bar starts %s, want today's open", got)
	}
}

func TestSnapshotBeforeTheOpen(t *testing.T) {
	t.Parallel()
	// Monday before the pre-market: the latest is Friday's.
	now := et(t, 2026, time.March, 9, 3, 0)
	p := New(Options{Seed: 12, Now: fixedClock(now)})
	snaps, err := p.Snapshots(context.Background(), []string{"AAPL"})
	if err != nil {
		t.Fatal(err)
	}
	s := snaps["AAPL"]
	if s.MinuteBar == nil || !s.MinuteBar.Start.Equal(et(t, 2026, time.March, 6, 19, 59)) {
		t.Errorf("minute bar %+v, want Friday 19:59 ET", s.MinuteBar)
	}
	if s.DailyBar == nil || !s.DailyBar.Start.Equal(et(t, 2026, time.March, 6, 9, 30)) {
		t.Errorf("daily bar %+v, want Friday's", s.DailyBar)
	}
	if s.PrevDailyBar == nil || !s.PrevDailyBar.Start.Equal(et(t, 2026, time.March, 5, 9, 30)) {
		t.Errorf("previous daily bar %+v, want Thursday's", s.PrevDailyBar)
	}
}
