package stats_test

import (
	"testing"
	"time"

	"alpacawrapper/trading/stats"

	"github.com/shopspring/decimal"
)

func TestDownsampleMinutesToFiveMinutes(t *testing.T) {
	t.Parallel()
	ny := newYork(t)
	open := time.Date(2026, time.March, 10, 9, 30, 0, 0, ny)
	// A session of 1-minute points, 09:30 … 15:59, equity 1000 + minute; a $7 deposit at 09:31
	// and a $3 withdrawal at 09:33 (same bucket), and a $5 deposit at 15:57.
	var curve []stats.Point
	for i := range 390 {
		p := stats.Point{At: open.Add(time.Duration(i) * time.Minute), Equity: decimal.NewFromInt(int64(1000 + i))}
		switch i {
		case 1:
			p.NetFlow = dec("7")
		case 3:
			p.NetFlow = dec("-3")
		case 387:
			p.NetFlow = dec("5")
		}
		curve = append(curve, p)
	}
	got := stats.Downsample(curve, 5*time.Minute, ny)
	if len(got) != 78 {
		t.Fatalf("%d points, want 78", len(got))
	}
	for i, p := range got {
		last := 5*i + 4
		if !p.At.Equal(curve[last].At) {
			t.Fatalf("bucket %d kept %s, want %s", i, p.At.In(ny).Format("15:04"), curve[last].At.In(ny).Format("15:04"))
		}
		same(t, "equity", p.Equity, decimal.NewFromInt(int64(1000+last)).String())
		want := "0"
		switch i {
		case 0:
			want = "4"
		case 77:
			want = "5"
		}
		same(t, "bucket flow", p.NetFlow, want)
	}
	if got[0].At.In(ny).Format("15:04") != "09:34" || got[77].At.In(ny).Format("15:04") != "15:59" {
		t.Errorf("first and last kept points at %s and %s", got[0].At.In(ny).Format("15:04"), got[77].At.In(ny).Format("15:04"))
	}
	// Thinning keeps P&L: from the first kept point, equity change less flows is the same.
	full := stats.Summarize(curve[4:], decimal.Zero, nil, ny)
	thin := stats.Summarize(got, decimal.Zero, nil, ny)
	same(t, "TotalPL thinned", thin.TotalPL, full.TotalPL.String())
	same(t, "TotalPL", thin.TotalPL, "380") // 1389 − 1004 − 5
}

func TestDownsampleBucketsAlignInLoc(t *testing.T) {
	t.Parallel()
	ny := newYork(t)
	// Minutes 09:32 … 09:41 fall in buckets [09:30,09:35), [09:35,09:40), [09:40,09:45).
	var curve []stats.Point
	for m := 32; m <= 41; m++ {
		curve = append(curve, stats.Point{At: time.Date(2026, time.March, 10, 9, m, 0, 0, ny), Equity: decimal.NewFromInt(int64(m))})
	}
	got := stats.Downsample(curve, 5*time.Minute, ny)
	var kept []string
	for _, p := range got {
		kept = append(kept, p.At.In(ny).Format("15:04"))
	}
	if len(kept) != 3 || kept[0] != "09:34" || kept[1] != "09:39" || kept[2] != "09:41" {
		t.Errorf("kept %v, want [09:34 09:39 09:41]", kept)
	}
}

func TestDownsampleDays(t *testing.T) {
	t.Parallel()
	ny := newYork(t)
	// 16:00 and 22:00 New York on the 2nd, 16:00 and 23:30 on the 3rd: in UTC the late points
	// fall on the next day.
	curve := []stats.Point{
		{At: time.Date(2026, time.March, 3, 23, 30, 0, 0, ny), Equity: dec("104"), NetFlow: dec("1")},
		{At: time.Date(2026, time.March, 2, 16, 0, 0, 0, ny), Equity: dec("101"), NetFlow: dec("10")},
		{At: time.Date(2026, time.March, 2, 22, 0, 0, 0, ny), Equity: dec("102"), NetFlow: dec("20")},
		{At: time.Date(2026, time.March, 3, 16, 0, 0, 0, ny), Equity: dec("103")},
	}
	byNY := stats.Downsample(curve, 24*time.Hour, ny)
	if len(byNY) != 2 {
		t.Fatalf("New York days: %d points, want 2", len(byNY))
	}
	same(t, "2 March close", byNY[0].Equity, "102")
	same(t, "2 March flow", byNY[0].NetFlow, "30")
	same(t, "3 March close", byNY[1].Equity, "104")
	same(t, "3 March flow", byNY[1].NetFlow, "1")

	byUTC := stats.Downsample(curve, 24*time.Hour, nil)
	if len(byUTC) != 3 {
		t.Fatalf("UTC days: %d points, want 3", len(byUTC))
	}
	same(t, "UTC 2 March", byUTC[0].Equity, "101")
	same(t, "UTC 3 March", byUTC[1].Equity, "103") // 22:00 NY on the 2nd is 02:00 UTC on the 3rd
	same(t, "UTC 3 March flow", byUTC[1].NetFlow, "20")

	// Two-day buckets pair calendar days from 1970-01-01: 2 and 3 March 2026 (days 20514 and
	// 20515) share one, 4 March starts the next.
	late := append(curve, stats.Point{At: time.Date(2026, time.March, 4, 16, 0, 0, 0, ny), Equity: dec("105")})
	pairs := stats.Downsample(late, 48*time.Hour, ny)
	if len(pairs) != 2 {
		t.Fatalf("two-day buckets: %d points, want 2", len(pairs))
	}
	same(t, "2–3 March close", pairs[0].Equity, "104")
	same(t, "2–3 March flow", pairs[0].NetFlow, "31")
	same(t, "4 March close", pairs[1].Equity, "105")
}

func TestDownsampleNoStep(t *testing.T) {
	t.Parallel()
	curve := closes(t, "100", "101")
	got := stats.Downsample(curve, 0, nil)
	if len(got) != 2 || !got[1].Equity.Equal(dec("101")) {
		t.Fatalf("got %v", got)
	}
	got[0].Equity = dec("1")
	same(t, "input after editing the copy", curve[0].Equity, "100")
	if len(stats.Downsample(nil, time.Minute, nil)) != 0 {
		t.Error("empty curve gave points")
	}
}
