package fees

import (
	"time"

	"github.com/shopspring/decimal"
)

// Trade is one fill to price.
type Trade struct {
	// Sell is true for a sale (including a short sale); only sales pay regulatory fees.
	Sell bool
	// Crypto is true for a crypto pair, which pays no regulatory fees.
	Crypto bool
	// Qty and Price are the fill's quantity and price (signs are ignored).
	Qty, Price decimal.Decimal
	// Date is when the fill executed; it picks the regulatory rates.
	Date time.Time
	// Before is what the fill's order had executed and been charged before this fill, so the
	// commission and the regulatory fees are applied per order (see Schedule.CommissionForFill
	// and Compute). Zero for a first fill.
	Before OrderSoFar
}

// Breakdown is what a fill costs, each part rounded to the cent.
type Breakdown struct {
	Commission, SEC, TAF decimal.Decimal
}

// Total is the fill's commission and regulatory fees together.
func (b Breakdown) Total() decimal.Decimal { return b.Commission.Add(b.SEC).Add(b.TAF) }

// Compute prices one fill: the schedule's commission (cumulative over the order's fills), and,
// when regulatory is set and the fill is a stock sale, the SEC and TAF fees at the rates table
// gives for the fill's date. The engine calls it once per fill and stores the three parts.
//
// Every part is applied to the order as a whole, as a broker bills a trade: each is the charge
// on everything the order has executed so far less what its earlier fills were charged. So the
// cent round-up of the SEC fee and the TAF, and the TAF's cap, apply once per order: a sale
// split into a hundred one-share fills pays what one fill of a hundred shares pays, not a
// hundred rounded-up cents of each.
func Compute(s Schedule, regulatory bool, table RegulatoryTable, in Trade) Breakdown {
	b := Breakdown{
		Commission: s.CommissionForFill(in.Before, in.Qty, in.Price),
		SEC:        decimal.Zero,
		TAF:        decimal.Zero,
	}
	if regulatory && in.Sell && !in.Crypto {
		rate := table.At(in.Date)
		qty := in.Before.Qty.Abs().Add(in.Qty.Abs())
		proceeds := in.Before.Value.Abs().Add(in.Qty.Abs().Mul(in.Price.Abs()))
		b.SEC = decimal.Max(rate.SEC(proceeds).Sub(in.Before.SEC), decimal.Zero)
		b.TAF = decimal.Max(rate.TAF(qty).Sub(in.Before.TAF), decimal.Zero)
	}
	return b
}
