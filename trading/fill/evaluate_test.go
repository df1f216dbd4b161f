package fill_test

import (
	"testing"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/trading/fill"
)

var sizeCap = fill.Realism{PartialByDisplayedSize: true}

func TestMarketOrders(t *testing.T) {
	t.Parallel()
	runCases(t, []evalCase{
		{name: "buy fills the whole quantity at the ask", order: buy(fill.Market, "10"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "10", cost: "0.5"}},
		{name: "sell fills at the bid", order: sell(fill.Market, "10"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleMarketAtBid, price: "100.00", qty: "10", cost: "0.5"}},
		{name: "fractional buy fills its fraction at the ask", order: buy(fill.Market, "0.125"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "0.125", cost: "0.00625"}},
		{name: "displayed size is ignored by default (Alpaca paper)", order: buy(fill.Market, "500"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "500"}},
		{name: "size cap fills only the displayed ask size and leaves the rest working", order: buy(fill.Market, "500"), quote: usual(), realism: sizeCap,
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "300", partial: true, cost: "15"}},
		{name: "size cap on a sell uses the bid size", order: sell(fill.Market, "250"), quote: usual(), realism: sizeCap,
			want: want{action: fill.Execute, rule: fill.RuleMarketAtBid, price: "100.00", qty: "200", partial: true}},
		{name: "size cap with quantity exactly the displayed size fills fully", order: buy(fill.Market, "300"), quote: usual(), realism: sizeCap,
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "300"}},
		{name: "size cap with zero displayed size waits", order: buy(fill.Market, "1"), quote: quote("100.00", "200", "100.10", "0"), realism: sizeCap,
			want: want{action: fill.Wait, reason: fill.ReasonNoDisplayedSize}},
		{name: "zero displayed size still fills without the size cap", order: buy(fill.Market, "1"), quote: quote("100.00", "200", "100.10", "0"),
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "1"}},
		{name: "size cap with fractional displayed size fills that fraction", order: buy(fill.Market, "1.25"), quote: quote("60000", "0.8", "60010", "0.5"), realism: sizeCap,
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "60010", qty: "0.5", partial: true, cost: "2.5"}},
		{name: "locked quote (bid equals ask) fills at zero cost", order: buy(fill.Market, "3"), quote: quote("50.00", "100", "50.00", "100"),
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "50.00", qty: "3", cost: "0"}},
		{name: "sub-dollar quote fills at the sub-penny ask", order: buy(fill.Market, "1000"), quote: quote("0.5120", "5000", "0.5125", "5000"),
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "0.5125", qty: "1000", cost: "0.25"}},
	})
}

