package trading

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// The tests in this file each reproduce one finding of the engine audit (issue 11) and keep it
// fixed.

// positionQty is the account's position in symbol, zero when flat.
func (b *bundle) positionQty(a *models.PaperAccount, symbol string) string {
	b.t.Helper()
	var p models.Position
	err := b.db.Where("account_id = ? AND symbol = ?", a.ID, symbol).Limit(1).Find(&p).Error
	if err != nil {
		b.t.Fatal(err)
	}
	return p.Qty.String()
}

// A market bracket queued overnight whose entry gaps through the take-profit at the open: the
// take-profit fills on the entry's quote and cancels the stop-loss, which must stay canceled (it
// once came back to life and later sold shares the account no longer held).
func TestBracketStopCanceledByATakeProfitOnTheEntrysQuoteStaysCanceled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", marginSettings())
	b.clock.Set(time.Date(2026, 11, 24, 20, 30, 0, 0, ny))
	b.quote("AAPL", "99.98", "100.02")
	r := marketOrder("AAPL", fill.Buy, "10")
	r.OrderClass = order.Bracket
	r.TakeProfit = &order.TakeProfit{LimitPrice: nd("105")}
	r.StopLoss = &order.StopLoss{StopPrice: nd("95")}
	entry := b.place(a, r)
	if entry.Status != models.OrderAccepted {
		t.Fatalf("entry placed after hours = %s", entry.Status)
	}
	b.clock.Set(time.Date(2026, 11, 25, 9, 30, 1, 0, ny))
	b.tick(b.quote("AAPL", "106.00", "106.04")) // the entry and its take-profit fill on the opening quote
	if got := b.reload(entry); got.Status != models.OrderFilled {
		t.Fatalf("entry = %s", got.Status)
	}
	for _, l := range legsOf(t, b, entry) {
		want := models.OrderCanceled
		if *l.Leg == "take_profit" {
			want = models.OrderFilled
		}
		if l.Status != want {
			t.Fatalf("%s after the gap = %s, want %s", *l.Leg, l.Status, want)
		}
		if _, ok := b.svc.index.Get(l.ID); ok {
			t.Fatalf("%s is still in the matcher's index", *l.Leg)
		}
	}
	b.clock.Add(time.Second)
	b.tick(b.quote("AAPL", "90.00", "90.04"))
	if got := b.positionQty(a, "AAPL"); got != "0" {
		t.Fatalf("position after a drop through the canceled stop = %s, want 0", got)
	}
	b.checkBooks(a)
}

// An exit leg never sells more than the position it closes, whatever its quantity says: the
// position is checked again at fill time. The quantity is raised behind the engine's back, as a
// leg racing another order that closed part of the position would find it.
func TestExitLegFillsAtMostThePositionItCloses(t *testing.T) {
	t.Parallel()
	for _, symbol := range []string{"AAPL", "HTB"} {
		t.Run(symbol, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			a := b.account("100000", marginSettings())
			b.quote(symbol, "99.98", "100.02")
			r := marketOrder(symbol, fill.Buy, "10")
			r.OrderClass = order.Bracket
			r.TakeProfit = &order.TakeProfit{LimitPrice: nd("110")}
			r.StopLoss = &order.StopLoss{StopPrice: nd("95")}
			entry := b.place(a, r)
			var stop models.Order
			for _, l := range legsOf(t, b, entry) {
				if *l.Leg == "stop_loss" {
					stop = l
				}
			}
			if err := b.db.Model(&models.Order{}).Where("id = ?", stop.ID).Update("qty", "20").Error; err != nil {
				t.Fatal(err)
			}
			b.clock.Add(time.Second)
			b.tick(b.quote(symbol, "94.00", "94.04"))
			if got := b.positionQty(a, symbol); got != "0" {
				t.Fatalf("position after the oversized stop triggered = %s, want 0", got)
			}
			if got := b.reload(&stop); got.Status != models.OrderCanceled || !got.FilledQty.Equal(d("10")) {
				t.Fatalf("stop-loss = %s with %s filled, want canceled after filling the 10 held", got.Status, got.FilledQty)
			}
			b.checkBooks(a)
		})
	}
}

