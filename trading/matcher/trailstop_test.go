package matcher

import (
	"math/rand/v2"
	"testing"

	"alpacawrapper/trading/fill"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func trailOrder(side fill.Side, byPrice, byPercent, inc string) fill.Order {
	o := fill.Order{Side: side, Type: fill.TrailingStop, TimeInForce: fill.GTC, Qty: dec("1")}
	if byPrice != "" {
		o.TrailPrice = dec(byPrice)
	}
	if byPercent != "" {
		o.TrailPercent = dec(byPercent)
	}
	if inc != "" {
		o.PriceIncrement = dec(inc)
	}
	return o
}

// TestTrailStopMatchesFill checks the integer computation against fill.TrailStop on chosen
// cases, written digit for digit (the exponent included, as it is persisted).
func TestTrailStopMatchesFill(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		order fill.Order
		wm    string
		want  string
		slow  bool // the integer form must decline these terms
	}{
		{"sell by price", trailOrder(fill.Sell, "1.00", "", ""), "100.00", "99.00", false},
		{"buy by price", trailOrder(fill.Buy, "0.50", "", ""), "100.10", "100.60", false},
		{"sell percent rounds to the cent", trailOrder(fill.Sell, "", "5", ""), "101.37", "96.30", false},
		{"sell percent below a dollar rounds to four decimals", trailOrder(fill.Sell, "", "3", ""), "0.5123", "0.4969", false},
		{"half a cent rounds away from zero", trailOrder(fill.Sell, "0.005", "", ""), "100.00", "100.00", false},
		{"just under half a cent rounds down", trailOrder(fill.Sell, "0.005000001", "", ""), "100.00", "99.99", false},
		{"0.99996 becomes a cent price", trailOrder(fill.Buy, "0.00006", "", ""), "0.9999", "1.00", false},
		{"sell stop below zero", trailOrder(fill.Sell, "5", "", ""), "3.456", "-1.54", false},
		{"sell stop just below zero", trailOrder(fill.Sell, "0.50005", "", ""), "0.5", "-0.0001", false},
		{"crypto increment", trailOrder(fill.Sell, "", "1.5", "0.5"), "60000.37", "59100.5", false},
		{"crypto increment with trailing zeros keeps them", trailOrder(fill.Sell, "", "1.5", "0.50"), "60000.37", "59100.50", false},
		{"crypto increment of a dollar", trailOrder(fill.Buy, "12.5", "", "1"), "60000.5", "60013", false},
		{"percent with trailing zeros", trailOrder(fill.Sell, "", "5.0000000", ""), "101.37", "96.30", false},
		{"percent with five decimals", trailOrder(fill.Sell, "", "2.12345", ""), "123.456789012", "120.84", false},
		{"percent with six decimals is left to fill", trailOrder(fill.Sell, "", "2.123456", ""), "123.45", "120.83", true},
		{"trail price with ten decimals is left to fill", trailOrder(fill.Sell, "0.0000000001", "", ""), "100", "100.00", true},
		{"a huge crypto increment is left to fill", trailOrder(fill.Sell, "", "1", "100000000"), "6000000000", "5900000000", true},
	}
	for _, c := range cases {
		terms := newTrailTerms(c.order)
		want := fill.TrailStop(c.order, dec(c.wm))
		if !want.Equal(dec(c.want)) {
			t.Fatalf("%s: fill.TrailStop = %s, the case expects %s", c.name, want, c.want)
		}
		if terms.ok == c.slow {
			t.Errorf("%s: terms.ok = %v", c.name, terms.ok)
			continue
		}
		if !terms.ok {
			continue
		}
		wm, _, _ := bounds(dec(c.wm))
		n, ok := terms.stop(wm)
		if !ok {
			t.Errorf("%s: stop overflowed", c.name)
			continue
		}
		if got := terms.decimal(n); !sameDigits(got, want) {
			t.Errorf("%s: stop = %s, fill.TrailStop = %s", c.name, digits(got), digits(want))
		}
	}
}

// TestTrailStopProperty compares the integer computation with fill.TrailStop on random terms
// and water marks, many of them on rounding boundaries.
func TestTrailStopProperty(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	increments := []string{"", "", "", "0.01", "1", "0.5", "0.25", "0.000001", "5", "0.000000001", "0.1", "10", "0.3", "0.0005"}
	randDec := func(maxCoef int64, maxDecimals int) decimal.Decimal {
		return decimal.New(1+rng.Int64N(maxCoef), -int32(rng.IntN(maxDecimals+1)))
	}
	const n = 20000
	fast := 0
	for range n {
		side := fill.Sell
		if rng.IntN(2) == 0 {
			side = fill.Buy
		}
		o := fill.Order{Side: side, Type: fill.TrailingStop, TimeInForce: fill.GTC, Qty: dec("1")}
		if rng.IntN(2) == 0 {
			o.TrailPrice = randDec(1_000_000, 9)
		} else {
			o.TrailPercent = randDec(9_999, 7)
			if !o.TrailPercent.LessThan(decimal.NewFromInt(100)) {
				o.TrailPercent = o.TrailPercent.Shift(-2)
			}
		}
		if inc := increments[rng.IntN(len(increments))]; inc != "" {
			o.PriceIncrement = dec(inc)
		}
		wm := randDec(10_000_000_000, 9)
		want := fill.TrailStop(o, wm)
		terms := newTrailTerms(o)
		if !terms.ok {
			continue
		}
		wmN, _, exact := bounds(wm)
		s, ok := terms.stop(wmN)
		if !exact || !ok {
			continue
		}
		fast++
		if got := terms.decimal(s); !sameDigits(got, want) {
			t.Fatalf("%s trailing %s/%s%% inc %s at water mark %s: stop %s, fill.TrailStop %s",
				side, o.TrailPrice, o.TrailPercent, o.PriceIncrement, wm, digits(got), digits(want))
		}
	}
	if fast < n*3/4 {
		t.Errorf("only %d of %d cases took the integer path", fast, n)
	}
}

// sameDigits reports whether a and b are the same decimal digit for digit: the same value with
// the same exponent, so they persist and print alike.
func sameDigits(a, b decimal.Decimal) bool {
	return a.Exponent() == b.Exponent() && a.Coefficient().Cmp(b.Coefficient()) == 0
}

func digits(d decimal.Decimal) string { return d.StringFixed(max(0, -d.Exponent())) }
