// Package stats turns an account's equity curve and closed trades into the portfolio page's
// numbers: total and day return and P&L, maximum drawdown, Sharpe ratio and win rate, plus the
// range buttons of the equity chart and the downsampling behind them. It is pure: no database,
// no clock, no I/O; the caller loads the curve (equity snapshots) and passes the time zone.
//
// Returns are time-weighted: a deposit, a withdrawal or a reset adjustment (Point.NetFlow) moves
// equity without being a gain or a loss, so each period's return is (E_t − NetFlow_t) / E_{t−1} − 1
// and the periods are chained. P&L is the change in equity less the flows. Money and returns are
// decimals; returned fractions are rounded to FractionPlaces decimal places.
package stats