// A short sale placed while shorting was allowed does not fill once the account has turned
// shorting off: the shorting rules are checked again at fill time.
func TestShortSaleRechecksShortingAtFillTime(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", marginSettings())
	ctx := context.Background()
	b.quote("AAPL", "99.98", "100.02")
	short := b.place(a, limitOrder("AAPL", fill.Sell, "10", "105", fill.GTC))
	st := marginSettings()
	st.ShortingEnabled = false
	if _, err := b.svc.UpdateSettings(ctx, b.user, a.ID, a.Name, st); err != nil {
		t.Fatal(err)
	}
	b.clock.Add(time.Second)
	b.tick(b.quote("AAPL", "105.10", "105.14"))
	if got := b.positionQty(a, "AAPL"); got != "0" {
		t.Fatalf("position = %s after shorting was turned off, want 0", got)
	}
	if got := b.reload(short); got.Status != models.OrderCanceled {
		t.Fatalf("short sale = %s, want canceled", got.Status)
	}
	b.checkBooks(a)
}

// A market bracket whose take-profit is already below the bid is refused: Alpaca measures a
// market entry's legs from the market price.
func TestMarketBracketIsCheckedAgainstTheQuote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", marginSettings())
	b.quote("AAPL", "99.98", "100.02")
	r := marketOrder("AAPL", fill.Buy, "10")
	r.OrderClass = order.Bracket
	r.TakeProfit = &order.TakeProfit{LimitPrice: nd("99.50")}
	r.StopLoss = &order.StopLoss{StopPrice: nd("95")}
	_, err := b.svc.PlaceOrder(context.Background(), b.user, a.ID, r, SourceAPI)
	if e, ok := apperr.As(err); !ok || e.Fields["take_profit.limit_price"] == "" {
		t.Fatalf("market bracket with its take-profit below the bid: %v, want a refusal on take_profit.limit_price", err)
	}
	var n int64
	b.db.Model(&models.Order{}).Where("account_id = ?", a.ID).Count(&n)
	if n != 0 {
		t.Fatalf("%d orders written by a refused bracket", n)
	}
}

// A notional sell queued overnight is sized from the opening bid; when that bid is lower than at
// placement the notional covers more shares than are held, and it sells the position, no more.
func TestQueuedNotionalSellNeverSellsMoreThanIsHeld(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", marginSettings())
	b.quote("AAPL", "99.98", "100.02")
	b.place(a, marketOrder("AAPL", fill.Buy, "10"))
	b.clock.Set(time.Date(2026, 11, 24, 20, 30, 0, 0, ny))
	b.quote("AAPL", "110.00", "110.04")
	sell := b.place(a, order.Request{Symbol: "AAPL", Notional: nd("1000"), Side: fill.Sell, Type: fill.Market, TimeInForce: fill.Day})
	if sell.Status != models.OrderAccepted {
		t.Fatalf("notional sell placed after hours = %s", sell.Status)
	}
	b.clock.Set(time.Date(2026, 11, 25, 9, 30, 1, 0, ny))
	b.tick(b.quote("AAPL", "90.00", "90.04"))
	got := b.reload(sell)
	if got.Status != models.OrderFilled || !got.FilledQty.Equal(d("10")) {
		t.Fatalf("notional sell = %s with %s filled, want filled for the 10 held", got.Status, got.FilledQty)
	}
	if pos := b.positionQty(a, "AAPL"); pos != "0" {
		t.Fatalf("position = %s, want 0", pos)
	}
	b.checkBooks(a)
}

// sumFills is the sum of a column of the account's fills.
func (b *bundle) sumFills(a *models.PaperAccount, expr string) decimal.Decimal {
	b.t.Helper()
	var v decimal.Decimal
	if err := b.db.Raw("SELECT coalesce(sum("+expr+"), 0) FROM fills WHERE account_id = ?", a.ID).Scan(&v).Error; err != nil {
		b.t.Fatal(err)
	}
	return v
}

// A fractional round trip: buy 0.5 at 100.01, sell it in five lots of 0.1 at 100.05. Each fill's
// cash is rounded against the customer (the buy pays 50.01 for 50.005, each sale receives 10.00
// for 10.005), so the cash never gains more than the trades earned (0.02), and the realised P&L
// is made of the same cents as the cash: they reconcile exactly.
func TestFractionalRoundTripCashAndRealisedPLReconcile(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("1000", cashSettings())
	b.quote("AAPL", "100.00", "100.01")
	b.place(a, marketOrder("AAPL", fill.Buy, "0.5"))
	b.quote("AAPL", "100.05", "100.06")
	for range 5 {
		b.clock.Add(time.Second)
		b.place(a, marketOrder("AAPL", fill.Sell, "0.1"))
	}
	if pos := b.positionQty(a, "AAPL"); pos != "0" {
		t.Fatalf("position = %s, want flat", pos)
	}
	change := b.reloadAccount(a).Cash.Sub(d("1000"))
	realised := b.sumFills(a, "realized_pl")
	if !change.Equal(d("-0.01")) {
		t.Errorf("cash change = %s, want -0.01 (50.01 paid, 5 × 10.00 received)", change)
	}
	if !realised.Equal(change) {
		t.Errorf("realised P&L sums to %s, cash changed by %s", realised, change)
	}
	b.checkBooks(a)
}

