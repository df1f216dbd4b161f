package views

import (
	"net/url"
	"strconv"
	"time"

	"alpacawrapper/urls"
)

// AdminAccountsData is GET /admin/accounts: one page of paper accounts across every user.
type AdminAccountsData struct {
	Rows    []AdminAccountRow
	Query   string
	Frozen  string // "", "yes" or "no"
	Page    int
	Pages   int
	PerPage int
	Total   int64
}

// URL is the address of page n of the list with the same search and filter.
func (d AdminAccountsData) URL(n int) string { return AdminAccountsURL(d.Query, d.Frozen, n) }

// AdminAccountsURL is the address of a page of the accounts list.
func AdminAccountsURL(q, frozen string, page int) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if frozen != "" {
		v.Set("frozen", frozen)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return urls.Path(urls.AdminAccounts)
	}
	return urls.Path(urls.AdminAccounts) + "?" + v.Encode()
}

// AdminAccountRow is one account of the list.
type AdminAccountRow struct {
	ID         int64
	Name       string
	Number     string
	Cash       string
	Period     int
	Primary    bool
	Frozen     bool
	OpenOrders int64
	CreatedAt  time.Time
	OwnerID    int64
	OwnerName  string
	OwnerEmail string
}

// AdminAccountData is GET /admin/accounts/:id: one account as its owner sees it (figures,
// equity curve, positions, orders, ledger with fill receipts) and the operators' actions.
type AdminAccountData struct {
	ID           int64
	Name         string
	Number       string
	Period       int
	PeriodStart  time.Time
	StartingCash string // the reset form's default, a plain decimal
	Frozen       bool
	FrozenAt     time.Time
	OwnerID      int64
	OwnerName    string
	OwnerEmail   string
	TimeZone     string
	Figures      AccountFigures
	Curve        AdminChart
	Positions    TradePositions
	Orders       TradeOrders
	OpenOrders   int
	Activity     []ActivityRow
	// Forms are the actions' forms after a refused submission (errors, values), by action name:
	// "adjust", "cancel", "reset", "freeze".
	Forms map[string]Form
}

// Form is the form of an action, after a refusal or fresh.
func (d AdminAccountData) Form(action string) Form { return d.Forms[action] }

// AdminAccountFillData is GET /admin/accounts/:id/fills/:fill: a fill's receipt, for operators.
type AdminAccountFillData struct {
	AccountID   int64
	AccountName string
	Receipt     ReceiptView
}
