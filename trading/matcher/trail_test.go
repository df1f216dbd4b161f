package matcher_test

import (
	"slices"
	"testing"

	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// trailStep is one quote and what the trailing stop looks like after it ("" is zero).
type trailStep struct {
	bid, ask string
	open     bool
	hit      bool
	wm, stop string
}

func TestTrailingStops(t *testing.T) {
	t.Parallel()
	cryptoTrail := trailing(fill.Sell, "", "1.5", "", "")
	cryptoTrail.PriceIncrement = dec("0.5")
	cases := []struct {
		name  string
		entry matcher.Entry
		steps []trailStep
	}{
		{"sell by price follows the bid up, never down, and triggers at its stop", stock(1, trailing(fill.Sell, "1.00", "", "", "")), []trailStep{
			{"100.00", "100.10", true, false, "100.00", "99.00"},
			{"100.50", "100.60", true, false, "100.50", "99.50"},
			{"100.20", "100.30", true, false, "100.50", "99.50"},
			{"99.51", "99.70", true, false, "100.50", "99.50"},
			{"99.50", "99.60", true, true, "100.50", "99.50"},
		}},
		{"buy by price follows the ask down", stock(1, trailing(fill.Buy, "0.50", "", "", "")), []trailStep{
			{"100.00", "100.10", true, false, "100.10", "100.60"},
			{"99.70", "99.80", true, false, "99.80", "100.30"},
			{"99.90", "100.00", true, false, "99.80", "100.30"},
			{"100.20", "100.30", true, true, "99.80", "100.30"},
		}},
		{"sell by percent", stock(1, trailing(fill.Sell, "", "5", "", "")), []trailStep{
			{"101.37", "101.40", true, false, "101.37", "96.30"},
			{"103.00", "103.05", true, false, "103.00", "97.85"},
			{"97.86", "97.90", true, false, "103.00", "97.85"},
			{"97.85", "97.90", true, true, "103.00", "97.85"},
		}},
		{"buy by percent from a stored state", stock(1, trailing(fill.Buy, "", "2", "50.00", "51.00")), []trailStep{
			{"49.00", "49.50", true, false, "49.50", "50.49"},
			{"49.90", "50.00", true, false, "49.50", "50.49"},
			{"50.40", "50.49", true, true, "49.50", "50.49"},
		}},
		{"a widened trail keeps its tighter stop", stock(1, trailing(fill.Sell, "2", "", "100", "99")), []trailStep{
			{"100.50", "100.60", true, false, "100.50", "99"},
			{"101.10", "101.20", true, false, "101.10", "99.10"},
		}},
		{"a gap through the stop triggers without moving", stock(1, trailing(fill.Sell, "1", "", "101", "100")), []trailStep{
			{"98.00", "98.10", true, true, "101", "100"},
		}},
		{"a stock's trailing stop neither starts, moves nor triggers outside the session", stock(1, trailing(fill.Sell, "1", "", "", "")), []trailStep{
			{"100.00", "100.10", false, false, "", ""},
			{"101.00", "101.10", false, false, "", ""},
			{"100.00", "100.10", true, false, "100.00", "99.00"},
			{"105.00", "105.10", false, false, "100.00", "99.00"},
			{"98.00", "98.10", false, false, "100.00", "99.00"},
			{"98.00", "98.10", true, true, "100.00", "99.00"},
		}},
		{"a crypto trailing stop moves and triggers at any time", matcher.Entry{OrderID: id(1), Symbol: "BTC/USD", Crypto: true, Order: cryptoTrail}, []trailStep{
			{"60000.37", "60001", false, false, "60000.37", "59100.5"},
			{"61000", "61001", false, false, "61000", "60085"},
			{"60085.1", "60086", false, false, "61000", "60085"},
			{"60085", "60086", true, true, "61000", "60085"},
		}},
		{"below a dollar the stop has four decimals", stock(1, trailing(fill.Sell, "", "3", "", "")), []trailStep{
			{"0.5123", "0.5130", true, false, "0.5123", "0.4969"},
			{"0.6", "0.61", true, false, "0.6", "0.5820"},
		}},
		{"prices beyond nine decimals take the decimal path and back", stock(1, trailing(fill.Sell, "1", "", "100", "99")), []trailStep{
			{"100.0000000001", "100.10", true, false, "100.0000000001", "99"},
			{"100.50", "100.60", true, false, "100.50", "99.50"},
			{"99.5000000001", "99.60", true, false, "100.50", "99.50"},
			{"99.50", "99.60", true, true, "100.50", "99.50"},
		}},
		{"a percent with six decimals takes the decimal path", stock(1, trailing(fill.Sell, "", "2.123456", "", "")), []trailStep{
			{"123.45", "123.50", true, false, "123.45", "120.83"},
			{"130", "130.10", true, false, "130", "127.24"},
			{"127.24", "127.30", true, true, "130", "127.24"},
		}},
		{"quotes the fill model refuses change nothing", stock(1, trailing(fill.Sell, "1", "", "", "")), []trailStep{
			{"", "100.10", true, false, "", ""},
			{"100.20", "100.10", true, false, "", ""},
			{"100.00", "100.10", true, false, "100.00", "99.00"},
			{"101.00", "", true, false, "100.00", "99.00"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			x := matcher.NewIndex()
			x.Upsert(c.entry)
			for i, s := range c.steps {
				q := quote(c.entry.Symbol, s.bid, s.ask)
				before := mustGet(t, x, 1)
				d := fill.Evaluate(before.Order, q, q.Time, session(c.entry, s.open), c.entry.Realism)
				got := x.Candidates(q, t0, s.open, nil)
				after := mustGet(t, x, 1)
				if hit := len(got) == 1; hit != s.hit || len(got) > 1 {
					t.Fatalf("step %d: %d candidates, want hit = %v", i, len(got), s.hit)
				}
				if s.hit != (d.Action == fill.Execute) {
					t.Fatalf("step %d: fill.Evaluate says %s (%s)", i, d.Action, d.Detail)
				}
				checkState(t, i, "after the quote", after.Order, s.wm, s.stop)
				checkState(t, i, "fill.Evaluate", fill.Order{WaterMark: d.Trail.WaterMark, StopPrice: d.Trail.Stop}, s.wm, s.stop)
				if s.hit {
					checkState(t, i, "the candidate", got[0].Order, s.wm, s.stop)
				}
			}
		})
	}
}

func checkState(t *testing.T, step int, what string, o fill.Order, wm, stop string) {
	t.Helper()
	want := func(s string) decimal.Decimal {
		if s == "" {
			return decimal.Zero
		}
		return dec(s)
	}
	if !o.WaterMark.Equal(want(wm)) || !o.StopPrice.Equal(want(stop)) {
		t.Fatalf("step %d, %s: water mark %s stop %s, want %q %q", step, what, o.WaterMark, o.StopPrice, wm, stop)
	}
}

// TestTrailingStopDigits checks that a stop moved in integers is reported as fill writes it.
func TestTrailingStopDigits(t *testing.T) {
	t.Parallel()
	x := matcher.NewIndex()
	x.Upsert(stock(1, trailing(fill.Sell, "", "5", "", "")))
	x.Candidates(quote("AAPL", "101.37", "101.40"), t0, true, nil)
	got := mustGet(t, x, 1).Order.StopPrice
	want := fill.TrailStop(trailing(fill.Sell, "", "5", "", ""), dec("101.37"))
	if got.Exponent() != want.Exponent() || got.String() != want.String() {
		t.Fatalf("stop %s (exponent %d), fill.TrailStop %s (exponent %d)", got, got.Exponent(), want, want.Exponent())
	}
}

func TestDrainTrailChanges(t *testing.T) {
	t.Parallel()
	x := matcher.NewIndex()
	x.Upsert(stock(1, trailing(fill.Sell, "1", "", "", "")))              // fresh: starts on the first quote
	x.Upsert(stock(2, trailing(fill.Buy, "0.5", "", "100.10", "100.60"))) // already at this quote
	x.Upsert(stock(3, limit(fill.Buy, "90")))
	x.Upsert(matcher.Entry{OrderID: id(4), Symbol: "MSFT", Order: trailing(fill.Sell, "1", "", "", "")})

	drain := func() []matcher.Entry { return x.DrainTrailChanges(nil) }
	wantIDs := func(step string, got []matcher.Entry, want ...int) {
		t.Helper()
		var w []uuid.UUID
		for _, n := range want {
			w = append(w, id(n))
		}
		if g := ids(got); !slices.Equal(g, w) {
			t.Fatalf("%s: drained %v, want %v", step, g, w)
		}
		for _, e := range got {
			now := mustGet(t, x, int(e.OrderID[3]))
			if !e.Order.WaterMark.Equal(now.Order.WaterMark) || !e.Order.StopPrice.Equal(now.Order.StopPrice) {
				t.Fatalf("%s: drained state %s/%s, index holds %s/%s", step, e.Order.WaterMark, e.Order.StopPrice, now.Order.WaterMark, now.Order.StopPrice)
			}
		}
	}

	wantIDs("nothing yet", drain())
	x.Candidates(usual(), t0, true, nil)
	wantIDs("first quote", drain(), 1)
	wantIDs("drained twice", drain())
	x.Candidates(usual(), t0, true, nil)
	wantIDs("same quote again", drain())
	x.Candidates(quote("AAPL", "100.50", "100.60"), t0, true, nil) // 1 moves up
	x.Candidates(quote("AAPL", "100.60", "100.70"), t0, true, nil) // and again: reported once
	x.Candidates(quote("MSFT", "50", "50.01"), t0, true, nil)      // 4 starts
	wantIDs("two symbols", drain(), 1, 4)
	if e := mustGet(t, x, 1); !e.Order.WaterMark.Equal(dec("100.60")) || !e.Order.StopPrice.Equal(dec("99.60")) {
		t.Fatalf("order 1: %s/%s", e.Order.WaterMark, e.Order.StopPrice)
	}
	x.Candidates(quote("AAPL", "99.90", "100.00"), t0, true, nil) // 2 moves down
	x.Candidates(quote("AAPL", "101", "101.01"), t0, true, nil)   // 1 moves up
	x.Remove(id(1))
	x.Upsert(stock(2, trailing(fill.Buy, "0.5", "", "100.00", "100.50"))) // the caller's state wins
	wantIDs("removed and replaced", drain())
	if e := mustGet(t, x, 2); !e.Order.WaterMark.Equal(dec("100.00")) {
		t.Fatalf("replaced order 2 has water mark %s", e.Order.WaterMark)
	}
	x.Candidates(quote("AAPL", "99.80", "99.90"), t0, true, nil)
	wantIDs("after the replacement", drain(), 2)
}
