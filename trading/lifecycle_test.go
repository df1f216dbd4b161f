package trading

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

func TestBracketLegsAreHeldThenOneCancelsTheOther(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", marginSettings())
	b.quote("AAPL", "99.98", "100.02")
	r := limitOrder("AAPL", fill.Buy, "10", "99.00", fill.GTC)
	r.OrderClass = order.Bracket
	r.TakeProfit = &order.TakeProfit{LimitPrice: nd("105")}
	r.StopLoss = &order.StopLoss{StopPrice: nd("95")}
	entry := b.place(a, r)
	legs, _ := models.OrderLegs(context.Background(), b.db, []uuidT{entry.ID})
	if len(legs[entry.ID]) != 2 {
		t.Fatalf("legs = %d, want 2", len(legs[entry.ID]))
	}
	for _, l := range legs[entry.ID] {
		if l.Status != models.OrderHeld || l.Side != "sell" {
			t.Fatalf("leg %s is %s %s, want a held sell", *l.Leg, l.Side, l.Status)
		}
		if _, ok := b.svc.index.Get(l.ID); ok {
			t.Fatal("a held leg is in the matcher's index")
		}
	}
	b.clock.Add(time.Second)
	b.tick(b.quote("AAPL", "98.90", "98.95")) // entry fills at its limit
	if got := b.reload(entry); got.Status != models.OrderFilled {
		t.Fatalf("entry = %s", got.Status)
	}
	legs, _ = models.OrderLegs(context.Background(), b.db, []uuidT{entry.ID})
	var tp, sl models.Order
	for _, l := range legs[entry.ID] {
		if l.Status != models.OrderNew || !l.Qty.Decimal.Equal(d("10")) {
			t.Fatalf("leg %s after the entry filled: %s qty %s", *l.Leg, l.Status, l.Qty.Decimal)
		}
		if *l.Leg == "take_profit" {
			tp = l
		} else {
			sl = l
		}
	}
	b.clock.Add(time.Second)
	b.tick(b.quote("AAPL", "105.10", "105.14")) // the take-profit fills
	if got := b.reload(&tp); got.Status != models.OrderFilled || !got.FilledAvgPrice.Decimal.Equal(d("105")) {
		t.Fatalf("take-profit = %s @ %s", got.Status, got.FilledAvgPrice.Decimal)
	}
	if got := b.reload(&sl); got.Status != models.OrderCanceled {
		t.Fatalf("stop-loss = %s, want canceled", got.Status)
	}
	if _, ok := b.svc.index.Get(sl.ID); ok {
		t.Error("the canceled stop-loss is still in the index")
	}
	b.checkBooks(a)
}

func TestOCOPartialFillShrinksTheOtherLeg(t *testing.T) {
	t.Parallel()
	b := setup(t)
	st := marginSettings()
	st.Realism = "realistic" // fills capped at the displayed size
	a := b.account("100000", st)
	b.quote("AAPL", "99.98", "100.02")
	b.place(a, marketOrder("AAPL", fill.Buy, "100"))
	r := order.Request{Symbol: "AAPL", Qty: nd("100"), Side: fill.Sell, Type: fill.Limit, TimeInForce: fill.GTC, OrderClass: order.OCO,
		TakeProfit: &order.TakeProfit{LimitPrice: nd("110")}, StopLoss: &order.StopLoss{StopPrice: nd("90")}}
	parent := b.place(a, r)
	legs, _ := models.OrderLegs(context.Background(), b.db, []uuidT{parent.ID})
	if parent.Status != models.OrderNew || len(legs[parent.ID]) != 1 || legs[parent.ID][0].Status != models.OrderNew {
		t.Fatalf("oco: parent %s, legs %+v", parent.Status, legs[parent.ID])
	}
	stop := legs[parent.ID][0]
	b.clock.Add(time.Second)
	q := b.quote("AAPL", "110.05", "110.10")
	q.BidSize = d("30")
	b.tick(q)
	if got := b.reload(parent); got.Status != models.OrderPartiallyFilled || !got.FilledQty.Equal(d("30")) {
		t.Fatalf("take-profit = %s %s, want partially filled 30", got.Status, got.FilledQty)
	}
	if got := b.reload(&stop); !got.Qty.Decimal.Equal(d("70")) || got.Status != models.OrderNew {
		t.Fatalf("stop leg = %s qty %s, want 70 still working", got.Status, got.Qty.Decimal)
	}
	b.checkBooks(a)
}

