package views

import (
	"strings"

	"github.com/shopspring/decimal"
)

// FormatPrice renders a price for display the same way everywhere (pages and live frames), with
// thousands separators. With a positive increment (a crypto pair's tick size) it rounds to the
// increment and shows as many decimals as the increment has, and at least cents ("92,565.00"
// for BTC/USD, whose increment is $1; issue 14, figure 6); otherwise, as for stocks, 2 decimals
// at $1 and above and 4 below. It is for reading only: never put it in a form field.
func FormatPrice(p decimal.Decimal, increment decimal.Decimal) string {
	if increment.IsPositive() {
		places := max(decimalPlaces(increment), 2)
		return groupThousands(p.Div(increment).Round(0).Mul(increment).StringFixed(places))
	}
	if p.Abs().GreaterThanOrEqual(decimal.NewFromInt(1)) {
		return groupThousands(p.StringFixed(2))
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
		s = groupThousands(d.StringFixed(2))
	default:
		s = d.StringFixed(4)
	}
	if d.IsPositive() && strings.Trim(s, "0.,") != "" {
		return "+" + s
	}
	return s
}

// FormatVolume renders a traded volume with thousands separators: whole shares as
// "12,345,678", fractions of a coin to at most four decimals ("1,234.5678", "0.0042").
func FormatVolume(v decimal.Decimal) string {
	if v.Abs().GreaterThanOrEqual(decimal.NewFromInt(1000)) {
		v = v.Round(0)
	} else {
		v = v.Round(4)
	}
	return groupThousands(v.String())
}

// groupThousands puts a comma between each group of three digits of a plain decimal's whole
// part: "-92565.00" becomes "-92,565.00".
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		whole, frac = s[:i], s[i:]
	}
	if len(whole) <= 3 {
		return sign + s
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	b.WriteString(frac)
	return b.String()
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
