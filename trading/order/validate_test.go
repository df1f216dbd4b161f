package order_test

import (
	"maps"
	"strings"
	"testing"

	"alpacawrapper/apperr"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

const (
	malformed = order.CodeMalformed
	unproc    = order.CodeUnprocessable
)

type rejectCase struct {
	name  string
	req   order.Request
	asset order.AssetInfo
	field string
	msg   string
	code  string
}

func TestValidateRejects(t *testing.T) {
	t.Parallel()
	type R = order.Request
	cases := []rejectCase{
		// symbol and asset
		{"missing symbol", with(marketBuy(), func(r *R) { r.Symbol = " " }), stock(), "symbol", "symbol is required", malformed},
		{"asset not tradable", marketBuy(), order.AssetInfo{Class: "us_equity"}, "symbol", "asset AAPL is not tradable", unproc},

		// side, type, time in force, class
		{"missing side", with(marketBuy(), func(r *R) { r.Side = "" }), stock(), "side", "side is required", malformed},
		{"unknown side", with(marketBuy(), func(r *R) { r.Side = "short" }), stock(), "side", `side must be buy or sell, not "short"`, malformed},
		{"missing type", with(marketBuy(), func(r *R) { r.Type = "" }), stock(), "type", "type is required", malformed},
		{"unknown type", with(marketBuy(), func(r *R) { r.Type = "peg" }), stock(), "type", `type must be market, limit, stop, stop_limit or trailing_stop, not "peg"`, malformed},
		{"missing time in force", with(marketBuy(), func(r *R) { r.TimeInForce = "" }), stock(), "time_in_force", "time_in_force is required", malformed},
		{"unknown time in force", with(marketBuy(), func(r *R) { r.TimeInForce = "gtd" }), stock(), "time_in_force", `time_in_force must be day, gtc, opg, cls, ioc or fok, not "gtd"`, malformed},
		{"unknown order class", with(marketBuy(), func(r *R) { r.OrderClass = "oso" }), stock(), "order_class", `order_class must be simple, bracket, oco or oto, not "oso"`, malformed},

		// qty and notional
		{"neither qty nor notional", with(marketBuy(), func(r *R) { r.Qty.Valid = false }), stock(), "qty", "qty or notional is required", malformed},
		{"both qty and notional", with(marketBuy(), func(r *R) { r.Notional = nd("100") }), stock(), "notional", "qty and notional cannot both be set; send only one", malformed},
		{"zero qty", with(marketBuy(), func(r *R) { r.Qty = nd("0") }), stock(), "qty", "qty must be > 0", malformed},
		{"negative qty", with(marketBuy(), func(r *R) { r.Qty = nd("-1") }), stock(), "qty", "qty must be > 0", malformed},
		{"qty with ten decimals", with(marketBuy(), func(r *R) { r.Qty = nd("0.1234567891") }), stock(), "qty", "qty must have at most 9 decimal places", malformed},
		{"zero notional", with(marketBuy(), func(r *R) { r.Qty.Valid = false; r.Notional = nd("0") }), stock(), "notional", "notional must be > 0", malformed},
		{"notional with ten decimals", with(marketBuy(), func(r *R) { r.Qty.Valid = false; r.Notional = nd("5.0000000001") }), stock(), "notional", "notional must have at most 9 decimal places", malformed},
		{"notional under a dollar", with(marketBuy(), func(r *R) { r.Qty.Valid = false; r.Notional = nd("0.99") }), stock(), "notional", "notional must be at least $1.00", unproc},
		{"notional on a limit order", with(limitBuy(), func(r *R) { r.Qty.Valid = false; r.Notional = nd("500") }), stock(), "notional", "notional orders must be market orders with time_in_force day", unproc},
		{"notional with gtc", with(marketBuy(), func(r *R) { r.Qty.Valid = false; r.Notional = nd("500"); r.TimeInForce = fill.GTC }), stock(), "notional", "notional orders must be market orders with time_in_force day", unproc},
		{"notional on a non-fractionable asset", with(marketBuy(), func(r *R) { r.Qty.Valid = false; r.Notional = nd("500") }), wholeOnly(), "notional", "requested asset is not fractionable", unproc},

		// fractional quantities
		{"fractional qty on a non-fractionable asset", with(marketBuy(), func(r *R) { r.Qty = nd("1.5") }), wholeOnly(), "qty", "requested asset is not fractionable", unproc},
		{"fractional stop order", with(marketBuy(), func(r *R) { r.Qty = nd("1.5"); r.Type = fill.Stop; r.StopPrice = nd("105") }), stock(), "qty", "fractional orders must be market or limit orders with time_in_force day", unproc},
		{"fractional gtc limit", with(limitBuy(), func(r *R) { r.Qty = nd("1.5"); r.TimeInForce = fill.GTC }), stock(), "qty", "fractional orders must be market or limit orders with time_in_force day", unproc},
		{"fractional bracket", with(bracketBuy(), func(r *R) { r.Qty = nd("1.5") }), stock(), "order_class", "fractional orders must be simple orders", unproc},
		{"fractional extended hours", with(limitBuy(), func(r *R) { r.Qty = nd("1.5"); r.ExtendedHours = true }), stock(), "extended_hours", "fractional orders cannot be placed with extended_hours", unproc},

		// limit, stop and trail prices
		{"limit without limit_price", with(marketBuy(), func(r *R) { r.Type = fill.Limit }), stock(), "limit_price", "limit_price is required for limit and stop_limit orders", malformed},
		{"stop_limit without limit_price", with(marketBuy(), func(r *R) { r.Type = fill.StopLimit; r.StopPrice = nd("105") }), stock(), "limit_price", "limit_price is required for limit and stop_limit orders", malformed},
		{"market with limit_price", with(marketBuy(), func(r *R) { r.LimitPrice = nd("100") }), stock(), "limit_price", "limit_price is only allowed for limit and stop_limit orders", unproc},
		{"zero limit_price", with(limitBuy(), func(r *R) { r.LimitPrice = nd("0") }), stock(), "limit_price", "limit_price must be > 0", malformed},
		{"stop without stop_price", with(marketBuy(), func(r *R) { r.Type = fill.Stop }), stock(), "stop_price", "stop_price is required for stop and stop_limit orders", malformed},
		{"stop_limit without stop_price", with(limitBuy(), func(r *R) { r.Type = fill.StopLimit }), stock(), "stop_price", "stop_price is required for stop and stop_limit orders", malformed},
		{"limit with stop_price", with(limitBuy(), func(r *R) { r.StopPrice = nd("99") }), stock(), "stop_price", "stop_price is only allowed for stop and stop_limit orders", unproc},
		{"negative stop_price", with(marketBuy(), func(r *R) { r.Type = fill.Stop; r.StopPrice = nd("-5") }), stock(), "stop_price", "stop_price must be > 0", malformed},
		{"trailing stop with neither trail", with(marketBuy(), func(r *R) { r.Type = fill.TrailingStop }), stock(), "trail_price", "trailing_stop orders need exactly one of trail_price or trail_percent", malformed},
		{"trailing stop with both trails", with(marketBuy(), func(r *R) { r.Type = fill.TrailingStop; r.TrailPrice = nd("1"); r.TrailPercent = nd("2") }), stock(), "trail_price", "trailing_stop orders need exactly one of trail_price or trail_percent", malformed},
		{"trail_percent of 100", with(marketBuy(), func(r *R) { r.Type = fill.TrailingStop; r.TrailPercent = nd("100") }), stock(), "trail_percent", "trail_percent must be > 0 and < 100", malformed},
		{"trail_percent of zero", with(marketBuy(), func(r *R) { r.Type = fill.TrailingStop; r.TrailPercent = nd("0") }), stock(), "trail_percent", "trail_percent must be > 0 and < 100", malformed},
		{"zero trail_price", with(marketBuy(), func(r *R) { r.Type = fill.TrailingStop; r.TrailPrice = nd("0") }), stock(), "trail_price", "trail_price must be > 0", malformed},
		{"trail_price on a market order", with(marketBuy(), func(r *R) { r.TrailPrice = nd("1") }), stock(), "trail_price", "trail_price is only allowed for trailing_stop orders", unproc},
		{"trail_percent on a limit order", with(limitBuy(), func(r *R) { r.TrailPercent = nd("1") }), stock(), "trail_percent", "trail_percent is only allowed for trailing_stop orders", unproc},
		{"trailing stop with ioc", with(marketBuy(), func(r *R) { r.Type = fill.TrailingStop; r.TrailPrice = nd("1"); r.TimeInForce = fill.IOC }), stock(), "time_in_force", "trailing_stop orders must use time_in_force day or gtc", unproc},

		// sub-penny
		{"limit above a dollar with three decimals", with(limitBuy(), func(r *R) { r.LimitPrice = nd("100.001") }), stock(), "limit_price", "sub-penny increment does not fulfill minimum pricing criteria", unproc},
		{"limit below a dollar with five decimals", with(limitBuy(), func(r *R) { r.LimitPrice = nd("0.12345") }), stock(), "limit_price", "sub-penny increment does not fulfill minimum pricing criteria", unproc},
		{"stop above a dollar with three decimals", with(marketBuy(), func(r *R) { r.Type = fill.Stop; r.StopPrice = nd("1.005") }), stock(), "stop_price", "sub-penny increment does not fulfill minimum pricing criteria", unproc},
		{"trail_price with three decimals", with(marketBuy(), func(r *R) { r.Type = fill.TrailingStop; r.TrailPrice = nd("1.255") }), stock(), "trail_price", "sub-penny increment does not fulfill minimum pricing criteria", unproc},
		{"take profit off the tick", with(bracketBuy(), func(r *R) { r.TakeProfit.LimitPrice = nd("110.005") }), stock(), "take_profit.limit_price", "sub-penny increment does not fulfill minimum pricing criteria", unproc},
		{"stop loss limit off the tick", with(bracketBuy(), func(r *R) { r.StopLoss.LimitPrice = nd("94.999") }), stock(), "stop_loss.limit_price", "sub-penny increment does not fulfill minimum pricing criteria", unproc},

		// extended hours
		{"extended hours on a market order", with(marketBuy(), func(r *R) { r.ExtendedHours = true }), stock(), "extended_hours", "extended hours order must be DAY limit orders", unproc},
		{"extended hours on a gtc limit", with(limitBuy(), func(r *R) { r.ExtendedHours = true; r.TimeInForce = fill.GTC }), stock(), "extended_hours", "extended hours order must be DAY limit orders", unproc},
		{"extended hours on a stop_limit", with(limitBuy(), func(r *R) { r.ExtendedHours = true; r.Type = fill.StopLimit; r.StopPrice = nd("99") }), stock(), "extended_hours", "extended hours order must be DAY limit orders", unproc},

		// opg and cls
		{"opg stop order", with(marketBuy(), func(r *R) { r.Type = fill.Stop; r.StopPrice = nd("105"); r.TimeInForce = fill.OPG }), stock(), "time_in_force", "opg and cls orders must be market or limit orders", unproc},
		{"cls trailing stop", with(marketBuy(), func(r *R) { r.Type = fill.TrailingStop; r.TrailPercent = nd("1"); r.TimeInForce = fill.CLS }), stock(), "time_in_force", "opg and cls orders must be market or limit orders", unproc},

		// crypto
		{"crypto day order", with(cryptoBuy(), func(r *R) { r.TimeInForce = fill.Day }), coin(), "time_in_force", "crypto orders must use time_in_force gtc or ioc", unproc},
		{"crypto fok order", with(cryptoBuy(), func(r *R) { r.TimeInForce = fill.FOK }), coin(), "time_in_force", "crypto orders must use time_in_force gtc or ioc", unproc},
		{"crypto opg order", with(cryptoBuy(), func(r *R) { r.TimeInForce = fill.OPG }), coin(), "time_in_force", "crypto orders must use time_in_force gtc or ioc", unproc},
		{"crypto stop order", with(cryptoBuy(), func(r *R) { r.Type = fill.Stop; r.StopPrice = nd("60000") }), coin(), "type", "crypto orders must be market, limit or stop_limit orders", unproc},
		{"crypto trailing stop", with(cryptoBuy(), func(r *R) { r.Type = fill.TrailingStop; r.TrailPercent = nd("2") }), coin(), "type", "crypto orders must be market, limit or stop_limit orders", unproc},
		{"crypto bracket", with(cryptoBuy(), func(r *R) {
			r.Type, r.LimitPrice, r.OrderClass = fill.Limit, nd("60000"), order.Bracket
			r.TakeProfit = &order.TakeProfit{LimitPrice: nd("66000")}
			r.StopLoss = &order.StopLoss{StopPrice: nd("57000")}
		}), coin(), "order_class", "crypto orders must be simple orders", unproc},
		{"crypto extended hours", with(cryptoBuy(), func(r *R) { r.ExtendedHours = true }), coin(), "extended_hours", "crypto trades around the clock; leave extended_hours out", unproc},
		{"crypto qty below the minimum", with(cryptoBuy(), func(r *R) { r.Qty = nd("0.00005") }), coin(), "qty", "qty must be at least 0.0001 for this asset", unproc},
		{"crypto qty off the increment", with(cryptoBuy(), func(r *R) { r.Qty = nd("0.00015") }), coin(), "qty", "qty must be a multiple of 0.0001 for this asset", unproc},
		{"crypto limit off the price increment", with(cryptoBuy(), func(r *R) { r.Type = fill.Limit; r.LimitPrice = nd("60000.005") }), coin(), "limit_price", "limit_price must be a multiple of 0.01 for this asset", unproc},
		{"crypto notional limit order", with(cryptoBuy(), func(r *R) {
			r.Qty.Valid = false
			r.Notional = nd("50")
			r.Type = fill.Limit
			r.LimitPrice = nd("60000")
		}), coin(), "notional", "notional crypto orders must be market orders", unproc},

		// client_order_id
		{"client_order_id of 49 characters", with(marketBuy(), func(r *R) { r.ClientOrderID = strings.Repeat("x", 49) }), stock(), "client_order_id", "client_order_id must be 48 characters or fewer", unproc},
		{"client_order_id of 49 multibyte characters", with(marketBuy(), func(r *R) { r.ClientOrderID = strings.Repeat("é", 49) }), stock(), "client_order_id", "client_order_id must be 48 characters or fewer", unproc},

		// simple orders carry no legs
		{"simple order with take_profit", with(marketBuy(), func(r *R) { r.TakeProfit = &order.TakeProfit{LimitPrice: nd("110")} }), stock(), "take_profit", "take_profit is only allowed for bracket, oco and oto orders", unproc},
		{"simple order with stop_loss", with(marketBuy(), func(r *R) { r.StopLoss = &order.StopLoss{StopPrice: nd("90")} }), stock(), "stop_loss", "stop_loss is only allowed for bracket, oco and oto orders", unproc},
		{"trailing stop bracket", with(bracketBuy(), func(r *R) { r.Type = fill.TrailingStop; r.LimitPrice.Valid = false; r.TrailPrice = nd("1") }), stock(), "order_class", "trailing_stop orders must be simple orders", unproc},

		// bracket
		{"bracket without take_profit", with(bracketBuy(), func(r *R) { r.TakeProfit = nil }), stock(), "take_profit.limit_price", "bracket orders require take_profit.limit_price", malformed},
		{"bracket without stop_loss", with(bracketBuy(), func(r *R) { r.StopLoss = nil }), stock(), "stop_loss.stop_price", "bracket orders require stop_loss.stop_price", malformed},
		{"bracket stop_loss without stop_price", with(bracketBuy(), func(r *R) { r.StopLoss = &order.StopLoss{LimitPrice: nd("94")} }), stock(), "stop_loss.stop_price", "bracket orders require stop_loss.stop_price", malformed},
		{"buy bracket with take profit below stop", with(bracketBuy(), func(r *R) { r.Type = fill.Market; r.LimitPrice.Valid = false; r.TakeProfit.LimitPrice = nd("94") }), stock(), "take_profit.limit_price", "for a buy bracket, take_profit.limit_price must be greater than stop_loss.stop_price", unproc},
		{"buy bracket with take profit equal to stop", with(bracketBuy(), func(r *R) { r.Type = fill.Market; r.LimitPrice.Valid = false; r.TakeProfit.LimitPrice = nd("95") }), stock(), "take_profit.limit_price", "for a buy bracket, take_profit.limit_price must be greater than stop_loss.stop_price", unproc},
		{"sell bracket with take profit above stop", with(bracketBuy(), func(r *R) { r.Side = fill.Sell; r.Type = fill.Market; r.LimitPrice.Valid = false }), stock(), "take_profit.limit_price", "for a sell bracket, take_profit.limit_price must be less than stop_loss.stop_price", unproc},
		{"buy bracket take profit within a cent of the entry", with(bracketBuy(), func(r *R) { r.TakeProfit.LimitPrice = nd("100.00") }), stock(), "take_profit.limit_price", "take_profit.limit_price must be >= base_price + 0.01 (base_price 100 is the entry limit_price)", unproc},
		{"buy bracket stop within a cent of the entry", with(bracketBuy(), func(r *R) { r.StopLoss.StopPrice = nd("100.00") }), stock(), "stop_loss.stop_price", "stop_loss.stop_price must be <= base_price - 0.01 (base_price 100 is the entry limit_price)", unproc},
		{"sell bracket take profit above the entry", with(bracketBuy(), func(r *R) {
			r.Side = fill.Sell
			r.TakeProfit.LimitPrice, r.StopLoss.StopPrice = nd("100.50"), nd("105")
		}), stock(), "take_profit.limit_price", "take_profit.limit_price must be <= base_price - 0.01 (base_price 100 is the entry limit_price)", unproc},
		{"sell bracket stop below the entry", with(bracketBuy(), func(r *R) {
			r.Side = fill.Sell
			r.TakeProfit.LimitPrice, r.StopLoss.StopPrice = nd("90"), nd("99.99")
		}), stock(), "stop_loss.stop_price", "stop_loss.stop_price must be >= base_price + 0.01 (base_price 100 is the entry limit_price)", unproc},
		{"bracket with ioc", with(bracketBuy(), func(r *R) { r.TimeInForce = fill.IOC }), stock(), "time_in_force", "bracket orders must use time_in_force day or gtc", unproc},
		{"bracket with opg", with(bracketBuy(), func(r *R) { r.TimeInForce = fill.OPG }), stock(), "time_in_force", "bracket orders must use time_in_force day or gtc", unproc},
		{"bracket with extended hours", with(bracketBuy(), func(r *R) { r.ExtendedHours = true }), stock(), "extended_hours", "bracket orders cannot be placed with extended_hours", unproc},
		{"bracket with zero take profit", with(bracketBuy(), func(r *R) { r.TakeProfit.LimitPrice = nd("0") }), stock(), "take_profit.limit_price", "take_profit.limit_price must be > 0", malformed},

		// oco
		{"oco market order", with(ocoSell(), func(r *R) { r.Type = fill.Market }), stock(), "type", "oco orders must be limit orders", unproc},
		{"oco with a top-level limit_price", with(ocoSell(), func(r *R) { r.LimitPrice = nd("110") }), stock(), "limit_price", "oco orders take their limit price from take_profit.limit_price; leave limit_price out", unproc},
		{"oco without stop_loss", with(ocoSell(), func(r *R) { r.StopLoss = nil }), stock(), "stop_loss.stop_price", "oco orders require stop_loss.stop_price", malformed},
		{"oco without take_profit", with(ocoSell(), func(r *R) { r.TakeProfit = nil }), stock(), "take_profit.limit_price", "oco orders require take_profit.limit_price", malformed},
		{"sell oco stop above take profit", with(ocoSell(), func(r *R) { r.StopLoss.StopPrice = nd("115") }), stock(), "stop_loss.stop_price", "stop_loss.stop_price must be <= base_price - 0.01 (base_price 110 is the take_profit.limit_price)", unproc},
		{"buy oco stop below take profit", with(ocoSell(), func(r *R) { r.Side = fill.Buy }), stock(), "stop_loss.stop_price", "stop_loss.stop_price must be >= base_price + 0.01 (base_price 110 is the take_profit.limit_price)", unproc},

		// oto
		{"oto without a leg", with(bracketBuy(), func(r *R) { r.OrderClass = order.OTO; r.TakeProfit, r.StopLoss = nil, nil }), stock(), "take_profit", "oto orders require one of take_profit or stop_loss", malformed},
		{"oto with two legs", with(bracketBuy(), func(r *R) { r.OrderClass = order.OTO }), stock(), "stop_loss", "oto orders take exactly one of take_profit or stop_loss", unproc},
		{"oto take profit without a price", with(bracketBuy(), func(r *R) { r.OrderClass = order.OTO; r.StopLoss = nil; r.TakeProfit.LimitPrice.Valid = false }), stock(), "take_profit.limit_price", "oto orders require take_profit.limit_price", malformed},
		{"oto stop within a cent of the entry", with(bracketBuy(), func(r *R) { r.OrderClass = order.OTO; r.TakeProfit = nil; r.StopLoss.StopPrice = nd("99.995") }), stock(), "stop_loss.stop_price", "sub-penny increment does not fulfill minimum pricing criteria", unproc},
		{"oto stop above a buy entry", with(bracketBuy(), func(r *R) { r.OrderClass = order.OTO; r.TakeProfit = nil; r.StopLoss.StopPrice = nd("101") }), stock(), "stop_loss.stop_price", "stop_loss.stop_price must be <= base_price - 0.01 (base_price 100 is the entry limit_price)", unproc},
		{"oto with fok", with(bracketBuy(), func(r *R) { r.OrderClass = order.OTO; r.StopLoss = nil; r.TimeInForce = fill.FOK }), stock(), "time_in_force", "oto orders must use time_in_force day or gtc", unproc},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := order.Validate(c.req, c.asset, order.Options{NewClientOrderID: fixedID})
			assertRefusal(t, err, c.code, map[string]string{c.field: c.msg})
		})
	}
}