func TestCancelAndReplace(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "99.98", "100.02")
	ctx := context.Background()
	o := b.place(a, limitOrder("AAPL", fill.Buy, "10", "90", fill.GTC))

	repl, err := b.svc.ReplaceOrder(ctx, b.user, a.ID, o.ID, ReplaceRequest{LimitPrice: nd("91"), Qty: nd("12")}, SourceAPI)
	if err != nil {
		t.Fatal(err)
	}
	old := b.reload(o)
	if old.Status != models.OrderReplaced || old.ReplacedBy == nil || *old.ReplacedBy != repl.ID || !old.Reserved.IsZero() {
		t.Fatalf("old order after replace: %s by %v reserved %s", old.Status, old.ReplacedBy, old.Reserved)
	}
	if repl.Replaces == nil || *repl.Replaces != o.ID || !repl.Qty.Decimal.Equal(d("12")) || !repl.LimitPrice.Decimal.Equal(d("91")) || repl.ID == o.ID {
		t.Fatalf("new order: %+v", repl)
	}
	if _, ok := b.svc.index.Get(o.ID); ok {
		t.Error("the replaced order is still indexed")
	}
	if _, ok := b.svc.index.Get(repl.ID); !ok {
		t.Error("the replacement is not indexed")
	}

	if _, err := b.svc.CancelOrder(ctx, b.user, a.ID, repl.ID); err != nil {
		t.Fatal(err)
	}
	if got := b.reload(repl); got.Status != models.OrderCanceled || got.CanceledAt == nil {
		t.Fatalf("canceled order = %s", got.Status)
	}
	_, err = b.svc.CancelOrder(ctx, b.user, a.ID, repl.ID)
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindInvalid || e.Message != `order is already in "canceled" state` {
		t.Fatalf("second cancel: %v", err)
	}
	_, err = b.svc.CancelOrder(ctx, b.newUser(), a.ID, repl.ID)
	if !apperr.IsKind(err, apperr.KindNotFound) {
		t.Fatalf("cancel by someone else: %v", err)
	}
	v, _ := b.svc.Value(ctx, b.db, b.reloadAccount(a))
	if !v.Reserved.IsZero() || !v.BuyingPower.Equal(d("100000")) {
		t.Errorf("after cancel: reserved %s, buying power %s", v.Reserved, v.BuyingPower)
	}
}

func TestDayOrdersExpireAtTheCloseAndQueuedOrdersFillAtTheOpen(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	ctx := context.Background()
	// Wednesday 2026-11-25 14:00: a day limit that will not fill expires at 16:00; the calendar
	// knows Friday 2026-11-27 closes early, at 13:00.
	b.clock.Set(time.Date(2026, 11, 25, 14, 0, 0, 0, ny))
	b.quote("AAPL", "99.98", "100.02")
	day := b.place(a, limitOrder("AAPL", fill.Buy, "10", "90", fill.Day))
	if want := time.Date(2026, 11, 25, 16, 0, 0, 0, ny); day.ExpiresAt == nil || !day.ExpiresAt.Equal(want) {
		t.Fatalf("expires at %v, want %v", day.ExpiresAt, want)
	}
	// Placed after the close: accepted, queued for Friday's session, expiring at its early close.
	b.clock.Set(time.Date(2026, 11, 25, 20, 30, 0, 0, ny))
	queued := b.place(a, marketOrder("AAPL", fill.Buy, "1"))
	if queued.Status != models.OrderAccepted {
		t.Fatalf("order placed after hours is %s, want accepted", queued.Status)
	}
	if want := time.Date(2026, 11, 27, 13, 0, 0, 0, ny); queued.ExpiresAt == nil || !queued.ExpiresAt.Equal(want) {
		t.Fatalf("queued order expires at %v, want Friday's early close %v", queued.ExpiresAt, want)
	}
	n, err := b.svc.ExpireDue(ctx)
	if err != nil || n != 1 {
		t.Fatalf("expired %d (%v), want the day order only", n, err)
	}
	if got := b.reload(day); got.Status != models.OrderExpired || got.ExpiredAt == nil {
		t.Fatalf("day order = %s", got.Status)
	}
	if n, _ := b.svc.ExpireDue(ctx); n != 0 {
		t.Fatalf("a second run expired %d more", n)
	}
	// Thanksgiving is closed; Friday's first quote fills the queued order as an arriving order.
	b.clock.Set(time.Date(2026, 11, 27, 9, 30, 1, 0, ny))
	b.tick(b.quote("AAPL", "101.00", "101.04"))
	got := b.reload(queued)
	if got.Status != models.OrderFilled || !got.FilledAvgPrice.Decimal.Equal(d("101.04")) {
		t.Fatalf("queued order at the open = %s @ %s", got.Status, got.FilledAvgPrice.Decimal)
	}
	b.checkBooks(a)
}

