package stats_test

import (
	"testing"
	"time"

	"alpacawrapper/trading/stats"

	"github.com/shopspring/decimal"
)

func TestSummarizeCurves(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                 string
		curve                []string
		totalReturn, totalPL string
		maxDD                string
		ddFrom, ddTo         int // indexes into the curve; -1 for none
		sharpe               string
		sharpeDays           int
	}{
		{
			name: "flat", curve: []string{"100", "100", "100"},
			totalReturn: "0", totalPL: "0", maxDD: "0", ddFrom: -1, ddTo: -1, sharpe: "0", sharpeDays: 2,
		},
		{
			name: "steady growth", curve: []string{"100", "110", "121"},
			// Constant returns have no Sharpe ratio.
			totalReturn: "0.21", totalPL: "21", maxDD: "0", ddFrom: -1, ddTo: -1, sharpe: "0", sharpeDays: 2,
		},
		{
			name: "a deposit is not a gain", curve: []string{"100", "110", "160+50", "165"},
			// 110/100 × (160−50)/110 × 165/160 = 1.134375
			// Daily returns +10%, 0, +3.125%: mean/sd × √252 = 13.5757.
			totalReturn: "0.134375", totalPL: "15", maxDD: "0", ddFrom: -1, ddTo: -1, sharpe: "13.58", sharpeDays: 3,
		},
		{
			name: "drawdown from 120 to 90", curve: []string{"100", "120", "90", "110"},
			// Daily returns +20%, −25%, +22.2…%: mean/sd × √252 = 3.4202.
			totalReturn: "0.1", totalPL: "10", maxDD: "0.25", ddFrom: 1, ddTo: 2, sharpe: "3.42", sharpeDays: 3,
		},
		{
			name: "a deposit does not hide a drawdown", curve: []string{"100", "120", "140+50"},
			// (140−50)/120 = 0.75 of the peak, although equity rose.
			// Daily returns +20%, −25%: mean/sd × √252 = −1.2472.
			totalReturn: "-0.1", totalPL: "-10", maxDD: "0.25", ddFrom: 1, ddTo: 2, sharpe: "-1.25", sharpeDays: 2,
		},
		{
			name: "a withdrawal is not a loss", curve: []string{"100", "50-50", "55"},
			// Daily returns 0, +10%: mean/sd × √252 = 11.2250.
			totalReturn: "0.1", totalPL: "5", maxDD: "0", ddFrom: -1, ddTo: -1, sharpe: "11.22", sharpeDays: 2,
		},
		{
			name: "known Sharpe: +1%, −1%, +2%", curve: []string{"100", "101", "99.99", "101.9898"},
			totalReturn: "0.019898", totalPL: "1.9898", maxDD: "0.01", ddFrom: 1, ddTo: 2, sharpe: "6.93", sharpeDays: 3,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			curve := closes(t, tc.curve...)
			s := stats.Summarize(curve, decimal.Zero, nil, newYork(t))
			same(t, "StartEquity", s.StartEquity, cutEquity(tc.curve[0]))
			same(t, "EndEquity", s.EndEquity, cutEquity(tc.curve[len(tc.curve)-1]))
			same(t, "TotalReturn", s.TotalReturn, tc.totalReturn)
			same(t, "TotalPL", s.TotalPL, tc.totalPL)
			same(t, "MaxDrawdown", s.MaxDrawdown, tc.maxDD)
			wantFrom, wantTo := time.Time{}, time.Time{}
			if tc.ddFrom >= 0 {
				wantFrom, wantTo = curve[tc.ddFrom].At, curve[tc.ddTo].At
			}
			if !s.MaxDrawdownFrom.Equal(wantFrom) || !s.MaxDrawdownTo.Equal(wantTo) {
				t.Errorf("drawdown %s → %s, want %s → %s", s.MaxDrawdownFrom, s.MaxDrawdownTo, wantFrom, wantTo)
			}
			same(t, "Sharpe", s.Sharpe, tc.sharpe)
			if s.SharpeDays != tc.sharpeDays {
				t.Errorf("SharpeDays = %d, want %d", s.SharpeDays, tc.sharpeDays)
			}
		})
	}
}

func cutEquity(s string) string { e, _, _ := cut(s); return e }

func TestSharpeUsesTheLastPointOfEachDay(t *testing.T) {
	t.Parallel()
	ny := newYork(t)
	at := func(day, hour int) time.Time { return time.Date(2026, time.March, day, hour, 0, 0, 0, ny) }
	// Daily closes 100, 101, 99.99, 101.9898 (+1%, −1%, +2%), with intraday swings that must
	// not count, and the days out of order.
	curve := []stats.Point{
		{At: at(3, 16), Equity: dec("101")},
		{At: at(2, 16), Equity: dec("100")},
		{At: at(3, 10), Equity: dec("80")},
		{At: at(4, 11), Equity: dec("130")},
		{At: at(4, 16), Equity: dec("99.99")},
		{At: at(5, 9), Equity: dec("95")},
		{At: at(5, 16), Equity: dec("101.9898")},
	}
	s := stats.Summarize(curve, decimal.Zero, nil, ny)
	same(t, "Sharpe", s.Sharpe, "6.93")
	if s.SharpeDays != 3 {
		t.Errorf("SharpeDays = %d, want 3", s.SharpeDays)
	}
	// The intraday fall from 130 to 95 is the worst drawdown, not a daily one.
	same(t, "MaxDrawdown", s.MaxDrawdown, "0.26923077") // 1 − 95/130
	if !s.MaxDrawdownFrom.Equal(at(4, 11)) || !s.MaxDrawdownTo.Equal(at(5, 9)) {
		t.Errorf("drawdown %s → %s", s.MaxDrawdownFrom, s.MaxDrawdownTo)
	}
}

