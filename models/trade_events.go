package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// TradeEvent is one row of the trade-event log (see migration 00007): a change to an order, as
// it committed, with a monotonic id.
type TradeEvent struct {
	ID          int64
	AccountID   int64
	Event       string
	OrderID     *uuid.UUID
	At          time.Time
	Price       decimal.NullDecimal
	Qty         decimal.NullDecimal
	PositionQty decimal.NullDecimal
	FillID      *uuid.UUID
	// OrderJSON is the order just after the change, as encoding/json writes a models.Order.
	OrderJSON []byte `gorm:"column:order_json"`
}

// Order decodes the order the event carries; ok is false for account-wide events.
func (e *TradeEvent) Order() (o Order, ok bool, err error) {
	if len(e.OrderJSON) == 0 || string(e.OrderJSON) == "null" {
		return Order{}, false, nil
	}
	if err := json.Unmarshal(e.OrderJSON, &o); err != nil {
		return Order{}, false, fmt.Errorf("models: trade event %d order: %w", e.ID, err)
	}
	return o, true, nil
}

// AppendTradeEvents writes one account's events in one statement and fills in their ids and
// times. It must run in the transaction that made the changes, while that transaction holds the
// account's row lock: that is what makes ids follow commit order within the account (see the
// migration). Each event's at is moved a microsecond past the account's previous event when the
// clock would tie or go back, so times are strictly increasing too.
func AppendTradeEvents(ctx context.Context, tx *gorm.DB, events []TradeEvent) error {
	if len(events) == 0 {
		return nil
	}
	account := events[0].AccountID
	var values strings.Builder
	// The account is spelled twice (the previous event's time, the rows), then the rows' values.
	args := make([]any, 0, 2+9*len(events))
	args = append(args, account, account)
	for i := range events {
		e := &events[i]
		if e.AccountID != account {
			return fmt.Errorf("models: trade events of accounts %d and %d in one append", account, e.AccountID)
		}
		if i > 0 {
			values.WriteString(",")
		}
		values.WriteString("(?::text, ?::uuid, ?::timestamptz, ?::numeric, ?::numeric, ?::numeric, ?::uuid, ?::jsonb, ?::int)")
		var order any
		if len(e.OrderJSON) > 0 {
			order = string(e.OrderJSON)
		}
		args = append(args, e.Event, e.OrderID, e.At.UTC(), e.Price, e.Qty, e.PositionQty, e.FillID, order, i)
	}
	query := `WITH prev AS (
	SELECT COALESCE((SELECT at FROM trade_events WHERE account_id = @acct ORDER BY id DESC LIMIT 1), '-infinity') AS at
)
INSERT INTO trade_events (account_id, event, order_id, at, price, qty, position_qty, fill_id, order_json)
SELECT @acct, v.event, v.order_id,
	GREATEST(v.at, prev.at + interval '1 microsecond') + v.n * interval '1 microsecond',
	v.price, v.qty, v.position_qty, v.fill_id, v.order_json
FROM (VALUES ` + values.String() + `) AS v (event, order_id, at, price, qty, position_qty, fill_id, order_json, n), prev
ORDER BY v.n
RETURNING id, at`
	query = strings.ReplaceAll(query, "@acct", "?::bigint")
	var out []struct {
		ID int64
		At time.Time
	}
	if err := tx.WithContext(ctx).Raw(query, args...).Scan(&out).Error; err != nil {
		return fmt.Errorf("models: append trade events: %w", err)
	}
	if len(out) != len(events) {
		return fmt.Errorf("models: append trade events: %d rows written of %d", len(out), len(events))
	}
	// Ids are handed out in row order (ORDER BY v.n); RETURNING need not keep it, so sort by id.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ID < out[j-1].ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	for i := range events {
		events[i].ID, events[i].At = out[i].ID, out[i].At.UTC()
	}
	return nil
}

// LatestTradeEventID is the id of an account's newest event; 0 when it has none.
func LatestTradeEventID(ctx context.Context, db *gorm.DB, accountID int64) (int64, error) {
	var id int64
	err := db.WithContext(ctx).Raw(`SELECT COALESCE(MAX(id), 0) FROM trade_events WHERE account_id = ?`, accountID).Scan(&id).Error
	if err != nil {
		return 0, fmt.Errorf("models: latest trade event: %w", err)
	}
	return id, nil
}

// TradeEventIDBefore is the id of an account's newest event before t (0 when none): reading
// after it starts at the first event at or after t.
func TradeEventIDBefore(ctx context.Context, db *gorm.DB, accountID int64, t time.Time) (int64, error) {
	// Stored times are whole microseconds and Postgres rounds a finer one to the nearest: round
	// up instead, so "at or after t" holds for t between two microseconds (the Go SDK resumes
	// with since = the last event's at + 1ns).
	if c := t.Truncate(time.Microsecond); c.Before(t) {
		t = c.Add(time.Microsecond)
	}
	var id int64
	err := db.WithContext(ctx).Raw(`SELECT COALESCE(MAX(id), 0) FROM trade_events WHERE account_id = ? AND at < ?`,
		accountID, t.UTC()).Scan(&id).Error
	if err != nil {
		return 0, fmt.Errorf("models: trade event before: %w", err)
	}
	return id, nil
}

// TradeEventsAfter reads up to limit of an account's events with ids above afterID, oldest first.
func TradeEventsAfter(ctx context.Context, db *gorm.DB, accountID, afterID int64, limit int) ([]TradeEvent, error) {
	var out []TradeEvent
	err := db.WithContext(ctx).Where("account_id = ? AND id > ?", accountID, afterID).Order("id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: trade events: %w", err)
	}
	return out, nil
}

// TradeEventCursor is where one account's reading stands: events with ids above After are new.
type TradeEventCursor struct {
	AccountID int64
	After     int64
}

// TradeEventsAfterEach reads, in one query, the events of several accounts past each one's
// cursor, up to limit per account, ordered by account and id.
func TradeEventsAfterEach(ctx context.Context, db *gorm.DB, cursors []TradeEventCursor, limit int) ([]TradeEvent, error) {
	if len(cursors) == 0 {
		return nil, nil
	}
	// Arrays go as text literals: GORM would spread a Go slice into a list of placeholders.
	var accounts, after strings.Builder
	for i, c := range cursors {
		if i > 0 {
			accounts.WriteByte(',')
			after.WriteByte(',')
		}
		fmt.Fprint(&accounts, c.AccountID)
		fmt.Fprint(&after, c.After)
	}
	var out []TradeEvent
	err := db.WithContext(ctx).Raw(`SELECT e.* FROM unnest(?::bigint[], ?::bigint[]) AS c (account_id, after)
JOIN LATERAL (SELECT * FROM trade_events t WHERE t.account_id = c.account_id AND t.id > c.after ORDER BY t.id LIMIT ?) e ON true
ORDER BY e.account_id, e.id`, "{"+accounts.String()+"}", "{"+after.String()+"}", limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: trade events of accounts: %w", err)
	}
	return out, nil
}
