package app

import (
	"context"
	"net/http"
	"net/http/httptest"
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

// paperStart is the instant the paper-trading page tests run at: Monday 2 March 2026, 10:00 in
// New York. Crypto trades at any hour, so the tests' orders (on BTC/USD) fill at once.
var paperStart = time.Date(2026, time.March, 2, 15, 0, 0, 0, time.UTC)

// newPaperApp is a test app whose clock stands at paperStart, with the simulated catalogue loaded
// so orders find their assets.
func newPaperApp(t *testing.T) *testApp {
	t.Helper()
	a := newTestApp(t, nil)
	a.clock.Advance(paperStart.Sub(a.clock.Now()))
	seedSimAssets(t, a)
	return a
}

// trader signs a person up (which opens their first paper account) and logs them in.
func (a *testApp) trader(email string) (*models.User, *browser, *models.PaperAccount) {
	a.t.Helper()
	u := a.createUser(email, goodPassword)
	b := a.browser()
	b.login(email, goodPassword)
	accts, err := models.PaperAccountsOf(context.Background(), a.db.Gorm, u.ID)
	if err != nil || len(accts) != 1 {
		a.t.Fatalf("%s has %d paper accounts (%v), want the one opened at sign-up", email, len(accts), err)
	}
	return u, b, &accts[0]
}

// market places a market order on BTC/USD, which fills at once against the simulated quote.
func (a *testApp) market(u *models.User, accountID int64, side fill.Side, qty string) *models.Order {
	a.t.Helper()
	o, err := a.svc.Trading.PlaceOrder(context.Background(), u.ID, accountID, order.Request{
		Symbol: "BTC/USD", Qty: decimal.NewNullDecimal(decimal.RequireFromString(qty)),
		Side: side, Type: fill.Market, TimeInForce: fill.GTC,
	}, trading.SourceWeb)
	if err != nil {
		a.t.Fatalf("%s %s BTC/USD: %v", side, qty, err)
	}
	if o.Status != models.OrderFilled {
		a.t.Fatalf("%s %s BTC/USD: %s (%s), want filled", side, qty, o.Status, o.Reason)
	}
	return o
}

// account reloads an account.
func (a *testApp) account(id int64) *models.PaperAccount {
	a.t.Helper()
	var acct models.PaperAccount
	if err := a.db.Gorm.Where("id = ?", id).Take(&acct).Error; err != nil {
		a.t.Fatal(err)
	}
	return &acct
}

// ledgerSum is the sum of every ledger amount of an account, in all periods.
func (a *testApp) ledgerSum(id int64) decimal.Decimal {
	a.t.Helper()
	var sum decimal.Decimal
	if err := a.db.Gorm.Raw("SELECT coalesce(sum(amount), 0) FROM cash_ledger WHERE account_id = ?", id).Scan(&sum).Error; err != nil {
		a.t.Fatal(err)
	}
	return sum
}

// accountNameShown is the account the trading shell on a page says it shows.
func accountNameShown(t *testing.T, body string) string {
	t.Helper()
	const marker = `data-testid="account-name">`
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatal("no trading shell on the page")
	}
	rest := body[i+len(marker):]
	return rest[:strings.Index(rest, "<")]
}

