package fill

import (
	"fmt"
	"time"

	"alpacawrapper/market"

	"github.com/shopspring/decimal"
)

// Evaluate decides what happens to order o now, given the latest quote q for its symbol, the
// evaluation time, the session and the account's realism settings. It is pure: the same inputs
// always give the same Decision, and nothing is changed; the caller persists what the Decision
// reports (the fill, Triggered, Trail) in one transaction.
//
// The checks run in this order, and the first that stops the order gives the Reason:
//  1. the order must be interpretable (else Reject);
//  2. opg and cls orders follow the auction rules (see evaluateOpening, evaluateClosing);
//  3. the session must allow the order (else Wait, outside_session: queued until the open), and
//     for an order of the regular session only, the quote must be timed after the open;
//  4. the quote must be two-sided, uncrossed and fresh (else Wait); the order has now met a
//     usable quote in this session (Decision.Rested when that is new);
//  5. the order type's rule decides: marketable or not, triggered or not;
//  6. with Realism.PartialByDisplayedSize, the fill is capped at the displayed size.
//
// For IOC and FOK a Wait or Trigger becomes Cancel — they never rest — except outside the
// session, where Alpaca queues them until the open like any other order.
func Evaluate(o Order, q market.Quote, now time.Time, s SessionInfo, r Realism) Decision {
	if p := o.problem(); p != "" {
		return Decision{Action: Reject, Reason: ReasonInvalidOrder, Detail: "fill: " + p}
	}
	var d Decision
	switch o.TimeInForce {
	case OPG:
		d = evaluateOpening(o, q, now, s, r)
	case CLS:
		d = evaluateClosing(o, q, now, s, r)
	default:
		d = evaluateContinuous(o, q, now, s, r)
	}
	if o.Type == TrailingStop && !d.Trail.Changed && d.Trail.WaterMark.IsZero() && d.Trail.Stop.IsZero() {
		// Outcomes decided before the trailing rule ran leave the state as it was.
		d.Trail = Trail{WaterMark: o.WaterMark, Stop: o.StopPrice}
	}
	return immediateOrCancel(o, d)
}

// immediateOrCancel turns IOC/FOK outcomes that would leave the order working into cancels.
func immediateOrCancel(o Order, d Decision) Decision {
	if o.TimeInForce != IOC && o.TimeInForce != FOK {
		return d
	}
	if (d.Action == Wait || d.Action == Trigger) && d.Reason != ReasonOutsideSession {
		d.Action = Cancel
		d.Detail = fmt.Sprintf("%s cancelled: %s", o.TimeInForce, d.Detail)
	}
	return d
}

func evaluateContinuous(o Order, q market.Quote, now time.Time, s SessionInfo, r Realism) Decision {
	if !s.allows(o) {
		return wait(ReasonOutsideSession, fmt.Sprintf("the %s session does not trade this order; queued until the open", s.Session))
	}
	// The quote's own time must be in a session that trades the order, not only the evaluation
	// time: a pre-open quote delivered after 9:30 is not a regular-session price.
	if s.Session == market.SessionRegular && s.regularOnly(o) && !s.Open.IsZero() && !q.Time.IsZero() && q.Time.Before(s.Open) {
		return wait(ReasonQuoteBeforeOpen, fmt.Sprintf("the quote (%s) is from before the open; waiting for a regular-session quote",
			q.Time.UTC().Format(time.RFC3339Nano)))
	}
	if reason, detail := quoteProblem(o.Side, q, now, r); reason != "" {
		return wait(reason, detail)
	}
	arriving := s.arriving(o)
	var d Decision
	switch o.Type {
	case Market:
		d = evaluateMarket(o, q, s, r)
	case Limit:
		d = evaluateLimit(o, q, s, r, arriving, false)
	case Stop:
		d = evaluateStop(o, q, s, r)
	case StopLimit:
		d = evaluateStopLimit(o, q, s, r, arriving)
	default: // TrailingStop; problem() has excluded anything else
		d = evaluateTrailing(o, q, s, r)
	}
	d.Rested = arriving
	return d
}

func wait(reason Reason, detail string) Decision {
	return Decision{Action: Wait, Reason: reason, Detail: detail}
}

