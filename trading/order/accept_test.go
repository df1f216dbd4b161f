package order_test

import (
	"encoding/json"
	"testing"

	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	type R = order.Request
	cases := []struct {
		name  string
		req   order.Request
		asset order.AssetInfo
		check func(t *testing.T, n order.Normalized)
	}{
		{"market buy gets defaults", with(marketBuy(), func(r *R) { r.Symbol = " aapl " }), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "symbol", n.Symbol, "AAPL")
			wantEq(t, "class", n.OrderClass, order.Simple)
			wantEq(t, "client_order_id", n.ClientOrderID, "generated-id")
			wantEq(t, "qty", n.Qty.String(), "10")
			wantEq(t, "fractional", n.Fractional, false)
		}},
		{"caller's client_order_id of 48 characters is kept", with(marketBuy(), func(r *R) { r.ClientOrderID = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv" }), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "client_order_id", n.ClientOrderID, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv")
		}},
		{"notional market day", with(marketBuy(), func(r *R) { r.Qty.Valid = false; r.Notional = nd("250.50") }), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "notional", n.Notional.String(), "250.5")
			wantEq(t, "qty is zero", n.Qty.IsZero(), true)
			wantEq(t, "fractional", n.Fractional, true)
		}},
		{"fractional limit day", with(limitBuy(), func(r *R) { r.Qty = nd("0.123456789") }), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "fractional", n.Fractional, true)
			wantEq(t, "limit", n.LimitPrice.String(), "100")
		}},
		{"qty with trailing zeros past nine places", with(marketBuy(), func(r *R) { r.Qty = nd("2.0000000000") }), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "fractional", n.Fractional, false)
		}},
		{"sub-dollar limit with four decimals", with(limitBuy(), func(r *R) { r.LimitPrice = nd("0.1234") }), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "limit", n.LimitPrice.String(), "0.1234")
		}},
		{"extended hours day limit", with(limitBuy(), func(r *R) { r.ExtendedHours = true }), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "extended_hours", n.ExtendedHours, true)
		}},
		{"stop_limit gtc sell", with(limitBuy(), func(r *R) {
			r.Side = fill.Sell
			r.Type = fill.StopLimit
			r.StopPrice = nd("99.50")
			r.TimeInForce = fill.GTC
		}), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "stop", n.StopPrice.String(), "99.5")
		}},
		{"trailing stop by percent", with(marketBuy(), func(r *R) {
			r.Side = fill.Sell
			r.Type = fill.TrailingStop
			r.TrailPercent = nd("2.5")
			r.TimeInForce = fill.GTC
		}), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "trail_percent", n.TrailPercent.String(), "2.5")
			wantEq(t, "trail_price is zero", n.TrailPrice.IsZero(), true)
		}},
		{"opg limit", with(limitBuy(), func(r *R) { r.TimeInForce = fill.OPG }), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "tif", n.TimeInForce, fill.OPG)
		}},
		{"cls market", with(marketBuy(), func(r *R) { r.TimeInForce = fill.CLS }), stock(), nil},
		{"fok and ioc market stock orders", with(marketBuy(), func(r *R) { r.TimeInForce = fill.FOK }), stock(), nil},
		{"buy bracket with stop-limit leg", with(bracketBuy(), func(r *R) { r.StopLoss.LimitPrice = nd("94.50") }), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "class", n.OrderClass, order.Bracket)
			wantEq(t, "take profit", n.TakeProfit.LimitPrice.String(), "110")
			wantEq(t, "stop", n.StopLoss.StopPrice.String(), "95")
			wantEq(t, "stop limit", n.StopLoss.LimitPrice.String(), "94.5")
		}},
		{"sell bracket at market", with(bracketBuy(), func(r *R) {
			r.Side, r.Type, r.LimitPrice.Valid = fill.Sell, fill.Market, false
			r.TakeProfit.LimitPrice, r.StopLoss.StopPrice = nd("90"), nd("105")
		}), stock(), nil},
		{"buy bracket legs exactly a cent from the entry", with(bracketBuy(), func(r *R) {
			r.TakeProfit.LimitPrice, r.StopLoss.StopPrice = nd("100.01"), nd("99.99")
		}), stock(), nil},
		{"sell oco", ocoSell(), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "class", n.OrderClass, order.OCO)
			wantEq(t, "limit price is zero", n.LimitPrice.IsZero(), true)
		}},
		{"oto with a take profit", with(bracketBuy(), func(r *R) { r.OrderClass = order.OTO; r.StopLoss = nil }), stock(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "no stop leg", n.StopLoss == nil, true)
			wantEq(t, "take profit", n.TakeProfit.LimitPrice.String(), "110")
		}},
		{"crypto fractional gtc market", cryptoBuy(), coin(), func(t *testing.T, n order.Normalized) {
			wantEq(t, "symbol", n.Symbol, "BTC/USD")
			wantEq(t, "fractional", n.Fractional, true)
		}},
		{"crypto sell is allowed (shorts are the engine's check)", with(cryptoBuy(), func(r *R) { r.Side = fill.Sell }), coin(), nil},
		{"crypto notional ioc market", with(cryptoBuy(), func(r *R) { r.Qty.Valid = false; r.Notional = nd("0.50"); r.TimeInForce = fill.IOC }), coin(), nil},
		{"crypto stop_limit", with(cryptoBuy(), func(r *R) { r.Type = fill.StopLimit; r.StopPrice = nd("61000"); r.LimitPrice = nd("61500.25") }), coin(), nil},
		{"whole qty on a non-fractionable stock", marketBuy(), wholeOnly(), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n, err := order.Validate(c.req, c.asset, order.Options{NewClientOrderID: fixedID})
			if err != nil {
				t.Fatalf("want valid, got %v (%v)", err, fieldsOf(err))
			}
			if c.check != nil {
				c.check(t, n)
			}
		})
	}
}

