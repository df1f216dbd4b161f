package app

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/stats"
	"alpacawrapper/urls"
)

// The paper accounts of the JSON API: what the accounts pages do (/accounts, an account's
// settings and reset) and the portfolio's history and statistics, for programs. Every handler
// names the account by the :id in the path and asks the trading service for it with the caller's
// id, so another person's account is a 404 (trading.ErrAccountNotFound) and nothing is read or
// written; the service checks again under the account's lock when it writes.

// paperAccountJSON is a paper account with its value now.
type paperAccountJSON struct {
	ID              int64           `json:"id" example:"12"`
	Name            string          `json:"name" example:"Swing trading"`
	Number          string          `json:"number" doc:"The account number, as Alpaca's clients show it." example:"PA3K7Q9W2XYZ"`
	Primary         bool            `json:"primary" doc:"The account API keys without an account of their own trade, and the pages show first." example:"true"`
	Margin          bool            `json:"margin" doc:"A margin account (2x overnight, 4x intraday); false: a cash account." example:"true"`
	ShortingEnabled bool            `json:"shorting_enabled" example:"true"`
	Commission      string          `json:"commission" doc:"The commission schedule's name." example:"free"`
	RegulatoryFees  bool            `json:"regulatory_fees" doc:"Whether sells pay the SEC and FINRA TAF fees." example:"false"`
	Realism         string          `json:"realism" enum:"easy,realistic,harsh" doc:"How strictly orders fill (see How orders fill)." example:"realistic"`
	Period          int             `json:"period" doc:"Which period the account is in: a reset closes one and starts the next." example:"1"`
	PeriodStartedAt time.Time       `json:"period_started_at" example:"2026-12-01T14:30:00Z"`
	StartingCash    decimal.Decimal `json:"starting_cash" doc:"The period's opening deposit." example:"100000"`
	Cash            decimal.Decimal `json:"cash" example:"87654.32"`
	Equity          decimal.Decimal `json:"equity" example:"101234.56"`
	BuyingPower     decimal.Decimal `json:"buying_power" example:"175308.64"`
	DayPL           decimal.Decimal `json:"day_pl" doc:"The change in equity since the previous close." example:"-123.45"`
	MarginCall      bool            `json:"margin_call" doc:"Equity is below the maintenance requirement: only orders that reduce positions go through." example:"false"`
	CreatedAt       time.Time       `json:"created_at" example:"2026-12-01T14:30:00Z"`
}

// paperAccountsJSON lists a person's accounts, the primary one first (at most
// trading.MaxAccountsPerUser, so it is one page).
type paperAccountsJSON struct {
	Accounts []paperAccountJSON `json:"accounts"`
}

// accountOpenJSON opens an account; settings left out take the defaults of a new account.
type accountOpenJSON struct {
	Name         string  `json:"name" example:"Swing trading" maxLength:"60"`
	StartingCash string  `json:"starting_cash,omitempty" format:"decimal" doc:"Dollars (100000 when left out); \"$25,000\" is read as people write it." example:"25000" maxLength:"40"`
	Margin       *bool   `json:"margin,omitempty" example:"true"`
	Shorting     *bool   `json:"shorting_enabled,omitempty" doc:"Needs a margin account." example:"true"`
	Commission   *string `json:"commission,omitempty" doc:"A commission schedule's name (free, per_share, …)." example:"free" maxLength:"40"`
	Regulatory   *bool   `json:"regulatory_fees,omitempty" example:"false"`
	Realism      *string `json:"realism,omitempty" enum:"easy,realistic,harsh" example:"realistic"`
}

// accountSettingsJSON changes an account's name and settings; a field left out keeps its value.
type accountSettingsJSON struct {
	Name       *string `json:"name,omitempty" example:"Day trading" maxLength:"60"`
	Margin     *bool   `json:"margin,omitempty" example:"true"`
	Shorting   *bool   `json:"shorting_enabled,omitempty" doc:"Needs a margin account." example:"false"`
	Commission *string `json:"commission,omitempty" doc:"A commission schedule's name (free, per_share, …)." example:"per_share" maxLength:"40"`
	Regulatory *bool   `json:"regulatory_fees,omitempty" example:"true"`
	Realism    *string `json:"realism,omitempty" enum:"easy,realistic,harsh" example:"harsh"`
}

