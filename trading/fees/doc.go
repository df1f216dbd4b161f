// Package fees prices a paper fill: the account's commission schedule and, optionally, the
// regulatory fees a US broker passes on for stock sales (SEC Section 31 and FINRA's Trading
// Activity Fee). It is pure arithmetic on shopspring decimals: no database, no clock, no I/O, so
// the order ticket's estimate, the fill itself and a replay all charge the same cents.
//
// The rules follow ../shared/reference/engine-rules.md rule 10:
//
//   - A commission schedule is per account (Schedules lists the presets; Schedule.Name is what
//     the account row stores). It applies to every fill, stock or crypto.
//   - Regulatory fees apply to sells of stocks only: never to buys, never to crypto. Each is
//     rounded up to the cent, as brokers do. Their rates change by order of the SEC and FINRA, so
//     they are dated configuration (RegulatoryTable; the known history is in rates.go).
//   - Alpaca's own paper trading charges nothing and simulates no regulatory fees; the "free"
//     schedule with regulatory fees off reproduces it.
//
// Commission on a partially filled order is cumulative: the schedule is applied to the order's
// executions so far, and each fill is charged the increase (see CommissionForFill), so an order
// pays one minimum and one cap however many fills it takes. Regulatory fees are per execution.
package fees
