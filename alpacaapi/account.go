package alpacaapi

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
)

// Account is Alpaca's account object (GET /v2/account), computed from the paper account and its
// valuation. Decimals are strings.
type Account struct {
	ID                       string    `json:"id"`
	AccountNumber            string    `json:"account_number"`
	Status                   string    `json:"status"`
	CryptoStatus             string    `json:"crypto_status"`
	Currency                 string    `json:"currency"`
	BuyingPower              string    `json:"buying_power"`
	RegTBuyingPower          string    `json:"regt_buying_power"`
	DaytradingBuyingPower    string    `json:"daytrading_buying_power"`
	EffectiveBuyingPower     string    `json:"effective_buying_power"`
	NonMarginableBuyingPower string    `json:"non_marginable_buying_power"`
	BodDtbp                  string    `json:"bod_dtbp"`
	Cash                     string    `json:"cash"`
	AccruedFees              string    `json:"accrued_fees"`
	PortfolioValue           string    `json:"portfolio_value"`
	PatternDayTrader         bool      `json:"pattern_day_trader"`
	TradingBlocked           bool      `json:"trading_blocked"`
	TransfersBlocked         bool      `json:"transfers_blocked"`
	AccountBlocked           bool      `json:"account_blocked"`
	CreatedAt                time.Time `json:"created_at"`
	TradeSuspendedByUser     bool      `json:"trade_suspended_by_user"`
	Multiplier               string    `json:"multiplier"`
	ShortingEnabled          bool      `json:"shorting_enabled"`
	Equity                   string    `json:"equity"`
	LastEquity               string    `json:"last_equity"`
	LongMarketValue          string    `json:"long_market_value"`
	ShortMarketValue         string    `json:"short_market_value"`
	PositionMarketValue      string    `json:"position_market_value"`
	InitialMargin            string    `json:"initial_margin"`
	MaintenanceMargin        string    `json:"maintenance_margin"`
	LastMaintenanceMargin    string    `json:"last_maintenance_margin"`
	SMA                      string    `json:"sma"`
	DaytradeCount            int       `json:"daytrade_count"`
	BalanceAsof              string    `json:"balance_asof"`
	CryptoTier               int       `json:"crypto_tier"`
	// Beyond Alpaca: the account's name in the app, its realism preset and its current period
	// (a reset starts a new one and keeps the old).
	Name    string `json:"name"`
	Realism string `json:"realism"`
	Period  int    `json:"period"`
}

func money(d decimal.Decimal) string { return d.StringFixed(2) }

// EncodeAccount shows an account as Alpaca does. at is now, for balance_asof.
func EncodeAccount(a *models.PaperAccount, v trading.Valuation, at time.Time) Account {
	status := a.Status
	if status == "" {
		status = "ACTIVE"
	}
	return Account{
		ID: AccountID(a.ID), AccountNumber: a.Number, Status: status, CryptoStatus: status, Currency: a.Currency,
		BuyingPower: money(v.BuyingPower), RegTBuyingPower: money(v.RegTBuyingPower),
		DaytradingBuyingPower: money(v.DayTradingBuyingPower), EffectiveBuyingPower: money(v.BuyingPower),
		NonMarginableBuyingPower: money(v.NonMarginableBuyingPower), BodDtbp: money(v.DayTradingBuyingPower),
		Cash: money(v.Cash), AccruedFees: "0", PortfolioValue: money(v.Equity), TradingBlocked: status != "ACTIVE" || a.TradingFrozenAt != nil,
		TransfersBlocked: true, AccountBlocked: status != "ACTIVE", CreatedAt: a.CreatedAt.UTC(),
		Multiplier: strconv.Itoa(v.Multiplier), ShortingEnabled: a.Margin && a.ShortingEnabled,
		Equity: money(v.Equity), LastEquity: money(v.LastEquity), LongMarketValue: money(v.LongMarketValue),
		ShortMarketValue: money(v.ShortMarketValue), PositionMarketValue: money(v.LongMarketValue.Sub(v.ShortMarketValue)),
		InitialMargin: money(v.InitialMargin), MaintenanceMargin: money(v.MaintenanceMargin),
		LastMaintenanceMargin: money(v.MaintenanceMargin), SMA: "0", BalanceAsof: at.Format(time.DateOnly),
		Name: a.Name, Realism: a.Realism, Period: a.Period,
	}
}

