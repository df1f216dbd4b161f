package fees_test

import (
	"testing"
	"time"

	"alpacawrapper/trading/fees"
)

func TestCompute(t *testing.T) {
	t.Parallel()
	table := fees.DefaultRegulatoryTable()
	june2024 := nyDay(t, 2024, time.June, 3, 10, 0)
	june2025 := nyDay(t, 2025, time.June, 2, 10, 0)
	may2026 := nyDay(t, 2026, time.May, 1, 10, 0)
	for _, tc := range []struct {
		name           string
		schedule       string
		regulatory     bool
		trade          fees.Trade
		comm, sec, taf string
		total          string
	}{
		{
			name: "stock sale pays SEC and TAF", schedule: "per_share", regulatory: true,
			trade: fees.Trade{Sell: true, Qty: dec("100"), Price: dec("100"), Date: june2024},
			// 10,000 × 27.80/M = 0.278 → 0.28; 100 × 0.000166 = 0.0166 → 0.02.
			comm: "1.00", sec: "0.28", taf: "0.02", total: "1.30",
		},
		{
			name: "buy pays no regulatory fee", schedule: "per_share", regulatory: true,
			trade: fees.Trade{Qty: dec("100"), Price: dec("100"), Date: june2024},
			comm:  "1.00", sec: "0", taf: "0", total: "1.00",
		},
		{
			name: "crypto sale pays no regulatory fee", schedule: "free", regulatory: true,
			trade: fees.Trade{Sell: true, Crypto: true, Qty: dec("0.5"), Price: dec("60000"), Date: june2024},
			comm:  "0", sec: "0", taf: "0", total: "0",
		},
		{
			name: "regulatory fees off", schedule: "free", regulatory: false,
			trade: fees.Trade{Sell: true, Qty: dec("100"), Price: dec("100"), Date: june2024},
			comm:  "0", sec: "0", taf: "0", total: "0",
		},
		{
			name: "during the SEC holiday only TAF", schedule: "free", regulatory: true,
			trade: fees.Trade{Sell: true, Qty: dec("100"), Price: dec("100"), Date: june2025},
			comm:  "0", sec: "0", taf: "0.02", total: "0.02",
		},
		{
			name: "FY2026 rates", schedule: "per_order", regulatory: true,
			trade: fees.Trade{Sell: true, Qty: dec("100"), Price: dec("100"), Date: may2026},
			// 10,000 × 20.60/M = 0.206 → 0.21; 100 × 0.000195 = 0.0195 → 0.02.
			comm: "4.95", sec: "0.21", taf: "0.02", total: "5.18",
		},
		{
			name: "large sale: TAF capped", schedule: "per_share", regulatory: true,
			trade: fees.Trade{Sell: true, Qty: dec("100000"), Price: dec("2"), Date: june2024},
			// commission 500 capped at 0.5% of 200,000 = 1,000 → 500; SEC 200,000 × 27.80/M = 5.56.
			comm: "500.00", sec: "5.56", taf: "8.30", total: "513.86",
		},
		{
			name: "fractional short sale", schedule: "free", regulatory: true,
			trade: fees.Trade{Sell: true, Qty: dec("-0.25"), Price: dec("400"), Date: june2024},
			// 100 × 27.80/M = 0.00278 → 0.01; 0.25 × 0.000166 → 0.01.
			comm: "0", sec: "0.01", taf: "0.01", total: "0.02",
		},
		{
			name: "second fill of an order", schedule: "per_share", regulatory: true,
			trade: fees.Trade{
				Sell: true, Qty: dec("300"), Price: dec("50"), Date: june2024,
				Before: fees.OrderSoFar{Qty: dec("200"), Value: dec("10000"), Charged: dec("1.00"), SEC: dec("0.28"), TAF: dec("0.04")},
			},
			// order total 500 × 0.005 = 2.50, 1.00 charged before; SEC on the order's 25,000 ×
			// 27.80/M = 0.695 → 0.70 less 0.28 charged; TAF 500 × 0.000166 = 0.083 → 0.09 less 0.04.
			comm: "1.50", sec: "0.42", taf: "0.05", total: "1.97",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := fees.Compute(preset(t, tc.schedule), tc.regulatory, table, tc.trade)
			same(t, "Commission", b.Commission, tc.comm)
			same(t, "SEC", b.SEC, tc.sec)
			same(t, "TAF", b.TAF, tc.taf)
			same(t, "Total", b.Total(), tc.total)
		})
	}
}
