package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// PositionWrite is what a fill does to its position's row: insert it, update it, delete it (the
// position is flat again), or nothing (a fill that leaves no position where there was none).
type PositionWrite int

// The ways a fill changes its position's row.
const (
	PositionUnchanged PositionWrite = iota
	PositionInsert
	PositionUpdate
	PositionDelete
)

// Booking is everything one fill writes: the fill with its receipt, the position after it, the
// ledger lines for its value and fees, the account's cash, and the order's progress. The engine
// computes it (trading's booking steps); BookFill writes it.
type Booking struct {
	Fill          Fill
	Position      Position // the position after the fill (its key: account, period, symbol)
	PositionWrite PositionWrite
	Ledger        []LedgerEntry
	Cash          decimal.Decimal // the account's cash after the fill and its fees
	Order         *Order          // the order with its progress applied (filled qty, average price, status, …)
	// InsertOrder writes the order's whole row instead of its progress: an order placed in the
	// same transaction and filled at once is written once, as filled.
	InsertOrder bool
	At          time.Time
}

// BookFill writes a booking in one statement, one round trip: the fill, the position, the ledger
// lines and the account's cash are data-modifying CTEs of the order's update. Every part writes
// a different table and none reads what another writes, so one snapshot serves them all; the
// foreign keys between them (a ledger line's fill, the fill's order) are checked at the end of
// the statement, when every part is in. It runs in the transaction that holds the account's lock.
func BookFill(ctx context.Context, tx *gorm.DB, b Booking) error {
	var q sqlBuilder
	f := &b.Fill
	q.sql("WITH fill AS (INSERT INTO fills (id, order_id, account_id, period, symbol, side, qty, price, commission, " +
		"sec_fee, taf_fee, realized_pl, partial, cum_qty, leaves_qty, position_qty, receipt, executed_at) VALUES (")
	q.list(f.ID, f.OrderID, f.AccountID, f.Period, f.Symbol, f.Side, f.Qty, f.Price, f.Commission, f.SECFee, f.TAFFee,
		f.RealizedPL, f.Partial, f.CumQty, f.LeavesQty, f.PositionQty, string(f.Receipt), f.ExecutedAt)
	q.sql("))")
	p := &b.Position
	switch b.PositionWrite {
	case PositionInsert:
		q.sql(", position AS (INSERT INTO positions (account_id, period, symbol, asset_id, asset_class, qty, " +
			"avg_entry_price, cost_basis, opened_at, updated_at) VALUES (")
		q.list(p.AccountID, p.Period, p.Symbol, p.AssetID, p.AssetClass, p.Qty, p.AvgEntryPrice, p.CostBasis, p.OpenedAt, p.UpdatedAt)
		q.sql("))")
	case PositionUpdate:
		q.sql(", position AS (UPDATE positions SET qty = ?, avg_entry_price = ?, cost_basis = ?, opened_at = ?, updated_at = ? "+
			"WHERE account_id = ? AND period = ? AND symbol = ?)",
			p.Qty, p.AvgEntryPrice, p.CostBasis, p.OpenedAt, p.UpdatedAt, p.AccountID, p.Period, p.Symbol)
	case PositionDelete:
		q.sql(", position AS (DELETE FROM positions WHERE account_id = ? AND period = ? AND symbol = ?)", p.AccountID, p.Period, p.Symbol)
	}
	if len(b.Ledger) > 0 {
		q.sql(", ledger AS (INSERT INTO cash_ledger (account_id, period, kind, amount, balance_after, order_id, fill_id, " +
			"description, created_at) VALUES ")
		for i := range b.Ledger {
			e := &b.Ledger[i]
			if i > 0 {
				q.sql(", ")
			}
			q.sql("(")
			q.list(e.AccountID, e.Period, e.Kind, e.Amount, e.BalanceAfter, e.OrderID, e.FillID, e.Description, e.CreatedAt)
			q.sql(")")
		}
		q.sql(")")
	}
	q.sql(", cash AS (UPDATE paper_accounts SET cash = ?, updated_at = ? WHERE id = ?) ", b.Cash, b.At, f.AccountID)
	o := b.Order
	if b.InsertOrder {
		q.sql("INSERT INTO orders (" + orderColumns + ") VALUES (")
		q.list(orderValues(o)...)
		q.sql(")")
	} else {
		q.sql("UPDATE orders SET qty = ?, filled_qty = ?, filled_avg_price = ?, status = ?, reserved = ?, filled_at = ?, "+
			"triggered = ?, rested_at = ?, hwm = ?, stop_price = ?, updated_at = ? WHERE id = ?",
			o.Qty, o.FilledQty, o.FilledAvgPrice, o.Status, o.Reserved, o.FilledAt, o.Triggered, o.RestedAt, o.HWM, o.StopPrice,
			o.UpdatedAt, o.ID)
	}
	res := tx.WithContext(ctx).Exec(q.String(), q.args...)
	if res.Error != nil {
		return fmt.Errorf("models: book fill: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("models: book fill: order %s not found", o.ID)
	}
	return nil
}

// orderColumns are the orders table's columns in orderValues' order.
const orderColumns = "id, account_id, period, client_order_id, asset_id, symbol, asset_class, side, type, time_in_force, " +
	"order_class, qty, notional, filled_qty, filled_avg_price, limit_price, stop_price, trail_price, trail_percent, hwm, " +
	"triggered, rested_at, extended_hours, status, parent_id, leg, replaces, replaced_by, reserved, expires_at, reason, " +
	"source, created_at, updated_at, submitted_at, filled_at, canceled_at, expired_at, failed_at, replaced_at"

// orderValues is an order's row, in orderColumns' order.
func orderValues(o *Order) []any {
	return []any{o.ID, o.AccountID, o.Period, o.ClientOrderID, o.AssetID, o.Symbol, o.AssetClass, o.Side, o.Type, o.TimeInForce,
		o.OrderClass, o.Qty, o.Notional, o.FilledQty, o.FilledAvgPrice, o.LimitPrice, o.StopPrice, o.TrailPrice, o.TrailPercent, o.HWM,
		o.Triggered, o.RestedAt, o.ExtendedHours, o.Status, o.ParentID, o.Leg, o.Replaces, o.ReplacedBy, o.Reserved, o.ExpiresAt, o.Reason,
		o.Source, o.CreatedAt, o.UpdatedAt, o.SubmittedAt, o.FilledAt, o.CanceledAt, o.ExpiredAt, o.FailedAt, o.ReplacedAt}
}

// FillTotals is what an order's fills so far executed and were charged.
type FillTotals struct {
	Qty, Value, Commission, SEC, TAF decimal.Decimal
}

// OrderFillTotals adds up an order's fills (for fees charged per order).
func OrderFillTotals(ctx context.Context, db *gorm.DB, orderID uuid.UUID) (FillTotals, error) {
	var t FillTotals
	err := db.WithContext(ctx).Model(&Fill{}).Where("order_id = ?", orderID).Select(
		"coalesce(sum(qty), 0) AS qty, coalesce(sum(qty * price), 0) AS value, coalesce(sum(commission), 0) AS commission, " +
			"coalesce(sum(sec_fee), 0) AS sec, coalesce(sum(taf_fee), 0) AS taf").Scan(&t).Error
	if err != nil {
		return t, fmt.Errorf("models: fill totals: %w", err)
	}
	return t, nil
}

// sqlBuilder assembles one statement from parts, each with its own placeholders.
type sqlBuilder struct {
	b    strings.Builder
	args []any
}

// sql appends text with its "?" placeholders' values.
func (q *sqlBuilder) sql(text string, args ...any) {
	q.b.WriteString(text)
	q.args = append(q.args, args...)
}

// list appends one placeholder per value, comma separated.
func (q *sqlBuilder) list(values ...any) {
	for i, v := range values {
		if i > 0 {
			q.b.WriteString(", ")
		}
		q.b.WriteString("?")
		q.args = append(q.args, v)
	}
}

// String is the statement.
func (q *sqlBuilder) String() string { return q.b.String() }
