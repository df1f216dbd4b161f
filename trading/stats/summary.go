package stats

import (
	"math"
	"time"

	"github.com/shopspring/decimal"
)

// TradingDaysPerYear annualises the daily Sharpe ratio. It is the stock-market convention; a
// crypto-only account, which also has weekend returns, is slightly understated by it.
const TradingDaysPerYear = 252

// Summary is the portfolio page's statistics for one equity curve.
type Summary struct {
	// StartEquity and EndEquity are the first and last points' equity.
	StartEquity, EndEquity decimal.Decimal
	// TotalReturn is the time-weighted return over the curve, as a fraction (0.05 is 5%).
	TotalReturn decimal.Decimal
	// TotalPL is EndEquity − StartEquity less the flows after the first point.
	TotalPL decimal.Decimal
	// DayReturn is the time-weighted return since the previous close, as a fraction.
	DayReturn decimal.Decimal
	// DayPL is EndEquity − previous close less the flows of the last point's day.
	DayPL decimal.Decimal
	// MaxDrawdown is the largest fall of the flow-adjusted index from a peak, as a positive
	// fraction (0.12 is a 12% fall); zero when the index never fell.
	MaxDrawdown decimal.Decimal
	// MaxDrawdownFrom and MaxDrawdownTo are the peak's and the trough's times (zero when
	// MaxDrawdown is zero).
	MaxDrawdownFrom, MaxDrawdownTo time.Time
	// Sharpe is the annualised Sharpe ratio of daily returns with a zero risk-free rate,
	// rounded to 2 places. Zero when SharpeDays < 2 or the returns do not vary.
	Sharpe decimal.Decimal
	// SharpeDays is how many daily returns Sharpe is based on; below 2 the UI shows "—".
	SharpeDays int
	// WinRate is Wins / (Wins + Losses) as a fraction; zero with no decided trades.
	WinRate decimal.Decimal
	// Wins and Losses count closed trades with positive and negative P&L; a zero P&L is neither.
	Wins, Losses int
}

// Summarize computes the statistics of curve (in any order; it is sorted by time) and of the
// closed trades' realised P&L. previousClose is the equity at the previous session's close
// (the account's last_equity); when it is zero, the curve's last point before the last point's
// day stands in for it, and when there is none either, the day starts from nothing (an account
// opened today), so its funding is a flow and not P&L. Days are calendar days in loc (nil means
// UTC): the "day" of DayReturn is the last point's, and daily returns for Sharpe run from the
// last point of one day to the last point of the next day present in the curve, so the first,
// partial day yields no return.
//
// Sharpe is a statistic rather than money, so it is computed in float64 (mean over sample
// standard deviation of the daily returns, times √TradingDaysPerYear) and returned as a decimal.
func Summarize(curve []Point, previousClose decimal.Decimal, closedTradePL []decimal.Decimal, loc *time.Location) Summary {
	if loc == nil {
		loc = time.UTC
	}
	var s Summary // decimal's zero value is 0
	s.Wins, s.Losses, s.WinRate = winRate(closedTradePL)
	curve = ordered(curve)
	if len(curve) == 0 {
		return s
	}
	first, last := curve[0], curve[len(curve)-1]
	s.StartEquity, s.EndEquity = first.Equity, last.Equity

	// The first point is the baseline: its flow is part of the starting equity.
	rest := curve[1:]
	idx := append([]decimal.Decimal{decimal.NewFromInt(1)}, indexOf(first.Equity, rest)...)
	s.TotalReturn = idx[len(idx)-1].Sub(decimal.NewFromInt(1)).Round(FractionPlaces)
	s.TotalPL = last.Equity.Sub(first.Equity).Sub(sumFlows(rest))

	s.MaxDrawdown, s.MaxDrawdownFrom, s.MaxDrawdownTo = maxDrawdown(curve, idx)
	s.DayReturn, s.DayPL = day(curve, previousClose, loc)
	s.Sharpe, s.SharpeDays = sharpe(dailyReturns(curve, idx, loc))
	return s
}

