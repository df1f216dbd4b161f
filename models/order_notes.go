package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// OrderNote is a person's journal entry on one of their orders: free text and tags. It has its
// own table so that writing one never touches the order row the engine fills.
type OrderNote struct {
	OrderID   uuid.UUID
	AccountID int64
	Note      string
	Tags      []string // lower-case, in the order given
	UpdatedAt time.Time
}

// orderNoteRow is how a note is read: tags come back joined, since database/sql cannot scan a
// text[] into a slice.
type orderNoteRow struct {
	OrderID   uuid.UUID
	AccountID int64
	Note      string
	Tags      string
	UpdatedAt time.Time
}

// tagSeparator joins tags when they are read; tags never contain it (the journal refuses spaces).
const tagSeparator = " "

func (r orderNoteRow) note() OrderNote {
	n := OrderNote{OrderID: r.OrderID, AccountID: r.AccountID, Note: r.Note, UpdatedAt: r.UpdatedAt}
	if r.Tags != "" {
		n.Tags = strings.Split(r.Tags, tagSeparator)
	}
	return n
}

const orderNoteColumns = "order_id, account_id, note, array_to_string(tags, ' ') AS tags, updated_at"

// SaveOrderNote writes the note and tags of one of an account's orders; both empty deletes it.
// The order must belong to accountID: a note cannot be attached to another account's order.
func SaveOrderNote(ctx context.Context, db *gorm.DB, accountID int64, orderID uuid.UUID, note string, tags []string, now time.Time) error {
	if note == "" && len(tags) == 0 {
		err := db.WithContext(ctx).Exec(`DELETE FROM order_notes WHERE order_id = ? AND account_id = ?`, orderID, accountID).Error
		if err != nil {
			return fmt.Errorf("models: delete order note: %w", err)
		}
		return nil
	}
	res := db.WithContext(ctx).Exec(`
		INSERT INTO order_notes (order_id, account_id, note, tags, updated_at)
		SELECT id, account_id, ?, ?::text[], ? FROM orders WHERE id = ? AND account_id = ?
		ON CONFLICT (order_id) DO UPDATE SET note = excluded.note, tags = excluded.tags, updated_at = excluded.updated_at`,
		note, textArray(tags), now.UTC(), orderID, accountID)
	if res.Error != nil {
		return fmt.Errorf("models: save order note: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("models: save order note: %w", ErrNotFound)
	}
	return nil
}

// OrderNoteOf loads the note of one of an account's orders; none is ErrNotFound.
func OrderNoteOf(ctx context.Context, db *gorm.DB, accountID int64, orderID uuid.UUID) (*OrderNote, error) {
	var rows []orderNoteRow
	err := db.WithContext(ctx).Table("order_notes").Select(orderNoteColumns).
		Where("order_id = ? AND account_id = ?", orderID, accountID).Limit(1).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: order note: %w", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("models: order note: %w", ErrNotFound)
	}
	n := rows[0].note()
	return &n, nil
}

// OrderNotesOf loads the notes of some of an account's orders, by order id; orders without one
// are absent.
func OrderNotesOf(ctx context.Context, db *gorm.DB, accountID int64, orderIDs []uuid.UUID) (map[uuid.UUID]OrderNote, error) {
	out := make(map[uuid.UUID]OrderNote, len(orderIDs))
	if len(orderIDs) == 0 {
		return out, nil
	}
	ids := make([]string, len(orderIDs))
	for i, id := range orderIDs {
		ids[i] = id.String()
	}
	var rows []orderNoteRow
	err := db.WithContext(ctx).Table("order_notes").Select(orderNoteColumns).
		Where("account_id = ? AND order_id = ANY(?::uuid[])", accountID, textArray(ids)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: order notes: %w", err)
	}
	for _, r := range rows {
		out[r.OrderID] = r.note()
	}
	return out, nil
}

// FillsMatching is FillsOf narrowed by a search: fills whose symbol starts with it, or whose
// order's note contains it, or whose order carries it as a tag (case-insensitive throughout).
func FillsMatching(ctx context.Context, db *gorm.DB, accountID int64, period int, search string, after FillCursor, limit int) ([]Fill, error) {
	prefix := assetLikeEscaper.Replace(strings.ToUpper(search)) + "%"
	s := db.WithContext(ctx).Table("fills").Select("fills.*").
		Joins("LEFT JOIN order_notes n ON n.order_id = fills.order_id").
		Where("fills.account_id = ? AND fills.period = ?", accountID, period).
		Where(`(upper(fills.symbol) LIKE ? ESCAPE '\' OR n.note ILIKE ? ESCAPE '\' OR n.tags @> ARRAY[lower(?)]::text[])`,
			prefix, containsPattern(search), search)
	if !after.At.IsZero() {
		s = s.Where("(fills.executed_at, fills.id) < (?, ?)", after.At, after.ID)
	}
	var out []Fill
	if err := s.Order("fills.executed_at DESC, fills.id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: fills matching: %w", err)
	}
	return out, nil
}