func TestQuoteProblems(t *testing.T) {
	t.Parallel()
	runCases(t, []evalCase{
		{name: "buy with no ask waits (no quote)", order: buy(fill.Market, "1"), quote: quote("100.00", "200", "", ""),
			want: want{action: fill.Wait, reason: fill.ReasonNoQuote}},
		{name: "sell with no bid waits (no quote)", order: sell(fill.Market, "1"), quote: quote("", "", "100.10", "300"),
			want: want{action: fill.Wait, reason: fill.ReasonNoQuote}},
		{name: "buy with an ask but no bid waits (one-sided, no mid)", order: buy(fill.Market, "1"), quote: quote("", "", "100.10", "300"),
			want: want{action: fill.Wait, reason: fill.ReasonOneSidedQuote}},
		{name: "crossed quote waits", order: buy(fill.Market, "1"), quote: quote("100.20", "200", "100.10", "300"),
			want: want{action: fill.Wait, reason: fill.ReasonCrossedQuote}},
		{name: "crossed quote does not trigger a stop", order: withStop(sell(fill.Stop, "1"), "100.15"), quote: quote("100.20", "200", "100.10", "300"),
			want: want{action: fill.Wait, reason: fill.ReasonCrossedQuote}},
		{name: "quote older than the default minute is stale", order: buy(fill.Market, "1"), quote: usual(), now: t0.Add(61 * time.Second),
			want: want{action: fill.Wait, reason: fill.ReasonStaleQuote}},
		{name: "quote exactly the maximum age old still fills", order: buy(fill.Market, "1"), quote: usual(), now: t0.Add(time.Minute),
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "1"}},
		{name: "undated quote is stale", order: buy(fill.Market, "1"), quote: at(usual(), time.Time{}),
			want: want{action: fill.Wait, reason: fill.ReasonStaleQuote}},
		{name: "harsh preset refuses a 20-second-old quote", order: buy(fill.Market, "1"), quote: usual(), now: t0.Add(20 * time.Second), realism: fill.Harsh(),
			want: want{action: fill.Wait, reason: fill.ReasonStaleQuote}},
		{name: "easy preset accepts a 4-minute-old quote", order: buy(fill.Market, "1"), quote: usual(), now: t0.Add(4 * time.Minute), realism: fill.Easy(),
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "1"}},
		{name: "negative max age disables the staleness check (replays)", order: buy(fill.Market, "1"), quote: usual(), now: t0.Add(time.Hour), realism: fill.Realism{MaxQuoteAge: -1},
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "1"}},
		{name: "stale quote does not trigger a stop", order: withStop(buy(fill.Stop, "1"), "100.00"), quote: usual(), now: t0.Add(2 * time.Minute),
			want: want{action: fill.Wait, reason: fill.ReasonStaleQuote}},
	})
}

func TestLimitOrders(t *testing.T) {
	t.Parallel()
	through := fill.Realism{Limits: fill.LimitThrough}
	runCases(t, []evalCase{
		{name: "arriving buy limit above the ask fills at the ask (price improvement)", order: withLimit(buy(fill.Limit, "10"), "101.00"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleMarketableLimitAtQuote, price: "100.10", qty: "10", cost: "0.5"}},
		{name: "arriving buy limit exactly at the ask fills at the ask", order: withLimit(buy(fill.Limit, "10"), "100.10"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleMarketableLimitAtQuote, price: "100.10", qty: "10"}},
		{name: "arriving buy limit at the ask fills even under through realism", order: withLimit(buy(fill.Limit, "10"), "100.10"), quote: usual(), realism: through,
			want: want{action: fill.Execute, rule: fill.RuleMarketableLimitAtQuote, price: "100.10", qty: "10"}},
		{name: "arriving buy limit below the ask waits", order: withLimit(buy(fill.Limit, "10"), "100.09"), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonNotMarketable}},
		{name: "arriving sell limit below the bid fills at the bid", order: withLimit(sell(fill.Limit, "10"), "99.00"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleMarketableLimitAtQuote, price: "100.00", qty: "10", cost: "0.5"}},
		{name: "arriving sell limit above the bid waits", order: withLimit(sell(fill.Limit, "10"), "100.01"), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonNotMarketable}},
		{name: "resting buy limit touched by the ask fills at the limit", order: resting(withLimit(buy(fill.Limit, "10"), "100.10")), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleLimitTouched, price: "100.10", qty: "10", cost: "0.5"}},
		{name: "resting buy limit touched waits under through realism", order: resting(withLimit(buy(fill.Limit, "10"), "100.10")), quote: usual(), realism: through,
			want: want{action: fill.Wait, reason: fill.ReasonTouchedNotThrough}},
		{name: "resting buy limit traded through fills at the limit, not the ask", order: resting(withLimit(buy(fill.Limit, "10"), "100.20")), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleLimitThrough, price: "100.20", qty: "10", cost: "1.5"}},
		{name: "resting buy limit traded through fills under through realism", order: resting(withLimit(buy(fill.Limit, "10"), "100.11")), quote: usual(), realism: through,
			want: want{action: fill.Execute, rule: fill.RuleLimitThrough, price: "100.11", qty: "10"}},
		{name: "resting buy limit below the ask waits", order: resting(withLimit(buy(fill.Limit, "10"), "100.05")), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonNotMarketable}},
		{name: "resting sell limit touched by the bid fills at the limit", order: resting(withLimit(sell(fill.Limit, "10"), "100.00")), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleLimitTouched, price: "100.00", qty: "10"}},
		{name: "resting sell limit traded through fills at the limit", order: resting(withLimit(sell(fill.Limit, "10"), "99.90")), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleLimitThrough, price: "99.90", qty: "10", cost: "1.5"}},
		{name: "resting sell limit touched waits under through realism", order: resting(withLimit(sell(fill.Limit, "10"), "100.00")), quote: usual(), realism: through,
			want: want{action: fill.Wait, reason: fill.ReasonTouchedNotThrough}},
		{name: "resting limit is capped at the displayed size", order: resting(withLimit(buy(fill.Limit, "1000"), "100.10")), quote: usual(), realism: fill.Realistic(),
			want: want{action: fill.Execute, rule: fill.RuleLimitTouched, price: "100.10", qty: "300", partial: true}},
		{name: "fractional resting limit fills its fraction", order: resting(withLimit(sell(fill.Limit, "0.333"), "100.00")), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleLimitTouched, price: "100.00", qty: "0.333", cost: "0.01665"}},
	})
}

