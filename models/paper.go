package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// PaperAccount is a simulated brokerage account. Its cash changes only through the ledger, in the
// same transaction that writes the ledger entry (the engine holds the row lock while it does).
type PaperAccount struct {
	ID              int64
	UserID          int64
	Name            string
	Number          string
	Status          string
	Currency        string
	StartingCash    decimal.Decimal
	Cash            decimal.Decimal
	Margin          bool
	ShortingEnabled bool
	Commission      string // a fees.Schedule name
	RegulatoryFees  bool
	Realism         string // a fill.Preset name
	ReviewOrders    bool   // the trade pages show an order for review before sending it
	Period          int
	PeriodStartedAt time.Time
	LastEquity      decimal.Decimal
	LastEquityAt    *time.Time
	IsPrimary       bool
	TradingFrozenAt *time.Time // set: an operator froze trading, orders are refused (Alpaca's trading_blocked)
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// PaperAccountPeriod is a closed period of an account: what it looked like when it was reset.
type PaperAccountPeriod struct {
	AccountID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Period       int   `gorm:"primaryKey;autoIncrement:false"`
	StartedAt    time.Time
	EndedAt      time.Time
	StartingCash decimal.Decimal
	EndingEquity decimal.Decimal
}

// Order statuses, as Alpaca spells them.
const (
	OrderNew             = "new"
	OrderAccepted        = "accepted" // queued outside the session
	OrderHeld            = "held"     // a bracket/OTO leg waiting for its parent
	OrderPartiallyFilled = "partially_filled"
	OrderFilled          = "filled"
	OrderCanceled        = "canceled"
	OrderExpired         = "expired"
	OrderReplaced        = "replaced"
	OrderRejected        = "rejected"
)

// OpenOrderStatuses are the statuses of an order that may still fill (or, when held, activate).
var OpenOrderStatuses = []string{OrderNew, OrderAccepted, OrderHeld, OrderPartiallyFilled}

// Order is a paper order with Alpaca's fields.
type Order struct {
	ID             uuid.UUID
	AccountID      int64
	Period         int
	ClientOrderID  string
	AssetID        int64
	Symbol         string
	AssetClass     string
	Side           string
	Type           string
	TimeInForce    string
	OrderClass     string
	Qty            decimal.NullDecimal
	Notional       decimal.NullDecimal
	FilledQty      decimal.Decimal
	FilledAvgPrice decimal.NullDecimal
	LimitPrice     decimal.NullDecimal
	StopPrice      decimal.NullDecimal
	TrailPrice     decimal.NullDecimal
	TrailPercent   decimal.NullDecimal
	HWM            decimal.NullDecimal `gorm:"column:hwm"`
	Triggered      bool
	RestedAt       *time.Time // when it last met a usable quote in a session that trades it
	ExtendedHours  bool
	Status         string
	ParentID       *uuid.UUID
	Leg            *string
	Replaces       *uuid.UUID
	ReplacedBy     *uuid.UUID
	Reserved       decimal.Decimal
	ExpiresAt      *time.Time
	Reason         string
	Source         string
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt      time.Time `gorm:"autoUpdateTime:false"`
	SubmittedAt    time.Time
	FilledAt       *time.Time
	CanceledAt     *time.Time
	ExpiredAt      *time.Time
	FailedAt       *time.Time
	ReplacedAt     *time.Time

	// Legs are the order's bracket/OCO/OTO legs when loaded with them (not a column).
	Legs []Order `gorm:"-"`
}

// IsOpen reports whether the order may still fill or activate.
func (o *Order) IsOpen() bool {
	switch o.Status {
	case OrderNew, OrderAccepted, OrderHeld, OrderPartiallyFilled:
		return true
	}
	return false
}

// LeavesQty is what remains to fill; zero for a notional order that has not filled (its quantity
// is set from the price when it fills).
func (o *Order) LeavesQty() decimal.Decimal {
	if !o.Qty.Valid {
		return decimal.Zero
	}
	return o.Qty.Decimal.Sub(o.FilledQty)
}

// Fill is one execution of an order, with the receipt that explains it.
type Fill struct {
	ID          uuid.UUID
	OrderID     uuid.UUID
	AccountID   int64
	Period      int
	Symbol      string
	Side        string
	Qty         decimal.Decimal
	Price       decimal.Decimal
	Commission  decimal.Decimal
	SECFee      decimal.Decimal `gorm:"column:sec_fee"`
	TAFFee      decimal.Decimal `gorm:"column:taf_fee"`
	RealizedPL  decimal.Decimal `gorm:"column:realized_pl"`
	Partial     bool
	CumQty      decimal.Decimal
	LeavesQty   decimal.Decimal
	PositionQty decimal.Decimal
	Receipt     json.RawMessage `gorm:"type:jsonb"`
	ExecutedAt  time.Time
}

// Fees is the fill's commission and regulatory fees together.
func (f *Fill) Fees() decimal.Decimal { return f.Commission.Add(f.SECFee).Add(f.TAFFee) }

// Position is an open position; a flat position has no row.
type Position struct {
	AccountID     int64  `gorm:"primaryKey;autoIncrement:false"`
	Period        int    `gorm:"primaryKey;autoIncrement:false"`
	Symbol        string `gorm:"primaryKey"`
	AssetID       int64
	AssetClass    string
	Qty           decimal.Decimal
	AvgEntryPrice decimal.Decimal
	// CostBasis is the cash the open quantity cost, to the cent (negative for a short: the cash
	// opening it brought in). Closing releases it pro rata, and the realised P&L is the closing
	// cash less the basis released, so fills' cash and realised P&L always reconcile.
	CostBasis decimal.Decimal
	OpenedAt  time.Time
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

// Ledger kinds: what moved the cash.
const (
	LedgerDeposit       = "deposit"
	LedgerFill          = "fill"
	LedgerCommission    = "commission"
	LedgerRegulatoryFee = "regulatory_fee"
	LedgerReset         = "reset"
	LedgerAdjustment    = "adjustment" // an operator's correction, its reason in the description
)

// LedgerEntry is one movement of cash.
type LedgerEntry struct {
	ID           int64
	AccountID    int64
	Period       int
	Kind         string
	Amount       decimal.Decimal
	BalanceAfter decimal.Decimal
	OrderID      *uuid.UUID
	FillID       *uuid.UUID
	Description  string
	CreatedAt    time.Time `gorm:"autoCreateTime:false"`
}

// TableName is the ledger's table.
func (LedgerEntry) TableName() string { return "cash_ledger" }

// Snapshot kinds.
const (
	SnapshotIntraday = "intraday"
	SnapshotClose    = "close"
)

// EquitySnapshot is the account's value at one moment, for portfolio history.
type EquitySnapshot struct {
	AccountID        int64     `gorm:"primaryKey;autoIncrement:false"`
	At               time.Time `gorm:"primaryKey"`
	Period           int
	Kind             string
	Equity           decimal.Decimal
	Cash             decimal.Decimal
	LongMarketValue  decimal.Decimal
	ShortMarketValue decimal.Decimal
	NetFlow          decimal.Decimal
}

// PaperAccountsOf lists a person's accounts, the primary one first.
func PaperAccountsOf(ctx context.Context, db *gorm.DB, userID int64) ([]PaperAccount, error) {
	var out []PaperAccount
	err := db.WithContext(ctx).Where("user_id = ?", userID).Order("is_primary DESC, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: paper accounts: %w", err)
	}
	return out, nil
}

// PaperAccountOf loads one of a person's accounts; someone else's is ErrNotFound.
func PaperAccountOf(ctx context.Context, db *gorm.DB, userID, accountID int64) (*PaperAccount, error) {
	var a PaperAccount
	err := db.WithContext(ctx).Where("id = ? AND user_id = ?", accountID, userID).Take(&a).Error
	if err != nil {
		return nil, fmt.Errorf("models: paper account: %w", notFound(err))
	}
	return &a, nil
}

// LockPaperAccount loads an account with its row locked until the transaction ends. Every change
// of cash, orders or positions takes this lock first, so they are serialised per account.
func LockPaperAccount(ctx context.Context, tx *gorm.DB, accountID int64) (*PaperAccount, error) {
	var a PaperAccount
	err := tx.WithContext(ctx).Clauses(lockForUpdate()).Where("id = ?", accountID).Take(&a).Error
	if err != nil {
		return nil, fmt.Errorf("models: lock paper account: %w", notFound(err))
	}
	return &a, nil
}

// OrderQuery selects a page of an account's orders.
type OrderQuery struct {
	AccountID int64
	Period    int
	Status    string // "open", "closed" or "all" (default)
	Symbols   []string
	Side      string
	After     time.Time // created strictly after
	Until     time.Time // created strictly before
	Ascending bool
	Limit     int // default 50, at most 500
	// Before, when set, lists only orders strictly older than it (newest first): an exact cursor,
	// as two orders may share a creation time.
	Before *OrderCursor
}

// OrderCursor is where a page of orders ends: the last order's creation time and id.
type OrderCursor struct {
	At time.Time
	ID uuid.UUID
}

// ListOrders returns the account's orders, newest first unless Ascending. Legs are included as
// orders of their own (callers nest them when they want).
func ListOrders(ctx context.Context, db *gorm.DB, q OrderQuery) ([]Order, error) {
	s := db.WithContext(ctx).Where("account_id = ? AND period = ?", q.AccountID, q.Period)
	switch q.Status {
	case "open":
		s = s.Where("status IN ?", OpenOrderStatuses)
	case "closed":
		s = s.Where("status NOT IN ?", OpenOrderStatuses)
	}
	if len(q.Symbols) > 0 {
		s = s.Where("symbol IN ?", q.Symbols)
	}
	if q.Side != "" {
		s = s.Where("side = ?", q.Side)
	}
	if !q.After.IsZero() {
		s = s.Where("created_at > ?", q.After)
	}
	if !q.Until.IsZero() {
		s = s.Where("created_at < ?", q.Until)
	}
	if q.Before != nil {
		s = s.Where("(created_at, id) < (?, ?)", q.Before.At, q.Before.ID)
	}
	dir := "DESC"
	if q.Ascending {
		dir = "ASC"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	var out []Order
	err := s.Order("created_at " + dir + ", id " + dir).Limit(min(limit, 500)).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: list orders: %w", err)
	}
	return out, nil
}

// OrderOf loads one of an account's orders; another account's is ErrNotFound.
func OrderOf(ctx context.Context, db *gorm.DB, accountID int64, id uuid.UUID) (*Order, error) {
	var o Order
	if err := db.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&o).Error; err != nil {
		return nil, fmt.Errorf("models: order: %w", notFound(err))
	}
	return &o, nil
}

