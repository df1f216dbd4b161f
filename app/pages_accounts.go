package app

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fees"
	"alpacawrapper/trading/order"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// The accounts pages: the person's paper accounts with a form to open another (/accounts),
// switching between them, and one account's settings with its reset (/accounts/:id/settings).
// Every handler names the account by the id in the path and asks the trading service for it
// with the signed-in person's id, so another person's account is a 404 (ErrAccountNotFound,
// mapped by the central error handler) and nothing is read or written. Forms work as plain
// posts (303 after success) and with htmx (the form swapped with its errors on a 422).

// accountSettingFields are the settings form's fields, as the service names them in its refusals.
var accountSettingFields = []string{"name", "margin", "shorting_enabled", "commission", "regulatory_fees", "realism", "review_orders"}

// accountOptions are the choices of the account forms: the commission schedules and the realism
// presets, each with a sentence saying what it does.
func accountOptions() views.AccountOptions {
	var o views.AccountOptions
	for _, sc := range fees.Schedules() {
		o.Schedules = append(o.Schedules, views.ScheduleChoice{Value: sc.Name, Label: sc.Label})
	}
	o.Realisms = []views.RealismChoice{
		{Value: "easy", Label: "Easy", Explain: "Like Alpaca's paper trading: a limit fills as soon as the quote touches it, at any size, on quotes up to 5 minutes old."},
		{Value: "realistic", Label: "Realistic", Explain: "Limits fill on touch, but each fill is capped at the size displayed at the bid or ask, and quotes must be at most 1 minute old."},
		{Value: "harsh", Label: "Harsh", Explain: "A limit fills only when the market trades through it, fills are capped at the displayed size, and quotes must be at most 15 seconds old."},
	}
	return o
}

// parseDollars reads an amount of starting cash typed by a person ("100000", "100,000.50",
// "$2500") with the one bounded parser; msg says what is wrong with it, or is "" when it is good.
func parseDollars(s string) (d decimal.Decimal, msg string) {
	cash, msg := typedAmount("Starting cash", s, order.Dollars)
	switch {
	case msg != "":
		return decimal.Zero, msg
	case !cash.Valid:
		return decimal.Zero, errDollars
	}
	return cash.Decimal, ""
}

// errDollars is the message for an amount that is not a number (the parser's, as a sentence).
const errDollars = "Starting cash must be an amount in dollars, such as 2500."

// settingsFromForm reads the settings fields of a form. Short selling needs margin, so a form
// with Margin unticked asks for no short selling, whatever its other box says: the page unticks
// it too (static/js/app.js), and a browser without script gets the same outcome rather than a
// refusal of a box it could not see change. The trading service still refuses the pair from
// other callers.
func settingsFromForm(c *fiber.Ctx) trading.Settings {
	margin := c.FormValue("margin") == "true"
	return trading.Settings{
		Margin: margin, ShortingEnabled: margin && c.FormValue("shorting_enabled") == "true",
		Commission: c.FormValue("commission"), RegulatoryFees: c.FormValue("regulatory_fees") == "true",
		Realism: c.FormValue("realism"), ReviewOrders: c.FormValue("review_orders") == "true",
	}
}

// withFieldError puts msg under field in a refusal (keeping the others), or makes a refusal of it.
func withFieldError(err error, field, msg string) error {
	fields := map[string]string{}
	if rej, ok := apperr.As(err); ok {
		for k, v := range rej.Fields {
			fields[k] = v
		}
	}
	fields[field] = msg
	return apperr.Invalid(fields)
}

// accountPathID reads :id; an id that is not a number names no account.
func accountPathID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, trading.ErrAccountNotFound
	}
	return id, nil
}

func accountSettingsPath(id int64) string {
	return urls.Path(urls.AccountSettings, id)
}

// accountsView lists the person's accounts with their value and settings.
func (s *Server) accountsView(ctx context.Context, userID, currentID int64) (views.AccountsView, error) {
	accts, err := s.trading.Accounts(ctx, userID)
	if err != nil {
		return views.AccountsView{}, err
	}
	v := views.AccountsView{CanOpen: len(accts) < trading.MaxAccountsPerUser, MaxAccounts: trading.MaxAccountsPerUser, Options: accountOptions()}
	for i := range accts {
		a := &accts[i]
		val, err := s.trading.Value(ctx, s.db, a)
		if err != nil {
			return views.AccountsView{}, err
		}
		pl := val.Equity.Sub(a.StartingCash)
		ret := decimal.Zero
		if a.StartingCash.IsPositive() {
			ret = pl.Shift(2).DivRound(a.StartingCash, 2)
		}
		commission := a.Commission
		if sc, ok := fees.ScheduleByName(a.Commission); ok {
			commission = sc.Label
		}
		v.Accounts = append(v.Accounts, views.AccountRow{
			ID: a.ID, Name: a.Name, Number: a.Number, Equity: views.FormatMoney(val.Equity),
			TotalPL: views.FormatSignedMoney(pl), TotalReturn: views.FormatPercent(ret),
			Up: pl.Round(2).IsPositive(), Down: pl.Round(2).IsNegative(), Primary: a.IsPrimary, Current: a.ID == currentID,
			Margin: a.Margin, Shorting: a.ShortingEnabled, RegulatoryFees: a.RegulatoryFees, Commission: commission,
			Realism: a.Realism, Period: a.Period,
		})
	}
	return v, nil
}

