package matcher

import (
	"math"

	"github.com/shopspring/decimal"
)

// Keys are prices in nano-dollars (10⁻⁹): enough for crypto quoted to eight decimals, and room
// for prices up to about nine billion dollars in an int64.
const nanoExp = 9

// nano is one dollar in nano-dollars.
const nano = 1_000_000_000

// pow10 is 10ⁿ for 0 ≤ n ≤ 18.
func pow10(n int) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// bounds converts d to nano-dollars: lo = ⌊d·10⁹⌋ and hi = ⌈d·10⁹⌉, saturated to the int64
// range, and exact reports whether d is exactly lo nano-dollars. Any monotone rounding keeps
// an inclusive comparison from failing (a ≤ b gives ⌊a⌋ ≤ ⌈b⌉), so the index rounds order keys
// and quote prices outwards and never misses an order; only prices with more than nine
// decimals or beyond the range are inexact. It does not allocate for a coefficient of up to
// 18 digits.
func bounds(d decimal.Decimal) (lo, hi int64, exact bool) {
	switch d.Sign() {
	case 0:
		return 0, 0, true
	case -1:
		lo, hi, exact = bounds(d.Neg())
		return -hi, -lo, exact
	}
	if d.NumDigits() > 18 {
		return boundsSlow(d)
	}
	c := d.CoefficientInt64()
	e := int(d.Exponent()) + nanoExp
	switch {
	case e >= 0:
		if e > 18 || c > math.MaxInt64/pow10(e) {
			return math.MaxInt64, math.MaxInt64, false
		}
		v := c * pow10(e)
		return v, v, true
	case e < -18:
		// c < 10¹⁸ ≤ 10⁻ᵉ, so 0 < d·10⁹ < 1.
		return 0, 1, false
	default:
		p := pow10(-e)
		lo = c / p
		if c%p == 0 {
			return lo, lo, true
		}
		return lo, lo + 1, false
	}
}

// boundsSlow is bounds for a positive d whose coefficient does not fit the fast path; it
// allocates.
func boundsSlow(d decimal.Decimal) (lo, hi int64, exact bool) {
	s := d.Shift(nanoExp)
	limit := decimal.NewFromInt(math.MaxInt64)
	clamp := func(v decimal.Decimal) int64 {
		if v.GreaterThan(limit) {
			return math.MaxInt64
		}
		return v.IntPart()
	}
	f := s.Floor()
	return clamp(f), clamp(s.Ceil()), f.Equal(s) && f.LessThanOrEqual(limit)
}

// fromNanos is n nano-dollars as a decimal with exponent exp (−9 ≤ exp ≤ 9); n must be a
// multiple of 10^(9+exp).
func fromNanos(n int64, exp int32) decimal.Decimal {
	return decimal.New(n/pow10(nanoExp+int(exp)), exp)
}
