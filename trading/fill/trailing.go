package fill

import (
	"fmt"

	"alpacawrapper/market"

	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

// evaluateTrailing runs a trailing stop: test the trigger with the current stop first, and only
// if it did not trigger let the water mark follow the quote (engine-rules §5, after LEAN). The
// other order would let a quote that jumps and falls back within one tick move the stop past the
// price and fire it on the same quote. The water mark follows the price the stop triggers on:
// the bid for a sell, the ask for a buy.
func evaluateTrailing(o Order, q market.Quote, s SessionInfo, r Realism) Decision {
	price, _ := executionSide(o.Side, q.BidPrice, q.BidSize, q.AskPrice, q.AskSize)
	state := Trail{WaterMark: o.WaterMark, Stop: o.StopPrice}
	if o.Triggered {
		d := atQuote(o, q, s, r, RuleTriggeredStopAtQuote,
			fmt.Sprintf("%s trailing stop %s already triggered; remainder filled at the %s %s", o.Side, o.StopPrice, sidePrice(o.Side), price))
		d.Trail = state
		return d
	}
	if !state.WaterMark.IsPositive() {
		state.WaterMark, state.Changed = price, true
	}
	if !state.Stop.IsPositive() {
		state.Stop, state.Changed = trailStop(o, state.WaterMark), true
	}
	if stopHit(o.Side, price, state.Stop) {
		rule := RuleTrailingTriggeredOnBid
		if o.Side == Buy {
			rule = RuleTrailingTriggeredOnAsk
		}
		d := triggered(atQuote(o, q, s, r, rule,
			fmt.Sprintf("%s trailing stop triggered: %s %s %s stop %s (water mark %s); filled at the %s %s",
				o.Side, sidePrice(o.Side), price, stopComparison(o.Side), state.Stop, state.WaterMark, sidePrice(o.Side), price)))
		d.Trail = state
		return d
	}
	if improves(o.Side, price, state.WaterMark) {
		state.WaterMark, state.Changed = price, true
		if next := trailStop(o, price); improves(o.Side, next, state.Stop) {
			state.Stop = next
		}
	}
	d := wait(ReasonStopNotTriggered, fmt.Sprintf("%s trailing stop %s not reached: %s %s (water mark %s)",
		o.Side, state.Stop, sidePrice(o.Side), price, state.WaterMark))
	d.Trail = state
	return d
}

// improves reports whether price a is better than b for the water mark (and the stop) of a
// trailing stop on side: higher for a sell, lower for a buy. Anything else would move the
// stop against the order.
func improves(side Side, a, b decimal.Decimal) bool {
	if side == Sell {
		return a.GreaterThan(b)
	}
	return a.LessThan(b)
}

// TrailStop is a trailing stop's stop for a water mark: below it for a sell, above it for a buy,
// by TrailPrice dollars or TrailPercent percent, rounded to the nearest tick.
func TrailStop(o Order, waterMark decimal.Decimal) decimal.Decimal { return trailStop(o, waterMark) }

func trailStop(o Order, waterMark decimal.Decimal) decimal.Decimal {
	offset := o.TrailPrice
	if !offset.IsPositive() {
		offset = waterMark.Mul(o.TrailPercent).Div(hundred)
	}
	if o.Side == Sell {
		return RoundToTick(waterMark.Sub(offset), o.PriceIncrement)
	}
	return RoundToTick(waterMark.Add(offset), o.PriceIncrement)
}
