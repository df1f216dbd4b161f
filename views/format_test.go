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
		{"125", "94705", "1", "+125"},
		{"-0.00012", "0.18", "0.00001", "-0.00012"},
	}
	for _, tc := range cases {
		if got := FormatChange(d(tc.change), d(tc.price), d(tc.increment)); got != tc.want {
			t.Errorf("FormatChange(%s, %s, %s) = %q, want %q", tc.change, tc.price, tc.increment, got, tc.want)
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
