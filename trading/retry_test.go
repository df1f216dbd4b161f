package trading

import (
	"context"
	"sync"
	"testing"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// A client whose reply was lost sends the same order again with the same client_order_id: it
// gets the order it placed (filled since, and without a second fill, even though its buying
// power would not cover another); the same id with a different order is refused (issue 10,
// item 18).
func TestRetriedOrderReturnsTheOrderItPlaced(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("1500", cashSettings())
	ctx := context.Background()
	b.quote("AAPL", "99.98", "100.02")
	r := marketOrder("AAPL", fill.Buy, "10")
	r.ClientOrderID = "bot-42"
	first := b.place(a, r)
	again, err := b.svc.PlaceOrder(ctx, b.user, a.ID, r, SourceAPI)
	if err != nil {
		t.Fatalf("identical retry: %v", err)
	}
	if again.ID != first.ID || again.Status != models.OrderFilled {
		t.Fatalf("retry returned %s (%s), want the filled order %s", again.ID, again.Status, first.ID)
	}
	var orders, fills int64
	b.db.Model(&models.Order{}).Where("account_id = ?", a.ID).Count(&orders)
	b.db.Model(&models.Fill{}).Where("account_id = ?", a.ID).Count(&fills)
	if orders != 1 || fills != 1 {
		t.Fatalf("after the retry: %d orders and %d fills, want 1 and 1", orders, fills)
	}
	for name, edit := range map[string]func(*order.Request){
		"another qty":  func(r *order.Request) { r.Qty = nd("11") },
		"another side": func(r *order.Request) { r.Side = fill.Sell },
		"a limit":      func(r *order.Request) { r.Type, r.LimitPrice = fill.Limit, nd("100") },
	} {
		different := r
		edit(&different)
		_, err := b.svc.PlaceOrder(ctx, b.user, a.ID, different, SourceAPI)
		if e, ok := apperr.As(err); !ok || e.Fields["client_order_id"] == "" {
			t.Errorf("%s under the same client_order_id: %v, want a refusal", name, err)
		}
	}
	b.checkBooks(a)
}

// A bracket retried while its first placement is still working returns the same entry, legs
// and all; retries racing each other place it once.
func TestRetriedBracketIsPlacedOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", marginSettings())
	ctx := context.Background()
	b.quote("AAPL", "99.98", "100.02")
	r := limitOrder("AAPL", fill.Buy, "10", "95", fill.GTC)
	r.OrderClass, r.ClientOrderID = order.Bracket, "bracket-7"
	r.TakeProfit = &order.TakeProfit{LimitPrice: nd("110")}
	r.StopLoss = &order.StopLoss{StopPrice: nd("90")}
	var wg sync.WaitGroup
	ids := make([]string, 4)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := b.svc.PlaceOrder(ctx, b.user, a.ID, r, SourceAPI)
			if err != nil {
				t.Errorf("placement %d: %v", i, err)
				return
			}
			ids[i] = o.ID.String()
		}()
	}
	wg.Wait()
	for i := range ids {
		if ids[i] != ids[0] {
			t.Fatalf("placements returned different orders: %v", ids)
		}
	}
	var orders int64
	b.db.Model(&models.Order{}).Where("account_id = ?", a.ID).Count(&orders)
	if orders != 3 {
		t.Fatalf("%d orders written, want one entry and its two legs", orders)
	}
	r.StopLoss = &order.StopLoss{StopPrice: nd("89")}
	if _, err := b.svc.PlaceOrder(ctx, b.user, a.ID, r, SourceAPI); !apperr.IsKind(err, apperr.KindInvalid) {
		t.Fatalf("the same id with another stop-loss: %v, want a refusal", err)
	}
}
