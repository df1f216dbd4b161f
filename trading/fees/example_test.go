package fees_test

import (
	"fmt"
	"time"

	"alpacawrapper/trading/fees"

	"github.com/shopspring/decimal"
)

// An IB-style account sells 100 shares at $100 in June 2024, with regulatory fees on.
func ExampleCompute() {
	schedule, _ := fees.ScheduleByName(fees.PerShare)
	ny, _ := time.LoadLocation("America/New_York")
	b := fees.Compute(schedule, true, fees.DefaultRegulatoryTable(), fees.Trade{
		Sell:  true,
		Qty:   decimal.NewFromInt(100),
		Price: decimal.NewFromInt(100),
		Date:  time.Date(2024, time.June, 3, 10, 0, 0, 0, ny),
	})
	fmt.Println("commission", b.Commission.StringFixed(2))
	fmt.Println("SEC", b.SEC.StringFixed(2))
	fmt.Println("TAF", b.TAF.StringFixed(2))
	fmt.Println("total", b.Total().StringFixed(2))
	// Output:
	// commission 1.00
	// SEC 0.28
	// TAF 0.02
	// total 1.30
}

// An order for 500 shares fills in two parts; the second fill is charged what the order's
// commission grew by.
func ExampleCompute_partialFills() {
	schedule, _ := fees.ScheduleByName(fees.PerShare)
	at := time.Date(2026, time.May, 1, 14, 0, 0, 0, time.UTC)
	price := decimal.NewFromInt(50)

	first := fees.Compute(schedule, false, nil, fees.Trade{Qty: decimal.NewFromInt(200), Price: price, Date: at})
	second := fees.Compute(schedule, false, nil, fees.Trade{
		Qty: decimal.NewFromInt(300), Price: price, Date: at,
		Before: fees.OrderSoFar{Qty: decimal.NewFromInt(200), Value: decimal.NewFromInt(10000), Charged: first.Commission},
	})
	fmt.Println(first.Commission.StringFixed(2), second.Commission.StringFixed(2))
	// Output: 1.00 1.50
}

// A buy pays no regulatory fees, so only the flat ticket charge applies.
func ExampleCompute_buy() {
	schedule, _ := fees.ScheduleByName(fees.PerOrder)
	b := fees.Compute(schedule, true, fees.DefaultRegulatoryTable(), fees.Trade{
		Qty:   decimal.NewFromInt(10),
		Price: decimal.RequireFromString("187.25"),
		Date:  time.Date(2026, time.May, 1, 14, 0, 0, 0, time.UTC),
	})
	fmt.Println(b.Total().StringFixed(2))
	// Output: 4.95
}
