package fees_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/trading/fees"
)

// chargeInFills prices a sale of n fills of qty each at price, passing each fill what the
// earlier ones executed and were charged, as the engine does, and returns the total.
func chargeInFills(n int, qty, price decimal.Decimal, date time.Time) fees.Breakdown {
	table := fees.DefaultRegulatoryTable()
	free, _ := fees.ScheduleByName(fees.Free)
	var so fees.OrderSoFar
	var total fees.Breakdown
	for range n {
		b := fees.Compute(free, true, table, fees.Trade{Sell: true, Qty: qty, Price: price, Date: date, Before: so})
		so.Qty, so.Value = so.Qty.Add(qty), so.Value.Add(qty.Mul(price))
		so.SEC, so.TAF = so.SEC.Add(b.SEC), so.TAF.Add(b.TAF)
		total.SEC, total.TAF = total.SEC.Add(b.SEC), total.TAF.Add(b.TAF)
	}
	return total
}

// The SEC fee's and the TAF's cent round-up and the TAF's cap apply to the order, not to each
// fill: however a sale is split, it pays what one fill of the whole order pays.
func TestRegulatoryFeesArePerOrder(t *testing.T) {
	t.Parallel()
	may2026 := nyDay(t, 2026, time.May, 1, 10, 0)
	for _, tc := range []struct {
		name     string
		fills    int
		qty      string
		price    string
		sec, taf string
	}{
		// 100 × $50 = $5,000 × 20.60/M = 0.103 → 0.11; 100 × 0.000195 = 0.0195 → 0.02.
		{"100 one-share fills", 100, "1", "50", "0.11", "0.02"},
		// 100,000 × 0.000195 = 19.50, capped at 9.79 once (not 10 × min(1.95, 9.79) = 19.50);
		// 100,000 × $10 = $1M × 20.60/M = 20.60.
		{"10 fills of 10,000", 10, "10000", "10", "20.60", "9.79"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := chargeInFills(tc.fills, dec(tc.qty), dec(tc.price), may2026)
			whole := dec(tc.qty).Mul(decimal.NewFromInt(int64(tc.fills)))
			one := chargeInFills(1, whole, dec(tc.price), may2026)
			same(t, "SEC over the fills", got.SEC, tc.sec)
			same(t, "TAF over the fills", got.TAF, tc.taf)
			same(t, "SEC of one fill", one.SEC, tc.sec)
			same(t, "TAF of one fill", one.TAF, tc.taf)
		})
	}
}
