// Package fill is the paper-trading engine's fill model: a pure function that, given one order,
// the latest quote, the time, the session and the account's realism settings, decides what
// happens to the order right now — nothing (and why), a stop trigger, a fill (with a receipt),
// or a cancellation (IOC/FOK). It has no database, no clock and no I/O, so the placement code,
// the matcher and session replays all get identical answers from identical inputs.
//
// The rules follow ../shared/reference/engine-rules.md and Alpaca's paper-trading
// specification (alpaca.md §4–5):
//
//   - Buys execute at the ask and sells at the bid. A limit order that is marketable when it
//     arrives fills at the quote, so it gets price improvement over its limit.
//   - A resting limit fills at its own limit price once the quote reaches it: a buy when the
//     ask is at or below the limit, a sell when the bid is at or above it (the maker rule).
//     Realism decides whether a touch (ask == limit) is enough or the quote must go through.
//   - Stops trigger on the side they would execute against (buy stops on the ask, sell stops on
//     the bid) and then execute at the quote: a stop as a market order, a stop-limit as a limit.
//     A stop already through the market when it arrives triggers and fills at once.
//   - A trailing stop is tested against its current stop first and only then moves its water
//     mark, and it only ever moves in the order's favour.
//   - Nothing fills on a missing, one-sided, crossed or stale quote. Outside the regular session
//     orders wait (they are queued until the open), except extended-hours limit orders in the
//     pre-market and after-hours sessions, and crypto, which trades always.
//   - IOC fills what is available now and cancels the rest; FOK fills everything at once or is
//     cancelled.
//
// Validation of what a user may submit (which combinations Alpaca accepts, buying power,
// fractional eligibility, OPG/CLS submission windows, the buy-stop price protection) belongs to
// the order-placement code; Evaluate only refuses orders it cannot interpret.
package fill