func TestTrailingStopFollowsTheBidAndTriggers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "99.98", "100.02")
	b.place(a, marketOrder("AAPL", fill.Buy, "10"))
	trail := b.place(a, order.Request{Symbol: "AAPL", Qty: nd("10"), Side: fill.Sell, Type: fill.TrailingStop,
		TimeInForce: fill.GTC, TrailPrice: nd("2")})
	for _, bid := range []string{"101", "103", "102.5", "102"} {
		b.clock.Add(time.Second)
		b.tick(b.quote("AAPL", bid, "104"))
	}
	if got := b.reload(trail); got.Status != models.OrderNew {
		t.Fatalf("trailing stop = %s before the bid fell 2 below its high", got.Status)
	}
	b.clock.Add(time.Second)
	b.tick(b.quote("AAPL", "100.90", "100.95")) // high 103, stop 101: triggered, filled at the bid
	got := b.reload(trail)
	if got.Status != models.OrderFilled || !got.FilledAvgPrice.Decimal.Equal(d("100.9")) || !got.HWM.Decimal.Equal(d("103")) {
		t.Fatalf("trailing stop = %s @ %s hwm %s", got.Status, got.FilledAvgPrice.Decimal, got.HWM.Decimal)
	}
	b.checkBooks(a)
}

func TestResetKeepsHistoryAsAClosedPeriod(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "99.98", "100.02")
	b.place(a, marketOrder("AAPL", fill.Buy, "10"))
	open := b.place(a, limitOrder("AAPL", fill.Buy, "1", "50", fill.GTC))
	ctx := context.Background()
	got, err := b.svc.Reset(ctx, b.user, a.ID, d("25000"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Period != 2 || !got.Cash.Equal(d("25000")) || !got.StartingCash.Equal(d("25000")) {
		t.Fatalf("after reset: period %d cash %s", got.Period, got.Cash)
	}
	if o := b.reload(open); o.Status != models.OrderCanceled {
		t.Errorf("open order after reset = %s", o.Status)
	}
	var period models.PaperAccountPeriod
	if err := b.db.Where("account_id = ? AND period = 1", a.ID).Take(&period).Error; err != nil {
		t.Fatal(err)
	}
	// 98,999.80 cash + 10 × 100.00 (the mid) = 99,999.80.
	if !period.EndingEquity.Equal(d("99999.8")) {
		t.Errorf("period 1 ended with equity %s", period.EndingEquity)
	}
	old, _ := models.PositionsOf(ctx, b.db, a.ID, 1)
	now, _ := models.PositionsOf(ctx, b.db, a.ID, 2)
	if len(old) != 1 || len(now) != 0 {
		t.Errorf("positions: period 1 %d, period 2 %d", len(old), len(now))
	}
	b.checkBooks(a)
	if _, err := b.svc.Reset(ctx, b.user, a.ID, d("0")); !apperr.IsKind(err, apperr.KindInvalid) {
		t.Errorf("reset to $0: %v", err)
	}
}

func TestSnapshotsAreIdempotentAndRollTheClose(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	ctx := context.Background()
	b.clock.Add(7 * time.Minute)
	n1, err := b.svc.Snapshot(ctx)
	if err != nil || n1 != 1 {
		t.Fatalf("first run wrote %d (%v)", n1, err)
	}
	if n2, _ := b.svc.Snapshot(ctx); n2 != 0 {
		t.Fatalf("second run in the same slot wrote %d", n2)
	}
	// The next morning: the close snapshot and last equity are written once.
	b.clock.Set(time.Date(2026, 11, 25, 9, 45, 0, 0, ny))
	if n, _ := b.svc.Snapshot(ctx); n != 2 {
		t.Fatalf("next morning wrote %d, want the close and an intraday one", n)
	}
	acct := b.reloadAccount(a)
	if acct.LastEquityAt == nil || !acct.LastEquityAt.Equal(time.Date(2026, 11, 24, 16, 0, 0, 0, ny)) {
		t.Errorf("last equity at %v", acct.LastEquityAt)
	}
}

func TestNoSnapshotPredatesItsAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.clock.Add(3 * time.Minute) // 10:03: the 10:00 slot began before the account
	a := b.account("100000", cashSettings())
	if n, err := b.svc.Snapshot(ctx); err != nil || n != 0 {
		t.Fatalf("in the slot the account opened in: wrote %d (%v), want none", n, err)
	}
	b.clock.Add(5 * time.Minute)
	if n, err := b.svc.Snapshot(ctx); err != nil || n != 1 {
		t.Fatalf("in the next slot: wrote %d (%v), want one", n, err)
	}
	snaps, err := models.EquitySnapshotsOf(ctx, b.db, a.ID, a.Period, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sn := range snaps {
		if sn.At.Before(a.PeriodStartedAt) {
			t.Errorf("snapshot at %v predates the account's start %v", sn.At, a.PeriodStartedAt)
		}
	}
}

type uuidT = uuid.UUID

func TestOTOLegWaitsForItsEntryAndCancelingTheEntryCancelsIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "99.98", "100.02")
	r := limitOrder("AAPL", fill.Buy, "4", "95", fill.Day)
	r.OrderClass = order.OTO
	r.StopLoss = &order.StopLoss{StopPrice: nd("90")}
	entry := b.place(a, r)
	legs, _ := models.OrderLegs(context.Background(), b.db, []uuidT{entry.ID})
	if len(legs[entry.ID]) != 1 || legs[entry.ID][0].Status != models.OrderHeld || legs[entry.ID][0].Type != "stop" {
		t.Fatalf("oto legs = %+v", legs[entry.ID])
	}
	if _, err := b.svc.CancelOrder(context.Background(), b.user, a.ID, entry.ID); err != nil {
		t.Fatal(err)
	}
	legs, _ = models.OrderLegs(context.Background(), b.db, []uuidT{entry.ID})
	if legs[entry.ID][0].Status != models.OrderCanceled {
		t.Fatalf("leg after its entry was canceled = %s", legs[entry.ID][0].Status)
	}
	if _, err := b.svc.ReplaceOrder(context.Background(), b.user, a.ID, entry.ID, ReplaceRequest{Qty: nd("1")}, SourceAPI); !apperr.IsKind(err, apperr.KindInvalid) {
		t.Fatalf("replacing a canceled order: %v", err)
	}
}

