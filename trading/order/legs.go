package order

import (
	"fmt"

	"alpacawrapper/trading/fill"

	"github.com/shopspring/decimal"
)

// minLegDistance is how far beyond the base price Alpaca wants a leg: $0.01 (alpaca.md §4).
func minLegDistance() decimal.Decimal { return decimal.New(1, -2) }

// legs checks the take-profit and stop-loss legs against the order class (alpaca.md §4 "Order
// classes").
func (v *validation) legs() {
	r, p := v.r, v.p
	tp, sl := r.TakeProfit, r.StopLoss
	if v.class == Simple || !v.known {
		if v.class == Simple {
			if tp != nil {
				p.add("take_profit", CodeUnprocessable, "take_profit is only allowed for bracket, oco and oto orders")
			}
			if sl != nil {
				p.add("stop_loss", CodeUnprocessable, "stop_loss is only allowed for bracket, oco and oto orders")
			}
		}
		return
	}
	name := string(v.class)
	switch v.class {
	case Bracket, OCO:
		if tp == nil || !tp.LimitPrice.Valid {
			p.add("take_profit.limit_price", CodeMalformed, name+" orders require take_profit.limit_price")
		}
		if sl == nil || !sl.StopPrice.Valid {
			p.add("stop_loss.stop_price", CodeMalformed, name+" orders require stop_loss.stop_price")
		}
		if v.class == OCO && r.Type != fill.Limit {
			p.add("type", CodeUnprocessable, "oco orders must be limit orders")
		}
	case OTO:
		switch {
		case tp == nil && sl == nil:
			p.add("take_profit", CodeMalformed, "oto orders require one of take_profit or stop_loss")
		case tp != nil && sl != nil:
			p.add("stop_loss", CodeUnprocessable, "oto orders take exactly one of take_profit or stop_loss")
		case tp != nil && !tp.LimitPrice.Valid:
			p.add("take_profit.limit_price", CodeMalformed, "oto orders require take_profit.limit_price")
		case sl != nil && !sl.StopPrice.Valid:
			p.add("stop_loss.stop_price", CodeMalformed, "oto orders require stop_loss.stop_price")
		}
	}
	if r.TimeInForce != fill.Day && r.TimeInForce != fill.GTC {
		p.add("time_in_force", CodeUnprocessable, name+" orders must use time_in_force day or gtc")
	}
	if r.ExtendedHours {
		p.add("extended_hours", CodeUnprocessable, name+" orders cannot be placed with extended_hours")
	}
	if tp != nil {
		v.price("take_profit.limit_price", tp.LimitPrice)
	}
	if sl != nil {
		v.price("stop_loss.stop_price", sl.StopPrice)
		v.price("stop_loss.limit_price", sl.LimitPrice)
	}
	v.legPrices()
}

// legPrices checks the legs' prices against each other and against the base price: the entry's
// limit price for bracket and OTO orders (a market entry's base is the market price the caller
// passes in Options), the take-profit's limit for OCO. Only valid, positive prices are compared.
func (v *validation) legPrices() {
	r, p := v.r, v.p
	tpPrice, slStop := decimal.Zero, decimal.Zero
	if r.TakeProfit != nil && !v.p.has("take_profit.limit_price") {
		tpPrice = value(r.TakeProfit.LimitPrice)
	}
	if r.StopLoss != nil && !v.p.has("stop_loss.stop_price") {
		slStop = value(r.StopLoss.StopPrice)
	}
	if v.class == OCO {
		// An OCO is itself the exit: a sell OCO closes a long, so its stop sits below the
		// take-profit; a buy OCO closes a short, so its stop sits above.
		if tpPrice.IsPositive() && slStop.IsPositive() {
			v.stopBeyond(r.Side, tpPrice, slStop, "take_profit.limit_price")
		}
		return
	}
	// Bracket and OTO legs exit the entry, so they trade on the opposite side.
	exit := fill.Sell
	if r.Side == fill.Sell {
		exit = fill.Buy
	}
	if v.class == Bracket && tpPrice.IsPositive() && slStop.IsPositive() {
		if r.Side == fill.Buy && !tpPrice.GreaterThan(slStop) {
			p.add("take_profit.limit_price", CodeUnprocessable,
				"for a buy bracket, take_profit.limit_price must be greater than stop_loss.stop_price")
			return
		}
		if r.Side == fill.Sell && !tpPrice.LessThan(slStop) {
			p.add("take_profit.limit_price", CodeUnprocessable,
				"for a sell bracket, take_profit.limit_price must be less than stop_loss.stop_price")
			return
		}
	}
	base, what := v.basePrice()
	if !base.IsPositive() {
		return
	}
	if tpPrice.IsPositive() {
		// A take-profit sells above (or, exiting a short, buys below) the entry.
		if exit == fill.Sell && tpPrice.LessThan(base.Add(minLegDistance())) {
			p.add("take_profit.limit_price", CodeUnprocessable, fmt.Sprintf(
				"take_profit.limit_price must be >= base_price + 0.01 (base_price %s is the %s)", base, what))
		}
		if exit == fill.Buy && tpPrice.GreaterThan(base.Sub(minLegDistance())) {
			p.add("take_profit.limit_price", CodeUnprocessable, fmt.Sprintf(
				"take_profit.limit_price must be <= base_price - 0.01 (base_price %s is the %s)", base, what))
		}
	}
	if slStop.IsPositive() {
		v.stopBeyond(exit, base, slStop, what)
	}
}

// basePrice is the price a bracket's or OTO's legs are measured from, and what it is: the
// entry's limit for a limit or stop-limit entry, the market price (Options.MarketPrice) for a
// market entry. Zero when there is none to measure from (a stop entry, an unknown market, a
// refused limit).
func (v *validation) basePrice() (decimal.Decimal, string) {
	r := v.r
	switch r.Type {
	case fill.Limit, fill.StopLimit:
		if v.p.has("limit_price") {
			return decimal.Zero, ""
		}
		return value(r.LimitPrice), "entry limit_price"
	case fill.Market:
		return v.market, "market price"
	}
	return decimal.Zero, ""
}

// stopBeyond checks that a stop-loss on side exit sits at least a cent beyond base: below it
// for a sell, above it for a buy. what names the base in the message.
func (v *validation) stopBeyond(exit fill.Side, base, stop decimal.Decimal, what string) {
	if exit == fill.Sell && stop.GreaterThan(base.Sub(minLegDistance())) {
		v.p.add("stop_loss.stop_price", CodeUnprocessable, fmt.Sprintf(
			"stop_loss.stop_price must be <= base_price - 0.01 (base_price %s is the %s)", base, what))
	}
	if exit == fill.Buy && stop.LessThan(base.Add(minLegDistance())) {
		v.p.add("stop_loss.stop_price", CodeUnprocessable, fmt.Sprintf(
			"stop_loss.stop_price must be >= base_price + 0.01 (base_price %s is the %s)", base, what))
	}
}
