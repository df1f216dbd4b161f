package sim

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// later is a clock stopped long after every instant the history tests ask about.
func later() time.Time { return time.Date(2027, time.June, 1, 0, 0, 0, 0, time.UTC) }

func bars(t *testing.T, p *Provider, symbol string, tf market.Timeframe, start, end time.Time) []market.Bar {
	t.Helper()
	got, err := p.Bars(context.Background(), market.BarsRequest{Symbol: symbol, Timeframe: tf, Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(got); i++ {
		if !got[i].Start.After(got[i-1].Start) {
			t.Fatalf("bars out of order at %d: %s then %s", i, got[i-1].Start, got[i].Start)
		}
	}
	for _, b := range got {
		if b.Start.Before(start) || !b.Start.Before(end) {
			t.Fatalf("bar at %s outside [%s, %s)", b.Start, start, end)
		}
		if b.Symbol != symbol {
			t.Fatalf("bar of %s in a request for %s", b.Symbol, symbol)
		}
	}
	return got
}

func TestBarsDeterministic(t *testing.T) {
	t.Parallel()
	start, end := et(t, 2026, time.March, 5, 0, 0), et(t, 2026, time.March, 11, 0, 0)
	for _, symbol := range []string{"AAPL", "ETH/USD"} {
		for _, tf := range []market.Timeframe{market.Min1, market.Day1} {
			a := bars(t, New(Options{Seed: 42, Now: later}), symbol, tf, start, end)
			b := bars(t, New(Options{Seed: 42, Now: later}), symbol, tf, start, end)
			c := bars(t, New(Options{Seed: 43, Now: later}), symbol, tf, start, end)
			if len(a) == 0 || len(a) != len(b) || len(a) != len(c) {
				t.Fatalf("%s %s: %d, %d and %d bars", symbol, tf, len(a), len(b), len(c))
			}
			differ := 0
			for i := range a {
				if diff := sameBar(a[i], b[i]); diff != "" {
					t.Fatalf("%s %s: same seed, different bar %d: %s", symbol, tf, i, diff)
				}
				if sameBar(a[i], c[i]) != "" {
					differ++
				}
			}
			if differ < len(a)*9/10 {
				t.Errorf("%s %s: another seed changed only %d of %d bars", symbol, tf, differ, len(a))
			}
		}
	}
}

func TestBarsWellFormed(t *testing.T) {
	t.Parallel()
	p := New(Options{Seed: 3, Now: later})
	assets, err := p.Assets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	start := et(t, 2026, time.March, 9, 0, 0)
	for _, a := range assets {
		if !a.Active {
			continue
		}
		minutes := bars(t, p, a.Symbol, market.Min1, start, start.Add(24*time.Hour))
		if len(minutes) == 0 {
			t.Fatalf("%s: no bars on a trading day", a.Symbol)
		}
		for _, b := range minutes {
			checkBar(t, a, b)
		}
		for i := 1; i < len(minutes); i++ {
			if !minutes[i].Open.Equal(minutes[i-1].Close) {
				t.Fatalf("%s: bar %s opens at %s, the bar before closed at %s", a.Symbol, minutes[i].Start, minutes[i].Open, minutes[i-1].Close)
			}
		}
		for _, b := range bars(t, p, a.Symbol, market.Day1, start.AddDate(0, 0, -30), start) {
			checkBar(t, a, b)
		}
		if a.Class == market.USEquity && !minutes[0].Volume.Equal(minutes[0].Volume.Truncate(0)) {
			t.Errorf("%s: fractional share volume %s", a.Symbol, minutes[0].Volume)
		}
	}
}

func TestBarsStockSessions(t *testing.T) {
	t.Parallel()
	p := New(Options{Seed: 5, Now: later})
	day := func(y int, m time.Month, d int) (time.Time, time.Time) {
		return et(t, y, m, d, 0, 0), et(t, y, m, d+1, 0, 0)
	}
	tests := []struct {
		name        string
		y           int
		m           time.Month
		d           int
		minutes     int
		first, last time.Time // starts of the first and last minute bars
	}{
		{"ordinary day", 2026, time.March, 10, 960, et(t, 2026, time.March, 10, 4, 0), et(t, 2026, time.March, 10, 19, 59)},
		{"first day of summer time", 2026, time.March, 9, 960, time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 23, 59, 0, 0, time.UTC)},
		{"last Friday of winter time", 2026, time.March, 6, 960, time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 7, 0, 59, 0, 0, time.UTC)},
		{"early close", 2026, time.November, 27, 780, et(t, 2026, time.November, 27, 4, 0), et(t, 2026, time.November, 27, 16, 59)},
		{"Good Friday", 2026, time.April, 3, 0, time.Time{}, time.Time{}},
		{"observed Independence Day", 2026, time.July, 3, 0, time.Time{}, time.Time{}},
		{"Saturday", 2026, time.March, 7, 0, time.Time{}, time.Time{}},
		{"Sunday", 2026, time.March, 8, 0, time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			from, to := day(tt.y, tt.m, tt.d)
			got := bars(t, p, "MSFT", market.Min1, from, to)
			if len(got) != tt.minutes {
				t.Fatalf("%d minute bars, want %d", len(got), tt.minutes)
			}
			daily := bars(t, p, "MSFT", market.Day1, from, to)
			if tt.minutes == 0 {
				if len(daily) != 0 {
					t.Fatalf("a daily bar on a closed day: %+v", daily)
				}
				return
			}
			if !got[0].Start.Equal(tt.first) || !got[len(got)-1].Start.Equal(tt.last) {
				t.Errorf("minutes run %s – %s, want %s – %s", got[0].Start, got[len(got)-1].Start, tt.first, tt.last)
			}
			if len(daily) != 1 {
				t.Fatalf("%d daily bars, want 1", len(daily))
			}
			// The daily bar is the regular session's minutes, starting at the open.
			days, _ := p.Calendar(context.Background(), from, from)
			var regular []market.Bar
			for _, b := range got {
				if !b.Start.Before(days[0].Open) && b.Start.Before(days[0].Close) {
					regular = append(regular, b)
				}
			}
			if diff := sameBar(daily[0], aggregate(regular, days[0].Open)); diff != "" {
				t.Errorf("daily bar differs from its minutes: %s", diff)
			}
		})
	}
}

