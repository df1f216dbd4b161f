// Package order checks an order request before the paper-trading engine accepts it: which
// combinations of side, type, time in force, size, prices and order class Alpaca accepts
// (alpaca.md §4–5), refused with Alpaca-like codes and messages a person can act on. It is pure:
// no database, no clock, no I/O. The caller looks the asset up and passes what Validate needs as
// an AssetInfo.
//
// What it deliberately leaves to the engine, because the answer needs state it does not have:
//   - shorting: whether a sell opens or grows a short needs the account's position. The engine
//     must refuse shorts of crypto, of assets that are not shortable (or not easy to borrow),
//     fractional shorts, and shorts on accounts with shorting off. A sell is valid here.
//   - buying power, PDT, duplicate client_order_id (unique per account), the OPG/CLS submission
//     windows and market hours, all of which need the account, the clock or the database.
//   - the bracket stop-loss distance from a market entry's price (needs a quote); the distance
//     from a limit entry's price is checked here.
//   - Alpaca's buy-stop price protection (a buy stop becomes a stop-limit at +4%/+2.5%), which
//     is a placement decision, not a validity one.
package order