func TestBuyStopGetsPriceProtection(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "99.98", "100.02")
	o := b.place(a, order.Request{Symbol: "AAPL", Qty: nd("1"), Side: fill.Buy, Type: fill.Stop, TimeInForce: fill.Day, StopPrice: nd("110")})
	// Alpaca turns a buy stop into a stop-limit 2.5% above a stop of $50 or more.
	if o.Type != "stop_limit" || !o.LimitPrice.Decimal.Equal(d("112.75")) {
		t.Fatalf("buy stop placed as %s limit %s, want stop_limit 112.75", o.Type, o.LimitPrice.Decimal)
	}
	// The market gaps through both: the stop triggers, but the limit keeps it from filling.
	b.clock.Add(time.Second)
	b.tick(b.quote("AAPL", "114.00", "114.05"))
	got := b.reload(o)
	if got.Status != models.OrderNew || !got.Triggered {
		t.Fatalf("after the gap: %s triggered %v, want a triggered order still working", got.Status, got.Triggered)
	}
	b.clock.Add(time.Second)
	b.tick(b.quote("AAPL", "112.50", "112.60"))
	// A triggered stop-limit rests as a limit, so it fills at its limit (the maker rule).
	if got := b.reload(o); got.Status != models.OrderFilled || !got.FilledAvgPrice.Decimal.Equal(d("112.75")) {
		t.Fatalf("back under the limit: %s @ %s", got.Status, got.FilledAvgPrice.Decimal)
	}
}