// quoteProblem says why q cannot be used for an order on side at now, or returns "".
func quoteProblem(side Side, q market.Quote, now time.Time, r Realism) (Reason, string) {
	price, _ := executionSide(side, q.BidPrice, q.BidSize, q.AskPrice, q.AskSize)
	other, _ := executionSide(opposite(side), q.BidPrice, q.BidSize, q.AskPrice, q.AskSize)
	switch {
	case !price.IsPositive():
		return ReasonNoQuote, fmt.Sprintf("no %s to %s against", sidePrice(side), side)
	case !other.IsPositive():
		return ReasonOneSidedQuote, fmt.Sprintf("the quote has no %s, so no mid-price", sidePrice(opposite(side)))
	case q.AskPrice.LessThan(q.BidPrice):
		return ReasonCrossedQuote, fmt.Sprintf("crossed quote: bid %s > ask %s", q.BidPrice, q.AskPrice)
	case q.Time.IsZero():
		return ReasonStaleQuote, "the quote has no time"
	}
	if limit := r.maxQuoteAge(); limit >= 0 {
		if age := now.Sub(q.Time); age > limit {
			return ReasonStaleQuote, fmt.Sprintf("the quote is %s old (limit %s)", age, limit)
		}
	}
	return "", ""
}

func opposite(side Side) Side {
	if side == Buy {
		return Sell
	}
	return Buy
}

// sidePrice names the quote side an order on side executes against.
func sidePrice(side Side) string {
	if side == Buy {
		return "ask"
	}
	return "bid"
}

func evaluateMarket(o Order, q market.Quote, s SessionInfo, r Realism) Decision {
	price, _ := executionSide(o.Side, q.BidPrice, q.BidSize, q.AskPrice, q.AskSize)
	rule := RuleMarketAtBid
	if o.Side == Buy {
		rule = RuleMarketAtAsk
	}
	return atQuote(o, q, s, r, rule, fmt.Sprintf("%s market: filled at the %s %s", o.Side, sidePrice(o.Side), price))
}

// atQuote executes o as a taker at the quote's price on its side.
func atQuote(o Order, q market.Quote, s SessionInfo, r Realism, rule Rule, detail string) Decision {
	price, size := executionSide(o.Side, q.BidPrice, q.BidSize, q.AskPrice, q.AskSize)
	return execute(o, q, s, r.PartialByDisplayedSize, price, size, rule, detail)
}

// execute fills o at price, capped at size when capBySize.
func execute(o Order, q market.Quote, s SessionInfo, capBySize bool, price, size decimal.Decimal, rule Rule, detail string) Decision {
	qty := o.Qty
	if capBySize {
		if !size.IsPositive() {
			return wait(ReasonNoDisplayedSize, fmt.Sprintf("no displayed %s size", sidePrice(o.Side)))
		}
		if size.LessThan(qty) {
			if o.TimeInForce == FOK {
				return Decision{Action: Cancel, Reason: ReasonFOKInsufficient,
					Detail: fmt.Sprintf("fok cancelled: %s displayed at the %s, %s wanted", size, sidePrice(o.Side), qty)}
			}
			qty = size
		}
	}
	partial := qty.LessThan(o.Qty)
	mid := q.Mid()
	cost := price.Sub(mid).Mul(qty)
	if o.Side == Sell {
		cost = cost.Neg()
	}
	return Decision{
		Action: Execute,
		Detail: detail,
		Fill: Fill{
			Price:   price,
			Qty:     qty,
			Partial: partial,
			Receipt: Receipt{
				Bid: q.BidPrice, Ask: q.AskPrice, BidSize: q.BidSize, AskSize: q.AskSize,
				BidExchange: q.BidExchange, AskExchange: q.AskExchange,
				QuoteTime: q.Time, Source: s.Source,
				Rule: rule, Detail: detail, Mid: mid, CostVsMid: cost,
			},
		},
		CancelRemainder: partial && o.TimeInForce == IOC,
	}
}

// marketable reports whether the quote reaches o's limit: ask <= limit for a buy, bid >= limit
// for a sell.
func marketable(side Side, price, limit decimal.Decimal) bool {
	if side == Buy {
		return price.LessThanOrEqual(limit)
	}
	return price.GreaterThanOrEqual(limit)
}

