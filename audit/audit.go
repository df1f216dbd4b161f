// Package audit is the operators' append-only log: who did what to which record, before and after,
// when, from which address and session. An entry is written by Record inside the transaction of the
// change it describes, so it exists exactly when the change committed; the table itself refuses
// UPDATE, DELETE and TRUNCATE (migration 00019), so no code path can rewrite it afterwards.
package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/database"
)

// ErrNotInTransaction is returned by Record for a handle outside a transaction: an entry written
// on its own could outlive a change that rolled back, or be missing for one that committed.
var ErrNotInTransaction = errors.New("audit: entry must be written in the transaction of its change")

// Actor is who acted, and from where. It is copied into the entry, not referenced: the log keeps
// an address and session after the account or session is gone.
type Actor struct {
	UserID  int64
	Email   string
	Session string // the session's public handle (auth.Handle), never the cookie's secret
	IP      string
}

// Entry is one recorded action. Before and After are any JSON-encodable value (nil is stored as
// NULL): the state of the target on either side of the change, as much of it as the action touched.
type Entry struct {
	Actor
	ID         int64
	At         time.Time
	Action     string // e.g. "user.disable", a dotted lower-case name
	TargetType string // e.g. "user", "paper_account", "api_key", "session"
	TargetID   string
	Before     any
	After      any
}

// row is the table's shape.
type row struct {
	ID           int64 `gorm:"primaryKey"`
	At           time.Time
	ActorUserID  *int64
	ActorEmail   string
	ActorSession string
	IP           string `gorm:"column:ip"`
	Action       string
	TargetType   string
	TargetID     string
	Before       []byte `gorm:"type:jsonb"`
	After        []byte `gorm:"type:jsonb"`
}

func (row) TableName() string { return "audit_entries" }

// Record writes e in tx, which must be the transaction that makes the change it records. The
// database sets the time (the transaction's, so the entry and the change share an instant).
func Record(tx *gorm.DB, e Entry) error {
	if _, err := database.SQLTx(tx); err != nil {
		return ErrNotInTransaction
	}
	before, err := encode(e.Before)
	if err != nil {
		return fmt.Errorf("audit: before: %w", err)
	}
	after, err := encode(e.After)
	if err != nil {
		return fmt.Errorf("audit: after: %w", err)
	}
	r := row{ActorEmail: e.Email, ActorSession: e.Session, IP: e.IP, Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, Before: before, After: after}
	if e.UserID != 0 {
		r.ActorUserID = &e.UserID
	}
	if err := tx.Omit("ID", "At").Create(&r).Error; err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// encode is v as JSON, or nil (SQL NULL) for no value.
func encode(v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		return v, nil
	}
	return json.Marshal(v)
}

func (r *row) entry() Entry {
	e := Entry{ID: r.ID, At: r.At, Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID,
		Actor: Actor{Email: r.ActorEmail, Session: r.ActorSession, IP: r.IP}}
	if r.ActorUserID != nil {
		e.UserID = *r.ActorUserID
	}
	if r.Before != nil {
		e.Before = json.RawMessage(r.Before)
	}
	if r.After != nil {
		e.After = json.RawMessage(r.After)
	}
	return e
}
