package trading

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/apperr"
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
