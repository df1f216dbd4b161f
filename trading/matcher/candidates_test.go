package matcher_test

import (
	"slices"
	"testing"

	"alpacawrapper/market"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"

	"github.com/google/uuid"
)

type candidateCase struct {
	name  string
	entry matcher.Entry
	quote market.Quote // usual() when zero
	open  bool
	want  bool
}

// candidateCases are one order each against 100.00 / 100.10 unless said otherwise.
func candidateCases() []candidateCase {
	open, closed := true, false
	cases := []candidateCase{
		// Limits: inclusive whatever the realism.
		{name: "buy limit touched by the ask", entry: stock(0, limit(fill.Buy, "100.10")), open: open, want: true},
		{name: "buy limit crossed by the ask", entry: stock(0, limit(fill.Buy, "100.20")), open: open, want: true},
		{name: "buy limit not reached", entry: stock(0, limit(fill.Buy, "100.09")), open: open},
		{name: "buy limit at the bid is not reached", entry: stock(0, limit(fill.Buy, "100.00")), open: open},
		{name: "sell limit touched by the bid", entry: stock(0, limit(fill.Sell, "100.00")), open: open, want: true},
		{name: "sell limit crossed by the bid", entry: stock(0, limit(fill.Sell, "99.90")), open: open, want: true},
		{name: "sell limit not reached", entry: stock(0, limit(fill.Sell, "100.01")), open: open},
		{name: "through-realism limit on a touch is still a candidate", entry: func() matcher.Entry {
			e := stock(0, limit(fill.Buy, "100.10"))
			e.Realism = fill.Harsh()
			return e
		}(), open: open, want: true},
		{name: "buy limit priced beyond nine decimals, touched", entry: stock(0, limit(fill.Buy, "100.0999999999")), quote: quote("AAPL", "100.00", "100.0999999999"), open: open, want: true},
		{name: "buy limit a tenth of a nano below the ask is a harmless false positive", entry: stock(0, limit(fill.Buy, "100.0999999999")), quote: quote("AAPL", "100.00", "100.09999999991"), open: open, want: true},
		// Stops trigger on the side they execute against.
		{name: "buy stop reached by the ask", entry: stock(0, stop(fill.Buy, "100.10")), open: open, want: true},
		{name: "buy stop below the ask", entry: stock(0, stop(fill.Buy, "100.00")), open: open, want: true},
		{name: "buy stop not reached", entry: stock(0, stop(fill.Buy, "100.11")), open: open},
		{name: "sell stop reached by the bid", entry: stock(0, stop(fill.Sell, "100.00")), open: open, want: true},
		{name: "sell stop above the bid", entry: stock(0, stop(fill.Sell, "100.05")), open: open, want: true},
		{name: "sell stop not reached", entry: stock(0, stop(fill.Sell, "99.99")), open: open},
		{name: "triggered stop executes as market", entry: stock(0, triggered(stop(fill.Buy, "200"))), open: open, want: true},
		// Stop-limits: by the stop until triggered, then by the limit.
		{name: "buy stop-limit reached, limit not", entry: stock(0, stopLimit(fill.Buy, "100.10", "100.05")), open: open, want: true},
		{name: "buy stop-limit not reached, limit marketable", entry: stock(0, stopLimit(fill.Buy, "100.11", "101")), open: open},
		{name: "sell stop-limit reached", entry: stock(0, stopLimit(fill.Sell, "100.00", "99.50")), open: open, want: true},
		{name: "sell stop-limit not reached", entry: stock(0, stopLimit(fill.Sell, "99.99", "99")), open: open},
		{name: "triggered buy stop-limit touched", entry: stock(0, triggered(stopLimit(fill.Buy, "90", "100.10"))), open: open, want: true},
		{name: "triggered buy stop-limit not marketable although its stop is", entry: stock(0, triggered(stopLimit(fill.Buy, "90", "100.09"))), open: open},
		{name: "triggered sell stop-limit touched", entry: stock(0, triggered(stopLimit(fill.Sell, "110", "100.00"))), open: open, want: true},
		{name: "triggered sell stop-limit not marketable", entry: stock(0, triggered(stopLimit(fill.Sell, "110", "100.01"))), open: open},
		// Market orders and auction/immediate orders that must meet the first usable quote.
		{name: "market buy", entry: stock(0, marketOrder(fill.Buy)), open: open, want: true},
		{name: "market sell", entry: stock(0, marketOrder(fill.Sell)), open: open, want: true},
		{name: "opg limit not marketable is evaluated (and cancelled) at the open", entry: stock(0, withTIF(limit(fill.Buy, "90"), fill.OPG)), open: open, want: true},
		{name: "ioc limit queued while closed meets the open", entry: stock(0, withTIF(limit(fill.Buy, "90"), fill.IOC)), open: open, want: true},
		{name: "fok market", entry: stock(0, withTIF(marketOrder(fill.Sell), fill.FOK)), open: open, want: true},
		{name: "cls is the closing job's", entry: stock(0, withTIF(marketOrder(fill.Buy), fill.CLS)), open: open},
		{name: "invalid limit goes to the caller, which rejects it", entry: stock(0, order(fill.Buy, fill.Limit)), open: open, want: true},
		// Trailing stops with a state.
		{name: "sell trailing at its stop", entry: stock(0, trailing(fill.Sell, "1", "", "101", "100.00")), open: open, want: true},
		{name: "sell trailing above its stop", entry: stock(0, trailing(fill.Sell, "1", "", "100.5", "99.50")), open: open},
		{name: "buy trailing at its stop", entry: stock(0, trailing(fill.Buy, "0.5", "", "99.60", "100.10")), open: open, want: true},
		{name: "buy trailing below its stop", entry: stock(0, trailing(fill.Buy, "0.5", "", "99.61", "100.11")), open: open},
		{name: "triggered trailing executes as market", entry: stock(0, triggered(trailing(fill.Sell, "1", "", "120", "119"))), open: open, want: true},
		// Outside the regular session.
		{name: "closed: marketable regular-hours limit waits", entry: stock(0, limit(fill.Buy, "101")), open: closed},
		{name: "closed: market order waits", entry: stock(0, marketOrder(fill.Buy)), open: closed},
		{name: "closed: reached stop waits", entry: stock(0, stop(fill.Sell, "100.05")), open: closed},
		{name: "closed: opg waits", entry: stock(0, withTIF(marketOrder(fill.Buy), fill.OPG)), open: closed},
		{name: "closed: extended-hours limit marketable", entry: stock(0, extended(limit(fill.Sell, "100.00"))), open: closed, want: true},
		{name: "closed: extended-hours limit not marketable", entry: stock(0, extended(limit(fill.Sell, "100.01"))), open: closed},
		{name: "closed: an extended-hours stop is not an extended-hours order", entry: stock(0, extended(stop(fill.Sell, "100.05"))), open: closed},
		{name: "closed: triggered extended-hours stop-limit waits", entry: stock(0, extended(triggered(stopLimit(fill.Buy, "90", "101")))), open: closed},
		{name: "open: extended-hours limit marketable", entry: stock(0, extended(limit(fill.Buy, "100.10"))), open: open, want: true},
		{name: "crypto market ignores closed", entry: crypto(0, marketOrder(fill.Buy)), quote: quote("BTC/USD", "60000", "60001"), open: closed, want: true},
		{name: "crypto limit ignores closed", entry: crypto(0, limit(fill.Sell, "60000")), quote: quote("BTC/USD", "60000", "60001"), open: closed, want: true},
		{name: "crypto stop ignores closed", entry: crypto(0, stop(fill.Buy, "60001")), quote: quote("BTC/USD", "60000", "60001"), open: closed, want: true},
		{name: "crypto stop not reached", entry: crypto(0, stop(fill.Buy, "60001.01")), quote: quote("BTC/USD", "60000", "60001"), open: closed},
		{name: "crypto trailing ignores closed", entry: crypto(0, trailing(fill.Sell, "10", "", "60010", "60000")), quote: quote("BTC/USD", "60000", "60001"), open: closed, want: true},
		// Quotes Evaluate refuses.
		{name: "no bid", entry: stock(0, marketOrder(fill.Buy)), quote: quote("AAPL", "", "100.10"), open: open},
		{name: "no ask", entry: stock(0, limit(fill.Sell, "90")), quote: quote("AAPL", "100.00", ""), open: open},
		{name: "crossed", entry: stock(0, marketOrder(fill.Sell)), quote: quote("AAPL", "100.10", "100.00"), open: open},
		{name: "crossed beyond nine decimals", entry: stock(0, marketOrder(fill.Sell)), quote: quote("AAPL", "100.0000000002", "100.0000000001"), open: open},
		{name: "locked is not crossed", entry: stock(0, marketOrder(fill.Sell)), quote: quote("AAPL", "100.05", "100.05"), open: open, want: true},
		{name: "another symbol", entry: stock(0, marketOrder(fill.Sell)), quote: quote("MSFT", "100.00", "100.10"), open: open},
	}
	for i := range cases {
		if cases[i].quote.Symbol == "" {
			cases[i].quote = usual()
		}
	}
	return cases
}