// OrderByClientID loads an account's order by its client_order_id.
func OrderByClientID(ctx context.Context, db *gorm.DB, accountID int64, clientID string) (*Order, error) {
	var o Order
	err := db.WithContext(ctx).Where("account_id = ? AND client_order_id = ?", accountID, clientID).Take(&o).Error
	if err != nil {
		return nil, fmt.Errorf("models: order by client id: %w", notFound(err))
	}
	return &o, nil
}

// OrderLegs loads the legs of the given parent orders, keyed by parent.
func OrderLegs(ctx context.Context, db *gorm.DB, parents []uuid.UUID) (map[uuid.UUID][]Order, error) {
	out := map[uuid.UUID][]Order{}
	if len(parents) == 0 {
		return out, nil
	}
	var legs []Order
	if err := db.WithContext(ctx).Where("parent_id IN ?", parents).Order("created_at, leg").Find(&legs).Error; err != nil {
		return nil, fmt.Errorf("models: order legs: %w", err)
	}
	for _, l := range legs {
		out[*l.ParentID] = append(out[*l.ParentID], l)
	}
	return out, nil
}

// OpenOrders loads every open order of every account (the matcher's rebuild at start).
func OpenOrders(ctx context.Context, db *gorm.DB) ([]Order, error) {
	var out []Order
	if err := db.WithContext(ctx).Where("status IN ?", OpenOrderStatuses).Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: open orders: %w", err)
	}
	return out, nil
}

