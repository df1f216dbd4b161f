package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// AccountListQuery is a page of the operators' list of paper accounts across every user.
type AccountListQuery struct {
	Search string // part of the account's name or number, or of its owner's e-mail address or name, ignoring case
	Frozen *bool  // nil any
	Limit  int
	Offset int
}

// AccountListRow is one account of the list with its owner.
type AccountListRow struct {
	ID              int64
	Name            string
	Number          string
	Cash            decimal.Decimal
	Period          int
	IsPrimary       bool
	TradingFrozenAt *time.Time
	CreatedAt       time.Time
	UserID          int64
	OwnerName       string
	OwnerEmail      string
	OpenOrders      int64
}

// ListAccountsBy returns one page of the accounts q matches, newest first, and how many match in
// all. The open-order count is one indexed lookup per row of the page (orders_open).
func ListAccountsBy(ctx context.Context, db *gorm.DB, q AccountListQuery) ([]AccountListRow, int64, error) {
	base := db.WithContext(ctx).Table("paper_accounts a").Joins("JOIN users u ON u.id = a.user_id")
	if s := strings.TrimSpace(q.Search); s != "" {
		p := containsPattern(s)
		base = base.Where(`(a.name ILIKE ? ESCAPE '\' OR a.number ILIKE ? ESCAPE '\' OR u.email ILIKE ? ESCAPE '\' OR u.name ILIKE ? ESCAPE '\')`, p, p, p, p)
	}
	if q.Frozen != nil {
		if *q.Frozen {
			base = base.Where("a.trading_frozen_at IS NOT NULL")
		} else {
			base = base.Where("a.trading_frozen_at IS NULL")
		}
	}
	var total int64
	if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("models: count accounts: %w", err)
	}
	var out []AccountListRow
	err := base.Select(`a.id, a.name, a.number, a.cash, a.period, a.is_primary, a.trading_frozen_at, a.created_at,
		a.user_id, u.name AS owner_name, u.email AS owner_email,
		(SELECT count(*) FROM orders o WHERE o.account_id = a.id AND o.status IN ('new', 'accepted', 'held', 'partially_filled')) AS open_orders`).
		Order("a.created_at DESC, a.id DESC").Limit(q.Limit).Offset(q.Offset).Scan(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("models: list accounts: %w", err)
	}
	return out, total, nil
}

// PaperAccountByID loads any account, whoever owns it (the operators' pages).
func PaperAccountByID(ctx context.Context, db *gorm.DB, id int64) (*PaperAccount, error) {
	var a PaperAccount
	if err := db.WithContext(ctx).Where("id = ?", id).Take(&a).Error; err != nil {
		return nil, fmt.Errorf("models: paper account: %w", notFound(err))
	}
	return &a, nil
}
