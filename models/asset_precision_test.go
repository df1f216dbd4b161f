package models

import (
	"testing"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

func TestDecimalPlaces(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"1": 0, "0.01": 2, "0.005": 3, "0.00001": 5, "0.0100": 2, "10": 0} {
		if got := decimalPlaces(in); got != want {
			t.Errorf("decimalPlaces(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestPricePrecision(t *testing.T) {
	t.Parallel()
	inc := func(s string) decimal.NullDecimal {
		return decimal.NullDecimal{Decimal: decimal.RequireFromString(s), Valid: true}
	}
	for _, c := range []struct {
		name  string
		asset Asset
		want  int
	}{
		{"a stock, in cents", Asset{Class: market.USEquity}, 2},
		{"a pair, by its increment", Asset{Class: market.Crypto, PriceIncrement: inc("0.00001")}, 5},
		{"a pair in whole dollars", Asset{Class: market.Crypto, PriceIncrement: inc("1")}, 0},
		{"a pair without an increment", Asset{Class: market.Crypto}, 2},
	} {
		if got := c.asset.PricePrecision(); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
