package stats_test

import (
	"testing"
	"time"

	"alpacawrapper/trading/stats"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func newYork(t *testing.T) *time.Location {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return ny
}

// closes is one point per day at 16:00 New York from 2026-03-02 (a Monday), with the given
// equities; a "+50" suffix (e.g. "160+50") gives the point a net flow.
func closes(t *testing.T, equities ...string) []stats.Point {
	t.Helper()
	ny := newYork(t)
	points := make([]stats.Point, len(equities))
	for i, e := range equities {
		p := stats.Point{At: time.Date(2026, time.March, 2+i, 16, 0, 0, 0, ny)}
		eq, flow, found := cut(e)
		p.Equity = dec(eq)
		if found {
			p.NetFlow = dec(flow)
		}
		points[i] = p
	}
	return points
}

// cut splits "160+50" or "90-20" into equity and signed flow.
func cut(s string) (string, string, bool) {
	for i := 1; i < len(s); i++ {
		if s[i] == '+' || s[i] == '-' {
			return s[:i], s[i:], true
		}
	}
	return s, "", false
}

func same(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}
