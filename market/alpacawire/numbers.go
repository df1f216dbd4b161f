package alpacawire

import (
	"math"

	"github.com/shopspring/decimal"
)

// Market-data numbers travel as floats and unsigned integers; the app keeps decimals. These helpers
// are the only place where one becomes the other.

// toFloat is a decimal as the nearest float64.
func toFloat(d decimal.Decimal) float64 { return d.InexactFloat64() }

// fromFloat is the shortest decimal that reads back as f, so 187.23 stays 187.23.
func fromFloat(f float64) decimal.Decimal {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return decimal.Zero
	}
	return decimal.NewFromFloat(f)
}

// toUint32 truncates a non-negative decimal to a whole number that fits a stock size: Alpaca counts
// stock sizes in whole shares, so a fraction cannot be sent.
func toUint32(d decimal.Decimal) uint32 {
	if !d.IsPositive() {
		return 0
	}
	i := d.IntPart()
	if i > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(i)
}

// toUint64 truncates a non-negative decimal to a whole number (stock volumes, trade counts).
func toUint64(d decimal.Decimal) uint64 {
	if !d.IsPositive() {
		return 0
	}
	return uint64(d.IntPart())
}

func fromUint(u uint64) decimal.Decimal { return decimal.NewFromUint64(u) }

// intCount converts a trade count to the wire's unsigned form.
func intCount(n int64) uint64 {
	if n < 0 {
		return 0
	}
	return uint64(n)
}

// countFromWire converts the wire's unsigned trade count back, saturating instead of wrapping.
func countFromWire(n uint64) int64 {
	if n > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(n)
}