// PositionsOf loads an account's positions in a period, by symbol.
func PositionsOf(ctx context.Context, db *gorm.DB, accountID int64, period int) ([]Position, error) {
	var out []Position
	if err := db.WithContext(ctx).Where("account_id = ? AND period = ?", accountID, period).Order("symbol").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: positions: %w", err)
	}
	return out, nil
}

// FillCursor is a position in an account's fills, newest first: the last fill a page showed.
// Fills of one instant (several orders filled at one quote) are told apart by id, so a page
// boundary never skips one.
type FillCursor struct {
	At time.Time
	ID uuid.UUID
}

// IsZero reports whether the cursor is the start (the newest fill).
func (c FillCursor) IsZero() bool { return c.At.IsZero() }

// String is the cursor in a URL: Unix microseconds (the database's precision) and the id.
func (c FillCursor) String() string {
	return strconv.FormatInt(c.At.UnixMicro(), 10) + "_" + c.ID.String()
}

// ParseFillCursor reads a cursor written by String; anything malformed is the start.
func ParseFillCursor(s string) FillCursor {
	micros, id, ok := strings.Cut(s, "_")
	if !ok {
		return FillCursor{}
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil || us <= 0 {
		return FillCursor{}
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return FillCursor{}
	}
	return FillCursor{At: time.UnixMicro(us).UTC(), ID: u}
}

// FillsOf loads an account's fills in a period, newest first, after the cursor (zero: from the
// newest).
func FillsOf(ctx context.Context, db *gorm.DB, accountID int64, period int, after FillCursor, limit int) ([]Fill, error) {
	s := db.WithContext(ctx).Where("account_id = ? AND period = ?", accountID, period)
	if !after.At.IsZero() {
		s = s.Where("(executed_at, id) < (?, ?)", after.At, after.ID)
	}
	var out []Fill
	if err := s.Order("executed_at DESC, id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: fills: %w", err)
	}
	return out, nil
}

// FillOf loads one of an account's fills.
func FillOf(ctx context.Context, db *gorm.DB, accountID int64, id uuid.UUID) (*Fill, error) {
	var f Fill
	if err := db.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&f).Error; err != nil {
		return nil, fmt.Errorf("models: fill: %w", notFound(err))
	}
	return &f, nil
}

