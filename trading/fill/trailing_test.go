package fill_test

import (
	"testing"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/trading/fill"
)

func trailing(side fill.Side, byPrice, byPercent, waterMark, stop string) fill.Order {
	o := fill.Order{Side: side, Type: fill.TrailingStop, TimeInForce: fill.GTC, Qty: dec("10"), RestedAt: t0}
	for _, f := range []struct {
		s   string
		set func(string)
	}{
		{byPrice, func(s string) { o.TrailPrice = dec(s) }},
		{byPercent, func(s string) { o.TrailPercent = dec(s) }},
		{waterMark, func(s string) { o.WaterMark = dec(s) }},
		{stop, func(s string) { o.StopPrice = dec(s) }},
	} {
		if f.s != "" {
			f.set(f.s)
		}
	}
	return o
}

func TestTrailingStops(t *testing.T) {
	t.Parallel()
	runCases(t, []evalCase{
		{name: "sell trailing starts its water mark at the bid and its stop below it", order: trailing(fill.Sell, "1.00", "", "", ""), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered, waterMark: "100.00", stop: "99.00", trailChanged: true}},
		{name: "buy trailing starts its water mark at the ask and its stop above it", order: trailing(fill.Buy, "0.50", "", "", ""), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered, waterMark: "100.10", stop: "100.60", trailChanged: true}},
		{name: "sell trailing percent rounds its stop to the cent", order: trailing(fill.Sell, "", "5", "", ""), quote: quote("101.37", "100", "101.40", "100"),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered, waterMark: "101.37", stop: "96.30", trailChanged: true}},
		{name: "sell trailing percent under a dollar rounds its stop to four decimals", order: trailing(fill.Sell, "", "3", "", ""), quote: quote("0.5123", "100", "0.5130", "100"),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered, waterMark: "0.5123", stop: "0.4969", trailChanged: true}},
		{name: "crypto trailing stop rounds to the asset's price increment", order: func() fill.Order {
			o := trailing(fill.Sell, "", "1.5", "", "")
			o.PriceIncrement = dec("0.5")
			return o
		}(), quote: quote("60000.37", "1", "60001", "1"), session: ptr(fill.SessionInfo{Crypto: true}),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered, waterMark: "60000.37", stop: "59100.5", trailChanged: true}},
		{name: "sell trailing follows a higher bid upwards", order: trailing(fill.Sell, "1.00", "", "99.00", "98.00"), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered, waterMark: "100.00", stop: "99.00", trailChanged: true}},
		{name: "sell trailing never moves down with a lower bid", order: trailing(fill.Sell, "1.00", "", "101.00", "100.00"), quote: quote("100.50", "1", "100.60", "1"),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered, waterMark: "101.00", stop: "100.00"}},
		{name: "sell trailing keeps a tighter stop when the trail was widened", order: trailing(fill.Sell, "2.00", "", "100.00", "99.00"), quote: quote("100.50", "1", "100.60", "1"),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered, waterMark: "100.50", stop: "99.00", trailChanged: true}},
		{name: "buy trailing follows a lower ask downwards", order: trailing(fill.Buy, "0.50", "", "100.50", "101.00"), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered, waterMark: "100.10", stop: "100.60", trailChanged: true}},
		{name: "buy trailing never moves up with a higher ask", order: trailing(fill.Buy, "0.50", "", "99.90", "100.40"), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered, waterMark: "99.90", stop: "100.40"}},
		{name: "sell trailing triggers when the bid reaches the stop and fills at the bid", order: trailing(fill.Sell, "1.00", "", "101.00", "100.00"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleTrailingTriggeredOnBid, price: "100.00", qty: "10", triggered: true, waterMark: "101.00", stop: "100.00"}},
		{name: "sell trailing gapped below the stop fills at the bid", order: trailing(fill.Sell, "1.00", "", "103.00", "102.00"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleTrailingTriggeredOnBid, price: "100.00", qty: "10", triggered: true, waterMark: "103.00", stop: "102.00"}},
		{name: "buy trailing triggers when the ask reaches the stop and fills at the ask", order: trailing(fill.Buy, "0.50", "", "99.60", "100.10"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleTrailingTriggeredOnAsk, price: "100.10", qty: "10", triggered: true, waterMark: "99.60", stop: "100.10"}},
		{name: "trigger is tested with the stop as it was: a stop set above the bid fires before any move", order: trailing(fill.Sell, "1.00", "", "99.50", "100.20"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleTrailingTriggeredOnBid, price: "100.00", qty: "10", triggered: true, waterMark: "99.50", stop: "100.20"}},
		{name: "trailing stop waits outside regular hours and keeps its state", order: trailing(fill.Sell, "1.00", "", "101.00", "100.00"), quote: quote("99.00", "1", "99.10", "1"), session: session(market.SessionPost),
			want: want{action: fill.Wait, reason: fill.ReasonOutsideSession, waterMark: "101.00", stop: "100.00"}},
		{name: "trailing stop does not move on a stale quote", order: trailing(fill.Sell, "1.00", "", "99.00", "98.00"), quote: usual(), now: t0.Add(time.Hour),
			want: want{action: fill.Wait, reason: fill.ReasonStaleQuote, waterMark: "99.00", stop: "98.00"}},
		{name: "triggered trailing remainder fills at the quote", order: func() fill.Order {
			o := trailing(fill.Sell, "1.00", "", "101.00", "100.00")
			o.Triggered = true
			return o
		}(), quote: quote("100.50", "1", "100.60", "1"),
			want: want{action: fill.Execute, rule: fill.RuleTriggeredStopAtQuote, price: "100.50", qty: "10", waterMark: "101.00", stop: "100.00"}},
	})
}

// TestTrailingStopSequence feeds a sell trailing stop ($1 trail) a series of bids, persisting
// its state as the engine would: the stop ratchets up with new highs, holds on dips, and
// triggers on the first bid at or below it — with the stop as it stood before that quote.
func TestTrailingStopSequence(t *testing.T) {
	t.Parallel()
	o := trailing(fill.Sell, "1.00", "", "", "")
	steps := []struct {
		bid             string
		action          fill.Action
		waterMark, stop string
	}{
		{"100.00", fill.Wait, "100.00", "99.00"},
		{"102.00", fill.Wait, "102.00", "101.00"},
		{"101.50", fill.Wait, "102.00", "101.00"},
		{"102.40", fill.Wait, "102.40", "101.40"},
		{"101.40", fill.Execute, "102.40", "101.40"},
	}
	for i, st := range steps {
		q := quote(st.bid, "100", dec(st.bid).Add(dec("0.02")).String(), "100")
		d := fill.Evaluate(o, q, t0, regular, fill.Realism{})
		if d.Action != st.action {
			t.Fatalf("step %d (bid %s): action %q (%s), want %q", i, st.bid, d.Action, d.Detail, st.action)
		}
		eq(t, "water mark", d.Trail.WaterMark, st.waterMark)
		eq(t, "stop", d.Trail.Stop, st.stop)
		o.WaterMark, o.StopPrice = d.Trail.WaterMark, d.Trail.Stop
	}
}
