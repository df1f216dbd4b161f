package fill_test

import (
	"testing"
	"time"

	"alpacawrapper/trading/fill"

	"github.com/shopspring/decimal"
)

func TestTicks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		price, tick string
		onTick      bool
		rounded     string
	}{
		{"100.10", "0.01", true, "100.10"},
		{"100.105", "0.01", false, "100.11"},
		{"1.00", "0.01", true, "1.00"},
		{"0.9999", "0.0001", true, "0.9999"},
		{"0.99995", "0.0001", false, "1.00"},
		{"0.12345", "0.0001", false, "0.1235"},
	}
	for _, c := range cases {
		t.Run(c.price, func(t *testing.T) {
			t.Parallel()
			p := dec(c.price)
			eq(t, "tick", fill.Tick(p), c.tick)
			if got := fill.OnTick(p); got != c.onTick {
				t.Errorf("OnTick = %v, want %v", got, c.onTick)
			}
			eq(t, "rounded", fill.RoundToTick(p, decimal.Zero), c.rounded)
		})
	}
}

func TestReceiptRecordsTheQuoteAndRule(t *testing.T) {
	t.Parallel()
	d := fill.Evaluate(withStop(sell(fill.Stop, "10"), "100.00"), usual(), t0.Add(time.Second), regular, fill.Realism{})
	r := d.Fill.Receipt
	if r.Rule != fill.RuleStopTriggeredOnBid || r.Source != "sim" || r.BidExchange != "V" || r.AskExchange != "Q" || !r.QuoteTime.Equal(t0) {
		t.Fatalf("receipt = %+v", r)
	}
	eq(t, "bid", r.Bid, "100.00")
	eq(t, "ask", r.Ask, "100.10")
	eq(t, "bid size", r.BidSize, "200")
	eq(t, "ask size", r.AskSize, "300")
	eq(t, "mid", r.Mid, "100.05")
	eq(t, "cost", r.CostVsMid, "0.5")
	if want := "sell stop triggered: bid 100 <= stop 100; filled at the bid 100"; r.Detail != want {
		t.Errorf("detail = %q, want %q", r.Detail, want)
	}
}

func TestPresets(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"easy", "realistic", "harsh"} {
		if _, ok := fill.Preset(name); !ok {
			t.Errorf("preset %q missing", name)
		}
	}
	if _, ok := fill.Preset("insane"); ok {
		t.Error("unknown preset accepted")
	}
	if h := fill.Harsh(); h.Limits != fill.LimitThrough || !h.PartialByDisplayedSize {
		t.Errorf("harsh = %+v", h)
	}
}