func TestStopOrders(t *testing.T) {
	t.Parallel()
	trig := func(o fill.Order) fill.Order { o.Triggered = true; return o }
	runCases(t, []evalCase{
		{name: "buy stop triggers when the ask reaches it and fills at the ask", order: withStop(buy(fill.Stop, "10"), "100.10"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleStopTriggeredOnAsk, price: "100.10", qty: "10", triggered: true}},
		{name: "buy stop gapped through fills at the ask, not at the stop", order: withStop(buy(fill.Stop, "10"), "99.50"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleStopTriggeredOnAsk, price: "100.10", qty: "10", triggered: true}},
		{name: "buy stop above the ask waits", order: withStop(buy(fill.Stop, "10"), "100.11"), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered}},
		{name: "buy stop triggers on the ask although the bid is still below the stop", order: withStop(buy(fill.Stop, "10"), "100.05"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleStopTriggeredOnAsk, price: "100.10", qty: "10", triggered: true}},
		{name: "sell stop triggers when the bid reaches it and fills at the bid", order: withStop(sell(fill.Stop, "10"), "100.00"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleStopTriggeredOnBid, price: "100.00", qty: "10", triggered: true, cost: "0.5"}},
		{name: "sell stop below the bid waits", order: withStop(sell(fill.Stop, "10"), "99.99"), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered}},
		{name: "triggered stop with no displayed size reports the trigger", order: withStop(sell(fill.Stop, "10"), "100.00"), quote: quote("100.00", "0", "100.10", "300"), realism: sizeCap,
			want: want{action: fill.Trigger, reason: fill.ReasonNoDisplayedSize, triggered: true}},
		{name: "triggered stop partially filled by displayed size keeps its remainder working", order: withStop(sell(fill.Stop, "500"), "100.00"), quote: usual(), realism: sizeCap,
			want: want{action: fill.Execute, rule: fill.RuleStopTriggeredOnBid, price: "100.00", qty: "200", partial: true, triggered: true}},
		{name: "remainder of an earlier-triggered stop fills at the quote regardless of the stop", order: trig(withStop(sell(fill.Stop, "300"), "90.00")), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleTriggeredStopAtQuote, price: "100.00", qty: "300"}},
		{name: "buy stop-limit triggers and fills at the ask when its limit is marketable", order: withLimit(withStop(buy(fill.StopLimit, "10"), "100.10"), "100.50"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleStopLimitAtQuote, price: "100.10", qty: "10", triggered: true}},
		{name: "buy stop-limit triggers but its limit is below the ask: triggered, resting", order: withLimit(withStop(buy(fill.StopLimit, "10"), "100.00"), "100.05"), quote: usual(),
			want: want{action: fill.Trigger, reason: fill.ReasonTriggeredNoFill, triggered: true}},
		{name: "sell stop-limit triggers and fills at the bid", order: withLimit(withStop(sell(fill.StopLimit, "10"), "100.00"), "99.50"), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleStopLimitAtQuote, price: "100.00", qty: "10", triggered: true}},
		{name: "sell stop-limit not triggered waits", order: withLimit(withStop(sell(fill.StopLimit, "10"), "99.00"), "98.50"), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonStopNotTriggered}},
		{name: "triggered resting stop-limit fills at its limit when touched", order: resting(trig(withLimit(withStop(buy(fill.StopLimit, "10"), "100.00"), "100.10"))), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleLimitTouched, price: "100.10", qty: "10"}},
		{name: "triggered resting stop-limit waits while its limit is not reached", order: resting(trig(withLimit(withStop(buy(fill.StopLimit, "10"), "100.00"), "100.05"))), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonNotMarketable}},
		{name: "triggered resting stop-limit ignores its stop once triggered", order: resting(trig(withLimit(withStop(sell(fill.StopLimit, "10"), "90.00"), "99.00"))), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleLimitThrough, price: "99.00", qty: "10"}},
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	crypto := ptr(fill.SessionInfo{Session: market.SessionClosed, Crypto: true, Source: "sim"})
	runCases(t, []evalCase{
		{name: "market order in the pre-market is queued until the open", order: buy(fill.Market, "1"), quote: usual(), session: session(market.SessionPre),
			want: want{action: fill.Wait, reason: fill.ReasonOutsideSession}},
		{name: "market order after hours is queued", order: buy(fill.Market, "1"), quote: usual(), session: session(market.SessionPost),
			want: want{action: fill.Wait, reason: fill.ReasonOutsideSession}},
		{name: "market order while closed is queued", order: buy(fill.Market, "1"), quote: usual(), session: session(market.SessionClosed),
			want: want{action: fill.Wait, reason: fill.ReasonOutsideSession}},
		{name: "unknown (empty) session counts as closed", order: buy(fill.Market, "1"), quote: usual(), session: session(""),
			want: want{action: fill.Wait, reason: fill.ReasonOutsideSession}},
		{name: "extended-hours limit fills in the pre-market", order: extended(withLimit(buy(fill.Limit, "5"), "100.50")), quote: usual(), session: session(market.SessionPre),
			want: want{action: fill.Execute, rule: fill.RuleMarketableLimitAtQuote, price: "100.10", qty: "5"}},
		{name: "extended-hours resting limit fills after hours", order: resting(extended(withLimit(sell(fill.Limit, "5"), "100.00"))), quote: usual(), session: session(market.SessionPost),
			want: want{action: fill.Execute, rule: fill.RuleLimitTouched, price: "100.00", qty: "5"}},
		{name: "extended-hours limit waits while the market is closed", order: extended(withLimit(buy(fill.Limit, "5"), "100.50")), quote: usual(), session: session(market.SessionClosed),
			want: want{action: fill.Wait, reason: fill.ReasonOutsideSession}},
		{name: "limit without extended hours waits in the pre-market", order: withLimit(buy(fill.Limit, "5"), "100.50"), quote: usual(), session: session(market.SessionPre),
			want: want{action: fill.Wait, reason: fill.ReasonOutsideSession}},
		{name: "extended-hours flag does not let a market order trade in the pre-market", order: extended(buy(fill.Market, "5")), quote: usual(), session: session(market.SessionPre),
			want: want{action: fill.Wait, reason: fill.ReasonOutsideSession}},
		{name: "stop never triggers after hours, even with extended hours", order: extended(withStop(sell(fill.Stop, "5"), "100.00")), quote: usual(), session: session(market.SessionPost),
			want: want{action: fill.Wait, reason: fill.ReasonOutsideSession}},
		{name: "crypto market order fills while the stock market is closed", order: buy(fill.Market, "0.0123"), quote: quote("60000.00", "2", "60010.00", "1.5"), session: crypto,
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "60010.00", qty: "0.0123", cost: "0.0615"}},
		{name: "crypto stop triggers at any hour", order: withStop(sell(fill.Stop, "0.5"), "60000.00"), quote: quote("60000.00", "2", "60010.00", "1.5"), session: crypto,
			want: want{action: fill.Execute, rule: fill.RuleStopTriggeredOnBid, price: "60000.00", qty: "0.5", triggered: true}},
		{name: "crypto still refuses a stale quote", order: buy(fill.Market, "1"), quote: quote("60000.00", "2", "60010.00", "1.5"), session: crypto, now: t0.Add(5 * time.Minute),
			want: want{action: fill.Wait, reason: fill.ReasonStaleQuote}},
	})
}

