package views

import (
	"strings"

	"github.com/shopspring/decimal"
)

// FormatPrice renders a price for display the same way everywhere (pages and live frames). With a
// positive increment (a crypto pair's tick size) it rounds to the increment and shows as many
// decimals as the increment has; otherwise, as for stocks, 2 decimals at $1 and above and 4 below.
func FormatPrice(p decimal.Decimal, increment decimal.Decimal) string {
	if increment.IsPositive() {
		places := decimalPlaces(increment)
		return p.Div(increment).Round(0).Mul(increment).StringFixed(places)
	}
	if p.Abs().GreaterThanOrEqual(decimal.NewFromInt(1)) {
		return p.StringFixed(2)
	}
	return p.StringFixed(4)
}

// FormatChange renders a signed change with the precision of the price it is a change of, so a
// $244 stock moving by 69 cents reads "+0.69", not "+0.6900": "+1.23", "-0.0042", "0.00".
func FormatChange(d, price, increment decimal.Decimal) string {
	var s string
	switch {
	case increment.IsPositive():
		s = FormatPrice(d, increment)
	case price.Abs().GreaterThanOrEqual(decimal.NewFromInt(1)):
		s = d.StringFixed(2)
	default:
		s = d.StringFixed(4)
	}
	if d.IsPositive() && strings.Trim(s, "0.") != "" {
		return "+" + s
	}
	return s
}

// FormatPercent renders a signed percentage with 2 decimals: "+0.66%", "-1.20%".
func FormatPercent(pct decimal.Decimal) string {
	s := pct.StringFixed(2)
	if pct.IsPositive() && s != "0.00" {
		s = "+" + s
	}
	return s + "%"
}

// decimalPlaces counts the decimals of d once trailing zeros are dropped ("0.010" has 2).
func decimalPlaces(d decimal.Decimal) int32 {
	s := d.String() // shortest form, no trailing zeros
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return int32(len(s) - i - 1)
	}
	return 0
}

// FormatMoney renders dollars with thousands separators and cents: "$1,234.56", "-$12.00".
func FormatMoney(d decimal.Decimal) string {
	s := d.Abs().StringFixed(2)
	whole, cents := s[:len(s)-3], s[len(s)-3:]
	var b strings.Builder
	if d.Round(2).IsNegative() {
		b.WriteByte('-')
	}
	b.WriteByte('$')
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	b.WriteString(cents)
	return b.String()
}

// FormatSignedMoney is FormatMoney with a plus sign on gains: "+$12.30", "-$4.00", "$0.00".
func FormatSignedMoney(d decimal.Decimal) string {
	if d.Round(2).IsPositive() {
		return "+" + FormatMoney(d)
	}
	return FormatMoney(d)
}

// FormatQty renders a quantity without trailing zeros: "10", "0.5", "-3".
func FormatQty(q decimal.Decimal) string { return q.String() }
