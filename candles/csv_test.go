package candles_test

import (
	"strings"
	"testing"
	"time"

	"alpacawrapper/candles"
	"alpacawrapper/market"
)

func TestWriteCSV(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	rows := []market.Bar{
		{Start: time.Date(2026, 3, 6, 9, 30, 0, 0, ny), Open: dec("187.10"), High: dec("188"), Low: dec("186.955"),
			Close: dec("187.5"), Volume: dec("12345.678"), TradeCount: 42, VWAP: dec("187.312345")},
		{Start: time.Date(2026, 3, 6, 14, 31, 0, 0, time.UTC), Open: dec("0.00001234"), High: dec("0.00001234"),
			Low: dec("0.00001234"), Close: dec("0.00001234"), Volume: dec("0"), VWAP: dec("0.00001234")},
	}
	var out strings.Builder
	if err := candles.WriteCSV(&out, rows); err != nil {
		t.Fatal(err)
	}
	want := "time,open,high,low,close,volume,trade_count,vwap\n" +
		"2026-03-06T14:30:00Z,187.1,188,186.955,187.5,12345.678,42,187.312345\n" +
		"2026-03-06T14:31:00Z,0.00001234,0.00001234,0.00001234,0.00001234,0,0,0.00001234\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
