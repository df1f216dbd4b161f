package matcher

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
)

func TestBounds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in     string
		lo, hi int64
		exact  bool
	}{
		{"0", 0, 0, true},
		{"100", 100 * nano, 100 * nano, true},
		{"100.10", 100_100_000_000, 100_100_000_000, true},
		{"0.0001", 100_000, 100_000, true},
		{"0.000000001", 1, 1, true},
		{"100.0000000000000", 100 * nano, 100 * nano, true}, // more than nine decimals, all zero
		{"100.0000000001", 100 * nano, 100*nano + 1, false},
		{"100.0000000009999", 100 * nano, 100*nano + 1, false},
		{"0.0000000000000000000001", 0, 1, false},
		{"1E+30", math.MaxInt64, math.MaxInt64, false},
		{"9223372036.854775807", math.MaxInt64, math.MaxInt64, true},
		{"9223372036.854775808", math.MaxInt64, math.MaxInt64, false},
		{"123456789.1234567891234567", 123456789123456789, 123456789123456790, false}, // 25 digits: slow path
		{"12345678901.23456789012345", math.MaxInt64, math.MaxInt64, false},
		{"-100.0000000001", -100*nano - 1, -100 * nano, false},
	}
	for _, c := range cases {
		lo, hi, exact := bounds(decimal.RequireFromString(c.in))
		if lo != c.lo || hi != c.hi || exact != c.exact {
			t.Errorf("bounds(%s) = %d, %d, %v; want %d, %d, %v", c.in, lo, hi, exact, c.lo, c.hi, c.exact)
		}
	}
}

func TestBoundsDoesNotAllocate(t *testing.T) {
	d := decimal.RequireFromString("60123.45678")
	if n := testing.AllocsPerRun(100, func() { bounds(d) }); n != 0 {
		t.Errorf("bounds allocates %v times", n)
	}
}

func TestFromNanos(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n    int64
		exp  int32
		want string
	}{
		{99 * nano, -2, "99.00"},
		{500_000_000, -4, "0.5000"},
		{59100_500_000_000, -1, "59100.5"},
		{-3_460_000_000, -2, "-3.46"},
	} {
		if got := fromNanos(c.n, c.exp).StringFixed(-c.exp); got != c.want {
			t.Errorf("fromNanos(%d, %d) = %s, want %s", c.n, c.exp, got, c.want)
		}
	}
}