// TestValidateReportsEveryField checks that a request with several problems is refused with the
// first problem as its message and every field marked.
func TestValidateReportsEveryField(t *testing.T) {
	t.Parallel()
	r := order.Request{Symbol: "AAPL", Qty: nd("0"), Side: "long", Type: fill.Limit, TimeInForce: fill.Day, ClientOrderID: string(make([]byte, 49))}
	_, err := order.Validate(r, stock(), order.Options{})
	assertRefusal(t, err, order.CodeMalformed, map[string]string{
		"side":            `side must be buy or sell, not "long"`,
		"qty":             "qty must be > 0",
		"limit_price":     "limit_price is required for limit and stop_limit orders",
		"client_order_id": "client_order_id must be 48 characters or fewer",
	})
	if e, _ := apperr.As(err); e.Message != `side must be buy or sell, not "long"` {
		t.Errorf("message = %q, want the first problem found", e.Message)
	}
}

func TestValidateGeneratesRandomIDByDefault(t *testing.T) {
	t.Parallel()
	a, errA := order.Validate(marketBuy(), stock(), order.Options{})
	b, errB := order.Validate(marketBuy(), stock(), order.Options{})
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if len(a.ClientOrderID) != 36 || a.ClientOrderID == b.ClientOrderID {
		t.Errorf("ids %q and %q: want two distinct UUIDs", a.ClientOrderID, b.ClientOrderID)
	}
}

// TestRequestDecodesAlpacaJSON checks an Alpaca-shaped body decodes into a Request that
// validates, with decimals given as strings.
func TestRequestDecodesAlpacaJSON(t *testing.T) {
	t.Parallel()
	body := `{"symbol":"SPY","qty":"100","side":"buy","type":"limit","time_in_force":"gtc","limit_price":"300.25",
		"order_class":"bracket","take_profit":{"limit_price":"301"},"stop_loss":{"stop_price":"299","limit_price":"298.5"}}`
	var r order.Request
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if r.Notional.Valid || r.StopPrice.Valid {
		t.Errorf("absent notional/stop_price decoded as present")
	}
	n, err := order.Validate(r, stock(), order.Options{NewClientOrderID: fixedID})
	if err != nil {
		t.Fatalf("validate: %v (%v)", err, fieldsOf(err))
	}
	wantEq(t, "stop limit", n.StopLoss.LimitPrice.String(), "298.5")
	wantEq(t, "entry", n.LimitPrice.String(), "300.25")
}

func TestAssetInfoFrom(t *testing.T) {
	t.Parallel()
	a := market.Asset{Symbol: "BTC/USD", Class: market.Crypto, Active: true, Tradable: true, Fractionable: true,
		MinOrderSize: dec("0.0001"), MinTradeIncrement: dec("0.000000001"), PriceIncrement: dec("1")}
	got := order.AssetInfoFrom(a)
	wantEq(t, "tradable", got.Tradable, true)
	wantEq(t, "min size", got.MinOrderSize.String(), "0.0001")
	wantEq(t, "price increment", got.PriceIncrement.String(), "1")
	a.Active = false
	wantEq(t, "inactive is not tradable", order.AssetInfoFrom(a).Tradable, false)
}

func wantEq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// fieldsOf is the field errors inside err, for failure messages.
func fieldsOf(err error) map[string]string {
	if e, ok := apperr.As(err); ok {
		return e.Fields
	}
	return nil
}