// aggregate builds the daily bar of minute bars the way a consumer would.
func aggregate(minutes []market.Bar, start time.Time) market.Bar {
	// The simulator rounds the daily VWAP to its grid (four places for stocks, two more than the
	// price increment for crypto); compare at that precision.
	places := int32(4)
	if market.ClassOf(minutes[0].Symbol) == market.Crypto {
		places = 0
		for _, b := range minutes {
			places = max(places, -b.VWAP.Exponent())
		}
	}
	out := minutes[0]
	out.Start = start
	weighted := decimal.Zero
	out.Volume, out.TradeCount = decimal.Zero, 0
	for _, b := range minutes {
		out.High = decimal.Max(out.High, b.High)
		out.Low = decimal.Min(out.Low, b.Low)
		out.Close = b.Close
		out.Volume = out.Volume.Add(b.Volume)
		out.TradeCount += b.TradeCount
		weighted = weighted.Add(b.VWAP.Mul(b.Volume))
	}
	out.VWAP = weighted.Div(out.Volume).Round(places)
	return out
}

func TestBarsCryptoTradesEveryDay(t *testing.T) {
	t.Parallel()
	p := New(Options{Seed: 5, Now: later})
	sunday := time.Date(2026, time.April, 5, 0, 0, 0, 0, time.UTC) // Easter Sunday
	got := bars(t, p, "BTC/USD", market.Min1, sunday, sunday.Add(24*time.Hour))
	if len(got) != 1440 {
		t.Fatalf("%d minute bars on a Sunday, want 1440", len(got))
	}
	daily := bars(t, p, "BTC/USD", market.Day1, sunday.Add(-48*time.Hour), sunday.Add(24*time.Hour))
	if len(daily) != 3 || !daily[2].Start.Equal(sunday) {
		t.Fatalf("daily bars %v, want three ending with the UTC day of %s", daily, sunday)
	}
	if diff := sameBar(daily[2], aggregate(got, sunday)); diff != "" {
		t.Errorf("daily bar differs from its minutes: %s", diff)
	}
	if !daily[1].Close.Equal(daily[2].Open) {
		t.Errorf("Saturday closed at %s but Sunday opened at %s", daily[1].Close, daily[2].Open)
	}
}

func TestBarsAlwaysOpen(t *testing.T) {
	t.Parallel()
	p := New(Options{Seed: 5, AlwaysOpen: true, Now: later})
	got := bars(t, p, "AAPL", market.Min1, et(t, 2026, time.March, 7, 0, 0), et(t, 2026, time.March, 9, 0, 0))
	if want := 1440 + 1380; len(got) != want { // Saturday, and Sunday's 23 hours
		t.Fatalf("%d minute bars over the weekend, want %d", len(got), want)
	}
	daily := bars(t, p, "AAPL", market.Day1, et(t, 2026, time.March, 7, 0, 0), et(t, 2026, time.March, 9, 0, 0))
	if len(daily) != 2 || !daily[0].Start.Equal(et(t, 2026, time.March, 7, 0, 0)) {
		t.Fatalf("daily bars %v, want Saturday's and Sunday's from New York midnight", daily)
	}
}

