package models

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// likeEscaper escapes LIKE's wildcards (and the escape character itself), so what an operator types
// is matched literally: searching for "a_b" or "100%" finds those characters, not every name.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// containsPattern is an ILIKE pattern matching any text that contains s.
func containsPattern(s string) string { return "%" + likeEscaper.Replace(s) + "%" }

// ListUsers returns one page of users, newest first, and how many users match in all. A non-empty
// query keeps only users whose e-mail address or name contains it, ignoring case. Users created at
// the same instant are ordered by id, so a page boundary never shows one twice or skips one.
func ListUsers(ctx context.Context, db *gorm.DB, query string, limit, offset int) ([]User, int64, error) {
	q := db.WithContext(ctx).Model(&User{})
	if query = strings.TrimSpace(query); query != "" {
		p := containsPattern(query)
		// ESCAPE is spelt out, though backslash is PostgreSQL's default, so the escaping above
		// does not silently depend on it.
		q = q.Where(`email ILIKE ? ESCAPE '\' OR name ILIKE ? ESCAPE '\'`, p, p)
	}
	// A new session makes q a base that Count and Find each copy, rather than one statement the
	// first call would leave its count(*) in.
	q = q.Session(&gorm.Session{})
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("models: count users: %w", err)
	}
	users := []User{}
	if total == 0 || int64(offset) >= total {
		return users, total, nil
	}
	if err := q.Order("created_at DESC, id DESC").Limit(limit).Offset(offset).Find(&users).Error; err != nil {
		return nil, 0, fmt.Errorf("models: list users: %w", err)
	}
	return users, total, nil
}
