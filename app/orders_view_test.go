package app

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
	"alpacawrapper/views"
)

// The orders list names each leg's symbol, and explains a buy stop that Alpaca's price
// protection turned into a stop-limit, with the limit it was given.
func TestOrdersListLegSymbolsAndProtectedStops(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	ctx := context.Background()
	a := p.account(p.alice)
	dec := func(s string) decimal.NullDecimal {
		return decimal.NullDecimal{Decimal: decimal.RequireFromString(s), Valid: true}
	}
	if _, err := p.svc.Trading.PlaceOrder(ctx, p.alice.ID, a.ID, order.Request{Symbol: "MSFT", Side: fill.Buy, Type: fill.Limit,
		TimeInForce: fill.GTC, Qty: dec("2"), LimitPrice: dec("1.00"), OrderClass: order.Bracket,
		TakeProfit: &order.TakeProfit{LimitPrice: dec("2.00")}, StopLoss: &order.StopLoss{StopPrice: dec("0.50")}}, trading.SourceAPI); err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.Trading.PlaceOrder(ctx, p.alice.ID, a.ID, order.Request{Symbol: "AAPL", Side: fill.Buy, Type: fill.Stop,
		TimeInForce: fill.GTC, Qty: dec("1"), StopPrice: dec("1000")}, trading.SourceAPI); err != nil {
		t.Fatal(err)
	}
	b := p.as(p.alice, false)
	_, page := b.get("/orders?status=all")
	if n := strings.Count(page, `data-testid="leg-symbol">MSFT<`); n != 2 {
		t.Errorf("%d leg rows name MSFT, want 2", n)
	}
	limit := views.FormatPrice(decimal.NewFromInt(1025), decimal.Zero) // 2.5% above a stop from $50
	if !strings.Contains(htmlText(page), "Alpaca's buy-stop protection made it a stop-limit with a limit of $"+limit) {
		t.Error("the protected buy stop is not explained with its limit")
	}
	if strings.Count(page, `data-testid="order-explain"`) != 1 {
		t.Errorf("%d notes, want 1 (the bracket's legs have none)", strings.Count(page, `data-testid="order-explain"`))
	}
}
