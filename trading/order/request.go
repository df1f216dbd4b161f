package order

import (
	"alpacawrapper/trading/fill"

	"github.com/shopspring/decimal"
)

// Class is an order's class, spelled as Alpaca spells it.
type Class string

// The order classes. An empty class means Simple.
const (
	Simple  Class = "simple"
	Bracket Class = "bracket"
	OCO     Class = "oco" // exit orders only: a take-profit limit and a stop-loss, one cancels the other
	OTO     Class = "oto" // an entry plus one exit leg that activates when it fills
)

// Request mirrors the body of Alpaca's POST /v2/orders. Decimal fields are Null (Valid false)
// when the request leaves them out, so "absent" and "0" stay distinguishable; the JSON tags let
// a handler decode an Alpaca-shaped body directly (decimals as strings or numbers).
type Request struct {
	Symbol string `json:"symbol"`
	// Qty and Notional: exactly one. Notional is a dollar amount.
	Qty           decimal.NullDecimal `json:"qty"`
	Notional      decimal.NullDecimal `json:"notional"`
	Side          fill.Side           `json:"side"`
	Type          fill.OrderType      `json:"type"`
	TimeInForce   fill.TimeInForce    `json:"time_in_force"`
	LimitPrice    decimal.NullDecimal `json:"limit_price"`
	StopPrice     decimal.NullDecimal `json:"stop_price"`
	TrailPrice    decimal.NullDecimal `json:"trail_price"`
	TrailPercent  decimal.NullDecimal `json:"trail_percent"`
	ExtendedHours bool                `json:"extended_hours"`
	ClientOrderID string              `json:"client_order_id"`
	OrderClass    Class               `json:"order_class"`
	TakeProfit    *TakeProfit         `json:"take_profit,omitempty"`
	StopLoss      *StopLoss           `json:"stop_loss,omitempty"`
}

// TakeProfit is the take-profit leg of a bracket, OCO or OTO order.
type TakeProfit struct {
	LimitPrice decimal.NullDecimal `json:"limit_price"`
}

// StopLoss is the stop-loss leg of a bracket, OCO or OTO order. A limit price makes the leg a
// stop-limit order.
type StopLoss struct {
	StopPrice  decimal.NullDecimal `json:"stop_price"`
	LimitPrice decimal.NullDecimal `json:"limit_price"`
}

// Normalized is a request that passed Validate, with its defaults applied and its optional
// decimals flattened: a zero decimal means the field does not apply to this order.
type Normalized struct {
	Symbol        string
	Qty           decimal.Decimal // zero for a notional order: the engine sizes it from the quote
	Notional      decimal.Decimal // zero for a quantity order
	Side          fill.Side
	Type          fill.OrderType
	TimeInForce   fill.TimeInForce
	LimitPrice    decimal.Decimal
	StopPrice     decimal.Decimal
	TrailPrice    decimal.Decimal
	TrailPercent  decimal.Decimal
	ExtendedHours bool
	ClientOrderID string // the caller's, or a generated one
	OrderClass    Class  // never empty
	// Fractional is true for a notional order or a quantity that is not a whole number: the
	// engine must not let such an order open or grow a short.
	Fractional bool
	TakeProfit *NormalizedTakeProfit // nil when the class has no take-profit leg
	StopLoss   *NormalizedStopLoss   // nil when the class has no stop-loss leg
}

// NormalizedTakeProfit is a validated take-profit leg.
type NormalizedTakeProfit struct {
	LimitPrice decimal.Decimal
}

// NormalizedStopLoss is a validated stop-loss leg; LimitPrice is zero for a plain stop.
type NormalizedStopLoss struct {
	StopPrice  decimal.Decimal
	LimitPrice decimal.Decimal
}

// Options are Validate's injectable dependencies.
type Options struct {
	// NewClientOrderID generates a client_order_id when the request has none. Nil means a
	// random UUID; tests pass a fixed generator so results are deterministic.
	NewClientOrderID func() string
	// MarketPrice is a market entry's base price for its legs (alpaca.md §4 "Stop-loss
	// distance"): the side of the latest quote the entry would fill at, the ask for a buy and the
	// bid for a sell. Zero when no quote is known; a market bracket or OTO is then not checked
	// against the market.
	MarketPrice decimal.Decimal
}
