package fill_test

import (
	"testing"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/trading/fill"
)

// An order that rested yesterday meets the first quote of today's session as an arriving order:
// a buy limit at 100 on a 95.00 opening ask fills at 95.00, as the same order queued overnight
// would, and not at its limit. Once it has met a usable quote in the session it rests, and a
// later quote through its limit fills it at the limit (issue 11, bug 3).
func TestGapAtTheOpenGivesRestingLimitsTheOpeningPrice(t *testing.T) {
	gap := at(quote("94.90", "200", "95.00", "300"), open0.Add(500*time.Millisecond))
	now := open0.Add(time.Second)
	yesterday := open0.Add(-20 * time.Hour)
	restedYesterday := withLimit(buy(fill.Limit, "10"), "100.00")
	restedYesterday.TimeInForce, restedYesterday.RestedAt = fill.GTC, yesterday
	restedToday := restedYesterday
	restedToday.RestedAt = open0.Add(200 * time.Millisecond)

	runCases(t, []evalCase{
		{name: "rested yesterday: arriving at the open, filled at the ask", order: restedYesterday, quote: gap, now: now,
			want: want{action: fill.Execute, rule: fill.RuleMarketableLimitAtQuote, price: "95.00", qty: "10"}},
		{name: "rested earlier this session: filled at its limit", order: restedToday, quote: gap, now: now,
			want: want{action: fill.Execute, rule: fill.RuleLimitThrough, price: "100.00", qty: "10"}},
	})

	t.Run("the decision says when the order starts resting", func(t *testing.T) {
		far := withLimit(buy(fill.Limit, "10"), "90.00")
		far.RestedAt = yesterday
		if d := fill.Evaluate(far, gap, now, regular, fill.Realism{}); d.Action != fill.Wait || !d.Rested {
			t.Fatalf("yesterday's order on today's first quote: %s %s rested=%v, want a wait that rests it", d.Action, d.Reason, d.Rested)
		}
		far.RestedAt = now
		if d := fill.Evaluate(far, gap, now.Add(time.Second), regular, fill.Realism{}); d.Rested {
			t.Fatalf("an order already resting this session is reported as newly resting")
		}
	})

	t.Run("a crossed or stale first quote does not make it rest", func(t *testing.T) {
		crossed := at(quote("95.10", "200", "95.00", "300"), open0.Add(500*time.Millisecond))
		stale := at(quote("94.90", "200", "95.00", "300"), open0.Add(500*time.Millisecond))
		for name, c := range map[string]struct {
			q   market.Quote
			now time.Time
		}{"crossed": {crossed, now}, "stale": {stale, open0.Add(10 * time.Minute)}} {
			d := fill.Evaluate(restedYesterday, c.q, c.now, regular, fill.Realism{})
			if d.Action != fill.Wait || d.Rested {
				t.Fatalf("%s: %s %s rested=%v, want a wait that leaves the order arriving", name, d.Action, d.Reason, d.Rested)
			}
		}
	})

	t.Run("the pre-market starts anew for extended-hours orders", func(t *testing.T) {
		o := extended(withLimit(buy(fill.Limit, "10"), "100.00"))
		o.RestedAt = close0.Add(-20 * time.Hour) // yesterday's after-hours
		pre := session(market.SessionPre)
		pre.PreOpen = open0.Add(-5*time.Hour - 30*time.Minute)
		first := at(quote("94.90", "200", "95.00", "300"), pre.PreOpen.Add(time.Minute))
		d := fill.Evaluate(o, first, pre.PreOpen.Add(time.Minute+time.Second), *pre, fill.Realism{})
		if d.Action != fill.Execute || !d.Fill.Price.Equal(dec("95.00")) {
			t.Fatalf("first pre-market quote: %s at %s, want a fill at the ask 95.00", d.Action, d.Fill.Price)
		}
		o.RestedAt = open0.Add(time.Hour) // earlier today: the after-hours session continues the day
		post := session(market.SessionPost)
		d = fill.Evaluate(o, at(first, close0.Add(time.Minute)), close0.Add(time.Minute+time.Second), *post, fill.Realism{})
		if d.Action != fill.Execute || !d.Fill.Price.Equal(dec("100.00")) {
			t.Fatalf("after hours, rested since the morning: %s at %s, want a fill at the limit 100.00", d.Action, d.Fill.Price)
		}
	})
}

// A queued order must not fill on a quote from before the open that is delivered after it: the
// quote's own time decides its session, as it does for opg orders (issue 11, bug 10).
func TestRegularOrdersRefuseQuotesFromBeforeTheOpen(t *testing.T) {
	preOpen := at(quote("96.00", "200", "98.00", "300"), open0.Add(-2*time.Second))
	now := open0.Add(time.Second)
	runCases(t, []evalCase{
		{name: "market buy waits for a regular-session quote", order: buy(fill.Market, "10"), quote: preOpen, now: now,
			want: want{action: fill.Wait, reason: fill.ReasonQuoteBeforeOpen}},
		{name: "a regular limit waits too", order: withLimit(buy(fill.Limit, "10"), "99.00"), quote: preOpen, now: now,
			want: want{action: fill.Wait, reason: fill.ReasonQuoteBeforeOpen}},
		{name: "an extended-hours limit may use it", order: extended(withLimit(buy(fill.Limit, "10"), "99.00")), quote: preOpen, now: now,
			want: want{action: fill.Execute, rule: fill.RuleMarketableLimitAtQuote, price: "98.00", qty: "10"}},
		{name: "the first quote at the open fills it", order: buy(fill.Market, "10"), quote: at(preOpen, open0), now: now,
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "98.00", qty: "10"}},
	})
	t.Run("crypto has no open", func(t *testing.T) {
		s := regular
		s.Crypto = true
		if d := fill.Evaluate(buy(fill.Market, "1"), preOpen, now, s, fill.Realism{}); d.Action != fill.Execute {
			t.Fatalf("crypto market buy: %s %s, want a fill", d.Action, d.Reason)
		}
	})
}
