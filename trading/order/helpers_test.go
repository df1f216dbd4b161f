package order_test

import (
	"alpacawrapper/market"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"

	"github.com/shopspring/decimal"
)

func nd(s string) decimal.NullDecimal {
	return decimal.NullDecimal{Decimal: decimal.RequireFromString(s), Valid: true}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// stock is a tradable, fractionable, shortable US equity.
func stock() order.AssetInfo {
	return order.AssetInfo{Class: market.USEquity, Tradable: true, Fractionable: true, Shortable: true, EasyToBorrow: true}
}

// wholeOnly is a tradable stock that cannot be traded in fractions.
func wholeOnly() order.AssetInfo {
	a := stock()
	a.Fractionable = false
	return a
}

// coin is a crypto pair with Alpaca-like minimums.
func coin() order.AssetInfo {
	return order.AssetInfo{
		Class: market.Crypto, Tradable: true, Fractionable: true,
		MinOrderSize: dec("0.0001"), MinTradeIncrement: dec("0.0001"), PriceIncrement: dec("0.01"),
	}
}

// marketBuy is the base request the cases modify: buy 10 AAPL at market, day.
func marketBuy() order.Request {
	return order.Request{Symbol: "AAPL", Qty: nd("10"), Side: fill.Buy, Type: fill.Market, TimeInForce: fill.Day}
}

// limitBuy is a day limit buy of 10 at 100.00.
func limitBuy() order.Request {
	r := marketBuy()
	r.Type, r.LimitPrice = fill.Limit, nd("100.00")
	return r
}

// bracketBuy is a valid buy bracket: entry limit 100, take profit 110, stop 95.
func bracketBuy() order.Request {
	r := limitBuy()
	r.OrderClass = order.Bracket
	r.TakeProfit = &order.TakeProfit{LimitPrice: nd("110")}
	r.StopLoss = &order.StopLoss{StopPrice: nd("95")}
	return r
}

// cryptoBuy is a gtc market buy of 0.5 BTC/USD.
func cryptoBuy() order.Request {
	return order.Request{Symbol: "BTC/USD", Qty: nd("0.5"), Side: fill.Buy, Type: fill.Market, TimeInForce: fill.GTC}
}

// with applies edits to a copy of r.
func with(r order.Request, edit func(*order.Request)) order.Request {
	edit(&r)
	return r
}

func fixedID() string { return "generated-id" }