// Configurations is Alpaca's account configuration object (GET/PATCH
// /v2/account/configurations), mapped onto the paper account's settings: no_shorting is the
// shorting setting, max_margin_multiplier "1" a cash account and "2" or "4" a margin account.
// Fields the engine has no use for are shown with the value it behaves as.
type Configurations struct {
	DTBPCheck            string `json:"dtbp_check"`
	TradeConfirmEmail    string `json:"trade_confirm_email"`
	SuspendTrade         bool   `json:"suspend_trade"`
	TradeSuspendedByUser bool   `json:"trade_suspended_by_user"`
	NoShorting           bool   `json:"no_shorting"`
	FractionalTrading    bool   `json:"fractional_trading"`
	MaxMarginMultiplier  string `json:"max_margin_multiplier"`
	PDTCheck             string `json:"pdt_check"`
	// Beyond Alpaca: how fills are simulated (easy, realistic or harsh), the commission schedule
	// and whether SEC/FINRA fees are charged.
	Realism        string `json:"realism"`
	Commission     string `json:"commission"`
	RegulatoryFees bool   `json:"regulatory_fees"`
}

// EncodeConfigurations shows an account's settings as Alpaca's configurations.
func EncodeConfigurations(a *models.PaperAccount) Configurations {
	mult := "1"
	if a.Margin {
		mult = "4"
	}
	return Configurations{
		DTBPCheck: "entry", TradeConfirmEmail: "none", NoShorting: !(a.Margin && a.ShortingEnabled),
		FractionalTrading: true, MaxMarginMultiplier: mult, PDTCheck: "entry",
		Realism: a.Realism, Commission: a.Commission, RegulatoryFees: a.RegulatoryFees,
	}
}

// ConfigurationsPatch is the body of PATCH /v2/account/configurations. Absent (null or "")
// fields keep their values. The Go SDK always sends suspend_trade, no_shorting and
// fractional_trading, so their false values must be harmless.
type ConfigurationsPatch struct {
	DTBPCheck           string `json:"dtbp_check"`
	TradeConfirmEmail   string `json:"trade_confirm_email"`
	SuspendTrade        *bool  `json:"suspend_trade"`
	NoShorting          *bool  `json:"no_shorting"`
	FractionalTrading   *bool  `json:"fractional_trading"`
	MaxMarginMultiplier string `json:"max_margin_multiplier"`
	PDTCheck            string `json:"pdt_check"`
	Realism             string `json:"realism"`
	Commission          string `json:"commission"`
	RegulatoryFees      *bool  `json:"regulatory_fees"`
}

// ApplyConfigurations reads a PATCH body and returns the account's new settings. Suspending
// trading, which the engine cannot honour, is refused with 422 rather than pretended.
// fractional_trading is always on: false is accepted only because the Go SDK sends it with every
// update, and the answer shows true.
func ApplyConfigurations(body []byte, a *models.PaperAccount) (trading.Settings, error) {
	var in ConfigurationsPatch
	if err := Decode(body, &in); err != nil {
		return trading.Settings{}, err
	}
	st := trading.Settings{Margin: a.Margin, ShortingEnabled: a.ShortingEnabled, Commission: a.Commission,
		RegulatoryFees: a.RegulatoryFees, Realism: a.Realism, ReviewOrders: a.ReviewOrders}
	if err := oneOf("dtbp_check", in.DTBPCheck, "entry", "exit", "both"); err != nil {
		return st, err
	}
	if err := oneOf("trade_confirm_email", in.TradeConfirmEmail, "all", "none"); err != nil {
		return st, err
	}
	if err := oneOf("pdt_check", in.PDTCheck, "entry", "exit", "both"); err != nil {
		return st, err
	}
	if in.SuspendTrade != nil && *in.SuspendTrade {
		return st, Unprocessable("suspend_trade is not supported here: revoke the API key to stop a bot")
	}
	switch in.MaxMarginMultiplier {
	case "":
	case "1":
		st.Margin = false
	case "2", "4":
		st.Margin = true
	default:
		return st, BadRequest(`invalid max_margin_multiplier (accepted: "1", "2", "4")`)
	}
	if in.NoShorting != nil {
		st.ShortingEnabled = !*in.NoShorting
	}
	if !st.Margin {
		st.ShortingEnabled = false // a cash account cannot short whatever no_shorting says
	}
	if in.Realism != "" {
		st.Realism = in.Realism
	}
	if in.Commission != "" {
		st.Commission = in.Commission
	}
	if in.RegulatoryFees != nil {
		st.RegulatoryFees = *in.RegulatoryFees
	}
	return st, nil
}

func oneOf(field, value string, allowed ...string) error {
	if value == "" {
		return nil
	}
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return BadRequest("invalid " + field + " " + strconv.Quote(value))
}