// accountsForm renders the accounts page or, for htmx, the open-account form.
func (s *Server) accountsForm(c *fiber.Ctx) (formView, error) {
	cur, val, err := s.accountAndValue(c)
	if err != nil {
		return formView{}, err
	}
	h, err := s.tradingHeader(c, cur, val)
	if err != nil {
		return formView{}, err
	}
	v, err := s.accountsView(c.UserContext(), cur.UserID, cur.ID)
	if err != nil {
		return formView{}, err
	}
	return formView{
		page:     func(f views.Form) templ.Component { return views.AccountsPage(s.page(c, "Accounts"), h, v, f) },
		fragment: func(f views.Form) templ.Component { return views.OpenAccountForm(csrfOf(c), v, f) },
	}, nil
}

// accountsPage is GET /accounts.
func (s *Server) accountsPage(c *fiber.Ctx) error {
	fv, err := s.accountsForm(c)
	if err != nil {
		return err
	}
	return fv.show(c, fiber.StatusOK, views.Form{})
}

// openAccount is POST /accounts (name, starting_cash and the settings): a new account, which
// becomes the current one.
func (s *Server) openAccount(c *fiber.Ctx) error {
	u := currentUser(c)
	cash, cashMsg := parseDollars(c.FormValue("starting_cash"))
	in := trading.NewAccount{Name: c.FormValue("name"), StartingCash: cash, Settings: settingsFromForm(c)}
	// An unreadable amount still goes through the service's checks (its zero is refused, so
	// nothing is written), so every other field's message comes back together with it.
	a, err := s.trading.OpenAccount(c.UserContext(), s.db, u.ID, in)
	if err != nil && cashMsg != "" {
		err = withFieldError(err, "starting_cash", cashMsg)
	}
	if err != nil {
		fv, fvErr := s.accountsForm(c)
		if fvErr != nil {
			return fvErr
		}
		return fv.refuse(c, err, formValues(c, append([]string{"starting_cash"}, accountSettingFields...)...))
	}
	s.rememberAccount(c, a.ID)
	s.flash(c, "success", "Opened “"+a.Name+"” with "+views.FormatMoney(a.StartingCash)+". It is now the account your trading pages show.")
	return redirectAfterPost(c, urls.Path(urls.Portfolio))
}