func TestImmediateOrCancel(t *testing.T) {
	t.Parallel()
	runCases(t, []evalCase{
		{name: "IOC market fills fully when nothing caps it", order: withTIF(buy(fill.Market, "500"), fill.IOC), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "500"}},
		{name: "IOC larger than the displayed size fills that size and cancels the rest", order: withTIF(buy(fill.Market, "500"), fill.IOC), quote: usual(), realism: sizeCap,
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "300", partial: true, cancelRemainder: true}},
		{name: "IOC within the displayed size fills fully, nothing to cancel", order: withTIF(sell(fill.Market, "200"), fill.IOC), quote: usual(), realism: sizeCap,
			want: want{action: fill.Execute, rule: fill.RuleMarketAtBid, price: "100.00", qty: "200"}},
		{name: "IOC limit not marketable is cancelled", order: withTIF(withLimit(buy(fill.Limit, "10"), "100.00"), fill.IOC), quote: usual(),
			want: want{action: fill.Cancel, reason: fill.ReasonNotMarketable}},
		{name: "IOC limit marketable fills at the quote", order: withTIF(withLimit(buy(fill.Limit, "10"), "100.20"), fill.IOC), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleMarketableLimitAtQuote, price: "100.10", qty: "10"}},
		{name: "IOC with zero displayed size is cancelled", order: withTIF(buy(fill.Market, "10"), fill.IOC), quote: quote("100.00", "200", "100.10", "0"), realism: sizeCap,
			want: want{action: fill.Cancel, reason: fill.ReasonNoDisplayedSize}},
		{name: "IOC on a stale quote is cancelled", order: withTIF(buy(fill.Market, "10"), fill.IOC), quote: usual(), now: t0.Add(2 * time.Minute),
			want: want{action: fill.Cancel, reason: fill.ReasonStaleQuote}},
		{name: "IOC on a crossed quote is cancelled", order: withTIF(buy(fill.Market, "10"), fill.IOC), quote: quote("100.20", "1", "100.10", "1"),
			want: want{action: fill.Cancel, reason: fill.ReasonCrossedQuote}},
		{name: "IOC outside the session is queued, not cancelled", order: withTIF(buy(fill.Market, "10"), fill.IOC), quote: usual(), session: session(market.SessionClosed),
			want: want{action: fill.Wait, reason: fill.ReasonOutsideSession}},
		{name: "IOC stop not triggered is cancelled", order: withTIF(withStop(buy(fill.Stop, "10"), "101.00"), fill.IOC), quote: usual(),
			want: want{action: fill.Cancel, reason: fill.ReasonStopNotTriggered}},
		{name: "IOC stop-limit triggered but not marketable is cancelled", order: withTIF(withLimit(withStop(buy(fill.StopLimit, "10"), "100.00"), "100.05"), fill.IOC), quote: usual(),
			want: want{action: fill.Cancel, reason: fill.ReasonTriggeredNoFill, triggered: true}},
		{name: "FOK fills everything when the displayed size suffices", order: withTIF(buy(fill.Market, "250"), fill.FOK), quote: usual(), realism: sizeCap,
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "250"}},
		{name: "FOK exactly the displayed size fills", order: withTIF(buy(fill.Market, "300"), fill.FOK), quote: usual(), realism: sizeCap,
			want: want{action: fill.Execute, rule: fill.RuleMarketAtAsk, price: "100.10", qty: "300"}},
		{name: "FOK larger than the displayed size is cancelled, nothing filled", order: withTIF(buy(fill.Market, "300.5"), fill.FOK), quote: usual(), realism: sizeCap,
			want: want{action: fill.Cancel, reason: fill.ReasonFOKInsufficient}},
		{name: "FOK larger than the displayed size fills when realism ignores size", order: withTIF(sell(fill.Market, "1000"), fill.FOK), quote: usual(),
			want: want{action: fill.Execute, rule: fill.RuleMarketAtBid, price: "100.00", qty: "1000"}},
		{name: "FOK limit not marketable is cancelled", order: withTIF(withLimit(sell(fill.Limit, "10"), "100.01"), fill.FOK), quote: usual(),
			want: want{action: fill.Cancel, reason: fill.ReasonNotMarketable}},
	})
}