// accountResetJSON resets an account: its period is closed (kept in its history) and a new one
// starts with the cash.
type accountResetJSON struct {
	ConfirmName  string `json:"confirm_name" doc:"The account's name, exactly, to confirm (as on the settings page)." example:"Swing trading" maxLength:"60"`
	StartingCash string `json:"starting_cash,omitempty" format:"decimal" doc:"Dollars; the period's starting cash when left out." example:"50000" maxLength:"40"`
}

// accountResetDoneJSON is a reset account and the period it closed.
type accountResetDoneJSON struct {
	Account      paperAccountJSON `json:"account"`
	ClosedPeriod int              `json:"closed_period" doc:"The period the reset closed; its orders, fills and history are kept." example:"1"`
}

// accountStatsJSON are an account's statistics over its current period, as the portfolio page
// shows them. Fractions are decimal strings (0.05 is 5%).
type accountStatsJSON struct {
	Period          int              `json:"period" example:"1"`
	StartEquity     decimal.Decimal  `json:"start_equity" example:"100000"`
	Equity          decimal.Decimal  `json:"equity" example:"101234.56"`
	TotalPL         decimal.Decimal  `json:"total_pl" doc:"Equity change less deposits and withdrawals." example:"1234.56"`
	TotalReturn     decimal.Decimal  `json:"total_return" doc:"Time-weighted return of the period, a fraction." example:"0.0123"`
	DayPL           decimal.Decimal  `json:"day_pl" example:"-123.45"`
	DayReturn       decimal.Decimal  `json:"day_return" example:"-0.0012"`
	MaxDrawdown     decimal.Decimal  `json:"max_drawdown" doc:"The largest fall from a peak, a positive fraction." example:"0.034"`
	MaxDrawdownFrom *time.Time       `json:"max_drawdown_from" doc:"The peak (null without a drawdown)." example:"2026-12-02T21:00:00Z"`
	MaxDrawdownTo   *time.Time       `json:"max_drawdown_to" doc:"The trough (null without a drawdown)." example:"2026-12-04T21:00:00Z"`
	Sharpe          *decimal.Decimal `json:"sharpe" doc:"Annualised Sharpe ratio of daily returns; null with fewer than two days." example:"1.42"`
	SharpeDays      int              `json:"sharpe_days" example:"5"`
	WinRate         decimal.Decimal  `json:"win_rate" doc:"Winning closed trades over decided ones, a fraction." example:"0.6"`
	Wins            int              `json:"wins" example:"3"`
	Losses          int              `json:"losses" example:"2"`
}

func toPaperAccountJSON(a *models.PaperAccount, v trading.Valuation) paperAccountJSON {
	return paperAccountJSON{
		ID: a.ID, Name: a.Name, Number: a.Number, Primary: a.IsPrimary, Margin: a.Margin, ShortingEnabled: a.ShortingEnabled,
		Commission: a.Commission, RegulatoryFees: a.RegulatoryFees, Realism: a.Realism, Period: a.Period,
		PeriodStartedAt: a.PeriodStartedAt.UTC(), StartingCash: a.StartingCash, Cash: v.Cash, Equity: v.Equity.Round(2),
		BuyingPower: v.BuyingPower.Round(2), DayPL: v.DayPL().Round(2), MarginCall: v.InMarginCall(), CreatedAt: a.CreatedAt.UTC(),
	}
}

// apiAccount is the account the path names, when it is the caller's.
func (s *Server) apiAccount(c *fiber.Ctx) (*models.PaperAccount, error) {
	id, err := accountPathID(c)
	if err != nil {
		return nil, err
	}
	return s.trading.Account(c.UserContext(), currentUser(c).ID, id)
}

