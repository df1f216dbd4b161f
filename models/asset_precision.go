package models

import (
	"strings"

	"alpacawrapper/market"
)

// stockPricePrecision is how many decimals a stock price shows: US equities quote in cents
// (sub-penny prices are rare enough to round).
const stockPricePrecision = 2

// PricePrecision is how many decimals the asset's prices show: a crypto pair's price increment's,
// cents for stocks (and for a pair without an increment).
func (a *Asset) PricePrecision() int {
	if a.Class == market.Crypto && a.PriceIncrement.Valid && a.PriceIncrement.Decimal.IsPositive() {
		return decimalPlaces(a.PriceIncrement.Decimal.String())
	}
	return stockPricePrecision
}

// decimalPlaces counts the digits after the point of a decimal written without exponent.
func decimalPlaces(s string) int {
	_, frac, ok := strings.Cut(s, ".")
	if !ok {
		return 0
	}
	return len(strings.TrimRight(frac, "0"))
}
