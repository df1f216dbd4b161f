// Package matcher is the paper-trading engine's in-memory index of resting orders: per symbol,
// the orders a quote could make act, kept so that a quote that acts on nothing costs a handful
// of integer comparisons and no allocation.
//
// The index is a conservative pre-filter. Candidates returns every order that a quote may fill
// or trigger; the caller re-evaluates each one with fill.Evaluate inside its database
// transaction, so a false positive only costs time, while a missed order would be a bug. The
// comparisons are therefore inclusive whatever the account's realism (a "through" account's
// order is a candidate on a touch), and prices are compared as integer nano-dollar keys rounded
// outwards, never inwards.
//
// Per symbol and per session class (orders that may act only in the regular session, and those
// that may act at any time: extended-hours limit orders and crypto), orders sit in sorted lists
// by trigger price — buy limits and sell stops where the highest key acts first, sell limits
// and buy stops where the lowest does — so a quote compares itself with the best key of each
// list and stops. Among orders at the same price the index keeps time priority, first in first
// out, by order id (version 7 UUIDs sort by creation), so the order in which it learns orders
// never matters. Orders that act on any usable quote (market orders, triggered stops, and the
// opg, ioc and fok orders that must be evaluated on the first usable quote) sit in a list that
// is always returned. Orders Evaluate would reject are kept there too, so the caller sees them.
// cls orders are indexed (for Len, Get and symbol demand) but never returned: they fill at the
// close against the last regular-session quote, which is the closing job's work, not a live
// quote's.
//
// Trailing stops are the one kind whose state moves with the market, so the index moves it
// itself, exactly as fill.Evaluate would (trigger test with the current stop first, then the
// water mark follows the bid for a sell or the ask for a buy, never adversely, only while the
// order's session allows), in integer nano-dollars on the hot path. Candidates reports the
// current state in Entry.Order, and DrainTrailChanges hands over the entries whose state changed
// so the caller can persist them in batches.
//
// # Concurrency
//
// An Index is safe for concurrent use. One RWMutex guards the structure: Upsert and Remove take
// it exclusively; Candidates, Get, Symbols and DrainTrailChanges share it and then lock the one
// symbol's book they touch, so quotes for different symbols are evaluated in parallel and a
// quote for a symbol is serialised with the other readers of that symbol (Candidates moves
// trailing stops).
package matcher
