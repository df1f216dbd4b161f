package order_test

import (
	"testing"

	"alpacawrapper/apperr"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// A market bracket's legs are measured from the market price the caller passes (alpaca.md §4
// "Stop-loss distance"): the take-profit at least a cent beyond it, the stop-loss at least a cent
// on the other side.
func TestMarketBracketLegsAreCheckedAgainstTheMarketPrice(t *testing.T) {
	t.Parallel()
	bracket := func(side fill.Side, tp, sl string) order.Request {
		r := marketBuy()
		r.Side, r.OrderClass = side, order.Bracket
		r.TakeProfit = &order.TakeProfit{LimitPrice: nd(tp)}
		r.StopLoss = &order.StopLoss{StopPrice: nd(sl)}
		return r
	}
	cases := []struct {
		name   string
		req    order.Request
		market string
		field  string // "" when accepted
	}{
		{"buy: take-profit below the market", bracket(fill.Buy, "99", "95"), "100.02", "take_profit.limit_price"},
		{"buy: take-profit a cent above the market", bracket(fill.Buy, "100.03", "95"), "100.02", ""},
		{"buy: take-profit at the market", bracket(fill.Buy, "100.02", "95"), "100.02", "take_profit.limit_price"},
		{"buy: stop-loss above the market", bracket(fill.Buy, "110", "100.50"), "100.02", "stop_loss.stop_price"},
		{"buy: stop-loss a cent below", bracket(fill.Buy, "110", "100.01"), "100.02", ""},
		{"sell: take-profit above the market", bracket(fill.Sell, "101", "105"), "99.98", "take_profit.limit_price"},
		{"sell: stop-loss below the market", bracket(fill.Sell, "90", "99.50"), "99.98", "stop_loss.stop_price"},
		{"sell: legs beyond the market", bracket(fill.Sell, "90", "105"), "99.98", ""},
		{"no market price: not checked", bracket(fill.Buy, "99", "95"), "0", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := order.Validate(c.req, stock(), order.Options{NewClientOrderID: fixedID, MarketPrice: dec(c.market)})
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Code != order.CodeUnprocessable || e.Fields[c.field] == "" {
				t.Fatalf("err = %v, want a 422 on %s", err, c.field)
			}
		})
	}
}
