package models

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// AccountSummary is what valuing an account reads: the account, its positions in the current
// period, and its working orders summed by symbol and side.
type AccountSummary struct {
	Account   PaperAccount
	Positions []Position  // by symbol
	Holds     []OrderHold // in no particular order
}

// summaryPosition is a position as the summary query encodes it (decimals as text, so nothing
// is lost to floating point).
type summaryPosition struct {
	Symbol        string          `json:"symbol"`
	AssetID       int64           `json:"asset_id"`
	AssetClass    string          `json:"asset_class"`
	Qty           decimal.Decimal `json:"qty"`
	AvgEntryPrice decimal.Decimal `json:"avg_entry_price"`
	CostBasis     decimal.Decimal `json:"cost_basis"`
	OpenedAt      time.Time       `json:"opened_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// accountSummarySQL reads an account, its positions and its working orders' holds in one
// statement (one round trip where it took three): the positions and the holds come as JSON
// arrays beside the account's columns.
const accountSummarySQL = `
SELECT a.*,
  coalesce((SELECT json_agg(json_build_object(
        'symbol', p.symbol, 'asset_id', p.asset_id, 'asset_class', p.asset_class, 'qty', p.qty::text,
        'avg_entry_price', p.avg_entry_price::text, 'cost_basis', p.cost_basis::text,
        'opened_at', p.opened_at, 'updated_at', p.updated_at) ORDER BY p.symbol)
      FROM positions p WHERE p.account_id = a.id AND p.period = a.period), '[]') AS positions_json,
  coalesce((SELECT json_agg(json_build_object('symbol', h.symbol, 'side', h.side, 'leaves', h.leaves::text, 'reserved', h.reserved::text))
      FROM (SELECT o.symbol, o.side, sum(coalesce(o.qty, 0) - o.filled_qty) AS leaves, sum(o.reserved) AS reserved
            FROM orders o WHERE o.account_id = a.id AND o.period = a.period AND o.status IN ?
            GROUP BY o.symbol, o.side) h), '[]') AS holds_json
FROM paper_accounts a WHERE a.id = ? AND a.user_id = ?`

// AccountSummaryOf reads one of a person's accounts with its positions and holds, in one query.
// Another person's account is ErrNotFound.
func AccountSummaryOf(ctx context.Context, db *gorm.DB, userID, accountID int64) (*AccountSummary, error) {
	var row struct {
		PaperAccount
		PositionsJSON string
		HoldsJSON     string
	}
	res := db.WithContext(ctx).Raw(accountSummarySQL,
		[]string{OrderNew, OrderAccepted, OrderPartiallyFilled}, accountID, userID).Scan(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("models: account summary: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("models: account summary: %w", ErrNotFound)
	}
	out := &AccountSummary{Account: row.PaperAccount}
	var positions []summaryPosition
	if err := json.Unmarshal([]byte(row.PositionsJSON), &positions); err != nil {
		return nil, fmt.Errorf("models: account summary positions: %w", err)
	}
	out.Positions = make([]Position, len(positions))
	for i, p := range positions {
		out.Positions[i] = Position{AccountID: row.ID, Period: row.Period, Symbol: p.Symbol, AssetID: p.AssetID,
			AssetClass: p.AssetClass, Qty: p.Qty, AvgEntryPrice: p.AvgEntryPrice, CostBasis: p.CostBasis,
			OpenedAt: p.OpenedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	}
	if err := json.Unmarshal([]byte(row.HoldsJSON), &out.Holds); err != nil {
		return nil, fmt.Errorf("models: account summary holds: %w", err)
	}
	return out, nil
}