// A notional crypto order obeys the asset's minimum order size: $0.004 of bitcoin is refused,
// not filled for $0.00; a notional above the minimum fills a quantity on the trade increment.
func TestNotionalCryptoObeysTheMinimumOrderSize(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("1000", cashSettings())
	b.quote("BTC/USD", "100000", "100001")
	tiny := order.Request{Symbol: "BTC/USD", Notional: nd("0.004"), Side: fill.Buy, Type: fill.Market, TimeInForce: fill.GTC}
	_, err := b.svc.PlaceOrder(context.Background(), b.user, a.ID, tiny, SourceAPI)
	if e, ok := apperr.As(err); !ok || e.Fields["notional"] == "" {
		t.Fatalf("$0.004 of BTC: %v, want a refusal on notional", err)
	}
	o := b.place(a, order.Request{Symbol: "BTC/USD", Notional: nd("15"), Side: fill.Buy, Type: fill.Market, TimeInForce: fill.GTC})
	got := b.reload(o)
	if got.Status != models.OrderFilled || !got.FilledQty.Equal(d("0.000149998")) {
		t.Fatalf("$15 of BTC = %s %s", got.Status, got.FilledQty)
	}
	if cash := b.reloadAccount(a).Cash; !cash.Equal(d("985")) {
		t.Fatalf("cash = %s, want 985 (0.000149998 × 100001 = 14.99994999 rounds up to 15.00)", cash)
	}
	b.checkBooks(a)
}

// A sale filled one share at a time (the realistic preset caps each fill at the displayed bid
// size) pays the regulatory fees of the order, rounded up once: 10 shares at $100 pay
// 1,000 × 20.60/M = 0.0206 → 0.03 SEC and 10 × 0.000195 → 0.01 TAF, not 10 × (0.01 + 0.01).
func TestSplitSalePaysRegulatoryFeesOncePerOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", Settings{Margin: true, Commission: "free", RegulatoryFees: true, Realism: "realistic"})
	b.quote("AAPL", "99.98", "100.02")
	b.place(a, marketOrder("AAPL", fill.Buy, "10"))
	oneShare := func() market.Quote {
		return market.Quote{Symbol: "AAPL", BidPrice: d("100"), BidSize: d("1"), AskPrice: d("100.04"), AskSize: d("1"), Time: b.clock.Add(time.Second)}
	}
	b.quotes.Observe(oneShare())
	sell := b.place(a, limitOrder("AAPL", fill.Sell, "10", "100", fill.Day))
	for i := 0; i < 20 && b.reload(sell).Status != models.OrderFilled; i++ {
		b.tick(oneShare())
	}
	var fills int64
	b.db.Model(&models.Fill{}).Where("order_id = ?", sell.ID).Count(&fills)
	if fills < 2 || b.reload(sell).Status != models.OrderFilled {
		t.Fatalf("the sale filled in %d fills, status %s: the test needs a split fill", fills, b.reload(sell).Status)
	}
	if sec := b.sumFills(a, "sec_fee"); !sec.Equal(d("0.03")) {
		t.Errorf("SEC fees = %s over %d fills, want 0.03", sec, fills)
	}
	if taf := b.sumFills(a, "taf_fee"); !taf.Equal(d("0.01")) {
		t.Errorf("TAF = %s over %d fills, want 0.01", taf, fills)
	}
	b.checkBooks(a)
}

// Moving a protected buy stop recomputes its protective limit from the new stop: a stop moved
// from 105 (limit 107.62) to 120 gets the limit 123.00 and fills when the ask reaches it.
func TestReplacingABuyStopRecomputesItsProtection(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	ctx := context.Background()
	b.quote("AAPL", "99.98", "100.02")
	o := b.place(a, order.Request{Symbol: "AAPL", Qty: nd("1"), Side: fill.Buy, Type: fill.Stop, TimeInForce: fill.GTC, StopPrice: nd("105")})
	if !o.LimitPrice.Decimal.Equal(d("107.62")) {
		t.Fatalf("protected limit = %s, want 107.62", o.LimitPrice.Decimal)
	}
	moved, err := b.svc.ReplaceOrder(ctx, b.user, a.ID, o.ID, ReplaceRequest{StopPrice: nd("120")}, SourceAPI)
	if err != nil {
		t.Fatal(err)
	}
	if moved.Type != string(fill.StopLimit) || !moved.StopPrice.Decimal.Equal(d("120")) || !moved.LimitPrice.Decimal.Equal(d("123")) {
		t.Fatalf("moved stop = %s stop %s limit %s, want stop_limit 120 / 123", moved.Type, moved.StopPrice.Decimal, moved.LimitPrice.Decimal)
	}
	b.clock.Add(time.Second)
	b.tick(b.quote("AAPL", "120.40", "120.50"))
	if got := b.reload(moved); got.Status != models.OrderFilled || !got.FilledAvgPrice.Decimal.Equal(d("120.5")) {
		t.Fatalf("after the ask crossed the new stop: %s @ %s", got.Status, got.FilledAvgPrice.Decimal)
	}
	b.checkBooks(a)
}

