package matcher_test

import (
	"slices"
	"testing"
	"time"

	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"

	"github.com/google/uuid"
)

// order ids of entries, in the order Candidates gave them.
func inOrder(entries []matcher.Entry) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.OrderID)
	}
	return out
}

// Orders a quote reaches at the same price come in time priority (their v7 ids), whatever order
// the index learnt them in; removing one keeps the others' order; an order re-indexed after a
// partial fill keeps its place (issue 11, bug 11).
func TestEqualPricesComeInTimePriority(t *testing.T) {
	t.Run("buy limits: best price first, then first in", func(t *testing.T) {
		x := matcher.NewIndex()
		for _, n := range []int{3, 1, 2} {
			x.Upsert(stock(n, limit(fill.Buy, "100.05")))
		}
		x.Upsert(stock(5, limit(fill.Buy, "100.10")))
		x.Upsert(stock(1, limit(fill.Buy, "100.05"))) // re-indexed after a partial fill
		got := inOrder(x.Candidates(quote("AAPL", "99.95", "100.00"), t0, true, nil))
		if want := []uuid.UUID{id(5), id(1), id(2), id(3)}; !slices.Equal(got, want) {
			t.Fatalf("candidates %v, want %v", got, want)
		}
	})
	t.Run("sell limits", func(t *testing.T) {
		x := matcher.NewIndex()
		for _, n := range []int{4, 2, 3} {
			x.Upsert(stock(n, limit(fill.Sell, "100.00")))
		}
		x.Upsert(stock(1, limit(fill.Sell, "99.90")))
		got := inOrder(x.Candidates(quote("AAPL", "100.05", "100.10"), t0, true, nil))
		if want := []uuid.UUID{id(1), id(2), id(3), id(4)}; !slices.Equal(got, want) {
			t.Fatalf("candidates %v, want %v", got, want)
		}
	})
	t.Run("the always list keeps time priority across removals", func(t *testing.T) {
		x := matcher.NewIndex()
		for _, n := range []int{4, 1, 3, 2} {
			x.Upsert(stock(n, marketOrder(fill.Buy)))
		}
		x.Remove(id(1))
		x.Upsert(stock(1, marketOrder(fill.Buy)))
		x.Remove(id(3))
		got := inOrder(x.Candidates(usual(), t0, true, nil))
		if want := []uuid.UUID{id(1), id(2), id(4)}; !slices.Equal(got, want) {
			t.Fatalf("candidates %v, want %v", got, want)
		}
	})
	t.Run("triggered trailing stops too", func(t *testing.T) {
		x := matcher.NewIndex()
		for _, n := range []int{3, 1, 2} {
			x.Upsert(stock(n, trailing(fill.Sell, "1.00", "", "101.00", "100.00")))
		}
		got := inOrder(x.Candidates(quote("AAPL", "99.90", "100.00"), t0, true, nil))
		if want := []uuid.UUID{id(1), id(2), id(3)}; !slices.Equal(got, want) {
			t.Fatalf("candidates %v, want %v", got, want)
		}
	})
}

// The index moves a trailing stop only on a quote fill.Evaluate would accept: not on one its
// account's realism finds stale, nor on an undated one (issue 11, bug 11).
func TestTrailingStopsIgnoreStaleQuotes(t *testing.T) {
	x := matcher.NewIndex()
	e := stock(1, trailing(fill.Sell, "1.00", "", "100.00", "99.00"))
	e.Realism = fill.Realistic() // quotes up to a minute old
	x.Upsert(e)
	up := quote("AAPL", "101.00", "101.10")

	x.Candidates(up, t0.Add(2*time.Minute), true, nil)
	if got := mustGet(t, x, 1); !got.Order.WaterMark.Equal(dec("100.00")) {
		t.Fatalf("a two-minute-old quote moved the water mark to %s", got.Order.WaterMark)
	}
	if got := x.Candidates(quote("AAPL", "98.00", "98.10"), t0.Add(2*time.Minute), true, nil); len(got) != 0 {
		t.Fatalf("a stale quote triggered the stop: %v", inOrder(got))
	}
	undated := up
	undated.Time = time.Time{}
	x.Candidates(undated, t0, true, nil)
	if got := mustGet(t, x, 1); !got.Order.WaterMark.Equal(dec("100.00")) {
		t.Fatalf("an undated quote moved the water mark to %s", got.Order.WaterMark)
	}

	x.Candidates(up, t0.Add(30*time.Second), true, nil)
	if got := mustGet(t, x, 1); !got.Order.WaterMark.Equal(dec("101.00")) || !got.Order.StopPrice.Equal(dec("100.00")) {
		t.Fatalf("a fresh quote: water mark %s, stop %s, want 101.00 and 100.00", got.Order.WaterMark, got.Order.StopPrice)
	}
}
