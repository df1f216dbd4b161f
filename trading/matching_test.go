package trading

import (
	"testing"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
)

// wednesdayOpen is the regular open after tuesday10am: Wednesday 2026-11-25, 9:30 New York.
var wednesdayOpen = time.Date(2026, 11, 25, 9, 30, 0, 0, ny)

// quoteAt is a quote stamped at t, with the sizes given (shares).
func quoteAt(symbol, bid, bidSize, ask, askSize string, t time.Time) market.Quote {
	return market.Quote{Symbol: symbol, BidPrice: d(bid), BidSize: d(bidSize), AskPrice: d(ask), AskSize: d(askSize), Time: t.UTC()}
}

// filledAt asserts an order's status and average price.
func (b *bundle) filledAt(o *models.Order, status, price string) {
	b.t.Helper()
	got := b.reload(o)
	if got.Status != status {
		b.t.Fatalf("order %s: status %s (%s), want %s", o.ID, got.Status, got.Reason, status)
	}
	if price != "" && (!got.FilledAvgPrice.Valid || !got.FilledAvgPrice.Decimal.Equal(d(price))) {
		b.t.Fatalf("order %s: filled at %v, want %s", o.ID, got.FilledAvgPrice.Decimal, price)
	}
}

// A GTC buy limit at 100 that rested yesterday meets today's first quote as an arriving order:
// on a gap to a 95.00 ask it fills at 95.00, like an order queued overnight, not at its limit.
// The same when the first quote at the open was crossed. An order the first quote did not reach
// rests from then on and fills at its limit later (issue 11, bug 3).
func TestRestingGTCLimitGetsTheBetterOpeningPrice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "101.00", "101.10")
	gapped := b.place(a, limitOrder("AAPL", fill.Buy, "10", "100.00", fill.GTC))
	notReached := b.place(a, limitOrder("MSFT", fill.Buy, "10", "100.00", fill.GTC))
	b.quote("MSFT", "101.00", "101.10")
	b.filledAt(gapped, models.OrderNew, "")

	b.clock.Set(wednesdayOpen.Add(time.Second))
	b.tick(quoteAt("AAPL", "95.10", "500", "95.00", "500", wednesdayOpen)) // crossed: unusable
	b.filledAt(gapped, models.OrderNew, "")
	b.tick(quoteAt("AAPL", "94.90", "500", "95.00", "500", wednesdayOpen.Add(500*time.Millisecond)))
	b.filledAt(gapped, models.OrderFilled, "95.00")

	b.tick(quoteAt("MSFT", "101.00", "500", "101.10", "500", wednesdayOpen.Add(500*time.Millisecond)))
	b.clock.Add(time.Minute)
	b.tick(quoteAt("MSFT", "94.90", "500", "95.00", "500", b.clock.Now()))
	b.filledAt(notReached, models.OrderFilled, "100.00")
	b.checkBooks(a)
}

// A market order queued before the open must not fill on a pre-open quote that reaches the
// engine after 9:30; it fills on the first quote of the regular session (issue 11, bug 10).
func TestQueuedMarketOrderIgnoresPreOpenQuotes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.clock.Set(wednesdayOpen.Add(-time.Hour))
	b.quote("AAPL", "95.00", "97.00")
	o := b.place(a, marketOrder("AAPL", fill.Buy, "10"))
	b.filledAt(o, models.OrderAccepted, "")

	b.clock.Set(wednesdayOpen.Add(time.Second))
	b.tick(quoteAt("AAPL", "96.00", "500", "98.00", "500", wednesdayOpen.Add(-2*time.Second)))
	b.filledAt(o, models.OrderAccepted, "")
	b.tick(quoteAt("AAPL", "97.00", "500", "99.00", "500", wednesdayOpen.Add(time.Second)))
	b.filledAt(o, models.OrderFilled, "99.00")
}

// Equal-price orders fill in time priority whatever order the index learnt them in, and in the
// realistic preset the displayed size is used up by the orders that fill against it, in priority
// order: two buy limits of 300 meet a 300-share ask, the older fills, the newer waits (issue 11,
// bugs 11 and 12).
func TestDisplayedSizeIsSharedInTimePriority(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", Settings{Commission: "free", Realism: "realistic"})
	other := b.account("100000", Settings{Commission: "free", Realism: "realistic"})
	b.quote("AAPL", "101.00", "101.10")
	first := b.place(a, limitOrder("AAPL", fill.Buy, "300", "100.00", fill.Day))
	b.clock.Add(time.Millisecond)
	second := b.place(other, limitOrder("AAPL", fill.Buy, "300", "100.00", fill.Day))
	b.clock.Add(time.Millisecond)
	third := b.place(a, limitOrder("AAPL", fill.Buy, "100", "100.00", fill.Day))
	// The index learns them newest first, as a sync or a map-ordered commit may.
	for _, o := range []*models.Order{third, second, first} {
		b.svc.index.Upsert(indexEntry(b.reload(o), fill.Realistic()))
	}

	b.clock.Add(time.Second)
	b.tick(quoteAt("AAPL", "99.80", "500", "99.90", "300", b.clock.Now()))
	b.filledAt(first, models.OrderFilled, "100.00")
	b.filledAt(second, models.OrderNew, "")
	b.filledAt(third, models.OrderNew, "")

	b.clock.Add(time.Second)
	b.tick(quoteAt("AAPL", "99.80", "500", "99.90", "350", b.clock.Now()))
	b.filledAt(second, models.OrderFilled, "100.00")
	got := b.reload(third)
	if got.Status != models.OrderPartiallyFilled || !got.FilledQty.Equal(d("50")) {
		t.Fatalf("third order: %s with %s filled, want partially_filled with 50", got.Status, got.FilledQty)
	}
	b.checkBooks(a)
	b.checkBooks(other)
}

// A GTC order expires 90 days after it was placed, as Alpaca's do, and not a moment sooner.
func TestGTCOrdersExpireAfter90Days(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "101.00", "101.10")
	o := b.place(a, limitOrder("AAPL", fill.Buy, "10", "90.00", fill.GTC))

	b.clock.Set(tuesday10am.Add(GTCLifetime - time.Minute))
	if n, err := b.svc.ExpireDue(t.Context()); err != nil || n != 0 {
		t.Fatalf("a minute before: expired %d (%v), want none", n, err)
	}
	b.filledAt(o, models.OrderNew, "")
	b.clock.Set(tuesday10am.Add(GTCLifetime))
	if n, err := b.svc.ExpireDue(t.Context()); err != nil || n != 1 {
		t.Fatalf("after 90 days: expired %d (%v), want 1", n, err)
	}
	b.filledAt(o, models.OrderExpired, "")
	if b.svc.index.Len() != 0 {
		t.Fatalf("the expired order is still indexed")
	}
	b.checkBooks(a)
}