// FillsOfOrder loads an order's fills, oldest first.
func FillsOfOrder(ctx context.Context, db *gorm.DB, orderID uuid.UUID) ([]Fill, error) {
	var out []Fill
	if err := db.WithContext(ctx).Where("order_id = ?", orderID).Order("executed_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: order fills: %w", err)
	}
	return out, nil
}

// LedgerOf loads an account's cash movements in a period, newest first, with ids below beforeID
// (zero: from the newest).
func LedgerOf(ctx context.Context, db *gorm.DB, accountID int64, period int, beforeID int64, limit int) ([]LedgerEntry, error) {
	return ledgerPage(db.WithContext(ctx).Where("account_id = ? AND period = ?", accountID, period), beforeID, limit)
}

// CashMovementsOf is LedgerOf without the lines a fill booked (its trade value and fees), which a
// list that shows the fills themselves would otherwise show twice: deposits, resets and the like.
func CashMovementsOf(ctx context.Context, db *gorm.DB, accountID int64, period int, beforeID int64, limit int) ([]LedgerEntry, error) {
	return ledgerPage(db.WithContext(ctx).Where("account_id = ? AND period = ? AND fill_id IS NULL", accountID, period), beforeID, limit)
}

// ledgerPage reads up to limit ledger lines of s, newest first, with ids below beforeID (zero:
// from the newest).
func ledgerPage(s *gorm.DB, beforeID int64, limit int) ([]LedgerEntry, error) {
	if beforeID > 0 {
		s = s.Where("id < ?", beforeID)
	}
	var out []LedgerEntry
	if err := s.Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: ledger: %w", err)
	}
	return out, nil
}

// EquitySnapshotsOf loads an account's snapshots in a period from since (zero: all), oldest first.
func EquitySnapshotsOf(ctx context.Context, db *gorm.DB, accountID int64, period int, since time.Time) ([]EquitySnapshot, error) {
	s := db.WithContext(ctx).Where("account_id = ? AND period = ?", accountID, period)
	if !since.IsZero() {
		s = s.Where("at >= ?", since)
	}
	var out []EquitySnapshot
	if err := s.Order("at").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: equity snapshots: %w", err)
	}
	return out, nil
}

// ClosedTradePL lists the realised P&L of each closing fill in a period (for the win rate).
func ClosedTradePL(ctx context.Context, db *gorm.DB, accountID int64, period int) ([]decimal.Decimal, error) {
	var out []decimal.Decimal
	err := db.WithContext(ctx).Model(&Fill{}).Where("account_id = ? AND period = ? AND realized_pl <> 0", accountID, period).
		Order("executed_at").Pluck("realized_pl - commission - sec_fee - taf_fee", &out).Error
	if err != nil {
		return nil, fmt.Errorf("models: closed trades: %w", err)
	}
	return out, nil
}

// PaperAccountPeriodsOf lists an account's closed periods, newest first.
func PaperAccountPeriodsOf(ctx context.Context, db *gorm.DB, accountID int64) ([]PaperAccountPeriod, error) {
	var out []PaperAccountPeriod
	if err := db.WithContext(ctx).Where("account_id = ?", accountID).Order("period DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: account periods: %w", err)
	}
	return out, nil
}

// FillReceipt is the stored explanation of a fill's price (fills.receipt): the quote it met, the
// rule that priced it, and what it cost against the mid. The engine writes it from the fill
// model's receipt; the receipt page and the API read it back.
type FillReceipt struct {
	Bid         decimal.Decimal `json:"bid"`
	Ask         decimal.Decimal `json:"ask"`
	BidSize     decimal.Decimal `json:"bid_size"`
	AskSize     decimal.Decimal `json:"ask_size"`
	BidExchange string          `json:"bid_exchange"`
	AskExchange string          `json:"ask_exchange"`
	QuoteTime   time.Time       `json:"quote_time"`
	Source      string          `json:"source"` // the quote feed: "sim", "iex", "sip"
	Rule        string          `json:"rule"`   // a trading/fill Rule code
	Detail      string          `json:"detail"`
	Mid         decimal.Decimal `json:"mid"`
	// CostVsMid is what the fill cost against the mid-price: positive when worse than the mid.
	CostVsMid decimal.Decimal `json:"cost_vs_mid"`
}

// DecodedReceipt is the fill's receipt; an unreadable one is an error (the fill itself is still
// good to show).
func (f *Fill) DecodedReceipt() (FillReceipt, error) {
	var r FillReceipt
	if err := json.Unmarshal(f.Receipt, &r); err != nil {
		return r, fmt.Errorf("models: fill receipt: %w", err)
	}
	return r, nil
}
