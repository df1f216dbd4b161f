package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// The order store: every write of the orders table, and the reads the engine makes under an
// account's lock. Reads for pages and the API are in paper.go.

// workingStatuses are the statuses of an order that may fill now or when its session comes (held
// legs wait for their entry instead).
var workingStatuses = []string{OrderNew, OrderAccepted, OrderPartiallyFilled}

// InsertOrders writes new orders (an order and its legs, parents first).
func InsertOrders(ctx context.Context, tx *gorm.DB, orders ...*Order) error {
	for _, o := range orders {
		if err := tx.WithContext(ctx).Create(o).Error; err != nil {
			return fmt.Errorf("models: insert order: %w", err)
		}
	}
	return nil
}

// SaveOrder writes the named columns of o (the engine names what a step changed, so a write never
// puts back a column another step owns).
func SaveOrder(ctx context.Context, tx *gorm.DB, o *Order, columns ...string) error {
	if err := tx.WithContext(ctx).Model(o).Select(columns).Updates(o).Error; err != nil {
		return fmt.Errorf("models: save order: %w", err)
	}
	return nil
}

// LockOrder loads one of an account's orders with its row locked; another account's is
// ErrNotFound.
func LockOrder(ctx context.Context, tx *gorm.DB, accountID int64, id uuid.UUID) (*Order, error) {
	var o Order
	err := tx.WithContext(ctx).Clauses(lockForUpdate()).Where("id = ? AND account_id = ?", id, accountID).Take(&o).Error
	if err != nil {
		return nil, fmt.Errorf("models: lock order: %w", notFound(err))
	}
	return &o, nil
}

// LockOrderGroup loads, locked and oldest first, the orders of the group rooted at root (the
// root and its legs) except one.
func LockOrderGroup(ctx context.Context, tx *gorm.DB, root, except uuid.UUID) ([]Order, error) {
	var out []Order
	err := tx.WithContext(ctx).Clauses(lockForUpdate()).Where("(id = ? OR parent_id = ?) AND id <> ?", root, root, except).
		Order("created_at, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: order group: %w", err)
	}
	return out, nil
}

// LockOpenOrdersOf loads an account's open orders (any period), locked, oldest first.
func LockOpenOrdersOf(ctx context.Context, tx *gorm.DB, accountID int64) ([]Order, error) {
	var out []Order
	err := tx.WithContext(ctx).Clauses(lockForUpdate()).Where("account_id = ? AND status IN ?", accountID, OpenOrderStatuses).
		Order("created_at, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: open orders: %w", err)
	}
	return out, nil
}

// WorkingOrdersOf loads an account's orders that may fill (new, accepted, partially filled).
func WorkingOrdersOf(ctx context.Context, db *gorm.DB, accountID int64) ([]Order, error) {
	var out []Order
	if err := db.WithContext(ctx).Where("account_id = ? AND status IN ?", accountID, workingStatuses).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: working orders: %w", err)
	}
	return out, nil
}

// ClientOrderIDUsed reports whether an account has an order with this client_order_id.
func ClientOrderIDUsed(ctx context.Context, db *gorm.DB, accountID int64, clientID string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&Order{}).Where("account_id = ? AND client_order_id = ?", accountID, clientID).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("models: client order id: %w", err)
	}
	return n > 0, nil
}

// OrderHold is what an account's working orders on one symbol and side hold: the quantity left
// to fill and the buying power reserved. Placement scans it from rows; the account summary
// decodes it from the JSON its one query aggregates (hence the tags).
type OrderHold struct {
	Symbol   string          `json:"symbol"`
	Side     string          `json:"side"`
	Leaves   decimal.Decimal `json:"leaves"`
	Reserved decimal.Decimal `json:"reserved"`
}

// SetReplacedBy records on old the order that replaced it.
func SetReplacedBy(ctx context.Context, tx *gorm.DB, old *Order, by uuid.UUID) error {
	if err := tx.WithContext(ctx).Model(old).Update("replaced_by", by).Error; err != nil {
		return fmt.Errorf("models: replaced by: %w", err)
	}
	old.ReplacedBy = &by
	return nil
}

// MoveLegs hangs the legs of one order off another (an OCO's stop-loss follows its take-profit's
// replacement).
func MoveLegs(ctx context.Context, tx *gorm.DB, from, to uuid.UUID) error {
	if err := tx.WithContext(ctx).Model(&Order{}).Where("parent_id = ?", from).Update("parent_id", to).Error; err != nil {
		return fmt.Errorf("models: move legs: %w", err)
	}
	return nil
}

// RestStockOrdersAt marks the working stock orders on symbol that have not rested since open as
// resting from now.
func RestStockOrdersAt(ctx context.Context, db *gorm.DB, symbol string, open, now time.Time) error {
	err := db.WithContext(ctx).Model(&Order{}).
		Where("symbol = ? AND asset_class <> 'crypto' AND status IN ? AND (rested_at IS NULL OR rested_at < ?)", symbol, workingStatuses, open).
		Updates(map[string]any{"rested_at": now, "updated_at": now}).Error
	if err != nil {
		return fmt.Errorf("models: rest orders: %w", err)
	}
	return nil
}

// OrdersChangedSince loads the orders updated at or after since, oldest first (every open order
// when since is zero): the matcher index's sync.
func OrdersChangedSince(ctx context.Context, db *gorm.DB, since time.Time) ([]Order, error) {
	if since.IsZero() {
		return OpenOrders(ctx, db)
	}
	var out []Order
	if err := db.WithContext(ctx).Where("updated_at >= ?", since).Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: changed orders: %w", err)
	}
	return out, nil
}

// StoreTrail stores a trailing stop's water mark and stop if the order is still open and the
// mark is in its favour (higher for a sell, lower for a buy) than the stored one.
func StoreTrail(ctx context.Context, db *gorm.DB, id uuid.UUID, buy bool, mark, stop decimal.Decimal, now time.Time) error {
	cmp := "hwm IS NULL OR hwm < ?"
	if buy {
		cmp = "hwm IS NULL OR hwm > ?"
	}
	err := db.WithContext(ctx).Model(&Order{}).
		Where("id = ? AND status IN ? AND ("+cmp+")", id, OpenOrderStatuses, mark).
		Updates(map[string]any{"hwm": mark, "stop_price": stop, "updated_at": now}).Error
	if err != nil {
		return fmt.Errorf("models: store trail: %w", err)
	}
	return nil
}

// DueOrders loads up to limit open orders that are due to expire at now: their expiry has passed,
// or they are gtc orders placed at or before gtcBefore. Oldest first.
func DueOrders(ctx context.Context, db *gorm.DB, now, gtcBefore time.Time, limit int) ([]Order, error) {
	var out []Order
	err := db.WithContext(ctx).
		Where("status IN ? AND (expires_at <= ? OR time_in_force = 'gtc' AND created_at <= ?)", OpenOrderStatuses, now, gtcBefore).
		Order("created_at, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: due orders: %w", err)
	}
	return out, nil
}