// ocoSell is a valid OCO exit of a long: sell 10, take profit at 110, stop at 95.
func ocoSell() order.Request {
	r := marketBuy()
	r.Side, r.Type, r.TimeInForce, r.OrderClass = fill.Sell, fill.Limit, fill.GTC, order.OCO
	r.TakeProfit = &order.TakeProfit{LimitPrice: nd("110")}
	r.StopLoss = &order.StopLoss{StopPrice: nd("95"), LimitPrice: nd("94.50")}
	return r
}

// assertRefusal checks err is an Invalid refusal with exactly the fields want, the given code,
// and — when one field is at fault — that field's message as its Message.
func assertRefusal(t *testing.T, err error, code string, want map[string]string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("want a refusal %v, got %v", want, err)
	}
	if e.Kind != apperr.KindInvalid {
		t.Errorf("kind = %v, want Invalid", e.Kind)
	}
	if e.Code != code {
		t.Errorf("code = %q, want %q", e.Code, code)
	}
	if !maps.Equal(e.Fields, want) {
		t.Errorf("fields = %v\nwant     %v", e.Fields, want)
	}
	if len(want) == 1 {
		for _, msg := range want {
			if e.Message != msg {
				t.Errorf("message = %q, want %q", e.Message, msg)
			}
		}
	}
}
