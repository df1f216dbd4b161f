package fill

import "github.com/shopspring/decimal"

var (
	centTick     = decimal.New(1, -2)
	subPennyTick = decimal.New(1, -4)
	one          = decimal.NewFromInt(1)
)

// Tick is the smallest price step Alpaca accepts for a US equity price: $0.01 at or above $1,
// $0.0001 below (alpaca.md §4, "Sub-penny").
func Tick(price decimal.Decimal) decimal.Decimal {
	if price.Abs().LessThan(one) {
		return subPennyTick
	}
	return centTick
}

// OnTick reports whether price has no more decimals than Tick allows; Alpaca rejects other
// prices with 422 code 42210000.
func OnTick(price decimal.Decimal) bool {
	return price.Equal(price.Round(-Tick(price).Exponent()))
}

// RoundToTick rounds price to the nearest tick (halves away from zero): to increment when it is
// positive (crypto's price increment), else to the equity sub-penny rule.
func RoundToTick(price, increment decimal.Decimal) decimal.Decimal {
	if increment.IsPositive() {
		return price.Div(increment).Round(0).Mul(increment)
	}
	r := price.Round(-Tick(price).Exponent())
	// Rounding 0.99996 to four places gives 1.0000, which must then obey the cent rule.
	return r.Round(-Tick(r).Exponent())
}