func TestCandidates(t *testing.T) {
	t.Parallel()
	for _, c := range candidateCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			x := matcher.NewIndex()
			x.Upsert(c.entry)
			got := x.Candidates(c.quote, t0, c.open, nil)
			if (len(got) == 1) != c.want || len(got) > 1 {
				t.Fatalf("got %d candidates, want candidate = %v", len(got), c.want)
			}
			if c.want && got[0].OrderID != c.entry.OrderID {
				t.Fatalf("got order %v", got[0].OrderID)
			}
			// The index's answer is a superset of the fill model's.
			now := c.quote.Time
			d := fill.Evaluate(c.entry.Order, c.quote, now, session(c.entry, c.open), c.entry.Realism)
			if (d.Action == fill.Execute || d.Action == fill.Trigger) && !c.want && c.quote.Symbol == c.entry.Symbol {
				t.Fatalf("fill.Evaluate says %s (%s) but the case expects no candidate", d.Action, d.Detail)
			}
		})
	}
}

// TestCandidatesAllTogether puts every case's order in one book, so the lists hold many
// orders, and checks each quote and session returns exactly the expected ones.
func TestCandidatesAllTogether(t *testing.T) {
	t.Parallel()
	cases := candidateCases()
	x := matcher.NewIndex()
	for i, c := range cases {
		e := c.entry
		e.OrderID = id(i)
		x.Upsert(e)
	}
	if x.Len() != len(cases) {
		t.Fatalf("Len = %d, want %d", x.Len(), len(cases))
	}
	type key struct {
		q    market.Quote
		open bool
	}
	groups := map[string][]int{}
	quotes := map[string]key{}
	for i, c := range cases {
		k := c.quote.Symbol + "|" + c.quote.BidPrice.String() + "|" + c.quote.AskPrice.String()
		if c.open {
			k += "|open"
		}
		groups[k] = append(groups[k], i)
		quotes[k] = key{c.quote, c.open}
	}
	for k, members := range groups {
		q := quotes[k]
		// Every order on the symbol that any case expects for this exact quote and session.
		var want []int
		for i, c := range cases {
			if c.entry.Symbol == q.q.Symbol && c.want && sameQuote(c.quote, q.q) && c.open == q.open {
				want = append(want, i)
			}
		}
		got := ids(x.Candidates(q.q, t0, q.open, nil))
		// Orders of other cases (same symbol, other quote or session) may also be returned:
		// check only that the expected ones are there and that this group's unexpected ones
		// are not.
		for _, i := range want {
			if !slices.Contains(got, id(i)) {
				t.Errorf("%s: missing %q", k, cases[i].name)
			}
		}
		for _, i := range members {
			if !cases[i].want && slices.Contains(got, id(i)) {
				t.Errorf("%s: unexpected %q", k, cases[i].name)
			}
		}
	}
}

