package stats

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// Point is one observation of an account's equity.
type Point struct {
	// At is when the equity was observed.
	At time.Time
	// Equity is the account's equity at At, after NetFlow.
	Equity decimal.Decimal
	// NetFlow is the cash that entered (+) or left (−) the account since the previous point
	// without being a trading result: deposits, withdrawals, reset adjustments. Zero for most
	// points.
	NetFlow decimal.Decimal
}

// FractionPlaces is how many decimal places returned fractions (returns, drawdown, win rate)
// keep: 8 places is a millionth of a percent, far below anything the page shows.
const FractionPlaces = 8

// indexPlaces is the precision of the chained growth index. Chaining multiplies, and exact
// decimal products grow a digit string per step, so every step is rounded; 20 places keeps the
// error of a year of minute points below 1e-14.
const indexPlaces = 20

// ordered returns curve in time order, copying it only when it is not already.
func ordered(curve []Point) []Point {
	byTime := func(a, b Point) int { return a.At.Compare(b.At) }
	if slices.IsSortedFunc(curve, byTime) {
		return curve
	}
	sorted := slices.Clone(curve)
	slices.SortStableFunc(sorted, byTime)
	return sorted
}

// growth is the flow-adjusted growth factor from an equity of prev to p: (E − NetFlow) / prev.
// A period that starts from no equity (an empty account being funded) has no return, so its
// factor is one.
func growth(prev decimal.Decimal, p Point) decimal.Decimal {
	if !prev.IsPositive() {
		return decimal.NewFromInt(1)
	}
	return p.Equity.Sub(p.NetFlow).DivRound(prev, indexPlaces)
}

// indexOf chains the growth of points starting from an equity of base: the i-th value is the
// flow-adjusted worth, after points[i], of one dollar held at base.
func indexOf(base decimal.Decimal, points []Point) []decimal.Decimal {
	idx := make([]decimal.Decimal, len(points))
	value, prev := decimal.NewFromInt(1), base
	for i, p := range points {
		value = value.Mul(growth(prev, p)).Round(indexPlaces)
		idx[i] = value
		prev = p.Equity
	}
	return idx
}

// civilDay numbers t's calendar date in loc (days since 1970-01-01), for grouping by day.
func civilDay(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}
