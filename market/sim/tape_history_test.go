package sim

import (
	"context"
	"slices"
	"testing"
	"time"

	"alpacawrapper/market"
)

// The historical tape is what the live stream published: the same quotes and prints at the same
// instants, whichever way and in whatever slices it is read.
func TestTapeHistoryEqualsLiveStream(t *testing.T) {
	t.Parallel()
	// Across a stock's close into after-hours, and a crypto pair's UTC midnight.
	cases := []struct {
		symbol   string
		from, to time.Time
		tape     string // Alpaca's z: AAPL is listed on Nasdaq (tape C); crypto has none
	}{
		{"AAPL", et(t, 2026, time.March, 10, 15, 59), et(t, 2026, time.March, 10, 16, 1), "C"},
		{"BTC/USD", time.Date(2026, 3, 10, 23, 59, 0, 0, time.UTC), time.Date(2026, 3, 11, 0, 1, 0, 0, time.UTC), ""},
	}
	for _, tc := range cases {
		t.Run(tc.symbol, func(t *testing.T) {
			t.Parallel()
			p := New(Options{Seed: 5, Now: fixedClock(tc.to.Add(time.Hour))})
			if err := p.Stream().SetSymbols(context.Background(), []string{tc.symbol}); err != nil {
				t.Fatal(err)
			}
			sink := &recorder{}
			// Ticks land off the grid, as a real ticker's do: the stream stamps the grid instant.
			drive(p.stream, sink, tc.from.Add(37*time.Millisecond), tc.to.Add(37*time.Millisecond))
			req := market.TicksRequest{Symbol: tc.symbol, Start: tc.from, End: tc.to, Limit: 100000}
			quotes, err := p.Quotes(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			trades, err := p.Trades(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if len(sink.quotes) < 100 || len(sink.trades) < 20 {
				t.Fatalf("the stream published %d quotes and %d prints: too few to compare", len(sink.quotes), len(sink.trades))
			}
			if len(quotes) != len(sink.quotes) || len(trades) != len(sink.trades) {
				t.Fatalf("history has %d quotes and %d prints, the stream published %d and %d",
					len(quotes), len(trades), len(sink.quotes), len(sink.trades))
			}
			for i := range quotes {
				if q, l := quotes[i], sink.quotes[i]; !q.Time.Equal(l.Time) || !q.BidPrice.Equal(l.BidPrice) || !q.AskSize.Equal(l.AskSize) ||
					q.Tape != tc.tape || l.Tape != tc.tape {
					t.Fatalf("quote %d: history %+v, live %+v", i, q, l)
				}
			}
			for i := range trades {
				if tr, l := trades[i], sink.trades[i]; tr.ID != l.ID || !tr.Price.Equal(l.Price) || !tr.Size.Equal(l.Size) ||
					tr.Tape != tc.tape || l.Tape != tc.tape {
					t.Fatalf("print %d: history %+v, live %+v", i, tr, l)
				}
			}

			// Newest first is the same tape reversed; a limit cuts it short.
			desc := req
			desc.Desc, desc.Limit = true, 10
			last, err := p.Quotes(context.Background(), desc)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(quotes[len(quotes)-10:])
			slices.Reverse(want)
			for i := range want {
				if !last[i].Time.Equal(want[i].Time) {
					t.Fatalf("descending quote %d at %v, want %v", i, last[i].Time, want[i].Time)
				}
			}
		})
	}
}

func TestTapeHistoryBounds(t *testing.T) {
	t.Parallel()
	now := et(t, 2026, time.March, 10, 11, 0)
	p := New(Options{Seed: 5, Now: fixedClock(now)})
	ctx := context.Background()

	// Nothing after now, nothing while the stock market is shut, nothing for unknown symbols.
	future, err := p.Trades(ctx, market.TicksRequest{Symbol: "AAPL", Start: now, End: now.Add(time.Hour), Limit: 10})
	if err != nil || len(future) != 0 {
		t.Errorf("future prints: %d, %v", len(future), err)
	}
	night, err := p.Quotes(ctx, market.TicksRequest{Symbol: "AAPL", Start: et(t, 2026, time.March, 10, 1, 0), End: et(t, 2026, time.March, 10, 3, 59), Limit: 10})
	if err != nil || len(night) != 0 {
		t.Errorf("quotes at night: %d, %v", len(night), err)
	}
	if q, err := p.Quotes(ctx, market.TicksRequest{Symbol: "NOPE", Start: now.Add(-time.Hour), End: now, Limit: 10}); err != nil || len(q) != 0 {
		t.Errorf("unknown symbol: %d, %v", len(q), err)
	}
	if _, err := p.Quotes(ctx, market.TicksRequest{Symbol: "AAPL", Start: now.Add(-time.Hour), End: now}); err == nil {
		t.Error("no limit: want an error")
	}
	// A range over a weekend and the calendar's first years finds the next session's tape.
	weekend, err := p.Quotes(ctx, market.TicksRequest{Symbol: "AAPL", Start: et(t, 2026, time.March, 7, 0, 0), End: now, Limit: 3})
	monday := et(t, 2026, time.March, 9, 4, 0) // the pre-market opens
	if err != nil || len(weekend) != 3 || weekend[0].Time.Before(monday) || !weekend[0].Time.Before(monday.Add(time.Minute)) {
		t.Errorf("from the weekend: %+v, %v", weekend, err)
	}
	early, err := p.Trades(ctx, market.TicksRequest{Symbol: "SPY", Start: time.Time{}, End: now, Limit: 1})
	if err != nil || len(early) != 1 || early[0].Time.Year() != firstCalendarYear {
		t.Errorf("from the beginning of time: %+v, %v", early, err)
	}
}

func TestTestMarketTradesFakepacaAroundTheClock(t *testing.T) {
	t.Parallel()
	sunday := time.Date(2026, 3, 8, 3, 0, 0, 0, time.UTC) // a Saturday night in New York
	p := NewTestMarket(Options{Seed: 1, Now: fixedClock(sunday.Add(time.Minute))})
	if err := p.Stream().SetSymbols(context.Background(), []string{TestSymbol, "AAPL"}); err != nil {
		t.Fatal(err)
	}
	sink := &recorder{}
	drive(p.stream, sink, sunday, sunday.Add(90*time.Second))
	if len(sink.quotes) < 60 || len(sink.trades) == 0 || len(sink.bars) == 0 {
		t.Fatalf("%d quotes, %d prints, %d bars: want a busy tape", len(sink.quotes), len(sink.trades), len(sink.bars))
	}
	for _, q := range sink.quotes {
		if q.Symbol != TestSymbol || !q.Valid() {
			t.Fatalf("quote %+v", q)
		}
	}
	if q, _ := p.LatestQuotes(context.Background(), []string{"AAPL"}); len(q) != 0 {
		t.Errorf("the test market knows AAPL: %+v", q)
	}
}

// benchmarkTicks draws a full page (10,000) of one symbol's historical quotes or prints; the
// baseline is 10,000 of its minute bars from Bars, the history the tape stands beside.
func benchmarkTicks(b *testing.B, symbol string, what string) {
	p := New(Options{Seed: 7, Now: benchNow})
	start := benchNow().Add(-10 * 24 * time.Hour)
	req := market.TicksRequest{Symbol: symbol, Start: start, End: benchNow(), Limit: 10000}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		var err error
		switch what {
		case "quotes":
			var q []market.Quote
			q, err = p.Quotes(context.Background(), req)
			n = len(q)
		case "trades":
			var t []market.Trade
			t, err = p.Trades(context.Background(), req)
			n = len(t)
		default:
			var bars []market.Bar
			bars, err = p.Bars(context.Background(), market.BarsRequest{Symbol: symbol, Timeframe: market.Min1, Start: start, End: benchNow()})
			n = min(len(bars), 10000)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "items/op")
}

// BenchmarkTapeQuotesPageStock draws 10,000 historical AAPL quotes.
func BenchmarkTapeQuotesPageStock(b *testing.B) { benchmarkTicks(b, "AAPL", "quotes") }

// BenchmarkTapeTradesPageStock draws 10,000 historical AAPL prints.
func BenchmarkTapeTradesPageStock(b *testing.B) { benchmarkTicks(b, "AAPL", "trades") }

// BenchmarkTapeQuotesPageCrypto draws 10,000 historical BTC/USD quotes.
func BenchmarkTapeQuotesPageCrypto(b *testing.B) { benchmarkTicks(b, "BTC/USD", "quotes") }

// BenchmarkTapeBarsBaseline is ten days of AAPL's minute bars (about 10,000): the baseline.
func BenchmarkTapeBarsBaseline(b *testing.B) { benchmarkTicks(b, "AAPL", "bars") }
