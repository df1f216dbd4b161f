package stats_test

import (
	"fmt"
	"time"

	"alpacawrapper/trading/stats"

	"github.com/shopspring/decimal"
)

// Three daily closes with a $50 deposit on the last day: the deposit is a flow, not a gain.
func ExampleSummarize() {
	day := func(d int) time.Time { return time.Date(2026, time.March, d, 21, 0, 0, 0, time.UTC) }
	curve := []stats.Point{
		{At: day(2), Equity: decimal.NewFromInt(100)},
		{At: day(3), Equity: decimal.NewFromInt(120)},
		{At: day(4), Equity: decimal.NewFromInt(140), NetFlow: decimal.NewFromInt(50)},
	}
	s := stats.Summarize(curve, decimal.NewFromInt(120), nil, time.UTC)
	fmt.Println("total return", s.TotalReturn, "P&L", s.TotalPL)
	fmt.Println("day return", s.DayReturn, "P&L", s.DayPL)
	fmt.Println("max drawdown", s.MaxDrawdown)
	// Output:
	// total return -0.1 P&L -10
	// day return -0.25 P&L -30
	// max drawdown 0.25
}
