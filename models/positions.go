package models

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// PositionOf loads an account's position in one symbol; none is ErrNotFound.
func PositionOf(ctx context.Context, db *gorm.DB, accountID int64, period int, symbol string) (*Position, error) {
	var p Position
	err := db.WithContext(ctx).Where("account_id = ? AND period = ? AND symbol = ?", accountID, period, symbol).Take(&p).Error
	if err != nil {
		return nil, fmt.Errorf("models: position: %w", notFound(err))
	}
	return &p, nil
}

// HasShortPositions reports whether an account holds any short position in a period.
func HasShortPositions(ctx context.Context, db *gorm.DB, accountID int64, period int) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&Position{}).Where("account_id = ? AND period = ? AND qty < 0", accountID, period).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("models: short positions: %w", err)
	}
	return n > 0, nil
}

// Holdings are what an account holds in a period: its positions, by symbol, and what its working
// orders hold (OrderHold), read together for a valuation.
type Holdings struct {
	Positions []Position
	Holds     []OrderHold
	// ClientOrderIDUsed says whether the client_order_id asked about (PlacementReadOf) is taken.
	ClientOrderIDUsed bool
}

// HoldingsOf reads an account's positions and its working orders' holds in one statement (one
// round trip, one snapshot): valuation runs on every placement.
func HoldingsOf(ctx context.Context, db *gorm.DB, accountID int64, period int) (Holdings, error) {
	return holdingsOf(ctx, db, accountID, period, nil)
}

// PlacementReadOf is HoldingsOf and whether the account has used clientID, in the same one
// statement: everything a placement reads after locking the account, unless it is a retry.
func PlacementReadOf(ctx context.Context, db *gorm.DB, accountID int64, period int, clientID string) (Holdings, error) {
	return holdingsOf(ctx, db, accountID, period, &clientID)
}

func holdingsOf(ctx context.Context, db *gorm.DB, accountID int64, period int, clientID *string) (Holdings, error) {
	var rows []struct {
		Kind          string
		Symbol        string
		AssetID       int64
		AssetClass    string
		Qty           decimal.Decimal
		AvgEntryPrice decimal.Decimal
		CostBasis     decimal.Decimal
		OpenedAt      *time.Time
		UpdatedAt     *time.Time
		Side          string
		Leaves        decimal.Decimal
		Reserved      decimal.Decimal
	}
	query := `SELECT 'position' AS kind, symbol, asset_id, asset_class, qty, avg_entry_price, cost_basis,
	opened_at, updated_at, '' AS side, 0::numeric AS leaves, 0::numeric AS reserved
FROM positions WHERE account_id = ? AND period = ?
UNION ALL
SELECT 'hold', symbol, 0, '', 0, 0, 0, NULL, NULL, side, sum(coalesce(qty, 0) - filled_qty), sum(reserved)
FROM orders WHERE account_id = ? AND period = ? AND status IN ?
GROUP BY symbol, side`
	args := []any{accountID, period, accountID, period, workingStatuses}
	if clientID != nil {
		query += `
UNION ALL
(SELECT 'client_id', '', 0, '', 0, 0, 0, NULL, NULL, '', 0, 0 FROM orders WHERE account_id = ? AND client_order_id = ? LIMIT 1)`
		args = append(args, accountID, *clientID)
	}
	err := db.WithContext(ctx).Raw(query+"\nORDER BY kind DESC, symbol", args...).Scan(&rows).Error
	if err != nil {
		return Holdings{}, fmt.Errorf("models: holdings: %w", err)
	}
	var h Holdings
	for _, r := range rows {
		switch r.Kind {
		case "hold":
			h.Holds = append(h.Holds, OrderHold{Symbol: r.Symbol, Side: r.Side, Leaves: r.Leaves, Reserved: r.Reserved})
			continue
		case "client_id":
			h.ClientOrderIDUsed = true
			continue
		}
		p := Position{AccountID: accountID, Period: period, Symbol: r.Symbol, AssetID: r.AssetID, AssetClass: r.AssetClass,
			Qty: r.Qty, AvgEntryPrice: r.AvgEntryPrice, CostBasis: r.CostBasis}
		if r.OpenedAt != nil {
			p.OpenedAt = *r.OpenedAt
		}
		if r.UpdatedAt != nil {
			p.UpdatedAt = *r.UpdatedAt
		}
		h.Positions = append(h.Positions, p)
	}
	return h, nil
}