func sameQuote(a, b market.Quote) bool {
	return a.Symbol == b.Symbol && a.BidPrice.Equal(b.BidPrice) && a.AskPrice.Equal(b.AskPrice)
}

func TestRemove(t *testing.T) {
	t.Parallel()
	x := matcher.NewIndex()
	x.Upsert(stock(1, limit(fill.Buy, "100.10")))
	x.Upsert(stock(2, limit(fill.Buy, "100.10")))
	x.Upsert(crypto(3, marketOrder(fill.Buy)))
	if got := x.Symbols(nil); !slices.Equal(got, []string{"AAPL", "BTC/USD"}) {
		t.Fatalf("Symbols = %v", got)
	}
	if !x.Remove(id(1)) {
		t.Fatal("Remove(1) = false")
	}
	if x.Remove(id(1)) {
		t.Fatal("second Remove(1) = true")
	}
	if got := ids(x.Candidates(usual(), t0, true, nil)); !slices.Equal(got, []uuid.UUID{id(2)}) {
		t.Fatalf("candidates after removing 1: %v", got)
	}
	if _, ok := x.Get(id(1)); ok {
		t.Fatal("Get finds a removed order")
	}
	x.Remove(id(2))
	if x.HasSymbol("AAPL") || !x.HasSymbol("BTC/USD") || x.Len() != 1 {
		t.Fatalf("after removing AAPL's orders: HasSymbol(AAPL) = %v, HasSymbol(BTC/USD) = %v, Len = %d",
			x.HasSymbol("AAPL"), x.HasSymbol("BTC/USD"), x.Len())
	}
	if got := x.Candidates(usual(), t0, true, nil); len(got) != 0 {
		t.Fatalf("candidates on an empty symbol: %v", ids(got))
	}
	if got := x.Symbols([]string{"keep"}); !slices.Equal(got, []string{"keep", "BTC/USD"}) {
		t.Fatalf("Symbols appends: %v", got)
	}
}