func TestAuctions(t *testing.T) {
	t.Parallel()
	firstQuote := at(usual(), open0.Add(time.Second))
	lastQuote := at(usual(), close0.Add(-2*time.Second))
	opg := func(o fill.Order) fill.Order { return withTIF(o, fill.OPG) }
	cls := func(o fill.Order) fill.Order { return withTIF(o, fill.CLS) }
	post := session(market.SessionPost)
	runCases(t, []evalCase{
		{name: "opg waits in the pre-market", order: opg(buy(fill.Market, "10")), quote: at(usual(), open0.Add(-time.Minute)), now: open0.Add(-time.Second), session: session(market.SessionPre),
			want: want{action: fill.Wait, reason: fill.ReasonOutsideSession}},
		{name: "opg market fills at the first regular-session quote", order: opg(buy(fill.Market, "10")), quote: firstQuote, now: open0.Add(2 * time.Second),
			want: want{action: fill.Execute, rule: fill.RuleOpeningAtFirstQuote, price: "100.10", qty: "10"}},
		{name: "opg does not use a pre-market quote after the open", order: opg(buy(fill.Market, "10")), quote: at(usual(), open0.Add(-time.Second)), now: open0.Add(time.Second),
			want: want{action: fill.Wait, reason: fill.ReasonNotAuctionQuote}},
		{name: "opg fills the whole quantity even under the size cap", order: opg(sell(fill.Market, "5000")), quote: firstQuote, now: open0.Add(2 * time.Second), realism: sizeCap,
			want: want{action: fill.Execute, rule: fill.RuleOpeningAtFirstQuote, price: "100.00", qty: "5000"}},
		{name: "opg limit reached by the opening quote fills at the quote", order: opg(withLimit(buy(fill.Limit, "10"), "101.00")), quote: firstQuote, now: open0.Add(2 * time.Second),
			want: want{action: fill.Execute, rule: fill.RuleOpeningAtFirstQuote, price: "100.10", qty: "10"}},
		{name: "opg limit not reached by the opening quote is cancelled", order: opg(withLimit(buy(fill.Limit, "10"), "100.00")), quote: firstQuote, now: open0.Add(2 * time.Second),
			want: want{action: fill.Cancel, reason: fill.ReasonNotMarketable}},
		{name: "opg after the opening window missed the auction and is cancelled", order: opg(buy(fill.Market, "10")), quote: at(usual(), open0.Add(fill.OpeningWindow)), now: open0.Add(fill.OpeningWindow),
			want: want{action: fill.Cancel, reason: fill.ReasonAuctionMissed}},
		{name: "opg with a stale opening quote keeps waiting inside the window", order: opg(buy(fill.Market, "10")), quote: at(usual(), open0), now: open0.Add(4 * time.Minute),
			want: want{action: fill.Wait, reason: fill.ReasonStaleQuote}},
		{name: "opg without session times waits", order: opg(buy(fill.Market, "10")), quote: firstQuote, now: open0.Add(2 * time.Second), session: ptr(fill.SessionInfo{Session: market.SessionRegular}),
			want: want{action: fill.Wait, reason: fill.ReasonNoSessionTimes}},
		{name: "opg on crypto is rejected", order: opg(buy(fill.Market, "1")), quote: usual(), session: ptr(fill.SessionInfo{Crypto: true}),
			want: want{action: fill.Reject, reason: fill.ReasonCryptoAuctionOrder}},
		{name: "opg stop order is rejected", order: opg(withStop(buy(fill.Stop, "1"), "100")), quote: usual(),
			want: want{action: fill.Reject, reason: fill.ReasonInvalidOrder}},
		{name: "cls waits until the close", order: cls(buy(fill.Market, "10")), quote: usual(),
			want: want{action: fill.Wait, reason: fill.ReasonWaitingForClose}},
		{name: "cls fills at the last regular-session quote after the close", order: cls(sell(fill.Market, "10")), quote: lastQuote, now: close0.Add(time.Second), session: post,
			want: want{action: fill.Execute, rule: fill.RuleClosingAtLastQuote, price: "100.00", qty: "10", cost: "0.5"}},
		{name: "cls accepts a quote timed exactly at the close", order: cls(sell(fill.Market, "10")), quote: at(usual(), close0), now: close0, session: post,
			want: want{action: fill.Execute, rule: fill.RuleClosingAtLastQuote, price: "100.00", qty: "10"}},
		{name: "cls refuses an after-hours quote", order: cls(sell(fill.Market, "10")), quote: at(usual(), close0.Add(time.Second)), now: close0.Add(2 * time.Second), session: post,
			want: want{action: fill.Wait, reason: fill.ReasonNotAuctionQuote}},
		{name: "cls whose last quote was stale at the close is cancelled", order: cls(sell(fill.Market, "10")), quote: at(usual(), close0.Add(-10*time.Minute)), now: close0.Add(time.Second), session: post,
			want: want{action: fill.Cancel, reason: fill.ReasonStaleQuote}},
		{name: "cls limit not reached by the closing quote is cancelled", order: cls(withLimit(sell(fill.Limit, "10"), "100.01")), quote: lastQuote, now: close0.Add(time.Second), session: post,
			want: want{action: fill.Cancel, reason: fill.ReasonNotMarketable}},
		{name: "cls limit reached fills at the quote", order: cls(withLimit(sell(fill.Limit, "10"), "99.50")), quote: lastQuote, now: close0.Add(time.Second), session: post,
			want: want{action: fill.Execute, rule: fill.RuleClosingAtLastQuote, price: "100.00", qty: "10"}},
	})
}

