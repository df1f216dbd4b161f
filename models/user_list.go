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
// query keeps only users whose e-mail address or name contains it, ignoring case.
func ListUsers(ctx context.Context, db *gorm.DB, query string, limit, offset int) ([]User, int64, error) {
	return ListUsersBy(ctx, db, UserListQuery{Search: query, Limit: limit, Offset: offset})
}

// UserListQuery is a page of the operators' user list: a search, filters and an order.
type UserListQuery struct {
	Search   string // part of the e-mail address or name, ignoring case
	Role     Role   // "" any
	Active   *bool  // nil any
	Verified *bool  // nil any
	Sort     string // one of UserSorts' keys; "" is newest first
	Limit    int
	Offset   int
}

// UserSorts are the orders the list offers. Each ends with id, so users that tie (created at the
// same instant, same name) keep one order and a page boundary never shows one twice or skips one.
var UserSorts = map[string]string{
	"":           "created_at DESC, id DESC",
	"oldest":     "created_at ASC, id ASC",
	"name":       "lower(name) ASC, id ASC",
	"email":      "email ASC, id ASC",
	"last_login": "last_login_at DESC NULLS LAST, id DESC",
}

// ListUsersBy returns one page of the users q matches, and how many match in all.
func ListUsersBy(ctx context.Context, db *gorm.DB, uq UserListQuery) ([]User, int64, error) {
	q := db.WithContext(ctx).Model(&User{})
	if query := strings.TrimSpace(uq.Search); query != "" {
		p := containsPattern(query)
		// ESCAPE is spelt out, though backslash is PostgreSQL's default, so the escaping above
		// does not silently depend on it.
		q = q.Where(`(email ILIKE ? ESCAPE '\' OR name ILIKE ? ESCAPE '\')`, p, p)
	}
	if uq.Role != "" {
		q = q.Where("role = ?", uq.Role)
	}
	if uq.Active != nil {
		q = q.Where("active = ?", *uq.Active)
	}
	if uq.Verified != nil {
		if *uq.Verified {
			q = q.Where("email_verified_at IS NOT NULL")
		} else {
			q = q.Where("email_verified_at IS NULL")
		}
	}
	order, ok := UserSorts[uq.Sort]
	if !ok {
		order = UserSorts[""]
	}
	// A new session makes q a base that Count and Find each copy, rather than one statement the
	// first call would leave its count(*) in.
	q = q.Session(&gorm.Session{})
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("models: count users: %w", err)
	}
	users := []User{}
	if total == 0 || int64(uq.Offset) >= total {
		return users, total, nil
	}
	if err := q.Order(order).Limit(uq.Limit).Offset(uq.Offset).Find(&users).Error; err != nil {
		return nil, 0, fmt.Errorf("models: list users: %w", err)
	}
	return users, total, nil
}