// Replacing a partly filled exit leg: the new leg is for what is left, with nothing filled yet
// (status new, not partially_filled), and a qty equal to what is left is accepted.
func TestReplacingAPartlyFilledExitLeg(t *testing.T) {
	t.Parallel()
	b := setup(t)
	st := marginSettings()
	st.Realism = "realistic" // fills capped at the displayed size
	a := b.account("100000", st)
	ctx := context.Background()
	b.quote("AAPL", "99.98", "100.02")
	r := marketOrder("AAPL", fill.Buy, "10")
	r.OrderClass = order.Bracket
	r.TakeProfit = &order.TakeProfit{LimitPrice: nd("110")}
	r.StopLoss = &order.StopLoss{StopPrice: nd("95")}
	entry := b.place(a, r)
	var tp models.Order
	for _, l := range legsOf(t, b, entry) {
		if *l.Leg == "take_profit" {
			tp = l
		}
	}
	b.tick(market.Quote{Symbol: "AAPL", BidPrice: d("110.10"), BidSize: d("4"), AskPrice: d("110.14"), AskSize: d("4"), Time: b.clock.Add(time.Second)})
	if got := b.reload(&tp); got.Status != models.OrderPartiallyFilled || !got.FilledQty.Equal(d("4")) {
		t.Fatalf("take-profit = %s with %s filled, want 4 of 10", got.Status, got.FilledQty)
	}
	b.quote("AAPL", "105.00", "105.04")
	moved, err := b.svc.ReplaceOrder(ctx, b.user, a.ID, tp.ID, ReplaceRequest{LimitPrice: nd("111"), Qty: nd("6")}, SourceAPI)
	if err != nil {
		t.Fatalf("replacing the take-profit for the 6 left: %v", err)
	}
	if moved.Status != models.OrderNew || !moved.FilledQty.IsZero() || !moved.Qty.Decimal.Equal(d("6")) {
		t.Fatalf("replacement leg = %s, %s of %s filled; want new, 0 of 6", moved.Status, moved.FilledQty, moved.Qty.Decimal)
	}
	b.checkBooks(a)
}

// Changing a trailing stop's trail keeps its water mark: a sell trailing by 5 that saw 110 (stop
// 105) and is changed to trail by 2 stops at 108, not at 2 below the current bid.
func TestReplacingATrailKeepsTheWaterMark(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	ctx := context.Background()
	b.quote("AAPL", "99.98", "100.02")
	b.place(a, marketOrder("AAPL", fill.Buy, "10"))
	trail := b.place(a, order.Request{Symbol: "AAPL", Qty: nd("10"), Side: fill.Sell, Type: fill.TrailingStop,
		TimeInForce: fill.GTC, TrailPrice: nd("5")})
	for _, bid := range []string{"105", "110", "108.50"} {
		b.clock.Add(time.Second)
		b.tick(b.quote("AAPL", bid, "111"))
	}
	moved, err := b.svc.ReplaceOrder(ctx, b.user, a.ID, trail.ID, ReplaceRequest{Trail: nd("2")}, SourceAPI)
	if err != nil {
		t.Fatal(err)
	}
	got := b.reload(moved)
	if got.Status != models.OrderNew || !got.HWM.Decimal.Equal(d("110")) || !got.StopPrice.Decimal.Equal(d("108")) {
		t.Fatalf("replaced trail = %s, water mark %s stop %s; want new, 110 and 108", got.Status, got.HWM.Decimal, got.StopPrice.Decimal)
	}
	b.clock.Add(time.Second)
	b.tick(b.quote("AAPL", "107.90", "108"))
	if got := b.reload(moved); got.Status != models.OrderFilled || !got.FilledAvgPrice.Decimal.Equal(d("107.9")) {
		t.Fatalf("after the bid fell under 108: %s @ %s", got.Status, got.FilledAvgPrice.Decimal)
	}
	b.checkBooks(a)
}
