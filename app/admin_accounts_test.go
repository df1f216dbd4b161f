package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// adminAccountPath is an operator's action on a paper account.
func adminAccountPath(a *models.PaperAccount, action string) string {
	p := "/admin/accounts/" + strconv.FormatInt(a.ID, 10)
	if action != "" {
		p += "/" + action
	}
	return p
}

// auditCount counts the audit entries of an action on an account.
func auditCount(t *testing.T, a *testApp, action string, acct *models.PaperAccount) int64 {
	t.Helper()
	var n int64
	if err := a.db.Gorm.Table("audit_entries").Where("action = ? AND target_type = 'paper_account' AND target_id = ?",
		action, strconv.FormatInt(acct.ID, 10)).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// reloadAcct reads an account back.
func reloadAcct(t *testing.T, a *testApp, acct *models.PaperAccount) *models.PaperAccount {
	t.Helper()
	got, err := models.PaperAccountByID(context.Background(), a.db.Gorm, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// cashMatchesLedger checks the account's cash is the sum of its ledger: no silent edit.
func cashMatchesLedger(t *testing.T, a *testApp, acct *models.PaperAccount) {
	t.Helper()
	var sum decimal.Decimal
	a.db.Gorm.Raw("SELECT coalesce(sum(amount), 0) FROM cash_ledger WHERE account_id = ?", acct.ID).Scan(&sum)
	if got := reloadAcct(t, a, acct); !got.Cash.Equal(sum) {
		t.Errorf("cash %s, ledger sums to %s", got.Cash, sum)
	}
}

// restingBuy places a BTC/USD limit buy far below the market, which rests.
func restingBuy(t *testing.T, a *testApp, u *models.User, acct *models.PaperAccount) *models.Order {
	t.Helper()
	o, err := a.svc.Trading.PlaceOrder(context.Background(), u.ID, acct.ID, order.Request{Symbol: "BTC/USD",
		Qty: decimal.NewNullDecimal(decimal.RequireFromString("0.01")), Side: fill.Buy, Type: fill.Limit,
		LimitPrice: decimal.NewNullDecimal(decimal.NewFromInt(1000)), TimeInForce: fill.GTC}, trading.SourceWeb)
	if err != nil || !o.IsOpen() {
		t.Fatalf("resting buy: %v %v", o, err)
	}
	return o
}

func TestAdminAccountsListSearchesAcrossUsersAndPages(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	_, _, ada := a.trader("ada@example.com")
	a.trader("bob@example.com")
	_, admin := makeAdmin(t, a, "root@example.com")
	a.db.Gorm.Exec("UPDATE paper_accounts SET trading_frozen_at = now() WHERE id = ?", ada.ID)

	_, body := admin.get("/admin/accounts?q=ADA@")
	if strings.Count(body, `data-testid="admin-account-row"`) != 1 || !strings.Contains(body, fmt.Sprintf(`data-account-id="%d"`, ada.ID)) {
		t.Errorf("search by owner's address: %s", body)
	}
	if _, body := admin.get("/admin/accounts?frozen=yes"); strings.Count(body, `data-testid="admin-account-row"`) != 1 {
		t.Error("the frozen filter does not keep only ada's account")
	}
	if _, body := admin.get("/admin/accounts?q=nobody-has-this"); !strings.Contains(body, `data-testid="admin-accounts-empty"`) {
		t.Error("a search that matches nothing does not say so")
	}
	// 3 accounts so far (root's sign-up opens none: CreateAdmin makes no paper account, or one);
	// add enough to need two pages.
	for i := range adminAccountsPerPage {
		a.createUser(fmt.Sprintf("page%02d@example.com", i), goodPassword)
	}
	_, body = admin.get("/admin/accounts")
	if strings.Count(body, `data-testid="admin-account-row"`) != adminAccountsPerPage || !strings.Contains(body, `data-testid="admin-accounts-next"`) {
		t.Fatalf("page 1 has %d rows", strings.Count(body, `data-testid="admin-account-row"`))
	}
	_, body = admin.get("/admin/accounts?page=99999")
	if !strings.Contains(body, "Page 2 of 2") {
		t.Error("a page past the end does not show the last page")
	}
}

func TestAdminAccountPageShowsTheOwnersPiecesReadOnly(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, _, acct := a.trader("ada@example.com")
	buy := a.market(ada, acct.ID, fill.Buy, "0.02")
	restingBuy(t, a, ada, acct)
	f := firstFillOf(t, a, buy)
	_, admin := makeAdmin(t, a, "root@example.com")

	resp, body := admin.get(adminAccountPath(acct, ""))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d", resp.StatusCode)
	}
	receipt := fmt.Sprintf("/admin/accounts/%d/fills/%s", acct.ID, f.ID)
	for _, want := range []string{`data-testid="position-row" data-symbol="BTC/USD"`, `data-testid="orders-table"`,
		`data-testid="activity-fill"`, `data-testid="admin-account-curve"`, receipt, "1 open order."} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	for _, owner := range []string{`data-testid="close-position"`, `data-testid="cancel-order"`, `href="/fills/`} {
		if strings.Contains(body, owner) {
			t.Errorf("the operator's view carries the owner's %s", owner)
		}
	}
	if resp, body := admin.get(receipt); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="receipt-summary"`) {
		t.Errorf("receipt: %d", resp.StatusCode)
	}
	// A fill of another account through this account's address is not found.
	bob, _, other := a.trader("bob@example.com")
	theirs := firstFillOf(t, a, a.market(bob, other.ID, fill.Buy, "0.01"))
	if resp, _ := admin.get(fmt.Sprintf("/admin/accounts/%d/fills/%s", acct.ID, theirs.ID)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another account's fill: %d", resp.StatusCode)
	}
	for _, path := range []string{"/admin/accounts/999999", "/admin/accounts/x", "/admin/accounts/999999/freeze"} {
		var resp *http.Response
		if strings.HasSuffix(path, "freeze") {
			resp, _ = admin.post(path, nil)
		} else {
			resp, _ = admin.get(path)
		}
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestAdminAdjustCash(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	_, _, acct := a.trader("ada@example.com")
	_, admin := makeAdmin(t, a, "root@example.com")
	period := strconv.Itoa(acct.Period)

	t.Run("refused input changes nothing and says why in the form", func(t *testing.T) {
		for _, form := range []url.Values{
			{"amount": {"abc"}, "reason": {"typo"}},
			{"amount": {"0"}, "reason": {"nothing"}},
			{"amount": {"25"}, "reason": {""}},
			{"amount": {"-100000.01"}, "reason": {"more than it has"}},
			{"amount": {"25"}, "reason": {"stale page"}, "period": {"7"}},
		} {
			if form.Get("period") == "" {
				form.Set("period", period)
			}
			resp, body := admin.post(adminAccountPath(acct, "adjust-cash"), form)
			if resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.Contains(body, `data-testid="admin-adjust-form"`) ||
				!(strings.Contains(body, `data-testid="error-amount"`) || strings.Contains(body, `data-testid="error-reason"`) || strings.Contains(body, `data-testid="form-error"`)) {
				t.Errorf("%v: %d without a message in the form", form, resp.StatusCode)
			}
		}
		if got := reloadAcct(t, a, acct); !got.Cash.Equal(acct.Cash) {
			t.Errorf("cash became %s", got.Cash)
		}
		if n := auditCount(t, a, "paper_account.adjust_cash", acct); n != 0 {
			t.Errorf("%d audit entries for refused adjustments", n)
		}
	})
	t.Run("CSRF is required", func(t *testing.T) {
		resp, _ := admin.post(adminAccountPath(acct, "adjust-cash"), url.Values{"_csrf": {"forged"}, "amount": {"25"}, "reason": {"x y z"}, "period": {period}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("a forged token: %d", resp.StatusCode)
		}
		if got := reloadAcct(t, a, acct); !got.Cash.Equal(acct.Cash) || auditCount(t, a, "paper_account.adjust_cash", acct) != 0 {
			t.Error("a forged post changed something")
		}
	})
	t.Run("an adjustment is a ledger line with its reason and an audit entry", func(t *testing.T) {
		resp, _ := admin.post(adminAccountPath(acct, "adjust-cash"), url.Values{"amount": {"-$1,250.50"}, "reason": {"Wrong fill refunded twice"}, "period": {period}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%d", resp.StatusCode)
		}
		want := acct.Cash.Sub(decimal.RequireFromString("1250.50"))
		if got := reloadAcct(t, a, acct); !got.Cash.Equal(want) {
			t.Errorf("cash %s, want %s", got.Cash, want)
		}
		var line models.LedgerEntry
		a.db.Gorm.Where("account_id = ? AND kind = 'adjustment'", acct.ID).Take(&line)
		if !line.Amount.Equal(decimal.RequireFromString("-1250.50")) || !strings.Contains(line.Description, "Wrong fill refunded twice") {
			t.Errorf("ledger line %+v", line)
		}
		if n := auditCount(t, a, "paper_account.adjust_cash", acct); n != 1 {
			t.Errorf("%d audit entries", n)
		}
		cashMatchesLedger(t, a, acct)
	})
}

func TestAdminFreezeBlocksTheOwnersOrders(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, _, acct := a.trader("ada@example.com")
	_, admin := makeAdmin(t, a, "root@example.com")

	if resp, _ := admin.post(adminAccountPath(acct, "freeze"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("freeze: %d", resp.StatusCode)
	}
	if reloadAcct(t, a, acct).TradingFrozenAt == nil || auditCount(t, a, "paper_account.freeze", acct) != 1 {
		t.Fatal("not frozen, or not recorded")
	}
	_, err := a.svc.Trading.PlaceOrder(context.Background(), ada.ID, acct.ID, order.Request{Symbol: "BTC/USD",
		Qty: decimal.NewNullDecimal(decimal.RequireFromString("0.01")), Side: fill.Buy, Type: fill.Market, TimeInForce: fill.GTC}, trading.SourceWeb)
	if err == nil {
		t.Fatal("the engine placed an order on a frozen account")
	}
	// Freezing again is refused with a message, and recorded nowhere.
	resp, body := admin.post(adminAccountPath(acct, "freeze"), nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already frozen") {
		t.Errorf("freezing twice: %d", resp.StatusCode)
	}
	if n := auditCount(t, a, "paper_account.freeze", acct); n != 1 {
		t.Errorf("%d freeze entries after a refused second freeze", n)
	}
	if resp, _ := admin.post(adminAccountPath(acct, "unfreeze"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unfreeze: %d", resp.StatusCode)
	}
	if reloadAcct(t, a, acct).TradingFrozenAt != nil || auditCount(t, a, "paper_account.unfreeze", acct) != 1 {
		t.Fatal("not unfrozen, or not recorded")
	}
	a.market(ada, acct.ID, fill.Buy, "0.01")
}

func TestAdminCancelAllAndReset(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, _, acct := a.trader("ada@example.com")
	a.market(ada, acct.ID, fill.Buy, "0.02")
	o := restingBuy(t, a, ada, acct)
	_, admin := makeAdmin(t, a, "root@example.com")

	if resp, _ := admin.post(adminAccountPath(acct, "cancel-orders"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel all: %d", resp.StatusCode)
	}
	got, _ := models.OrderOf(context.Background(), a.db.Gorm, acct.ID, o.ID)
	if got.Status != models.OrderCanceled || auditCount(t, a, "paper_account.cancel_orders", acct) != 1 {
		t.Fatalf("order %s, %d entries", got.Status, auditCount(t, a, "paper_account.cancel_orders", acct))
	}
	if resp, body := admin.post(adminAccountPath(acct, "cancel-orders"), nil); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "no open orders") {
		t.Errorf("cancel all with nothing open: %d", resp.StatusCode)
	}
	if n := auditCount(t, a, "paper_account.cancel_orders", acct); n != 1 {
		t.Errorf("%d entries after the refused second cancel", n)
	}

	period := strconv.Itoa(acct.Period)
	if resp, body := admin.post(adminAccountPath(acct, "reset"), url.Values{"starting_cash": {"5000"}, "period": {period}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="error-confirm"`) {
		t.Errorf("reset without confirming: %d", resp.StatusCode)
	}
	if resp, _ := admin.post(adminAccountPath(acct, "reset"), url.Values{"starting_cash": {"5000"}, "confirm": {"yes"}, "period": {period}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	after := reloadAcct(t, a, acct)
	if after.Period != acct.Period+1 || !after.Cash.Equal(decimal.NewFromInt(5000)) || auditCount(t, a, "paper_account.reset", acct) != 1 {
		t.Fatalf("period %d, cash %s", after.Period, after.Cash)
	}
	var kept int64
	a.db.Gorm.Model(&models.Fill{}).Where("account_id = ? AND period = ?", acct.ID, acct.Period).Count(&kept)
	if kept == 0 {
		t.Error("the reset lost the closed period's fills")
	}
	// The same form again (the page showed the old period) is refused: the account changed.
	resp, body := admin.post(adminAccountPath(acct, "reset"), url.Values{"starting_cash": {"5000"}, "confirm": {"yes"}, "period": {period}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "was reset since the page was loaded") {
		t.Errorf("a stale reset: %d", resp.StatusCode)
	}
	if n := auditCount(t, a, "paper_account.reset", acct); n != 1 || reloadAcct(t, a, acct).Period != after.Period {
		t.Errorf("a stale reset wrote %d entries", n)
	}
	cashMatchesLedger(t, a, acct)
}

func TestAdminHomeChartsAndFigures(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	// The home counts days up to the real today (sign-ups are stamped by the database's clock);
	// the paper app's clock starts in the past, so it is brought to now first.
	a.clock.Advance(time.Since(a.clock.Now()))
	ada, _, acct := a.trader("ada@example.com")
	a.market(ada, acct.ID, fill.Buy, "0.02")
	_, admin := makeAdmin(t, a, "root@example.com")

	resp, body := admin.get("/admin")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d", resp.StatusCode)
	}
	for _, want := range []string{`data-testid="admin-home-signups-chart"`, `data-testid="admin-home-active-chart"`,
		`data-testid="admin-home-orders-chart"`, `data-testid="admin-home-fills-chart"`, `data-testid="admin-home-live"`,
		`data-testid="admin-home-feed-status"`, `data-testid="admin-home-failed-jobs"`, `href="/admin/jobs/jobs?state=discarded"`,
		`href="/admin/accounts"`, `href="/admin/system"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the home lacks %s", want)
		}
	}
	total := func(id string) string {
		part := strings.SplitN(body, `data-testid="`+id+`-total">`, 2)
		if len(part) < 2 {
			return ""
		}
		return part[1][:strings.Index(part[1], "<")]
	}
	// Today: ada and root signed up, ada placed one order that filled; both signed in.
	for id, want := range map[string]string{"admin-home-signups": "2", "admin-home-orders": "1", "admin-home-fills": "1", "admin-home-active": "2"} {
		if got := total(id); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
		t.Error("the home carries inline script or style")
	}
}
