package fill

import (
	"time"

	"github.com/shopspring/decimal"
)

// Action is what happens to an order on this evaluation.
type Action string

// The actions.
const (
	// Wait: nothing happens now; Reason says why. The order keeps working (queued outside the
	// session, or resting until the quote reaches it). Persist any Trail change.
	Wait Action = "wait"
	// Trigger: the stop triggered but nothing filled (a stop-limit whose limit is not
	// marketable). Persist Order.Triggered = true; the order now rests as a limit.
	Trigger Action = "trigger"
	// Execute: Fill says at what price and for how much. When Fill.Qty is less than the
	// order's Qty, the remainder keeps working unless CancelRemainder is set (IOC).
	Execute Action = "fill"
	// Cancel: the order ends unfilled now (IOC/FOK that could not fill, an opg order that missed
	// the open, a cls order without a closing quote); Reason says why.
	Cancel Action = "cancel"
	// Reject: the model cannot interpret the order (Detail says what is wrong). Validation at
	// placement should make this unreachable.
	Reject Action = "reject"
)

// Reason is a stable code for why an order did not fill.
type Reason string

// The reasons.
const (
	ReasonOutsideSession     Reason = "outside_session"          // queued until its session opens
	ReasonNoQuote            Reason = "no_quote"                 // the side it executes against is empty
	ReasonOneSidedQuote      Reason = "one_sided_quote"          // the other side is empty, so no mid
	ReasonCrossedQuote       Reason = "crossed_quote"            // bid above ask: bad data
	ReasonStaleQuote         Reason = "stale_quote"              // older than Realism's max age (or undated)
	ReasonNotMarketable      Reason = "not_marketable"           // the limit is not reached
	ReasonTouchedNotThrough  Reason = "touched_not_through"      // at the limit, but realism wants through
	ReasonStopNotTriggered   Reason = "stop_not_triggered"       // the stop (or trailing stop) is not reached
	ReasonTriggeredNoFill    Reason = "triggered_not_marketable" // stop-limit triggered, limit not reached
	ReasonNoDisplayedSize    Reason = "no_displayed_size"        // size cap on and nothing displayed
	ReasonFOKInsufficient    Reason = "fok_insufficient_size"    // FOK larger than the displayed size
	ReasonWaitingForClose    Reason = "waiting_for_close"        // cls before the close
	ReasonAuctionMissed      Reason = "auction_missed"           // opg past OpeningWindow
	ReasonNotAuctionQuote    Reason = "quote_outside_auction"    // opg/cls quote not from the regular session
	ReasonNoSessionTimes     Reason = "no_session_times"         // opg/cls without SessionInfo.Open/Close
	ReasonQuoteBeforeOpen    Reason = "quote_before_open"        // a regular-hours order and a pre-open quote
	ReasonInvalidOrder       Reason = "invalid_order"            // see Decision.Detail
	ReasonCryptoAuctionOrder Reason = "crypto_has_no_auction"    // opg/cls on crypto
)

// Rule is a stable code for the rule that produced a fill, stored in the receipt.
type Rule string

// The fill rules.
const (
	RuleMarketAtAsk            Rule = "market_at_ask"
	RuleMarketAtBid            Rule = "market_at_bid"
	RuleMarketableLimitAtQuote Rule = "marketable_limit_at_quote"     // arrival; price improvement vs the limit
	RuleLimitTouched           Rule = "limit_touched"                 // resting; quote == limit; filled at the limit
	RuleLimitThrough           Rule = "limit_through"                 // resting; quote beyond limit; filled at the limit
	RuleStopTriggeredOnAsk     Rule = "stop_triggered_on_ask"         // buy stop: ask >= stop; filled at the ask
	RuleStopTriggeredOnBid     Rule = "stop_triggered_on_bid"         // sell stop: bid <= stop; filled at the bid
	RuleStopLimitAtQuote       Rule = "stop_limit_triggered_at_quote" // triggered now, limit marketable: at the quote
	RuleTrailingTriggeredOnAsk Rule = "trailing_stop_triggered_on_ask"
	RuleTrailingTriggeredOnBid Rule = "trailing_stop_triggered_on_bid"
	RuleTriggeredStopAtQuote   Rule = "triggered_stop_at_quote" // remainder of an earlier-triggered stop
	RuleOpeningAtFirstQuote    Rule = "opg_at_first_regular_quote"
	RuleClosingAtLastQuote     Rule = "cls_at_last_regular_quote"
)

// Decision is the outcome of one evaluation.
type Decision struct {
	Action Action
	// Reason is set for Wait, Trigger, Cancel and Reject.
	Reason Reason
	// Detail is a sentence for people: the receipt's explanation, or what is wrong.
	Detail string
	// Triggered is true when the stop triggered on this quote: persist Order.Triggered.
	Triggered bool
	// Rested is true when the order met a usable quote for the first time in the session in
	// progress: persist Order.RestedAt as the evaluation time. From then on it rests.
	Rested bool
	// Trail is a trailing stop's state after this quote (zero for other types).
	Trail Trail
	// Fill is set when Action is Execute.
	Fill Fill
	// CancelRemainder is true when an IOC filled only part: the rest is cancelled.
	CancelRemainder bool
}

// Trail is a trailing stop's state. Changed says whether it differs from the order's, so the
// caller knows to persist it (and re-index the order under its new stop).
type Trail struct {
	WaterMark decimal.Decimal
	Stop      decimal.Decimal
	Changed   bool
}

// Fill is one execution.
type Fill struct {
	Price decimal.Decimal
	Qty   decimal.Decimal
	// Partial is true when Qty is less than the order's Qty.
	Partial bool
	Receipt Receipt
}

// Receipt is the audit record of a fill: the quote it used, the rule that fired, and what the
// fill cost against the mid-price. It is stored with the fill so a disputed fill can be
// checked and replayed.
type Receipt struct {
	Bid, Ask                 decimal.Decimal
	BidSize, AskSize         decimal.Decimal
	BidExchange, AskExchange string
	QuoteTime                time.Time
	Source                   string
	Rule                     Rule
	// Detail explains the rule with the numbers, e.g. "sell stop triggered: bid 99.98 <= stop
	// 100.00; filled at the bid 99.98".
	Detail string
	Mid    decimal.Decimal
	// CostVsMid is (price − mid) × qty for a buy and (mid − price) × qty for a sell: positive
	// when the fill was worse than the mid (the spread paid), negative when better.
	CostVsMid decimal.Decimal
}
