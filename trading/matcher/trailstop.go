package matcher

import (
	"math"
	"math/bits"

	"alpacawrapper/trading/fill"

	"github.com/shopspring/decimal"
)

// Equity ticks in nano-dollars (fill.Tick): a cent at or above a dollar, a hundredth of a cent
// below.
const (
	centNanos     = 10_000_000
	subPennyNanos = 100_000
)

// maxPercentDecimals is how many decimals a trail percent may have for the integer computation
// to match fill.TrailStop: the offset wm × pct / 100 then has at most 9 + 5 + 2 = 16 decimals,
// which decimal's 16-digit division keeps exactly.
const maxPercentDecimals = 5

// trailTerms are a trailing stop's terms in integer form. When ok, stop computes exactly what
// fill.TrailStop computes for a water mark held in nano-dollars; otherwise the index falls back
// to fill.TrailStop itself (allocating) for this order.
type trailTerms struct {
	ok   bool
	sell bool
	// byPrice: the offset is off nano-dollars. Otherwise the stop is wm × factor / scale, where
	// factor = scale ∓ pct·10^k and scale = 100·10^k (pct has k decimals).
	byPrice bool
	off     int64
	factor  int64
	scale   uint64
	// inc is the price increment in nano-dollars (0: equity ticks) and incExp the increment's
	// decimal exponent, which fill.RoundToTick's result carries.
	inc    int64
	incExp int32
}

// newTrailTerms prepares o's terms. o has passed validTrailing.
func newTrailTerms(o fill.Order) trailTerms {
	t := trailTerms{sell: o.Side == fill.Sell, byPrice: o.TrailPrice.IsPositive(), scale: 1}
	if t.byPrice {
		off, _, exact := bounds(o.TrailPrice)
		if !exact {
			return t
		}
		t.off = off
	} else {
		p := o.TrailPercent
		if p.NumDigits() > 18 {
			return t
		}
		c, e := p.CoefficientInt64(), int(p.Exponent())
		k := -e
		if e > 0 {
			// A percent below 100 with a positive exponent has a small coefficient.
			c, k = c*pow10(e), 0
		}
		for k > 0 && c%10 == 0 { // 5.00 is 5
			c, k = c/10, k-1
		}
		if k > maxPercentDecimals {
			return t
		}
		t.scale = 100 * uint64(pow10(k))
		if t.sell {
			t.factor = int64(t.scale) - c
		} else {
			t.factor = int64(t.scale) + c
		}
	}
	if inc := o.PriceIncrement; inc.IsPositive() {
		n, _, exact := bounds(inc)
		e := inc.Exponent()
		// fill.RoundToTick divides by the increment to 16 decimals and then rounds to an
		// integer. That double rounding agrees with exact rounding when the quotient's
		// denominator, scale × inc at most, is below 10¹⁶ (a quotient that is not a half is
		// then more than 0.5·10⁻¹⁶ away from one).
		if !exact || n <= 0 || e < -nanoExp || e > nanoExp || n >= 1e16/int64(t.scale) {
			return t
		}
		t.inc, t.incExp = n, e
	}
	t.ok = true
	return t
}

// stop is fill.TrailStop for a water mark of wm nano-dollars, in nano-dollars. ok is false on
// overflow.
func (t trailTerms) stop(wm int64) (stop int64, ok bool) {
	// The unrounded stop is (hi, lo) / base nano-dollars, negative when neg.
	var hi, lo, base uint64
	var neg bool
	if t.byPrice {
		var x int64
		if t.sell {
			x = wm - t.off // both non-negative: cannot overflow
		} else {
			if wm > math.MaxInt64-t.off {
				return 0, false
			}
			x = wm + t.off
		}
		neg = x < 0
		lo, base = uabs(x), 1
	} else {
		neg = t.factor < 0
		hi, lo = bits.Mul64(uint64(wm), uabs(t.factor))
		base = t.scale
	}
	tick := uint64(t.inc)
	if tick == 0 {
		// fill.Tick looks at the unrounded price: below a dollar, a hundredth of a cent.
		tick = centNanos
		if hi == 0 && lo < nano*base {
			tick = subPennyNanos
		}
	}
	q, ok := divRound(hi, lo, base*tick)
	if !ok || q > math.MaxInt64/tick {
		return 0, false
	}
	r := q * tick
	if t.inc == 0 && tick == subPennyNanos && r >= nano {
		// Rounding 0.99996 gave 1.0000, which must then obey the cent rule (fill.RoundToTick).
		q, _ = divRound(0, r, centNanos)
		r = q * centNanos
	}
	if neg {
		return -int64(r), true
	}
	return int64(r), true
}

// exp is the decimal exponent fill.RoundToTick gives a stop of n nano-dollars: the increment's,
// else two decimals at or above a dollar and four below.
func (t trailTerms) exp(n int64) int32 {
	if t.inc > 0 {
		return t.incExp
	}
	if n >= nano || n <= -nano {
		return -2
	}
	return -4
}

// decimal is a stop of n nano-dollars as fill.TrailStop would write it.
func (t trailTerms) decimal(n int64) decimal.Decimal { return fromNanos(n, t.exp(n)) }

// divRound is (hi·2⁶⁴ + lo) / d rounded half away from zero, and false when it does not fit
// in 63 bits. d must be positive.
func divRound(hi, lo, d uint64) (uint64, bool) {
	if hi >= d {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, d)
	if r >= d-r {
		q++
	}
	return q, q <= math.MaxInt64
}

func uabs(x int64) uint64 {
	if x < 0 {
		return uint64(-x) // math.MinInt64 maps to itself, which as uint64 is its magnitude
	}
	return uint64(x)
}