func TestBarsWindow(t *testing.T) {
	t.Parallel()
	now := et(t, 2026, time.March, 10, 11, 0).Add(30 * time.Second)
	p := New(Options{Seed: 9, Now: fixedClock(now)})

	t.Run("only finished minutes", func(t *testing.T) {
		t.Parallel()
		got := bars(t, p, "AAPL", market.Min1, now.Add(-10*time.Minute), now.Add(time.Hour))
		if last := got[len(got)-1].Start; !last.Equal(et(t, 2026, time.March, 10, 10, 59)) {
			t.Fatalf("last bar starts %s, want 10:59 ET (11:00 is not over at 11:00:30)", last)
		}
	})
	t.Run("a start inside a minute begins with the next one", func(t *testing.T) {
		t.Parallel()
		got := bars(t, p, "AAPL", market.Min1, et(t, 2026, time.March, 10, 10, 0).Add(time.Second), et(t, 2026, time.March, 10, 10, 5))
		if len(got) != 4 || !got[0].Start.Equal(et(t, 2026, time.March, 10, 10, 1)) {
			t.Fatalf("got %d bars from %v, want 4 from 10:01 ET", len(got), got)
		}
	})
	t.Run("today's daily bar is partial", func(t *testing.T) {
		t.Parallel()
		daily := bars(t, p, "AAPL", market.Day1, et(t, 2026, time.March, 10, 0, 0), et(t, 2026, time.March, 11, 0, 0))
		regular := bars(t, p, "AAPL", market.Min1, et(t, 2026, time.March, 10, 9, 30), now)
		if len(daily) != 1 || len(regular) != 90 {
			t.Fatalf("%d daily bars and %d regular minutes, want 1 and 90", len(daily), len(regular))
		}
		if diff := sameBar(daily[0], aggregate(regular, et(t, 2026, time.March, 10, 9, 30))); diff != "" {
			t.Errorf("partial daily bar differs from its minutes: %s", diff)
		}
	})
	t.Run("nothing in the future", func(t *testing.T) {
		t.Parallel()
		if got := bars(t, p, "BTC/USD", market.Min1, now.Add(time.Minute), now.Add(time.Hour)); len(got) != 0 {
			t.Fatalf("%d bars from the future", len(got))
		}
	})
	t.Run("unknown and delisted symbols have none", func(t *testing.T) {
		t.Parallel()
		for _, symbol := range []string{"NOPE", "TWTR"} {
			if got := bars(t, p, symbol, market.Min1, now.Add(-time.Hour), now); len(got) != 0 {
				t.Errorf("%s: %d bars", symbol, len(got))
			}
		}
	})
	t.Run("coarser timeframes are refused", func(t *testing.T) {
		t.Parallel()
		_, err := p.Bars(context.Background(), market.BarsRequest{Symbol: "AAPL", Timeframe: market.Hour1, Start: now.Add(-time.Hour), End: now})
		if err == nil || !strings.HasPrefix(err.Error(), "sim: ") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("decades of minutes are refused", func(t *testing.T) {
		t.Parallel()
		_, err := p.Bars(context.Background(), market.BarsRequest{Symbol: "AAPL", Timeframe: market.Min1, Start: now.AddDate(-20, 0, 0), End: now})
		if err == nil {
			t.Fatal("no error")
		}
	})
}

func TestBarsMatchLatestData(t *testing.T) {
	t.Parallel()
	// A history read and a snapshot taken at the same instant tell the same story.
	now := et(t, 2026, time.March, 10, 14, 7).Add(12 * time.Second)
	p := New(Options{Seed: 11, Now: fixedClock(now)})
	snaps, err := p.Snapshots(context.Background(), []string{"NVDA", "SOL/USD"})
	if err != nil {
		t.Fatal(err)
	}
	for symbol, s := range snaps {
		minute := bars(t, p, symbol, market.Min1, now.Add(-2*time.Minute), now)
		if s.MinuteBar == nil || sameBar(*s.MinuteBar, minute[len(minute)-1]) != "" {
			t.Errorf("%s: snapshot minute bar %+v, history's last %+v", symbol, s.MinuteBar, minute[len(minute)-1])
		}
		daily := bars(t, p, symbol, market.Day1, now.AddDate(0, 0, -5), now)
		if s.DailyBar == nil || sameBar(*s.DailyBar, daily[len(daily)-1]) != "" {
			t.Errorf("%s: snapshot daily bar %+v, history's last %+v", symbol, s.DailyBar, daily[len(daily)-1])
		}
		if s.PrevDailyBar == nil || sameBar(*s.PrevDailyBar, daily[len(daily)-2]) != "" {
			t.Errorf("%s: snapshot previous daily bar %+v, history's %+v", symbol, s.PrevDailyBar, daily[len(daily)-2])
		}
	}
}
