package fill_test

import (
	"testing"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/trading/fill"

	"github.com/shopspring/decimal"
)

// t0 is 10:00 ET on a regular trading day (2026-03-10, daylight time: ET = UTC−4).
var (
	t0      = time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	open0   = time.Date(2026, 3, 10, 13, 30, 0, 0, time.UTC)
	close0  = time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC)
	regular = fill.SessionInfo{Session: market.SessionRegular, Open: open0, Close: close0, Source: "sim"}
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// quote is bid×bidSize / ask×askSize at t0.
func quote(bid, bidSize, ask, askSize string) market.Quote {
	q := market.Quote{Symbol: "AAPL", BidExchange: "V", AskExchange: "Q", Time: t0}
	for _, f := range []struct {
		dst *decimal.Decimal
		s   string
	}{{&q.BidPrice, bid}, {&q.BidSize, bidSize}, {&q.AskPrice, ask}, {&q.AskSize, askSize}} {
		if f.s != "" {
			*f.dst = dec(f.s)
		}
	}
	return q
}

// usual is the quote most cases use: 100.00 × 200 / 100.10 × 300, mid 100.05.
func usual() market.Quote { return quote("100.00", "200", "100.10", "300") }

func at(q market.Quote, t time.Time) market.Quote { q.Time = t; return q }

// want is the expected outcome; empty fields are not checked.
type want struct {
	action          fill.Action
	reason          fill.Reason
	rule            fill.Rule
	price, qty      string
	cost            string
	partial         bool
	cancelRemainder bool
	triggered       bool
	waterMark, stop string
	trailChanged    bool
}

type evalCase struct {
	name    string
	order   fill.Order
	quote   market.Quote
	now     time.Time // default t0 + 1s
	session *fill.SessionInfo
	realism fill.Realism
	want    want
}

func runCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			now := c.now
			if now.IsZero() {
				now = t0.Add(time.Second)
			}
			s := regular
			if c.session != nil {
				s = *c.session
			}
			got := fill.Evaluate(c.order, c.quote, now, s, c.realism)
			check(t, got, c.want)
		})
	}
}

func check(t *testing.T, got fill.Decision, w want) {
	t.Helper()
	if got.Action != w.action {
		t.Fatalf("action = %q (reason %q: %s), want %q", got.Action, got.Reason, got.Detail, w.action)
	}
	if got.Reason != w.reason {
		t.Errorf("reason = %q, want %q (%s)", got.Reason, w.reason, got.Detail)
	}
	if got.Detail == "" {
		t.Errorf("detail is empty")
	}
	if got.Triggered != w.triggered {
		t.Errorf("triggered = %v, want %v", got.Triggered, w.triggered)
	}
	if got.CancelRemainder != w.cancelRemainder {
		t.Errorf("cancelRemainder = %v, want %v", got.CancelRemainder, w.cancelRemainder)
	}
	if w.action == fill.Execute {
		f := got.Fill
		if f.Receipt.Rule != w.rule {
			t.Errorf("rule = %q, want %q", f.Receipt.Rule, w.rule)
		}
		eq(t, "price", f.Price, w.price)
		eq(t, "qty", f.Qty, w.qty)
		if w.cost != "" {
			eq(t, "cost vs mid", f.Receipt.CostVsMid, w.cost)
		}
		if f.Partial != w.partial {
			t.Errorf("partial = %v, want %v", f.Partial, w.partial)
		}
	} else if !got.Fill.Qty.IsZero() {
		t.Errorf("a %s decision carries a fill of %s", got.Action, got.Fill.Qty)
	}
	if w.waterMark != "" {
		eq(t, "water mark", got.Trail.WaterMark, w.waterMark)
		eq(t, "stop", got.Trail.Stop, w.stop)
		if got.Trail.Changed != w.trailChanged {
			t.Errorf("trail changed = %v, want %v", got.Trail.Changed, w.trailChanged)
		}
	}
}

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if want == "" {
		return
	}
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func ptr(s fill.SessionInfo) *fill.SessionInfo { return &s }

func session(sess market.Session) *fill.SessionInfo {
	s := regular
	s.Session = sess
	return &s
}

func buy(typ fill.OrderType, qty string) fill.Order {
	return fill.Order{Side: fill.Buy, Type: typ, TimeInForce: fill.Day, Qty: dec(qty)}
}

func sell(typ fill.OrderType, qty string) fill.Order {
	o := buy(typ, qty)
	o.Side = fill.Sell
	return o
}

func withLimit(o fill.Order, p string) fill.Order           { o.LimitPrice = dec(p); return o }
func withStop(o fill.Order, p string) fill.Order            { o.StopPrice = dec(p); return o }
func resting(o fill.Order) fill.Order                       { o.RestedAt = open0.Add(time.Minute); return o }
func withTIF(o fill.Order, tif fill.TimeInForce) fill.Order { o.TimeInForce = tif; return o }
func extended(o fill.Order) fill.Order                      { o.ExtendedHours = true; return o }
