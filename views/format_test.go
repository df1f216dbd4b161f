package views

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestFormatChangeUsesThePricesPrecision(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	cases := []struct {
		change, price, increment, want string
	}{
		{"0.69", "244.10", "0", "+0.69"},
		{"-0.0042", "0.5123", "0", "-0.0042"},
		{"0", "10", "0", "0.00"},
		{"125", "94705", "1", "+125.00"},
		{"1250", "94705", "1", "+1,250.00"},
		{"-1234.5", "20000", "0", "-1,234.50"},
		{"-0.00012", "0.18", "0.00001", "-0.00012"},
	}
	for _, tc := range cases {
		if got := FormatChange(d(tc.change), d(tc.price), d(tc.increment)); got != tc.want {
			t.Errorf("FormatChange(%s, %s, %s) = %q, want %q", tc.change, tc.price, tc.increment, got, tc.want)
		}
	}
}

// Issue 14, figure 6: BTC/USD (increment $1) printed as "92565".
func TestFormatPriceGroupsThousandsAndShowsCents(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	cases := []struct{ price, increment, want string }{
		{"92565.37", "1", "92,565.00"},
		{"92565", "1", "92,565.00"},
		{"3456.789", "0.1", "3,456.80"},
		{"0.18234", "0.00001", "0.18234"},
		{"1234567.891", "0", "1,234,567.89"},
		{"-1234.5", "0", "-1,234.50"},
		{"244.1", "0", "244.10"},
		{"999.999", "0", "1,000.00"},
		{"0.51234", "0", "0.5123"},
	}
	for _, tc := range cases {
		if got := FormatPrice(d(tc.price), d(tc.increment)); got != tc.want {
			t.Errorf("FormatPrice(%s, %s) = %q, want %q", tc.price, tc.increment, got, tc.want)
		}
	}
}

func TestFormatVolume(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"12345678": "12,345,678", "1234.56789": "1,235", "0.004213": "0.0042", "999.5": "999.5", "0": "0"} {
		if got := FormatVolume(decimal.RequireFromString(in)); got != want {
			t.Errorf("FormatVolume(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"0": "$0.00", "1234.5": "$1,234.50", "-12": "-$12.00", "100000": "$100,000.00",
		"1234567.891": "$1,234,567.89", "-0.001": "$0.00", "999.999": "$1,000.00",
	}
	for in, want := range cases {
		if got := FormatMoney(decimal.RequireFromString(in)); got != want {
			t.Errorf("FormatMoney(%s) = %q, want %q", in, got, want)
		}
	}
	if got := FormatSignedMoney(decimal.RequireFromString("12.3")); got != "+$12.30" {
		t.Errorf("FormatSignedMoney = %q", got)
	}
}
