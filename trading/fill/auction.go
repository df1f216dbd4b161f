package fill

import (
	"fmt"
	"time"

	"alpacawrapper/market"
)

// evaluateOpening models an opg order (market- or limit-on-open). Without official auction
// prints, the opening price is taken to be the first valid quote of the regular session: the
// order waits outside the session, fills on the first usable quote timed at or after the open,
// and is cancelled once OpeningWindow has passed without one. A limit-on-open the opening quote
// does not reach is cancelled, as an unfilled auction order is. Auction fills are not capped at
// the displayed size: the auction's liquidity is not the top of book's.
func evaluateOpening(o Order, q market.Quote, now time.Time, s SessionInfo, r Realism) Decision {
	if d, bad := auctionOrder(o, s); bad {
		return d
	}
	if s.Session != market.SessionRegular {
		return wait(ReasonOutsideSession, "queued for the opening auction")
	}
	if s.Open.IsZero() {
		return wait(ReasonNoSessionTimes, "the regular session's open is unknown")
	}
	if !now.Before(s.Open.Add(OpeningWindow)) {
		return Decision{Action: Cancel, Reason: ReasonAuctionMissed,
			Detail: fmt.Sprintf("opg not filled within %s of the open %s", OpeningWindow, s.Open.UTC().Format(time.RFC3339))}
	}
	if q.Time.Before(s.Open) {
		return wait(ReasonNotAuctionQuote, "the quote is from before the open; waiting for the first regular-session quote")
	}
	if reason, detail := quoteProblem(o.Side, q, now, r); reason != "" {
		return wait(reason, detail)
	}
	return auctionFill(o, q, s, RuleOpeningAtFirstQuote, "opening")
}

// evaluateClosing models a cls order (market- or limit-on-close). The closing price is taken to
// be the last quote of the regular session: the order waits until the close, and is then
// evaluated against the last quote timed within the session (the caller passes it), whose age
// is measured at the close. Without a usable closing quote, or with a limit it does not reach,
// the order is cancelled.
func evaluateClosing(o Order, q market.Quote, now time.Time, s SessionInfo, r Realism) Decision {
	if d, bad := auctionOrder(o, s); bad {
		return d
	}
	if s.Open.IsZero() || s.Close.IsZero() {
		return wait(ReasonNoSessionTimes, "the regular session's open and close are unknown")
	}
	if now.Before(s.Close) {
		return wait(ReasonWaitingForClose, "queued for the closing auction at "+s.Close.UTC().Format(time.RFC3339))
	}
	if q.Time.Before(s.Open) || q.Time.After(s.Close) {
		return wait(ReasonNotAuctionQuote, "the quote is not from the regular session; pass its last quote")
	}
	if reason, detail := quoteProblem(o.Side, q, s.Close, r); reason != "" {
		return Decision{Action: Cancel, Reason: reason, Detail: "no usable closing quote: " + detail}
	}
	return auctionFill(o, q, s, RuleClosingAtLastQuote, "closing")
}

// auctionOrder refuses what has no auction: crypto, and order types other than market and
// limit.
func auctionOrder(o Order, s SessionInfo) (Decision, bool) {
	if s.Crypto {
		return Decision{Action: Reject, Reason: ReasonCryptoAuctionOrder, Detail: "fill: crypto has no opening or closing auction"}, true
	}
	if o.Type != Market && o.Type != Limit {
		return Decision{Action: Reject, Reason: ReasonInvalidOrder, Detail: "fill: only market and limit orders take part in an auction"}, true
	}
	return Decision{}, false
}

func auctionFill(o Order, q market.Quote, s SessionInfo, rule Rule, auction string) Decision {
	price, size := executionSide(o.Side, q.BidPrice, q.BidSize, q.AskPrice, q.AskSize)
	if o.Type == Limit && !marketable(o.Side, price, o.LimitPrice) {
		return Decision{Action: Cancel, Reason: ReasonNotMarketable,
			Detail: fmt.Sprintf("%s limit %s not reached by the %s quote: %s %s", o.Side, o.LimitPrice, auction, sidePrice(o.Side), price)}
	}
	return execute(o, q, s, false, price, size, rule,
		fmt.Sprintf("%s %s-auction %s: filled at the %s quote's %s %s", o.Side, auction, o.Type, auction, sidePrice(o.Side), price))
}
