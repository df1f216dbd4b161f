package fees

import "github.com/shopspring/decimal"

// Schedule is a commission schedule. Every amount is in dollars; the zero value charges nothing.
//
// For an order of qty shares worth value dollars the commission is
//
//	raw    = PerShare × qty + PerOrder
//	charge = max(raw, Minimum)                     (only when raw > 0)
//	charge = min(charge, MaxPercent% × value)      (only when MaxPercent > 0)
//
// rounded to the cent, half up. The cap is applied after the minimum, so when the cap is below
// the minimum the cap wins: IB charges a 100-share order of a $0.10 stock 0.5% of $10, not $1.
type Schedule struct {
	// Name is the stable identifier stored on the account ("free", "per_share", "per_order").
	Name string
	// Label is the human description for the settings dropdown.
	Label string
	// PerShare is charged per share (or unit) executed.
	PerShare decimal.Decimal
	// PerOrder is charged once per order.
	PerOrder decimal.Decimal
	// Minimum is the least an order with any commission pays.
	Minimum decimal.Decimal
	// MaxPercent caps the commission at this percent of the trade value (0.5 means 0.5%);
	// zero means no cap.
	MaxPercent decimal.Decimal
}

// Preset names.
const (
	Free     = "free"
	PerShare = "per_share"
	PerOrder = "per_order"
)

// Schedules returns the preset schedules in the order a settings dropdown shows them. The slice
// is new on every call, so callers may modify it.
func Schedules() []Schedule {
	return []Schedule{
		{
			// Alpaca charges no commission on stocks, and its paper accounts none on anything.
			Name:  Free,
			Label: "Commission-free (Alpaca)",
		},
		{
			// Interactive Brokers' fixed pricing as the reference describes it: $0.005 a share,
			// $1.00 minimum per order, at most 0.5% of the trade value.
			Name:       PerShare,
			Label:      "Per share: $0.005, $1.00 minimum, 0.5% cap (IB-style)",
			PerShare:   decimal.New(5, -3),
			Minimum:    decimal.New(1, 0),
			MaxPercent: decimal.New(5, -1),
		},
		{
			// The flat ticket charge of the pre-2019 discount brokers.
			Name:     PerOrder,
			Label:    "Flat $4.95 per order",
			PerOrder: decimal.New(495, -2),
		},
	}
}

// ScheduleByName returns the preset with the given name.
func ScheduleByName(name string) (Schedule, bool) {
	for _, s := range Schedules() {
		if s.Name == name {
			return s, true
		}
	}
	return Schedule{}, false
}

// Commission is the commission for a whole order of qty shares at price, rounded to the cent
// (half up: IB rounds its commissions to the cent, and half up is what a customer would do by
// hand). Signs are ignored, so a short sale's negative quantity costs what its size costs; a zero
// quantity costs nothing.
func (s Schedule) Commission(qty, price decimal.Decimal) decimal.Decimal {
	qty = qty.Abs()
	return s.commission(qty, qty.Mul(price.Abs()))
}

// commission applies the schedule to an order of qty shares (non-negative) worth value dollars.
func (s Schedule) commission(qty, value decimal.Decimal) decimal.Decimal {
	if qty.IsZero() {
		return decimal.Zero
	}
	c := s.PerShare.Mul(qty).Add(s.PerOrder)
	if !c.IsPositive() {
		return decimal.Zero
	}
	c = decimal.Max(c, s.Minimum)
	if s.MaxPercent.IsPositive() {
		c = decimal.Min(c, value.Mul(s.MaxPercent).Shift(-2))
	}
	return c.Round(2)
}

// OrderSoFar is what an order had executed, and been charged, before the fill being priced.
// The zero value is an order's first fill.
type OrderSoFar struct {
	// Qty is the quantity filled by earlier fills (the order's filled_qty before this fill).
	Qty decimal.Decimal
	// Value is the sum of qty × price over the earlier fills (filled_qty × filled_avg_price).
	Value decimal.Decimal
	// Charged is the commission already charged on the earlier fills.
	Charged decimal.Decimal
	// SEC and TAF are the regulatory fees already charged on the earlier fills.
	SEC, TAF decimal.Decimal
}

// CommissionForFill is the commission to charge for one fill of fillQty at fillPrice, given what
// the order had executed and been charged before it. The schedule is applied to the order as a
// whole: the result is Commission-on-everything-so-far minus before.Charged, so the minimum and
// the per-order charge are paid once (on the first fill), the cap is measured against the
// order's total value, and the fills of a completed order add up to exactly what the schedule
// charges the order (a single fill at the order's average price costs the same). The result is
// never negative; it is zero for a fill that adds nothing to the order's commission.
//
// Charging each fill as if it were an order (Commission on the fill alone) would make a
// partially filled order pay the minimum once per execution; IB charges it once per order.
func (s Schedule) CommissionForFill(before OrderSoFar, fillQty, fillPrice decimal.Decimal) decimal.Decimal {
	fillQty = fillQty.Abs()
	if fillQty.IsZero() {
		return decimal.Zero
	}
	qty := before.Qty.Abs().Add(fillQty)
	value := before.Value.Abs().Add(fillQty.Mul(fillPrice.Abs()))
	return decimal.Max(s.commission(qty, value).Sub(before.Charged), decimal.Zero)
}
