package trading

import (
	"context"
	"testing"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

func TestCancelAllCancelsEveryOpenOrderOfTheAccountOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	a := b.account("100000", marginSettings())
	other := b.account("100000", marginSettings())
	b.quote("AAPL", "99.98", "100.02")
	simple := b.place(a, limitOrder("AAPL", fill.Buy, "1", "90.00", fill.GTC))
	r := limitOrder("AAPL", fill.Buy, "2", "91.00", fill.GTC)
	r.OrderClass = order.Bracket
	r.TakeProfit = &order.TakeProfit{LimitPrice: nd("105")}
	r.StopLoss = &order.StopLoss{StopPrice: nd("85")}
	entry := b.place(a, r)
	filled := b.place(a, limitOrder("AAPL", fill.Buy, "1", "101.00", fill.GTC)) // marketable: fills at once
	untouched := b.place(other, limitOrder("AAPL", fill.Buy, "1", "90.00", fill.GTC))

	got, err := b.svc.CancelAll(ctx, b.user, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 { // the simple order, the entry and its two held legs
		t.Fatalf("canceled %d orders, want 4", len(got))
	}
	for _, o := range []*models.Order{simple, entry} {
		if s := b.reload(o).Status; s != models.OrderCanceled {
			t.Errorf("order %s is %s, want canceled", o.ID, s)
		}
	}
	if s := b.reload(filled).Status; s != models.OrderFilled {
		t.Errorf("the filled order became %s", s)
	}
	if s := b.reload(untouched).Status; s != models.OrderNew {
		t.Errorf("the other account's order became %s", s)
	}
	if _, ok := b.svc.index.Get(simple.ID); ok {
		t.Error("a canceled order is still in the matcher's index")
	}
	if again, err := b.svc.CancelAll(ctx, b.user, a.ID); err != nil || len(again) != 0 {
		t.Errorf("second cancel all = %d orders, %v; want none", len(again), err)
	}
	if _, err := b.svc.CancelAll(ctx, b.newUser(), a.ID); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Errorf("another person's cancel all = %v, want not found", err)
	}
	b.checkBooks(a)
}