// evaluateLimit applies the limit rules. arriving orders fill as takers at the quote; resting
// ones fill as makers at their limit, on touch or through as realism says. triggeredNow marks a
// stop-limit that became a limit on this very quote.
func evaluateLimit(o Order, q market.Quote, s SessionInfo, r Realism, arriving, triggeredNow bool) Decision {
	price, size := executionSide(o.Side, q.BidPrice, q.BidSize, q.AskPrice, q.AskSize)
	cmp := "<="
	if o.Side == Sell {
		cmp = ">="
	}
	if arriving {
		if !marketable(o.Side, price, o.LimitPrice) {
			return wait(ReasonNotMarketable, fmt.Sprintf("%s limit %s not reached: %s %s", o.Side, o.LimitPrice, sidePrice(o.Side), price))
		}
		rule := RuleMarketableLimitAtQuote
		if triggeredNow {
			rule = RuleStopLimitAtQuote
		}
		return execute(o, q, s, r.PartialByDisplayedSize, price, size, rule,
			fmt.Sprintf("%s limit %s marketable: %s %s %s limit; filled at the %s %s",
				o.Side, o.LimitPrice, sidePrice(o.Side), price, cmp, sidePrice(o.Side), price))
	}
	switch {
	case price.Equal(o.LimitPrice):
		if r.through() {
			return wait(ReasonTouchedNotThrough, fmt.Sprintf("%s %s touches the limit %s; realism requires trading through", sidePrice(o.Side), price, o.LimitPrice))
		}
		return execute(o, q, s, r.PartialByDisplayedSize, o.LimitPrice, size, RuleLimitTouched,
			fmt.Sprintf("resting %s limit %s touched: %s %s; filled at the limit", o.Side, o.LimitPrice, sidePrice(o.Side), price))
	case marketable(o.Side, price, o.LimitPrice):
		return execute(o, q, s, r.PartialByDisplayedSize, o.LimitPrice, size, RuleLimitThrough,
			fmt.Sprintf("resting %s limit %s traded through: %s %s; filled at the limit", o.Side, o.LimitPrice, sidePrice(o.Side), price))
	}
	return wait(ReasonNotMarketable, fmt.Sprintf("%s limit %s not reached: %s %s", o.Side, o.LimitPrice, sidePrice(o.Side), price))
}

// stopHit reports whether the quote triggers a stop at stop: ask >= stop for a buy, bid <= stop
// for a sell.
func stopHit(side Side, price, stop decimal.Decimal) bool {
	if side == Buy {
		return price.GreaterThanOrEqual(stop)
	}
	return price.LessThanOrEqual(stop)
}

func stopComparison(side Side) string {
	if side == Buy {
		return ">="
	}
	return "<="
}

// triggered marks d as the result of a stop that triggered on this quote: when nothing filled,
// the trigger itself is the news the caller must persist.
func triggered(d Decision) Decision {
	d.Triggered = true
	if d.Action == Wait {
		d.Action = Trigger
		if d.Reason == ReasonNotMarketable || d.Reason == ReasonTouchedNotThrough {
			d.Reason = ReasonTriggeredNoFill
		}
	}
	return d
}

func evaluateStop(o Order, q market.Quote, s SessionInfo, r Realism) Decision {
	price, _ := executionSide(o.Side, q.BidPrice, q.BidSize, q.AskPrice, q.AskSize)
	if o.Triggered {
		return atQuote(o, q, s, r, RuleTriggeredStopAtQuote,
			fmt.Sprintf("%s stop %s already triggered; remainder filled at the %s %s", o.Side, o.StopPrice, sidePrice(o.Side), price))
	}
	if !stopHit(o.Side, price, o.StopPrice) {
		return wait(ReasonStopNotTriggered, fmt.Sprintf("%s stop %s not reached: %s %s", o.Side, o.StopPrice, sidePrice(o.Side), price))
	}
	rule := RuleStopTriggeredOnBid
	if o.Side == Buy {
		rule = RuleStopTriggeredOnAsk
	}
	return triggered(atQuote(o, q, s, r, rule,
		fmt.Sprintf("%s stop triggered: %s %s %s stop %s; filled at the %s %s",
			o.Side, sidePrice(o.Side), price, stopComparison(o.Side), o.StopPrice, sidePrice(o.Side), price)))
}

func evaluateStopLimit(o Order, q market.Quote, s SessionInfo, r Realism, arriving bool) Decision {
	if o.Triggered {
		return evaluateLimit(o, q, s, r, arriving, false)
	}
	price, _ := executionSide(o.Side, q.BidPrice, q.BidSize, q.AskPrice, q.AskSize)
	if !stopHit(o.Side, price, o.StopPrice) {
		return wait(ReasonStopNotTriggered, fmt.Sprintf("%s stop %s not reached: %s %s", o.Side, o.StopPrice, sidePrice(o.Side), price))
	}
	// On the quote that triggers it the stop-limit is a new limit order: marketable at the
	// quote, or resting from now on.
	d := triggered(evaluateLimit(o, q, s, r, true, true))
	d.Detail = fmt.Sprintf("%s stop %s triggered (%s %s); %s", o.Side, o.StopPrice, sidePrice(o.Side), price, d.Detail)
	if d.Action == Execute {
		d.Fill.Receipt.Detail = d.Detail
	}
	return d
}
