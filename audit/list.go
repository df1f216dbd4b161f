package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Filter narrows a listing; zero fields match everything.
type Filter struct {
	Actor      string // part of the actor's e-mail address, ignoring case
	Action     string // exact action, or a prefix ending in "." ("user." is every user action)
	TargetType string
	TargetID   string
	From, To   time.Time // From inclusive, To exclusive
}

// likeEscaper makes what an operator types match literally in LIKE.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// List returns up to limit entries matching f, newest first, older than the entry with id before
// (0: from the newest). next is the cursor of the following page, 0 when this is the last. A cursor
// rather than an offset: new entries keep arriving, and an offset would shift every page.
func List(ctx context.Context, db *gorm.DB, f Filter, before int64, limit int) (entries []Entry, next int64, err error) {
	q := db.WithContext(ctx).Model(&row{})
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	if a := strings.TrimSpace(f.Actor); a != "" {
		q = q.Where(`actor_email ILIKE ? ESCAPE '\'`, "%"+likeEscaper.Replace(a)+"%")
	}
	switch a := strings.TrimSpace(f.Action); {
	case strings.HasSuffix(a, "."):
		q = q.Where(`action LIKE ? ESCAPE '\'`, likeEscaper.Replace(a)+"%")
	case a != "":
		q = q.Where("action = ?", a)
	}
	if t := strings.TrimSpace(f.TargetType); t != "" {
		q = q.Where("target_type = ?", t)
	}
	if t := strings.TrimSpace(f.TargetID); t != "" {
		q = q.Where("target_id = ?", t)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To)
	}
	var rows []row
	// One more than asked tells whether there is a next page without a count.
	if err := q.Order("id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	entries = make([]Entry, len(rows))
	for i := range rows {
		entries[i] = rows[i].entry()
	}
	return entries, next, nil
}

// Actions lists the distinct actions recorded so far, for the page's filter.
func Actions(ctx context.Context, db *gorm.DB) ([]string, error) {
	var out []string
	if err := db.WithContext(ctx).Model(&row{}).Distinct("action").Order("action").Pluck("action", &out).Error; err != nil {
		return nil, fmt.Errorf("audit: actions: %w", err)
	}
	return out, nil
}
