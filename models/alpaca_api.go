package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// AssetFilter selects assets as Alpaca's GET /v2/assets does: by status ("active", "inactive",
// empty for both), class and exchange (empty: any).
type AssetFilter struct {
	Status   string
	Class    string
	Exchange string
}

// FilterAssets lists every asset that matches, by symbol: Alpaca's listing is not paged.
func FilterAssets(ctx context.Context, db *gorm.DB, f AssetFilter) ([]Asset, error) {
	s := db.WithContext(ctx).Model(&Asset{})
	switch f.Status {
	case "active":
		s = s.Where("active")
	case "inactive":
		s = s.Where("NOT active")
	}
	if f.Class != "" {
		s = s.Where("class = ?", f.Class)
	}
	if f.Exchange != "" {
		s = s.Where("exchange = ?", f.Exchange)
	}
	var out []Asset
	if err := s.Order("symbol").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: filter assets: %w", err)
	}
	return out, nil
}

// AssetByID loads an asset by its id.
func AssetByID(ctx context.Context, db *gorm.DB, id int64) (*Asset, error) {
	var a Asset
	if err := db.WithContext(ctx).Where("id = ?", id).Take(&a).Error; err != nil {
		return nil, fmt.Errorf("models: asset %d: %w", id, notFound(err))
	}
	return &a, nil
}

// ActivityKey orders an account's activities (fills and cash movements) in one sequence: by
// time, then by Key ("F:" and a fill id, or "L:" and a zero-padded ledger id), compared bytewise,
// so a page boundary between two activities of one instant never skips or repeats one.
type ActivityKey struct {
	At  time.Time
	Key string
}

// FillKey and LedgerKey are the keys of a fill and a ledger line.
func FillKey(f *Fill) ActivityKey { return ActivityKey{At: f.ExecutedAt, Key: "F:" + f.ID.String()} }

// LedgerKey is the key of a ledger line.
func LedgerKey(e *LedgerEntry) ActivityKey {
	return ActivityKey{At: e.CreatedAt, Key: fmt.Sprintf("L:%020d", e.ID)}
}

// ActivityQuery selects a page of an account's activities, across all its periods (a reset keeps
// history).
type ActivityQuery struct {
	AccountID int64
	Fills     bool
	// Ledger is an SQL condition on cash_ledger rows (built by the caller from fixed text, never
	// from input) choosing the cash movements to include; empty includes none.
	Ledger    string
	After     time.Time // inclusive; zero: no bound
	Until     time.Time // exclusive; zero: no bound
	Cursor    *ActivityKey
	Ascending bool
	Limit     int
}

// Activity is a fill or a cash movement.
type Activity struct {
	Fill  *Fill
	Entry *LedgerEntry
}

// Activities returns a page of activities, newest first unless Ascending, strictly beyond
// Cursor.
func Activities(ctx context.Context, db *gorm.DB, q ActivityQuery) ([]Activity, error) {
	var parts []string
	var args []any
	timeBounds := func(col string) string {
		cond := ""
		if !q.After.IsZero() {
			cond += " AND " + col + " >= ?"
			args = append(args, q.After)
		}
		if !q.Until.IsZero() {
			cond += " AND " + col + " < ?"
			args = append(args, q.Until)
		}
		return cond
	}
	if q.Fills {
		args = append(args, q.AccountID)
		parts = append(parts, `SELECT 'F' AS src, id::text AS rid, executed_at AS at, 'F:' || id::text AS k
			FROM fills WHERE account_id = ?`+timeBounds("executed_at"))
	}
	if q.Ledger != "" {
		args = append(args, q.AccountID)
		parts = append(parts, `SELECT 'L', id::text, created_at, 'L:' || lpad(id::text, 20, '0')
			FROM cash_ledger WHERE account_id = ? AND (`+q.Ledger+`)`+timeBounds("created_at"))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	sql := "SELECT src, rid FROM (" + strings.Join(parts, " UNION ALL ") + ") x"
	op, dir := "<", "DESC"
	if q.Ascending {
		op, dir = ">", "ASC"
	}
	if q.Cursor != nil {
		sql += ` WHERE (x.at, x.k COLLATE "C") ` + op + ` (?, ? COLLATE "C")`
		args = append(args, q.Cursor.At, q.Cursor.Key)
	}
	sql += ` ORDER BY x.at ` + dir + `, x.k COLLATE "C" ` + dir + ` LIMIT ?`
	args = append(args, max(q.Limit, 1))
	var rows []struct {
		Src string
		Rid string
	}
	if err := db.WithContext(ctx).Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: activities: %w", err)
	}
	var fillIDs []string
	var ledgerIDs []string
	for _, r := range rows {
		if r.Src == "F" {
			fillIDs = append(fillIDs, r.Rid)
		} else {
			ledgerIDs = append(ledgerIDs, r.Rid)
		}
	}
	fills := map[string]*Fill{}
	if len(fillIDs) > 0 {
		var fs []Fill
		if err := db.WithContext(ctx).Where("id IN ?", fillIDs).Find(&fs).Error; err != nil {
			return nil, fmt.Errorf("models: activities: %w", err)
		}
		for i := range fs {
			fills[fs[i].ID.String()] = &fs[i]
		}
	}
	entries := map[string]*LedgerEntry{}
	if len(ledgerIDs) > 0 {
		var es []LedgerEntry
		if err := db.WithContext(ctx).Where("id IN ?", ledgerIDs).Find(&es).Error; err != nil {
			return nil, fmt.Errorf("models: activities: %w", err)
		}
		for i := range es {
			entries[fmt.Sprint(es[i].ID)] = &es[i]
		}
	}
	out := make([]Activity, 0, len(rows))
	for _, r := range rows {
		if r.Src == "F" {
			out = append(out, Activity{Fill: fills[r.Rid]})
		} else {
			out = append(out, Activity{Entry: entries[r.Rid]})
		}
	}
	return out, nil
}