func TestInvalidOrdersAreRejected(t *testing.T) {
	t.Parallel()
	bad := func(o fill.Order) evalCase {
		return evalCase{order: o, quote: usual(), want: want{action: fill.Reject, reason: fill.ReasonInvalidOrder}}
	}
	cases := []evalCase{}
	for name, o := range map[string]fill.Order{
		"zero quantity":                    buy(fill.Market, "0"),
		"negative quantity":                buy(fill.Market, "-1"),
		"limit without a limit price":      buy(fill.Limit, "1"),
		"stop without a stop price":        buy(fill.Stop, "1"),
		"stop-limit without a limit price": withStop(buy(fill.StopLimit, "1"), "100"),
		"unknown order type":               buy("iceberg", "1"),
		"unknown side":                     {Side: "short", Type: fill.Market, TimeInForce: fill.Day, Qty: dec("1")},
		"unknown time in force":            withTIF(buy(fill.Market, "1"), "gtd"),
		"trailing stop without an offset":  buy(fill.TrailingStop, "1"),
		"trailing stop with both offsets":  {Side: fill.Sell, Type: fill.TrailingStop, TimeInForce: fill.GTC, Qty: dec("1"), TrailPrice: dec("1"), TrailPercent: dec("1")},
		"trailing stop of 100 percent":     {Side: fill.Sell, Type: fill.TrailingStop, TimeInForce: fill.GTC, Qty: dec("1"), TrailPercent: dec("100")},
	} {
		c := bad(o)
		c.name = name
		cases = append(cases, c)
	}
	runCases(t, cases)
}
