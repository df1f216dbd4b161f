package models

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Flash is a one-time message shown on the next page a browser renders.
type Flash struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// Flashes is the jsonb list of pending flashes.
type Flashes []Flash

// Value stores the list as JSON.
func (f Flashes) Value() (driver.Value, error) {
	if f == nil {
		return "[]", nil
	}
	b, err := json.Marshal(f)
	return string(b), err
}

// Scan reads the list from JSON.
func (f *Flashes) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		*f = nil
		return nil
	default:
		return errors.New("models: flashes: unexpected type")
	}
	return json.Unmarshal(b, f)
}

// Session is one browser's server-side session. Guests get one too (it carries their CSRF token
// and flashes); UserID is set once they log in.
type Session struct {
	IDHash     []byte `gorm:"primaryKey"`
	UserID     *int64
	CSRFToken  string `gorm:"column:csrf_token"`
	Flashes    Flashes
	UserAgent  string
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// CreateSession inserts s.
func CreateSession(ctx context.Context, db *gorm.DB, s *Session) error {
	if err := db.WithContext(ctx).Create(s).Error; err != nil {
		return fmt.Errorf("models: create session: %w", err)
	}
	return nil
}

// LiveSession loads the session with the given id hash unless it has expired, absolutely or for
// idleness.
func LiveSession(ctx context.Context, db *gorm.DB, idHash []byte, now time.Time, idle time.Duration) (*Session, error) {
	var s Session
	err := db.WithContext(ctx).
		Where("id_hash = ? AND expires_at > ? AND last_seen_at > ?", idHash, now, now.Add(-idle)).
		First(&s).Error
	if err != nil {
		return nil, fmt.Errorf("models: session: %w", notFound(err))
	}
	return &s, nil
}

// TouchSession records activity, which pushes back the idle expiry.
func TouchSession(ctx context.Context, db *gorm.DB, idHash []byte, now time.Time) error {
	return db.WithContext(ctx).Model(&Session{}).Where("id_hash = ?", idHash).Update("last_seen_at", now).Error
}

// DeleteSession removes one session.
func DeleteSession(ctx context.Context, db *gorm.DB, idHash []byte) error {
	return db.WithContext(ctx).Where("id_hash = ?", idHash).Delete(&Session{}).Error
}

// DeleteUserSessions removes every session of a user except the one with keepHash (nil keeps none).
func DeleteUserSessions(ctx context.Context, db *gorm.DB, userID int64, keepHash []byte) (int64, error) {
	q := db.WithContext(ctx).Where("user_id = ?", userID)
	if keepHash != nil {
		q = q.Where("id_hash <> ?", keepHash)
	}
	res := q.Delete(&Session{})
	return res.RowsAffected, res.Error
}

// UserSessions lists a user's live sessions, most recent first.
func UserSessions(ctx context.Context, db *gorm.DB, userID int64, now time.Time, idle time.Duration) ([]Session, error) {
	var out []Session
	err := db.WithContext(ctx).
		Where("user_id = ? AND expires_at > ? AND last_seen_at > ?", userID, now, now.Add(-idle)).
		Order("last_seen_at DESC").Find(&out).Error
	return out, err
}

// PushFlash appends a flash to a session.
func PushFlash(ctx context.Context, db *gorm.DB, idHash []byte, f Flash) error {
	b, _ := json.Marshal([]Flash{f})
	return db.WithContext(ctx).Exec("UPDATE sessions SET flashes = flashes || ?::jsonb WHERE id_hash = ?", string(b), idHash).Error
}

// PopFlashes returns and clears a session's flashes in one statement, so a flash is shown once
// even when two requests race.
func PopFlashes(ctx context.Context, db *gorm.DB, idHash []byte) (Flashes, error) {
	var raw []string
	err := db.WithContext(ctx).Raw(`UPDATE sessions s SET flashes = '[]'
		FROM (SELECT id_hash, flashes FROM sessions WHERE id_hash = ? AND flashes <> '[]' FOR UPDATE) old
		WHERE s.id_hash = old.id_hash RETURNING old.flashes::text`, idHash).Scan(&raw).Error
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	var f Flashes
	if err := f.Scan(raw[0]); err != nil {
		return nil, err
	}
	return f, nil
}

// PruneSessions deletes sessions past their absolute or idle expiry.
func PruneSessions(ctx context.Context, db *gorm.DB, now time.Time, idle time.Duration) (int64, error) {
	res := db.WithContext(ctx).Where("expires_at <= ? OR last_seen_at <= ?", now, now.Add(-idle)).Delete(&Session{})
	return res.RowsAffected, res.Error
}