// switchAccount is POST /accounts/:id/switch: the trading pages show that account from now on.
// The answer goes back to the trading page the person was on.
func (s *Server) switchAccount(c *fiber.Ctx) error {
	id, err := accountPathID(c)
	if err != nil {
		return err
	}
	a, err := s.trading.Account(c.UserContext(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	s.rememberAccount(c, a.ID)
	s.flash(c, "info", "Now showing “"+a.Name+"”.")
	return redirectAfterPost(c, switchTarget(c))
}

// switchTarget is where a switch returns: the trading page in the Referer (only its path and
// query are read, so the answer never leaves the site), else the portfolio. Pages about one
// account's records (its settings, a receipt, a page of its activity) give way to their list.
func switchTarget(c *fiber.Ctx) string {
	ref, err := url.Parse(c.Get(fiber.HeaderReferer))
	if err != nil {
		return urls.Path(urls.Portfolio)
	}
	switch {
	case ref.Path == urls.Path(urls.Portfolio) || ref.Path == urls.Path(urls.Trade) || ref.Path == urls.Path(urls.Orders):
		if ref.RawQuery != "" {
			return ref.Path + "?" + ref.Query().Encode()
		}
		return ref.Path
	case ref.Path == urls.Path(urls.Activity) || strings.HasPrefix(ref.Path, "/fills/"):
		return urls.Path(urls.Activity)
	case ref.Path == urls.Path(urls.Accounts) || strings.HasPrefix(ref.Path, "/accounts/"):
		return urls.Path(urls.Accounts)
	}
	return urls.Path(urls.Portfolio)
}

// settingsForms renders an account's settings page or, for htmx, one of its two forms.
func (s *Server) settingsForms(c *fiber.Ctx, a *models.PaperAccount, reset bool) (formView, error) {
	ctx := c.UserContext()
	cur, curVal, err := s.accountAndValue(c)
	if err != nil {
		return formView{}, err
	}
	h, err := s.tradingHeader(c, cur, curVal)
	if err != nil {
		return formView{}, err
	}
	val := curVal
	if a.ID != cur.ID {
		if val, err = s.trading.Value(ctx, s.db, a); err != nil {
			return formView{}, err
		}
	}
	loc := userLocation(currentUser(c))
	v := views.AccountSettingsView{
		ID: a.ID, Name: a.Name, Number: a.Number, Current: a.ID == cur.ID,
		Margin: a.Margin, Shorting: a.ShortingEnabled, Commission: a.Commission, RegulatoryFees: a.RegulatoryFees, Realism: a.Realism,
		ReviewOrders: a.ReviewOrders, Period: a.Period, PeriodStarted: a.PeriodStartedAt.In(loc), StartingCash: views.FormatMoney(a.StartingCash),
		Equity: views.FormatMoney(val.Equity), DefaultReset: a.StartingCash.String(), Options: accountOptions(),
	}
	title := "Settings of " + a.Name
	if reset {
		return formView{
			page: func(f views.Form) templ.Component {
				return views.AccountSettingsPage(s.page(c, title), h, v, views.Form{}, f)
			},
			fragment: func(f views.Form) templ.Component { return views.AccountResetForm(csrfOf(c), v, f) },
		}, nil
	}
	return formView{
		page: func(f views.Form) templ.Component {
			return views.AccountSettingsPage(s.page(c, title), h, v, f, views.Form{})
		},
		fragment: func(f views.Form) templ.Component { return views.AccountSettingsForm(csrfOf(c), v, f) },
	}, nil
}

// ownedAccount is the account named by :id, when it is the signed-in person's.
func (s *Server) ownedAccount(c *fiber.Ctx) (*models.PaperAccount, error) {
	id, err := accountPathID(c)
	if err != nil {
		return nil, err
	}
	return s.trading.Account(c.UserContext(), currentUser(c).ID, id)
}

// accountSettingsPage is GET /accounts/:id/settings.
func (s *Server) accountSettingsPage(c *fiber.Ctx) error {
	a, err := s.ownedAccount(c)
	if err != nil {
		return err
	}
	fv, err := s.settingsForms(c, a, false)
	if err != nil {
		return err
	}
	return fv.show(c, fiber.StatusOK, views.Form{})
}

// refuseAccountForm answers a refused account form: a refusal about the account itself (gone,
// or not theirs) goes to the central error handler; the others come back in the form.
func (s *Server) refuseAccountForm(c *fiber.Ctx, a *models.PaperAccount, reset bool, err error, values map[string]string) error {
	if rej, ok := apperr.As(err); !ok || rej.Kind == apperr.KindNotFound {
		return err
	}
	fv, fvErr := s.settingsForms(c, a, reset)
	if fvErr != nil {
		return fvErr
	}
	return fv.refuse(c, err, values)
}

// updateAccountSettings is POST /accounts/:id/settings (name and the settings).
func (s *Server) updateAccountSettings(c *fiber.Ctx) error {
	a, err := s.ownedAccount(c)
	if err != nil {
		return err
	}
	updated, err := s.trading.UpdateSettings(c.UserContext(), a.UserID, a.ID, c.FormValue("name"), settingsFromForm(c))
	if err != nil {
		return s.refuseAccountForm(c, a, false, err, formValues(c, accountSettingFields...))
	}
	s.flash(c, "success", "Settings of “"+updated.Name+"” saved.")
	return redirectAfterPost(c, accountSettingsPath(a.ID))
}

// resetAccount is POST /accounts/:id/reset (starting_cash, confirm_name): the account starts a
// new period with that cash. The person types the account's name to confirm.
func (s *Server) resetAccount(c *fiber.Ctx) error {
	a, err := s.ownedAccount(c)
	if err != nil {
		return err
	}
	values := formValues(c, "starting_cash", "confirm_name")
	cash, cashMsg := parseDollars(values["starting_cash"])
	fields := apperr.Fields{}
	if cashMsg != "" {
		fields.Add("starting_cash", cashMsg)
	}
	if strings.TrimSpace(values["confirm_name"]) != a.Name {
		fields.Add("confirm_name", "Type the account's name, “"+a.Name+"”, exactly, to confirm.")
	}
	if err := fields.Err(); err != nil {
		return s.refuseAccountForm(c, a, true, err, values)
	}
	done, err := s.trading.Reset(c.UserContext(), a.UserID, a.ID, cash)
	if err != nil {
		return s.refuseAccountForm(c, a, true, err, values)
	}
	s.flash(c, "success", "“"+done.Name+"” was reset to "+views.FormatMoney(done.StartingCash)+
		". Period "+strconv.Itoa(done.Period-1)+" is kept in its history.")
	return redirectAfterPost(c, accountSettingsPath(a.ID))
}
