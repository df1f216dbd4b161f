package order_test

import (
	"testing"

	"alpacawrapper/apperr"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"

	"github.com/shopspring/decimal"
)

// FuzzValidate feeds arbitrary field values through Validate: it must never panic, and every
// refusal must be an Invalid apperr.Error with one of the two codes, a message and at least one
// field whose message is not empty.
func FuzzValidate(f *testing.F) {
	f.Add("AAPL", "10", "", "buy", "market", "day", "", "", "", "", false, "", "", "", "", "", false)
	f.Add("AAPL", "1.5", "", "sell", "limit", "day", "0.9999", "", "", "", true, "id", "bracket", "110", "95", "94.5", false)
	f.Add("BTC/USD", "", "50", "buy", "trailing_stop", "gtc", "", "", "1", "2", false, "", "oco", "1", "", "x", true)
	f.Fuzz(func(t *testing.T, symbol, qty, notional, side, typ, tif, limit, stop, trailPrice, trailPct string,
		ext bool, clientID, class, tp, slStop, slLimit string, crypto bool) {
		r := order.Request{
			Symbol: symbol, Qty: parse(qty), Notional: parse(notional),
			Side: fill.Side(side), Type: fill.OrderType(typ), TimeInForce: fill.TimeInForce(tif),
			LimitPrice: parse(limit), StopPrice: parse(stop), TrailPrice: parse(trailPrice), TrailPercent: parse(trailPct),
			ExtendedHours: ext, ClientOrderID: clientID, OrderClass: order.Class(class),
		}
		if tp != "" {
			r.TakeProfit = &order.TakeProfit{LimitPrice: parse(tp)}
		}
		if slStop != "" || slLimit != "" {
			r.StopLoss = &order.StopLoss{StopPrice: parse(slStop), LimitPrice: parse(slLimit)}
		}
		a := stock()
		if crypto {
			a = coin()
		}
		_, err := order.Validate(r, a, order.Options{NewClientOrderID: fixedID})
		if err == nil {
			return
		}
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid || e.Message == "" || len(e.Fields) == 0 {
			t.Fatalf("refusal is not a clear Invalid error: %#v", err)
		}
		if e.Code != order.CodeMalformed && e.Code != order.CodeUnprocessable {
			t.Fatalf("code %q is not an Alpaca code", e.Code)
		}
		for field, msg := range e.Fields {
			if msg == "" {
				t.Fatalf("field %s has no message", field)
			}
		}
	})
}

// parse reads s as a present decimal, or absent when it is empty or not a number (a JSON decoder
// rejects non-numbers before Validate sees them).
func parse(s string) decimal.NullDecimal {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.NullDecimal{}
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}
}
