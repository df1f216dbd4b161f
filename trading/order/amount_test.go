package order_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"alpacawrapper/apperr"
	"alpacawrapper/trading/order"
)

func TestParseAmountBoundsTextAndSize(t *testing.T) {
	t.Parallel()
	nines := strings.Repeat("9", 4<<20)
	cases := []struct {
		name, raw string
		kind      order.AmountKind
		want      string // the refusal's message; "" for a number
	}{
		{"a price", "187.50", order.Price, ""},
		{"a small float as JSON writes it", "1.5e-05", order.Quantity, ""},
		{"empty is absent", "", order.Price, ""},
		{"millions of nines", nines, order.Quantity, "qty must be a number, such as 10 or 187.50, written in at most 32 characters"},
		{"a price of 1e9999", "1e9999", order.Price, "qty must be a price, such as 187.50"},
		{"a price too large", "10000000.01", order.Price, "qty must be at most 10000000"},
		{"a percentage too large", "101", order.Percent, "qty must be at most 100"},
		{"not a number", "ten", order.Quantity, "qty must be a number, such as 10 or 187.50"},
		{"NaN", "NaN", order.Quantity, "qty must be a number, such as 10 or 187.50"},
		{"hex", "0x10", order.Quantity, "qty must be a number, such as 10 or 187.50"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			d, err := order.ParseAmount("qty", tc.raw, tc.kind)
			if took := time.Since(start); took > 100*time.Millisecond {
				t.Errorf("took %s", took)
			}
			if tc.want == "" {
				if err != nil || d.Valid != (tc.raw != "") {
					t.Fatalf("ParseAmount(%.20q) = %v, %v", tc.raw, d, err)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindInvalid || e.Code != order.CodeMalformed || e.Message != tc.want || e.Fields["qty"] != tc.want {
				t.Fatalf("ParseAmount(%.20q) = %v, %#v; want %q", tc.raw, d, err, tc.want)
			}
		})
	}
}

func TestParseTypedAmountReadsWhatPeopleType(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{"$1,234.50": "1234.5", " 2 % ": "2", "100_000": "100000"} {
		d, err := order.ParseTypedAmount("notional", raw, order.Dollars)
		if err != nil || !d.Valid || d.Decimal.String() != want {
			t.Errorf("ParseTypedAmount(%q) = %v, %v; want %s", raw, d, err, want)
		}
	}
	if _, err := order.ParseTypedAmount("notional", strings.Repeat(",", 1<<20)+"1", order.Dollars); err == nil {
		t.Error("a long field of separators is read")
	}
}

func TestRequestJSONAmountsAreBounded(t *testing.T) {
	t.Parallel()
	var r order.Request
	if err := json.Unmarshal([]byte(`{"symbol":"AAPL","qty":"2.5","limit_price":101.25,"stop_price":null,"side":"buy",
		"take_profit":{"limit_price":"110"},"stop_loss":{"stop_price":90}}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.Symbol != "AAPL" || r.Qty.Decimal.String() != "2.5" || r.LimitPrice.Decimal.String() != "101.25" || r.StopPrice.Valid ||
		r.TakeProfit.LimitPrice.Decimal.String() != "110" || r.StopLoss.StopPrice.Decimal.String() != "90" || r.StopLoss.LimitPrice.Valid {
		t.Fatalf("decoded %+v", r)
	}
	for body, field := range map[string]string{
		`{"qty":` + strings.Repeat("9", 4<<20) + `}`:   "qty",
		`{"qty":"` + strings.Repeat("9", 4<<20) + `"}`: "qty",
		`{"take_profit":{"limit_price":"1e9999"}}`:     "take_profit.limit_price",
		`{"stop_loss":{"limit_price":"20000000"}}`:     "stop_loss.limit_price",
		`{"trail_percent":"1e2"}`:                      "",
		`{"notional":"NaN"}`:                           "notional",
	} {
		start := time.Now()
		err := json.Unmarshal([]byte(body), &order.Request{})
		if took := time.Since(start); took > time.Second {
			t.Errorf("%.40s: took %s", body, took)
		}
		if field == "" {
			if err != nil {
				t.Errorf("%.40s: %v", body, err)
			}
			continue
		}
		if e, ok := apperr.As(err); !ok || e.Fields[field] == "" {
			t.Errorf("%.40s: %v, want a refusal of %s", body, err, field)
		}
	}
}

func TestValidateRefusesAmountsBeyondTheirBound(t *testing.T) {
	t.Parallel()
	r := marketBuy()
	r.Type, r.OrderClass = "limit", order.Bracket
	r.LimitPrice = nd("100")
	r.TakeProfit = &order.TakeProfit{LimitPrice: nd("1e9999")}
	r.StopLoss = &order.StopLoss{StopPrice: nd("90")}
	_, err := order.Validate(r, stock(), order.Options{NewClientOrderID: fixedID})
	if e, ok := apperr.As(err); !ok || e.Fields["take_profit.limit_price"] != "take_profit.limit_price must be at most 10000000" {
		t.Fatalf("take profit of 1e9999: %#v", err)
	}
}