// TestRemoveAmongEqualKeys removes orders from the middle of runs of equal prices.
func TestRemoveAmongEqualKeys(t *testing.T) {
	t.Parallel()
	x := matcher.NewIndex()
	for i := range 30 {
		x.Upsert(stock(i, limit(fill.Sell, []string{"100.00", "100.05", "101"}[i%3])))
	}
	for i := 0; i < 30; i += 2 {
		x.Remove(id(i))
	}
	var want []uuid.UUID
	for i := 1; i < 30; i += 2 {
		if i%3 == 0 {
			want = append(want, id(i))
		}
	}
	if got := ids(x.Candidates(usual(), t0, true, nil)); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := ids(x.Candidates(quote("AAPL", "100.05", "100.06"), t0, true, nil)); len(got) != 10 {
		t.Fatalf("at 100.05: %d candidates, want 10", len(got))
	}
}

func TestUpsertMovesBetweenLists(t *testing.T) {
	t.Parallel()
	x := matcher.NewIndex()
	// Not triggered: indexed by its stop, 101, which the ask 100.10 does not reach.
	sl := stopLimit(fill.Buy, "101", "100.50")
	x.Upsert(stock(1, sl))
	if got := x.Candidates(usual(), t0, true, nil); len(got) != 0 {
		t.Fatal("untriggered stop-limit is a candidate below its stop")
	}
	// Triggered (on an earlier quote): now a limit at 100.50, which the ask reaches.
	x.Upsert(stock(1, triggered(sl)))
	if got := x.Candidates(usual(), t0, true, nil); len(got) != 1 || !got[0].Order.Triggered {
		t.Fatalf("triggered stop-limit: %d candidates", len(got))
	}
	if x.Len() != 1 {
		t.Fatalf("Len = %d after replacing", x.Len())
	}
	// Replaced with a lower limit: out of reach again.
	x.Upsert(stock(1, triggered(stopLimit(fill.Buy, "101", "100.00"))))
	if got := x.Candidates(usual(), t0, true, nil); len(got) != 0 {
		t.Fatal("replaced limit still a candidate")
	}
	// Moved to another symbol.
	e := crypto(1, marketOrder(fill.Buy))
	x.Upsert(e)
	if x.HasSymbol("AAPL") || !x.HasSymbol("BTC/USD") || x.Len() != 1 {
		t.Fatal("moving to another symbol left the old book behind")
	}
	if got, _ := x.Get(id(1)); got.Symbol != "BTC/USD" || got.Order.Type != fill.Market {
		t.Fatalf("Get after replace: %+v", got)
	}
}