func TestCloseOrderFillsAtTheLastRegularQuote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.clock.Set(time.Date(2026, 11, 24, 15, 0, 0, 0, ny))
	b.quote("AAPL", "99.98", "100.02")
	o := b.place(a, order.Request{Symbol: "AAPL", Qty: nd("3"), Side: fill.Buy, Type: fill.Market, TimeInForce: fill.CLS})
	if o.Status != models.OrderNew {
		t.Fatalf("cls order = %s", o.Status)
	}
	b.clock.Set(time.Date(2026, 11, 24, 15, 59, 58, 0, ny))
	b.quotes.ObserveRegular(b.quote("AAPL", "101.00", "101.04"))
	b.clock.Set(time.Date(2026, 11, 24, 16, 5, 0, 0, ny))
	b.quote("AAPL", "103.00", "103.10") // after hours: not the closing price
	if _, err := b.svc.ExpireDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := b.reload(o)
	if got.Status != models.OrderFilled || !got.FilledAvgPrice.Decimal.Equal(d("101.04")) {
		t.Fatalf("cls order after the close = %s @ %s, want filled at the last regular ask 101.04", got.Status, got.FilledAvgPrice.Decimal)
	}
	b.checkBooks(a)
}

func TestReplacingABracketLegMovesTheStop(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", marginSettings())
	ctx := context.Background()
	b.quote("AAPL", "99.98", "100.02")
	r := marketOrder("AAPL", fill.Buy, "10")
	r.OrderClass = order.Bracket
	r.TakeProfit = &order.TakeProfit{LimitPrice: nd("110")}
	r.StopLoss = &order.StopLoss{StopPrice: nd("95")}
	entry := b.place(a, r)
	legs, _ := models.OrderLegs(ctx, b.db, []uuidT{entry.ID})
	var stop models.Order
	for _, l := range legs[entry.ID] {
		if *l.Leg == "stop_loss" {
			stop = l
		}
	}
	if stop.Status != models.OrderNew {
		t.Fatalf("stop leg after the entry filled = %s", stop.Status)
	}
	// Above the take-profit: refused, nothing changes.
	if _, err := b.svc.ReplaceOrder(ctx, b.user, a.ID, stop.ID, ReplaceRequest{StopPrice: nd("111")}, SourceAPI); !apperr.IsKind(err, apperr.KindInvalid) {
		t.Fatalf("stop above the take-profit: %v", err)
	}
	if _, err := b.svc.ReplaceOrder(ctx, b.user, a.ID, stop.ID, ReplaceRequest{Qty: nd("5")}, SourceAPI); !apperr.IsKind(err, apperr.KindInvalid) {
		t.Fatalf("changing a leg's quantity: %v", err)
	}
	moved, err := b.svc.ReplaceOrder(ctx, b.user, a.ID, stop.ID, ReplaceRequest{StopPrice: nd("98")}, SourceAPI)
	if err != nil {
		t.Fatal(err)
	}
	if moved.ParentID == nil || *moved.ParentID != entry.ID || moved.Leg == nil || *moved.Leg != "stop_loss" ||
		!moved.StopPrice.Decimal.Equal(d("98")) || !moved.Qty.Decimal.Equal(d("10")) || moved.Status != models.OrderNew {
		t.Fatalf("replacement leg: %+v", moved)
	}
	if got := b.reload(&stop); got.Status != models.OrderReplaced || got.ReplacedBy == nil || *got.ReplacedBy != moved.ID {
		t.Fatalf("old stop = %s", got.Status)
	}
	b.clock.Add(time.Second)
	b.tick(b.quote("AAPL", "97.90", "97.95")) // through the new stop: it fills, the take-profit is canceled
	if got := b.reload(moved); got.Status != models.OrderFilled {
		t.Fatalf("moved stop = %s", got.Status)
	}
	for _, l := range legsOf(t, b, entry) {
		if *l.Leg == "take_profit" && l.Status != models.OrderCanceled {
			t.Fatalf("take-profit after the stop filled = %s", l.Status)
		}
	}
	b.checkBooks(a)
}

func legsOf(t *testing.T, b *bundle, parent *models.Order) []models.Order {
	t.Helper()
	legs, err := models.OrderLegs(context.Background(), b.db, []uuidT{parent.ID})
	if err != nil {
		t.Fatal(err)
	}
	return legs[parent.ID]
}