// accountJSON values an account for an answer.
func (s *Server) accountJSON(c *fiber.Ctx, a *models.PaperAccount) (paperAccountJSON, error) {
	v, err := s.trading.Value(c.UserContext(), s.db, a)
	if err != nil {
		return paperAccountJSON{}, err
	}
	return toPaperAccountJSON(a, v), nil
}

// apiDollars reads an optional amount of dollars from a JSON field with the pages' parser.
func apiDollars(field, raw string, def decimal.Decimal, f apperr.Fields) decimal.Decimal {
	if strings.TrimSpace(raw) == "" {
		return def
	}
	d, msg := parseDollars(raw)
	if msg != "" {
		f.Add(field, strings.Replace(msg, "Starting cash", "starting_cash", 1))
	}
	return d
}

// apiListAccounts is GET /api/v1/accounts.
func (s *Server) apiListAccounts(c *fiber.Ctx) error {
	accts, err := s.trading.Accounts(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	out := paperAccountsJSON{Accounts: make([]paperAccountJSON, 0, len(accts))}
	for i := range accts {
		j, err := s.accountJSON(c, &accts[i])
		if err != nil {
			return err
		}
		out.Accounts = append(out.Accounts, j)
	}
	return c.JSON(out)
}

// apiOpenAccount is POST /api/v1/accounts.
func (s *Server) apiOpenAccount(c *fiber.Ctx) error {
	var in accountOpenJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	st := trading.DefaultSettings()
	apply(&st, in.Margin, in.Shorting, in.Commission, in.Regulatory, in.Realism)
	f := apperr.Fields{}
	cash := apiDollars("starting_cash", in.StartingCash, trading.DefaultStartingCash, f)
	if err := f.Err(); err != nil {
		return err
	}
	a, err := s.trading.OpenAccount(c.UserContext(), s.db, currentUser(c).ID, trading.NewAccount{Name: in.Name, StartingCash: cash, Settings: st})
	if err != nil {
		return err
	}
	out, err := s.accountJSON(c, a)
	if err != nil {
		return err
	}
	c.Location(urls.Path(urls.APIAccount, a.ID))
	return c.Status(fiber.StatusCreated).JSON(out)
}

// apply sets the settings a request names, leaving the others.
func apply(st *trading.Settings, margin, shorting *bool, commission *string, regulatory *bool, realism *string) {
	if margin != nil {
		st.Margin = *margin
	}
	if shorting != nil {
		st.ShortingEnabled = *shorting
	}
	if commission != nil {
		st.Commission = *commission
	}
	if regulatory != nil {
		st.RegulatoryFees = *regulatory
	}
	if realism != nil {
		st.Realism = *realism
	}
}

// sendAccount answers with the account as the API shows it, valued now.
func (s *Server) sendAccount(c *fiber.Ctx, a *models.PaperAccount) error {
	out, err := s.accountJSON(c, a)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// apiGetAccount is GET /api/v1/accounts/:id.
func (s *Server) apiGetAccount(c *fiber.Ctx) error {
	a, err := s.apiAccount(c)
	if err != nil {
		return err
	}
	return s.sendAccount(c, a)
}

// apiUpdateAccount is PATCH /api/v1/accounts/:id: the settings page's form.
func (s *Server) apiUpdateAccount(c *fiber.Ctx) error {
	a, err := s.apiAccount(c)
	if err != nil {
		return err
	}
	var in accountSettingsJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	name := a.Name
	if in.Name != nil {
		name = *in.Name
	}
	st := trading.Settings{Margin: a.Margin, ShortingEnabled: a.ShortingEnabled, Commission: a.Commission,
		RegulatoryFees: a.RegulatoryFees, Realism: a.Realism}
	apply(&st, in.Margin, in.Shorting, in.Commission, in.Regulatory, in.Realism)
	updated, err := s.trading.UpdateSettings(c.UserContext(), a.UserID, a.ID, name, st)
	if err != nil {
		return err
	}
	return s.sendAccount(c, updated)
}

// apiMakePrimary is PUT /api/v1/accounts/:id/primary.
func (s *Server) apiMakePrimary(c *fiber.Ctx) error {
	id, err := accountPathID(c)
	if err != nil {
		return err
	}
	a, err := s.trading.MakePrimary(c.UserContext(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	return s.sendAccount(c, a)
}

// apiResetAccount is POST /api/v1/accounts/:id/reset: as the settings page's reset, the name
// typed to confirm.
func (s *Server) apiResetAccount(c *fiber.Ctx) error {
	a, err := s.apiAccount(c)
	if err != nil {
		return err
	}
	var in accountResetJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	f := apperr.Fields{}
	cash := apiDollars("starting_cash", in.StartingCash, a.StartingCash, f)
	if strings.TrimSpace(in.ConfirmName) != a.Name {
		f.Add("confirm_name", "Send the account's name, “"+a.Name+"”, exactly, to confirm.")
	}
	if err := f.Err(); err != nil {
		return err
	}
	done, err := s.trading.Reset(c.UserContext(), a.UserID, a.ID, cash)
	if err != nil {
		return err
	}
	out, err := s.accountJSON(c, done)
	if err != nil {
		return err
	}
	return c.JSON(accountResetDoneJSON{Account: out, ClosedPeriod: done.Period - 1})
}

// apiAccountHistory is GET /api/v1/accounts/:id/history?range=: the portfolio chart's data.
func (s *Server) apiAccountHistory(c *fiber.Ctx) error {
	r := stats.DefaultRange
	if raw := c.Query("range"); raw != "" {
		var ok bool
		if r, ok = stats.ParseRange(raw); !ok {
			return apperr.Invalid(map[string]string{"range": "Choose one of 1D, 1W, 1M, 3M, 1Y and all."})
		}
	}
	a, err := s.apiAccount(c)
	if err != nil {
		return err
	}
	v, err := s.trading.Value(c.UserContext(), s.db, a)
	if err != nil {
		return err
	}
	ny, err := newYork()
	if err != nil {
		return err
	}
	h, err := s.rangeHistory(c, a, v, r, s.tradingNow(), ny)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(h)
}

// apiAccountStats is GET /api/v1/accounts/:id/statistics: the portfolio page's statistics.
func (s *Server) apiAccountStats(c *fiber.Ctx) error {
	a, err := s.apiAccount(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	v, err := s.trading.Value(ctx, s.db, a)
	if err != nil {
		return err
	}
	ny, err := newYork()
	if err != nil {
		return err
	}
	snaps, err := models.EquitySnapshotsOf(ctx, s.db, a.ID, a.Period, time.Time{})
	if err != nil {
		return err
	}
	closed, err := models.ClosedTradePL(ctx, s.db, a.ID, a.Period)
	if err != nil {
		return err
	}
	curve := withNow(snapshotCurve(snaps, a.PeriodStartedAt), s.tradingNow(), v.Equity)
	sum := stats.Summarize(curve, previousClose(a), closed, ny)
	out := accountStatsJSON{
		Period: a.Period, StartEquity: sum.StartEquity.Round(2), Equity: sum.EndEquity.Round(2),
		TotalPL: sum.TotalPL.Round(2), TotalReturn: sum.TotalReturn.Round(6), DayPL: sum.DayPL.Round(2),
		DayReturn: sum.DayReturn.Round(6), MaxDrawdown: sum.MaxDrawdown.Round(6), SharpeDays: sum.SharpeDays,
		WinRate: sum.WinRate.Round(4), Wins: sum.Wins, Losses: sum.Losses,
	}
	if !sum.MaxDrawdown.IsZero() {
		from, to := sum.MaxDrawdownFrom.UTC(), sum.MaxDrawdownTo.UTC()
		out.MaxDrawdownFrom, out.MaxDrawdownTo = &from, &to
	}
	if sum.SharpeDays >= 2 {
		out.Sharpe = &sum.Sharpe
	}
	return c.JSON(out)
}
