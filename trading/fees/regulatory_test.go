package fees_test

import (
	"testing"
	"time"

	"alpacawrapper/trading/fees"
)

func TestSECFee(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ rate, proceeds, want string }{
		{"27.80", "10000", "0.28"},    // 0.278 rounds up
		{"27.80", "100", "0.01"},      // 0.00278: any fraction of a cent is a cent
		{"27.80", "1000000", "27.80"}, // exact
		{"27.80", "-10000", "0.28"},   // sign ignored
		{"20.60", "10000", "0.21"},    // 0.206
		{"8.00", "12345.67", "0.10"},  // 0.09876536
		{"0.00", "1000000", "0"},      // the 2025 holiday
		{"27.80", "0", "0"},           // nothing sold
		{"27.80", "359.71", "0.01"},   // 0.0099999...
		{"20.00", "500", "0.01"},      // exactly a cent stays a cent
	} {
		r := fees.RegulatoryRate{SECPerMillion: dec(tc.rate)}
		same(t, "SEC at "+tc.rate+" on "+tc.proceeds, r.SEC(dec(tc.proceeds)), tc.want)
	}
}

func TestTAF(t *testing.T) {
	t.Parallel()
	r := fees.RegulatoryRate{TAFPerShare: dec("0.000166"), TAFMax: dec("8.30")}
	for _, tc := range []struct{ qty, want string }{
		{"1", "0.01"},
		{"0.5", "0.01"}, // fractional: rounds up
		{"1000", "0.17"},
		{"49999", "8.30"},  // 8.299834 rounds up to the cap
		{"50000", "8.30"},  // exactly the cap
		{"100000", "8.30"}, // 16.60 capped
		{"-100", "0.02"},   // sign ignored
		{"0", "0"},
	} {
		same(t, "TAF on "+tc.qty, r.TAF(dec(tc.qty)), tc.want)
	}
	uncapped := fees.RegulatoryRate{TAFPerShare: dec("0.000166")}
	same(t, "TAF with no cap", uncapped.TAF(dec("100000")), "16.60")
}

func TestRegulatoryTableAt(t *testing.T) {
	t.Parallel()
	table := fees.DefaultRegulatoryTable()
	utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name           string
		at             time.Time
		sec, taf, tmax string
	}{
		{"before the table", nyDay(t, 2023, time.February, 26, 15, 0), "0", "0", "0"},
		{"FY2023 SEC rate starts", nyDay(t, 2023, time.February, 27, 0, 0), "8.00", "0.000145", "7.27"},
		{"last day of the 2023 TAF", nyDay(t, 2023, time.December, 31, 23, 59), "8.00", "0.000145", "7.27"},
		{"2024 TAF", nyDay(t, 2024, time.January, 1, 0, 0), "8.00", "0.000166", "8.30"},
		{"eve of the FY2024 SEC rate", nyDay(t, 2024, time.May, 21, 23, 59), "8.00", "0.000166", "8.30"},
		{"eve, as a UTC instant on the 22nd", utc(2024, time.May, 22, 2), "8.00", "0.000166", "8.30"},
		{"FY2024 SEC rate, as a UTC instant", utc(2024, time.May, 22, 4), "27.80", "0.000166", "8.30"},
		{"FY2024 SEC rate", nyDay(t, 2024, time.May, 22, 9, 30), "27.80", "0.000166", "8.30"},
		{"eve of the SEC holiday", nyDay(t, 2025, time.May, 13, 16, 0), "27.80", "0.000166", "8.30"},
		{"SEC holiday", nyDay(t, 2025, time.May, 14, 9, 30), "0.00", "0.000166", "8.30"},
		{"end of 2025", nyDay(t, 2025, time.December, 31, 16, 0), "0.00", "0.000166", "8.30"},
		{"2026 TAF", nyDay(t, 2026, time.January, 2, 9, 30), "0.00", "0.000195", "9.79"},
		{"eve of the FY2026 SEC rate", nyDay(t, 2026, time.April, 3, 16, 0), "0.00", "0.000195", "9.79"},
		{"FY2026 SEC rate", nyDay(t, 2026, time.April, 4, 0, 0), "20.60", "0.000195", "9.79"},
		{"late 2026", nyDay(t, 2026, time.November, 27, 12, 0), "20.60", "0.000195", "9.79"},
	} {
		r := table.At(tc.at)
		same(t, tc.name+": SEC", r.SECPerMillion, tc.sec)
		same(t, tc.name+": TAF", r.TAFPerShare, tc.taf)
		same(t, tc.name+": TAF max", r.TAFMax, tc.tmax)
	}
}

func TestRegulatoryTableInAnyOrder(t *testing.T) {
	t.Parallel()
	table := fees.DefaultRegulatoryTable()
	reversed := make(fees.RegulatoryTable, len(table))
	for i, r := range table {
		reversed[len(table)-1-i] = r
	}
	at := nyDay(t, 2024, time.June, 3, 10, 0)
	same(t, "SEC", reversed.At(at).SECPerMillion, "27.80")
	if got := (fees.RegulatoryTable{}).At(at); !got.SECPerMillion.IsZero() || !got.TAFPerShare.IsZero() {
		t.Errorf("empty table gave %+v, want the zero rate", got)
	}
}

func TestDefaultTableIsNewYorkMidnights(t *testing.T) {
	t.Parallel()
	for _, r := range fees.DefaultRegulatoryTable() {
		if r.From.Location().String() != "America/New_York" {
			t.Errorf("%s: location %s", r.From, r.From.Location())
		}
		if h, m, s := r.From.Clock(); h+m+s != 0 || r.From.Nanosecond() != 0 {
			t.Errorf("%s is not midnight", r.From)
		}
	}
}