func TestPaperSignUpOpensTheFirstAccount(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	b := a.browser()
	b.get("/signup")
	resp, body := b.post("/signup", url.Values{"name": {"Ada Lovelace"}, "email": {"ada@example.com"},
		"password": {goodPassword}, "password_confirm": {goodPassword}, "accept_terms": {"on"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-up: %d %s", resp.StatusCode, body)
	}
	u := mustUser(t, a, "ada@example.com")
	accts, err := models.PaperAccountsOf(context.Background(), a.db.Gorm, u.ID)
	if err != nil || len(accts) != 1 {
		t.Fatalf("%d accounts after sign-up (%v), want 1", len(accts), err)
	}
	acct := accts[0]
	hundredK := decimal.NewFromInt(100_000)
	if acct.Name != "Paper" || !acct.Cash.Equal(hundredK) || !acct.StartingCash.Equal(hundredK) || !acct.IsPrimary || acct.Period != 1 {
		t.Errorf("first account %q cash %s start %s primary %v period %d", acct.Name, acct.Cash, acct.StartingCash, acct.IsPrimary, acct.Period)
	}
	if !acct.Margin || !acct.ShortingEnabled || acct.Commission != "free" || acct.RegulatoryFees || acct.Realism != "realistic" {
		t.Errorf("first account settings %+v", acct)
	}
	if sum := a.ledgerSum(acct.ID); !sum.Equal(hundredK) {
		t.Errorf("ledger sums to %s, want the $100,000 deposit", sum)
	}

	// Confirmed and logged in, the person finds it on the accounts page, and a portfolio that
	// invites a first order.
	b.confirmLink(a.tokenFromMail("ada@example.com", "/verify?token="))
	resp, body = b.get("/accounts")
	if resp.StatusCode != http.StatusOK || strings.Count(body, `data-testid="account-row"`) != 1 || !strings.Contains(body, "$100,000.00") {
		t.Fatalf("accounts page: %d", resp.StatusCode)
	}
	if _, body := b.get("/portfolio"); !strings.Contains(body, `data-testid="portfolio-empty"`) || !strings.Contains(body, `href="/trade"`) {
		t.Error("a brand-new account's portfolio does not invite a first order")
	}
}

func TestPaperOpenAnotherAccount(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	u, b, first := a.trader("ada@example.com")
	b.get("/accounts")
	resp, body := b.post("/accounts", url.Values{"name": {"  Small and careful "}, "starting_cash": {"$2,500.50"},
		"commission": {"per_share"}, "regulatory_fees": {"true"}, "realism": {"harsh"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/portfolio" {
		t.Fatalf("open: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	accts, _ := models.PaperAccountsOf(context.Background(), a.db.Gorm, u.ID)
	if len(accts) != 2 {
		t.Fatalf("%d accounts, want 2", len(accts))
	}
	second := accts[1]
	if accts[0].ID != first.ID || second.IsPrimary {
		t.Error("the first account stays the primary one")
	}
	cash := decimal.RequireFromString("2500.50")
	if second.Name != "Small and careful" || !second.Cash.Equal(cash) || !second.StartingCash.Equal(cash) {
		t.Errorf("second account %q with %s", second.Name, second.Cash)
	}
	if second.Margin || second.ShortingEnabled || second.Commission != "per_share" || !second.RegulatoryFees || second.Realism != "harsh" {
		t.Errorf("second account settings: margin %v shorting %v commission %s fees %v realism %s",
			second.Margin, second.ShortingEnabled, second.Commission, second.RegulatoryFees, second.Realism)
	}
	if sum := a.ledgerSum(second.ID); !sum.Equal(cash) {
		t.Errorf("the new account's ledger sums to %s", sum)
	}
	// The new account is the one the trading pages now show; the first is a click away.
	if _, body := b.get("/portfolio"); accountNameShown(t, body) != "Small and careful" {
		t.Errorf("the portfolio shows %q after opening an account", accountNameShown(t, body))
	}
	_, body = b.get("/accounts")
	if strings.Count(body, `data-testid="account-row"`) != 2 || strings.Count(body, `data-testid="switch-account"`) != 1 {
		t.Error("the accounts page lists both accounts with one switch button")
	}
	for _, badge := range []string{"Cash account", "No shorting", "SEC/FINRA fees", "Fills: harsh", "Per share: $0.005"} {
		if !strings.Contains(body, badge) {
			t.Errorf("no %q badge on the accounts page", badge)
		}
	}
}

func TestPaperOpenAccountRefusals(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	u, b, _ := a.trader("ada@example.com")
	good := func() url.Values {
		return url.Values{"name": {"Second"}, "starting_cash": {"5000"}, "margin": {"true"}, "shorting_enabled": {"true"},
			"commission": {"free"}, "realism": {"easy"}}
	}
	for _, tc := range []struct {
		name, field, value, want string
	}{
		{"no name", "name", " ", "Give the account a name."},
		{"long name", "name", strings.Repeat("n", 61), "Use at most 60 characters."},
		{"taken name", "name", "PAPER", "You already have an account with this name."},
		{"not a number", "starting_cash", "lots", errDollars},
		{"no cash", "starting_cash", "0", "Start with at least $1."},
		{"too much cash", "starting_cash", "1000000000.01", "Start with at most $1,000,000,000."},
		{"fractions of a cent", "starting_cash", "10.005", "Use dollars and cents (at most two decimals)."},
		{"unknown commission", "commission", "platinum", "Choose a commission schedule from the list."},
		{"unknown realism", "realism", "brutal", "Choose easy, realistic or harsh."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := good()
			form.Set(tc.field, tc.value)
			for _, htmx := range []bool{false, true} {
				b.htmx = htmx
				b.get("/accounts")
				resp, body := b.post("/accounts", form)
				b.htmx = false
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("htmx %v: status %d, want 422", htmx, resp.StatusCode)
				}
				field := tc.field
				i := strings.Index(body, `data-testid="error-`+field+`"`)
				if i < 0 {
					t.Fatalf("htmx %v: no message under %s", htmx, field)
				}
				if msg := body[i:min(len(body), i+300)]; !strings.Contains(msg, htmlEscape(tc.want)) {
					t.Errorf("htmx %v: message under %s: %s, want %q", htmx, field, msg, tc.want)
				}
				if htmx && !strings.HasPrefix(strings.TrimSpace(body), `<form id="open-account-form"`) {
					t.Errorf("htmx answer is not the form fragment: %.80s", body)
				}
				if !htmx && !strings.Contains(body, `data-testid="accounts-page"`) {
					t.Error("a plain post gets the whole page back")
				}
			}
		})
	}
	if accts, _ := models.PaperAccountsOf(context.Background(), a.db.Gorm, u.ID); len(accts) != 1 {
		t.Errorf("refused forms opened %d accounts", len(accts)-1)
	}
	if n := countRows(t, a, "SELECT count(*) FROM cash_ledger"); n != 1 {
		t.Errorf("refused forms wrote %d ledger rows", n-1)
	}
}

// Unticking Margin unticks Short selling: a form sent with short selling but no margin (a browser
// without script) opens a cash account without shorting rather than being refused.
func TestPaperNoMarginMeansNoShorting(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	u, b, _ := a.trader("ada@example.com")
	b.get("/accounts")
	form := url.Values{"name": {"Cash only"}, "starting_cash": {"5000"}, "shorting_enabled": {"true"}, "commission": {"free"}, "realism": {"easy"}}
	if resp, body := b.post("/accounts", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("open: %d\n%s", resp.StatusCode, body)
	}
	accts, err := models.PaperAccountsOf(context.Background(), a.db.Gorm, u.ID)
	if err != nil || len(accts) != 2 {
		t.Fatalf("accounts: %v (%d)", err, len(accts))
	}
	for _, acct := range accts {
		if acct.Name == "Cash only" && (acct.Margin || acct.ShortingEnabled) {
			t.Errorf("margin %v shorting %v, want neither", acct.Margin, acct.ShortingEnabled)
		}
	}
}

func TestPaperSwitchAccounts(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, b, first := a.trader("ada@example.com")
	_, _, grace := a.trader("grace@example.com")
	second, err := a.svc.Trading.OpenAccount(context.Background(), a.db.Gorm, ada.ID, trading.NewAccount{
		Name: "Second", StartingCash: decimal.NewFromInt(5000), Settings: trading.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	switchTo := func(id int64, referer string) *http.Response {
		form := url.Values{"_csrf": {b.csrf}}
		req := httptest.NewRequest(http.MethodPost, "/accounts/"+strconv.FormatInt(id, 10)+"/switch", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if referer != "" {
			req.Header.Set("Referer", referer)
		}
		resp, _ := b.send(req)
		return resp
	}
	b.get("/portfolio")

	t.Run("to their own account, back where they were", func(t *testing.T) {
		for _, tc := range []struct{ referer, want string }{
			{"http://app.test/orders?status=open", "/orders?status=open"},
			{"http://elsewhere.example/trade", "/trade"},
			{"http://app.test/fills/0190c8a4-0000-7000-8000-000000000000", "/activity"},
			{"http://app.test/accounts/3/settings", "/accounts"},
			{"", "/portfolio"},
		} {
			resp := switchTo(second.ID, tc.referer)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tc.want {
				t.Errorf("from %q: %d to %s, want %s", tc.referer, resp.StatusCode, resp.Header.Get("Location"), tc.want)
			}
		}
		if _, body := b.get("/portfolio"); accountNameShown(t, body) != "Second" {
			t.Errorf("the portfolio shows %q", accountNameShown(t, body))
		}
		switchTo(first.ID, "")
		if _, body := b.get("/portfolio"); accountNameShown(t, body) != "Paper" {
			t.Errorf("switching back shows %q", accountNameShown(t, body))
		}
	})

	t.Run("another person's account is not found, and its id in the cookie is ignored", func(t *testing.T) {
		before := b.cookies[accountCookie]
		if resp := switchTo(grace.ID, ""); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("switch to another person's account: %d", resp.StatusCode)
		}
		if b.cookies[accountCookie] != before {
			t.Error("a refused switch changed the account cookie")
		}
		b.cookies[accountCookie] = strconv.FormatInt(grace.ID, 10)
		_, body := b.get("/portfolio")
		if accountNameShown(t, body) != "Paper" || strings.Contains(body, grace.Number) {
			t.Error("a forged account cookie showed another person's account")
		}
		for _, path := range []string{"/accounts/" + strconv.FormatInt(grace.ID, 10) + "/settings", "/accounts/999999/settings", "/accounts/x/settings"} {
			if resp, _ := b.get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
			}
		}
		gracePath := "/accounts/" + strconv.FormatInt(grace.ID, 10)
		if resp, _ := b.post(gracePath+"/settings", url.Values{"name": {"Mine now"}, "commission": {"free"}, "realism": {"easy"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("changing another person's settings: %d", resp.StatusCode)
		}
		if resp, _ := b.post(gracePath+"/reset", url.Values{"starting_cash": {"1"}, "confirm_name": {"Paper"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("resetting another person's account: %d", resp.StatusCode)
		}
		if g := a.account(grace.ID); g.Name != "Paper" || g.Period != 1 || !g.Cash.Equal(decimal.NewFromInt(100_000)) {
			t.Errorf("another person's account changed: %q period %d cash %s", g.Name, g.Period, g.Cash)
		}
	})
}

func TestPaperAccountSettings(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	_, b, acct := a.trader("ada@example.com")
	path := "/accounts/" + strconv.FormatInt(acct.ID, 10) + "/settings"
	if resp, body := b.get(path); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="account-settings-form"`) ||
		!strings.Contains(body, "Danger zone") {
		t.Fatalf("settings page: %d", resp.StatusCode)
	}
	resp, body := b.post(path, url.Values{"name": {"Long only"}, "commission": {"per_order"}, "realism": {"easy"}, "regulatory_fees": {"true"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Fatalf("save: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if got := a.account(acct.ID); got.Name != "Long only" || got.Margin || got.ShortingEnabled || got.Commission != "per_order" ||
		!got.RegulatoryFees || got.Realism != "easy" {
		t.Errorf("saved settings: %+v", got)
	}

	// A refusal comes back under its field with what was typed, and changes nothing.
	b.htmx = true
	resp, body = b.post(path, url.Values{"name": {"Renamed"}, "margin": {"true"}, "commission": {"gold"}, "realism": {"easy"}})
	b.htmx = false
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="error-commission"`) ||
		!strings.HasPrefix(strings.TrimSpace(body), `<form id="account-settings-form"`) || !strings.Contains(body, `value="Renamed"`) {
		t.Errorf("refused settings (htmx): %d %.200s", resp.StatusCode, body)
	}
	if got := a.account(acct.ID); got.Name != "Long only" || got.Commission != "per_order" {
		t.Errorf("a refused form changed the account: %q %s", got.Name, got.Commission)
	}
}

func TestPaperResetKeepsTheOldPeriod(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, b, acct := a.trader("ada@example.com")
	ctx := context.Background()
	buy := a.market(ada, acct.ID, fill.Buy, "0.02")
	a.market(ada, acct.ID, fill.Sell, "0.01")
	// A limit far below the market rests, holding buying power, until the reset cancels it.
	resting, err := a.svc.Trading.PlaceOrder(ctx, ada.ID, acct.ID, order.Request{Symbol: "BTC/USD", Qty: decimal.NewNullDecimal(decimal.RequireFromString("0.01")),
		Side: fill.Buy, Type: fill.Limit, TimeInForce: fill.GTC, LimitPrice: decimal.NewNullDecimal(decimal.NewFromInt(1))}, trading.SourceWeb)
	if err != nil || !resting.IsOpen() {
		t.Fatalf("resting limit: %v", err)
	}
	before := a.account(acct.ID)
	oldLedger := countRows(t, a, "SELECT count(*) FROM cash_ledger WHERE account_id = ? AND period = 1", acct.ID)
	oldFills := countRows(t, a, "SELECT count(*) FROM fills WHERE account_id = ? AND period = 1", acct.ID)
	if oldLedger < 3 || oldFills != 2 {
		t.Fatalf("before the reset: %d ledger rows, %d fills", oldLedger, oldFills)
	}
	path := "/accounts/" + strconv.FormatInt(acct.ID, 10)
	b.get(path + "/settings")

	t.Run("refused without the typed name", func(t *testing.T) {
		for _, tc := range []struct {
			form  url.Values
			field string
			want  string
		}{
			{url.Values{"starting_cash": {"50000"}, "confirm_name": {"paper"}}, "confirm_name", "Type the account's name, “Paper”, exactly, to confirm."},
			{url.Values{"starting_cash": {"fifty"}, "confirm_name": {"Paper"}}, "starting_cash", errDollars},
			{url.Values{"starting_cash": {"0.5"}, "confirm_name": {"Paper"}}, "starting_cash", "Start with at least $1."},
		} {
			resp, body := b.post(path+"/reset", tc.form)
			i := strings.Index(body, `data-testid="error-`+tc.field+`"`)
			if resp.StatusCode != http.StatusUnprocessableEntity || i < 0 || !strings.Contains(body[i:min(len(body), i+300)], htmlEscape(tc.want)) {
				t.Errorf("%v: %d, want 422 with %q under %s", tc.form, resp.StatusCode, tc.want, tc.field)
			}
		}
		if got := a.account(acct.ID); got.Period != 1 || !got.Cash.Equal(before.Cash) {
			t.Fatalf("a refused reset changed the account: period %d cash %s", got.Period, got.Cash)
		}
	})

	resp, body := b.post(path+"/reset", url.Values{"starting_cash": {"50,000"}, "confirm_name": {" Paper "}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d\n%s", resp.StatusCode, body)
	}
	after := a.account(acct.ID)
	fifty := decimal.NewFromInt(50_000)
	if after.Period != 2 || !after.Cash.Equal(fifty) || !after.StartingCash.Equal(fifty) {
		t.Errorf("after the reset: period %d cash %s starting %s", after.Period, after.Cash, after.StartingCash)
	}
	if sum := a.ledgerSum(acct.ID); !sum.Equal(after.Cash) {
		t.Errorf("ledger sums to %s, cash is %s", sum, after.Cash)
	}
	var closed models.PaperAccountPeriod
	if err := a.db.Gorm.Where("account_id = ? AND period = 1", acct.ID).Take(&closed).Error; err != nil {
		t.Fatalf("no closed period row: %v", err)
	}
	if !closed.StartingCash.Equal(decimal.NewFromInt(100_000)) || !closed.EndingEquity.IsPositive() ||
		closed.EndingEquity.Sub(decimal.NewFromInt(100_000)).Abs().GreaterThan(decimal.NewFromInt(100)) {
		t.Errorf("closed period: %s → %s", closed.StartingCash, closed.EndingEquity)
	}
	if n := countRows(t, a, "SELECT count(*) FROM cash_ledger WHERE account_id = ? AND period = 1", acct.ID); n != oldLedger {
		t.Errorf("period 1 has %d ledger rows after the reset, had %d", n, oldLedger)
	}
	if n := countRows(t, a, "SELECT count(*) FROM fills WHERE account_id = ? AND period = 1", acct.ID); n != oldFills {
		t.Errorf("period 1 has %d fills after the reset, had %d", n, oldFills)
	}
	if n := countRows(t, a, "SELECT count(*) FROM cash_ledger WHERE account_id = ? AND period = 2 AND kind = 'reset' AND amount = ?", acct.ID, fifty.Sub(before.Cash)); n != 1 {
		t.Error("the new period does not start with the reset's adjustment")
	}
	var canceled models.Order
	if err := a.db.Gorm.Where("id = ?", resting.ID).Take(&canceled).Error; err != nil || canceled.Status != models.OrderCanceled {
		t.Errorf("the resting order is %s after the reset", canceled.Status)
	}

	// The activity page lists the closed period and still shows its fills.
	_, body = b.get("/activity")
	if !strings.Contains(body, `data-testid="period-row"`) || !strings.Contains(body, "$100,000.00 → ") {
		t.Error("the activity page does not list the closed period")
	}
	if strings.Contains(body, `data-testid="activity-fill"`) {
		t.Error("the new period's activity shows the old period's fills")
	}
	_, body = b.get("/activity?period=1&type=fills")
	if strings.Count(body, `data-testid="activity-fill"`) != 2 || !strings.Contains(body, "Back to the current period") {
		t.Error("the closed period's fills are not listed")
	}
	if resp, _ := b.get("/fills/" + firstFillOf(t, a, buy).ID.String()); resp.StatusCode != http.StatusOK {
		t.Errorf("an old period's receipt: %d", resp.StatusCode)
	}
}

// firstFillOf is an order's first fill.
func firstFillOf(t *testing.T, a *testApp, o *models.Order) models.Fill {
	t.Helper()
	fills, err := models.FillsOfOrder(context.Background(), a.db.Gorm, o.ID)
	if err != nil || len(fills) == 0 {
		t.Fatalf("fills of %s: %d, %v", o.ID, len(fills), err)
	}
	return fills[0]
}
