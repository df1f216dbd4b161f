package fill

import (
	"time"

	"github.com/shopspring/decimal"
)

// Side is the direction of an order.
type Side string

// The sides, spelled as Alpaca spells them.
const (
	Buy  Side = "buy"
	Sell Side = "sell"
)

// OrderType is how an order's price is set, spelled as Alpaca spells it.
type OrderType string

// The order types.
const (
	Market       OrderType = "market"
	Limit        OrderType = "limit"
	Stop         OrderType = "stop"
	StopLimit    OrderType = "stop_limit"
	TrailingStop OrderType = "trailing_stop"
)

// TimeInForce is how long an order works, spelled as Alpaca spells it.
type TimeInForce string

// The times in force. Expiry of day orders at the close is the expiry job's work, not the
// model's: to Evaluate, day and gtc behave alike.
const (
	Day TimeInForce = "day"
	GTC TimeInForce = "gtc"
	OPG TimeInForce = "opg" // opening auction: see OpeningWindow
	CLS TimeInForce = "cls" // closing auction: fills at the last regular-session quote
	IOC TimeInForce = "ioc" // fill what is available now, cancel the rest
	FOK TimeInForce = "fok" // fill everything now, or cancel
)

// Order is what the model reads of an order: its terms and the little state that changes as
// quotes arrive (the stop's trigger flag and a trailing stop's water mark and stop price). The
// caller persists the state a Decision reports and passes it back on the next evaluation.
type Order struct {
	Side        Side
	Type        OrderType
	TimeInForce TimeInForce
	// Qty is the quantity still to fill (Alpaca's leaves_qty): the whole order on placement,
	// the remainder after partial fills. Fractional quantities are allowed.
	Qty decimal.Decimal
	// LimitPrice is required for limit and stop_limit orders.
	LimitPrice decimal.Decimal
	// StopPrice is required for stop and stop_limit orders. For a trailing stop it is the
	// current stop (zero until the first evaluation sets it from the water mark).
	StopPrice decimal.Decimal
	// TrailPrice or TrailPercent (exactly one, positive) is a trailing stop's offset from its
	// water mark: in dollars, or in percent of the water mark (5 = 5%).
	TrailPrice   decimal.Decimal
	TrailPercent decimal.Decimal
	// WaterMark is a trailing stop's best price so far: the highest bid for a sell (Alpaca's
	// hwm), the lowest ask for a buy. Zero until the first evaluation sets it from the quote.
	WaterMark decimal.Decimal
	// PriceIncrement overrides the equity sub-penny tick when positive (crypto's price
	// increment); it is only used to round computed trailing stops.
	PriceIncrement decimal.Decimal
	// ExtendedHours lets a limit order fill in the pre-market and after-hours sessions.
	ExtendedHours bool
	// Triggered is true once a stop, stop-limit or trailing stop has triggered (persist it from
	// Decision.Triggered). A triggered stop's remainder executes as a market order and a
	// triggered stop-limit's as a limit order.
	Triggered bool
	// RestedAt is when the order last met a usable quote in a session that trades it (zero:
	// never); persist it from Decision.Rested. Until an order has met a usable quote in the
	// current session it is arriving: a marketable limit fills as a taker at the quote, so an
	// order the market has gapped through gets the better price. Afterwards it rests and fills
	// at its limit, as a maker. Each session of the stock market starts anew (see
	// SessionInfo.Start), so an order that rested yesterday meets today's first quote as an
	// arriving order, exactly like one queued overnight; crypto never starts anew.
	RestedAt time.Time
}

// executionSide is the price and displayed size an order on side executes against.
func executionSide(side Side, bid, bidSize, ask, askSize decimal.Decimal) (price, size decimal.Decimal) {
	if side == Buy {
		return ask, askSize
	}
	return bid, bidSize
}

// problem returns why the model cannot interpret o, or "" when it can.
func (o Order) problem() string {
	switch o.Side {
	case Buy, Sell:
	default:
		return "unknown side " + string(o.Side)
	}
	switch o.TimeInForce {
	case Day, GTC, OPG, CLS, IOC, FOK:
	default:
		return "unknown time in force " + string(o.TimeInForce)
	}
	if !o.Qty.IsPositive() {
		return "quantity must be positive"
	}
	switch o.Type {
	case Market:
	case Limit:
		if !o.LimitPrice.IsPositive() {
			return "a limit order needs a positive limit price"
		}
	case Stop:
		if !o.StopPrice.IsPositive() {
			return "a stop order needs a positive stop price"
		}
	case StopLimit:
		if !o.LimitPrice.IsPositive() || !o.StopPrice.IsPositive() {
			return "a stop-limit order needs positive stop and limit prices"
		}
	case TrailingStop:
		byPrice, byPercent := o.TrailPrice.IsPositive(), o.TrailPercent.IsPositive()
		if byPrice == byPercent {
			return "a trailing stop needs exactly one positive trail price or trail percent"
		}
		if byPercent && o.TrailPercent.GreaterThanOrEqual(decimal.NewFromInt(100)) {
			return "a trail percent must be below 100"
		}
	default:
		return "unknown order type " + string(o.Type)
	}
	return ""
}