// sumFlows adds up the points' net flows.
func sumFlows(points []Point) decimal.Decimal {
	total := decimal.Zero
	for _, p := range points {
		total = total.Add(p.NetFlow)
	}
	return total
}

// maxDrawdown is the largest fall of idx below its running peak, and the peak's and trough's
// times.
func maxDrawdown(curve []Point, idx []decimal.Decimal) (decimal.Decimal, time.Time, time.Time) {
	worst := decimal.Zero
	var from, to time.Time
	peak, peakAt := idx[0], curve[0].At
	for i := 1; i < len(idx); i++ {
		if idx[i].GreaterThan(peak) {
			peak, peakAt = idx[i], curve[i].At
			continue
		}
		if !peak.IsPositive() {
			continue
		}
		dd := decimal.NewFromInt(1).Sub(idx[i].DivRound(peak, indexPlaces))
		if dd.GreaterThan(worst) {
			worst, from, to = dd, peakAt, curve[i].At
		}
	}
	return worst.Round(FractionPlaces), from, to
}

// day is the return and P&L of the last point's calendar day, from previousClose (or the
// curve's stand-in for it; see Summarize).
func day(curve []Point, previousClose decimal.Decimal, loc *time.Location) (decimal.Decimal, decimal.Decimal) {
	last := curve[len(curve)-1]
	today := civilDay(last.At, loc)
	start := len(curve) - 1
	for start > 0 && civilDay(curve[start-1].At, loc) == today {
		start--
	}
	base := previousClose
	if base.IsZero() && start > 0 {
		base = curve[start-1].Equity
	}
	points := curve[start:]
	idx := indexOf(base, points)
	ret := idx[len(idx)-1].Sub(decimal.NewFromInt(1)).Round(FractionPlaces)
	pl := last.Equity.Sub(base).Sub(sumFlows(points))
	return ret, pl
}

// dailyReturns are the returns of idx from the last point of each calendar day (in loc) to the
// last point of the next day in the curve.
func dailyReturns(curve []Point, idx []decimal.Decimal, loc *time.Location) []float64 {
	var closes []decimal.Decimal
	for i := range curve {
		if i == len(curve)-1 || civilDay(curve[i+1].At, loc) != civilDay(curve[i].At, loc) {
			closes = append(closes, idx[i])
		}
	}
	var returns []float64
	for i := 1; i < len(closes); i++ {
		if !closes[i-1].IsPositive() {
			continue
		}
		r := closes[i].DivRound(closes[i-1], indexPlaces).Sub(decimal.NewFromInt(1))
		returns = append(returns, r.InexactFloat64())
	}
	return returns
}

// sharpe is the annualised Sharpe ratio of daily returns (zero risk-free rate), rounded to 2
// places, and how many returns it used.
func sharpe(returns []float64) (decimal.Decimal, int) {
	n := len(returns)
	if n < 2 {
		return decimal.Zero, n
	}
	var mean float64
	for _, r := range returns {
		mean += r
	}
	mean /= float64(n)
	var ss float64
	for _, r := range returns {
		ss += (r - mean) * (r - mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	// Returns that do not vary (a flat curve, or steady growth) have no meaningful ratio; a
	// standard deviation at float noise level is treated the same.
	if sd <= 1e-12*math.Max(1, math.Abs(mean)) {
		return decimal.Zero, n
	}
	ratio := mean / sd * math.Sqrt(TradingDaysPerYear)
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return decimal.Zero, n
	}
	return decimal.NewFromFloat(ratio).Round(2), n
}

// winRate counts winning and losing trades and their ratio.
func winRate(pl []decimal.Decimal) (int, int, decimal.Decimal) {
	var wins, losses int
	for _, p := range pl {
		switch p.Sign() {
		case 1:
			wins++
		case -1:
			losses++
		}
	}
	if wins+losses == 0 {
		return 0, 0, decimal.Zero
	}
	rate := decimal.NewFromInt(int64(wins)).DivRound(decimal.NewFromInt(int64(wins+losses)), FractionPlaces)
	return wins, losses, rate
}
