package fees_test

import (
	"testing"

	"alpacawrapper/trading/fees"
)

func preset(t *testing.T, name string) fees.Schedule {
	t.Helper()
	s, ok := fees.ScheduleByName(name)
	if !ok {
		t.Fatalf("no preset %q", name)
	}
	return s
}

func TestSchedulesAreStableAndNamed(t *testing.T) {
	t.Parallel()
	var names []string
	for _, s := range fees.Schedules() {
		if s.Label == "" {
			t.Errorf("preset %q has no label", s.Name)
		}
		names = append(names, s.Name)
	}
	want := []string{"free", "per_share", "per_order"}
	if len(names) != len(want) {
		t.Fatalf("presets %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("presets %v, want %v", names, want)
		}
	}
	if _, ok := fees.ScheduleByName("ib"); ok {
		t.Error("ScheduleByName accepted an unknown name")
	}
	// The slice is fresh on every call: changing one copy does not change the presets.
	s := fees.Schedules()
	s[1].Minimum = dec("99")
	same(t, "per_share minimum after a caller edit", preset(t, "per_share").Minimum, "1")
}

func TestCommission(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, schedule, qty, price, want string
	}{
		{"free charges nothing", "free", "100", "50", "0"},
		{"per share: minimum", "per_share", "100", "50", "1.00"},
		{"per share: per share", "per_share", "1000", "10", "5.00"},
		{"per share: capped at 0.5% of $5,000", "per_share", "10000", "0.50", "25.00"},
		{"per share: cap below the minimum wins", "per_share", "100", "0.10", "0.05"},
		{"per share: fractional share, min then cap", "per_share", "0.5", "100", "0.25"},
		{"per share: half a cent rounds up", "per_share", "301", "100", "1.51"},
		{"per share: short sale's negative qty", "per_share", "-1000", "10", "5.00"},
		{"per share: zero qty", "per_share", "0", "10", "0"},
		{"per order: small", "per_order", "1", "10", "4.95"},
		{"per order: large", "per_order", "10000", "100", "4.95"},
		{"per order: zero qty", "per_order", "0", "100", "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			same(t, "Commission", preset(t, tc.schedule).Commission(dec(tc.qty), dec(tc.price)), tc.want)
		})
	}
}

func TestMinimumNeedsACommission(t *testing.T) {
	t.Parallel()
	s := fees.Schedule{Name: "min_only", Minimum: dec("1")}
	same(t, "Commission", s.Commission(dec("100"), dec("10")), "0")
}

func TestCommissionForFillIsCumulativePerOrder(t *testing.T) {
	t.Parallel()
	type fill struct{ qty, price, want string }
	for _, tc := range []struct {
		name, schedule string
		fills          []fill
		total          string // what Commission charges the order as one execution
	}{
		{
			name: "per share: minimum once, then per share", schedule: "per_share",
			fills: []fill{{"100", "50", "1.00"}, {"100", "50", "0.00"}, {"300", "50", "1.50"}},
			total: "2.50",
		},
		{
			name: "per share: cap on the order's total value", schedule: "per_share",
			// 5,000 @ 0.50: raw 25, cap 12.50. Then 10,000 shares worth 5,500: raw 50, cap 27.50.
			fills: []fill{{"5000", "0.50", "12.50"}, {"5000", "0.60", "15.00"}},
			total: "27.50", // 10,000 at the average 0.55
		},
		{
			name: "per order: the ticket charge once", schedule: "per_order",
			fills: []fill{{"10", "20", "4.95"}, {"90", "20", "0"}},
			total: "4.95",
		},
		{
			name: "free", schedule: "free",
			fills: []fill{{"10", "20", "0"}, {"90", "20", "0"}},
			total: "0",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := preset(t, tc.schedule)
			var before fees.OrderSoFar
			for _, f := range tc.fills {
				got := s.CommissionForFill(before, dec(f.qty), dec(f.price))
				same(t, "fill "+f.qty+"@"+f.price, got, f.want)
				before.Qty = before.Qty.Add(dec(f.qty))
				before.Value = before.Value.Add(dec(f.qty).Mul(dec(f.price)))
				before.Charged = before.Charged.Add(got)
			}
			same(t, "charged in total", before.Charged, tc.total)
			avg := before.Value.Div(before.Qty)
			same(t, "Commission on the whole order", s.Commission(before.Qty, avg), tc.total)
		})
	}
}

func TestCommissionForFillNeverRefunds(t *testing.T) {
	t.Parallel()
	// The account switched schedules mid-order: the earlier fill was charged more than the new
	// schedule charges the whole order. The new fill costs nothing rather than a refund.
	before := fees.OrderSoFar{Qty: dec("100"), Value: dec("5000"), Charged: dec("4.95")}
	same(t, "increment", preset(t, "per_share").CommissionForFill(before, dec("100"), dec("50")), "0")
}