func TestDaysAreCalendarDaysInLoc(t *testing.T) {
	t.Parallel()
	ny := newYork(t)
	// 22:00 New York (EST) is 03:00 UTC the next day: two New York days, three UTC days.
	curve := []stats.Point{
		{At: time.Date(2026, time.March, 2, 16, 0, 0, 0, ny), Equity: dec("100")},
		{At: time.Date(2026, time.March, 2, 22, 0, 0, 0, ny), Equity: dec("101")},
		{At: time.Date(2026, time.March, 3, 22, 0, 0, 0, ny), Equity: dec("103")},
	}
	if got := stats.Summarize(curve, decimal.Zero, nil, ny).SharpeDays; got != 1 {
		t.Errorf("New York: SharpeDays = %d, want 1", got)
	}
	if got := stats.Summarize(curve, decimal.Zero, nil, time.UTC).SharpeDays; got != 2 {
		t.Errorf("UTC: SharpeDays = %d, want 2", got)
	}
	if got := stats.Summarize(curve, decimal.Zero, nil, nil).SharpeDays; got != 2 {
		t.Errorf("nil location (UTC): SharpeDays = %d, want 2", got)
	}
}

func TestDayReturn(t *testing.T) {
	t.Parallel()
	ny := newYork(t)
	at := func(day, hour int) time.Time { return time.Date(2026, time.March, day, hour, 0, 0, 0, ny) }
	yesterday := stats.Point{At: at(2, 16), Equity: dec("90")}
	today := []stats.Point{
		{At: at(3, 9), Equity: dec("101")},
		{At: at(3, 12), Equity: dec("160"), NetFlow: dec("50")},
		{At: at(3, 16), Equity: dec("165")},
	}
	for _, tc := range []struct {
		name          string
		curve         []stats.Point
		previousClose string
		ret, pl       string
	}{
		{
			// 101/100 × 110/101 × 165/160 = 1.134375; P&L 165 − 100 − 50.
			name: "from the previous close", curve: today, previousClose: "100",
			ret: "0.134375", pl: "15",
		},
		{
			name: "previous close wins over the curve", curve: append([]stats.Point{yesterday}, today...), previousClose: "100",
			ret: "0.134375", pl: "15",
		},
		{
			// No previous close given: yesterday's last point (90) stands in.
			name: "curve stands in for a missing previous close", curve: append([]stats.Point{yesterday}, today...), previousClose: "0",
			ret: "0.26041667", pl: "25", // 110/90 × 165/160 − 1 = 0.2604166…
		},
		{
			// Opened today: the funding is a flow, not P&L, and its period has no return.
			name: "account opened today",
			curve: []stats.Point{
				{At: at(3, 9), Equity: dec("100000"), NetFlow: dec("100000")},
				{At: at(3, 16), Equity: dec("101000")},
			},
			previousClose: "0", ret: "0.01", pl: "1000",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := stats.Summarize(tc.curve, dec(tc.previousClose), nil, ny)
			same(t, "DayReturn", s.DayReturn, tc.ret)
			same(t, "DayPL", s.DayPL, tc.pl)
		})
	}
}

func TestWinRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		pl           []string
		wins, losses int
		rate         string
	}{
		{"two of three", []string{"10", "-5", "0", "3.5"}, 2, 1, "0.66666667"},
		{"no trades", nil, 0, 0, "0"},
		{"only break-evens", []string{"0", "0.00"}, 0, 0, "0"},
		{"all losses", []string{"-1", "-0.01"}, 0, 2, "0"},
		{"all wins", []string{"1"}, 1, 0, "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var pl []decimal.Decimal
			for _, p := range tc.pl {
				pl = append(pl, dec(p))
			}
			s := stats.Summarize(nil, decimal.Zero, pl, nil)
			if s.Wins != tc.wins || s.Losses != tc.losses {
				t.Errorf("wins/losses = %d/%d, want %d/%d", s.Wins, s.Losses, tc.wins, tc.losses)
			}
			same(t, "WinRate", s.WinRate, tc.rate)
		})
	}
}

func TestSummarizeTooLittleData(t *testing.T) {
	t.Parallel()
	empty := stats.Summarize(nil, dec("100"), nil, nil)
	for what, d := range map[string]decimal.Decimal{
		"StartEquity": empty.StartEquity, "EndEquity": empty.EndEquity, "TotalReturn": empty.TotalReturn,
		"DayPL": empty.DayPL, "MaxDrawdown": empty.MaxDrawdown, "Sharpe": empty.Sharpe,
	} {
		same(t, "empty "+what, d, "0")
	}
	if empty.SharpeDays != 0 {
		t.Errorf("empty: SharpeDays = %d", empty.SharpeDays)
	}

	one := stats.Summarize(closes(t, "100"), dec("98"), nil, newYork(t))
	same(t, "one point: TotalReturn", one.TotalReturn, "0")
	same(t, "one point: DayPL", one.DayPL, "2")
	same(t, "one point: DayReturn", one.DayReturn, "0.02040816") // 100/98 − 1
	if one.SharpeDays != 0 || !one.Sharpe.IsZero() {
		t.Errorf("one point: Sharpe %s over %d days", one.Sharpe, one.SharpeDays)
	}

	two := stats.Summarize(closes(t, "100", "105"), decimal.Zero, nil, newYork(t))
	if two.SharpeDays != 1 || !two.Sharpe.IsZero() {
		t.Errorf("two days: Sharpe %s over %d days, want 0 over 1", two.Sharpe, two.SharpeDays)
	}
}
