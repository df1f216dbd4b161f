// Package trading is the paper-trading engine's service: paper accounts and their settings, order
// placement, cancel and replace, fills applied to positions and the cash ledger, expiry, equity
// snapshots, and the engine loop that feeds quotes from the hub to the matcher's index.
//
// The pure rules live in its sub-packages: trading/order validates requests, trading/fill decides
// what a quote does to an order, trading/fees prices commissions and regulatory fees,
// trading/matcher indexes resting orders, trading/stats summarises an equity curve. This package
// is where they meet the database.
//
// Every change of cash, orders or positions is one transaction that first locks the account row
// (models.LockPaperAccount): placement (including an immediate fill), a fill from the matcher, a
// cancel, a replace, an expiry and a reset. So an account's changes are serialised, buying power
// is checked against the state it will change, and a crash leaves either all of a change or none
// of it. The matcher's in-memory index and the listeners of trade updates are told only after
// the commit.
package trading
