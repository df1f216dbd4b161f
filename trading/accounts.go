package trading

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading/fees"
	"alpacawrapper/trading/fill"
)

// DefaultStartingCash is what a paper account starts with unless its owner chooses otherwise,
// as at Alpaca.
var DefaultStartingCash = decimal.NewFromInt(100_000)

// Limits on what a person may choose for an account.
var (
	minStartingCash = decimal.NewFromInt(1)
	maxStartingCash = decimal.NewFromInt(1_000_000_000)
)

// MaxAccountsPerUser bounds how many paper accounts one person may open.
const MaxAccountsPerUser = 20

// Settings are an account's trading rules, chosen by its owner.
type Settings struct {
	Margin          bool   // a margin account (Reg T 2x overnight, 4x intraday); false: cash
	ShortingEnabled bool   // needs Margin
	Commission      string // a fees.Schedule name
	RegulatoryFees  bool   // charge SEC and FINRA TAF fees on sells
	Realism         string // "easy", "realistic" or "harsh"
	// ReviewOrders is not a trading rule but the owner's choice for the trade pages: show each
	// order's figures and legs for a last look before it is sent (the API never asks).
	ReviewOrders bool
}

// DefaultSettings are a new account's: a margin account with shorting, as Alpaca's paper
// accounts are, no commission or regulatory fees (Alpaca charges neither), realistic fills.
func DefaultSettings() Settings {
	return Settings{Margin: true, ShortingEnabled: true, Commission: "free", Realism: "realistic", ReviewOrders: true}
}

// validate checks the settings, field by field.
func (st Settings) validate(f apperr.Fields) {
	if _, ok := fees.ScheduleByName(st.Commission); !ok {
		f.Add("commission", "Choose a commission schedule from the list.")
	}
	if _, ok := fill.Preset(st.Realism); !ok {
		f.Add("realism", "Choose easy, realistic or harsh.")
	}
	if st.ShortingEnabled && !st.Margin {
		f.Add("shorting_enabled", "Short selling needs a margin account.")
	}
}

// NewAccount is the form for opening an account.
type NewAccount struct {
	Name         string
	StartingCash decimal.Decimal
	Settings     Settings
}

// OpenAccount opens a paper account for a person, with its opening deposit in the ledger and a
// first equity snapshot. tx may be a transaction the caller is in (sign-up opens the first
// account inside its own); the first account a person opens becomes their primary one.
func (s *Service) OpenAccount(ctx context.Context, tx *gorm.DB, userID int64, in NewAccount) (*models.PaperAccount, error) {
	f := apperr.Fields{}
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		f.Add("name", "Give the account a name.")
	case len([]rune(in.Name)) > 60:
		f.Add("name", "Use at most 60 characters.")
	}
	checkCash(f, "starting_cash", in.StartingCash)
	in.Settings.validate(f)
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var acct *models.PaperAccount
	err := tx.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		existing, err := models.PaperAccountsOf(ctx, tx, userID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxAccountsPerUser {
			return apperr.New(apperr.KindConflict, "too_many_accounts", fmt.Sprintf("You can have at most %d paper accounts; reset or close one instead.", MaxAccountsPerUser))
		}
		for _, e := range existing {
			if strings.EqualFold(e.Name, in.Name) {
				return apperr.Invalid(map[string]string{"name": "You already have an account with this name."})
			}
		}
		acct = &models.PaperAccount{
			UserID: userID, Name: in.Name, Number: accountNumber(), Status: "ACTIVE", Currency: "USD",
			StartingCash: in.StartingCash, Cash: in.StartingCash, LastEquity: in.StartingCash,
			Margin: in.Settings.Margin, ShortingEnabled: in.Settings.ShortingEnabled, Commission: in.Settings.Commission,
			RegulatoryFees: in.Settings.RegulatoryFees, Realism: in.Settings.Realism, ReviewOrders: in.Settings.ReviewOrders,
			Period: 1, PeriodStartedAt: now, IsPrimary: len(existing) == 0, CreatedAt: now, UpdatedAt: now,
		}
		if err := models.InsertPaperAccount(ctx, tx, acct); err != nil {
			return fmt.Errorf("trading: %w", err)
		}
		return s.startPeriod(ctx, tx, acct, models.LedgerDeposit, in.StartingCash, "Opening deposit", now)
	})
	if err != nil {
		return nil, err
	}
	return acct, nil
}

// OpenFirstAccount is the sign-up hook: everyone starts with a $100,000 account.
func (s *Service) OpenFirstAccount(ctx context.Context, tx *gorm.DB, u *models.User) error {
	_, err := s.OpenAccount(ctx, tx, u.ID, NewAccount{Name: "Paper", StartingCash: DefaultStartingCash, Settings: DefaultSettings()})
	return err
}

// startPeriod writes the ledger entry that brings cash to the period's starting amount and the
// period's first equity snapshot.
func (s *Service) startPeriod(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, kind string, amount decimal.Decimal, what string, at time.Time) error {
	e := models.LedgerEntry{AccountID: a.ID, Period: a.Period, Kind: kind, Amount: amount, BalanceAfter: a.Cash, Description: what, CreatedAt: at}
	if err := models.InsertLedgerEntry(ctx, tx, &e); err != nil {
		return fmt.Errorf("trading: %w", err)
	}
	snap := models.EquitySnapshot{AccountID: a.ID, At: at, Period: a.Period, Kind: models.SnapshotIntraday,
		Equity: a.Cash, Cash: a.Cash, NetFlow: a.Cash}
	// A reset in the same instant as another snapshot (possible only with a frozen clock) replaces it.
	if _, err := models.InsertEquitySnapshot(ctx, tx, &snap, models.ReplaceSnapshot); err != nil {
		return fmt.Errorf("trading: first snapshot: %w", err)
	}
	return nil
}

// checkCash validates an amount of starting cash.
func checkCash(f apperr.Fields, field string, d decimal.Decimal) {
	switch {
	case d.LessThan(minStartingCash):
		f.Add(field, "Start with at least $1.")
	case d.GreaterThan(maxStartingCash):
		f.Add(field, "Start with at most $1,000,000,000.")
	case !d.Equal(d.Round(2)):
		f.Add(field, "Use dollars and cents (at most two decimals).")
	}
}

// accountNumber is a random account number in Alpaca's style (PA followed by ten characters).
func accountNumber() string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "PA" + string(b)
}

// UpdateSettings changes an account's settings. Orders already working keep the realism they
// were placed under until their next evaluation, which reads the new one.
func (s *Service) UpdateSettings(ctx context.Context, userID, accountID int64, name string, st Settings) (*models.PaperAccount, error) {
	f := apperr.Fields{}
	name = strings.TrimSpace(name)
	if name == "" {
		f.Add("name", "Give the account a name.")
	} else if len([]rune(name)) > 60 {
		f.Add("name", "Use at most 60 characters.")
	}
	st.validate(f)
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *models.PaperAccount
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.lockOwned(ctx, tx, userID, accountID)
		if err != nil {
			return err
		}
		if !st.ShortingEnabled || !st.Margin {
			short, err := models.HasShortPositions(ctx, tx, a.ID, a.Period)
			if err != nil {
				return fmt.Errorf("trading: settings: %w", err)
			}
			if short {
				return apperr.Invalid(map[string]string{"shorting_enabled": "Close your short positions before turning short selling off."})
			}
		}
		if !st.Margin && a.Cash.IsNegative() {
			return apperr.Invalid(map[string]string{"margin": "This account has borrowed cash; sell positions until cash is positive before switching to a cash account."})
		}
		clash, err := models.AccountNameTaken(ctx, tx, userID, a.ID, name)
		if err != nil {
			return fmt.Errorf("trading: settings: %w", err)
		}
		if clash {
			return apperr.Invalid(map[string]string{"name": "You already have an account with this name."})
		}
		a.Name, a.Margin, a.ShortingEnabled, a.Commission, a.RegulatoryFees, a.Realism, a.ReviewOrders =
			name, st.Margin, st.ShortingEnabled, st.Commission, st.RegulatoryFees, st.Realism, st.ReviewOrders
		a.UpdatedAt = s.now().UTC()
		if err := models.SavePaperAccount(ctx, tx, a); err != nil {
			return fmt.Errorf("trading: settings: %w", err)
		}
		out = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The index carries each order's realism (the matcher asks the fill model with it before
	// opening a transaction), so the account's working orders are re-indexed with the new one.
	s.reindex(ctx, out)
	return out, nil
}

// reindex refreshes the index entries of an account's working orders, keeping trailing stops'
// live water marks.
func (s *Service) reindex(ctx context.Context, a *models.PaperAccount) {
	open, err := models.WorkingOrdersOf(ctx, s.db, a.ID)
	if err != nil {
		s.log.Warn("trading: reindex after a settings change failed; the periodic sync will catch up", "error", err)
		return
	}
	for i := range open {
		s.index.Upsert(s.liveEntry(&open[i], realism(a)))
	}
}

// lockOwned locks one of a person's accounts; another person's is not found.
func (s *Service) lockOwned(ctx context.Context, tx *gorm.DB, userID, accountID int64) (*models.PaperAccount, error) {
	a, err := models.LockPaperAccount(ctx, tx, accountID)
	if errors.Is(err, models.ErrNotFound) || (err == nil && a.UserID != userID) {
		return nil, ErrAccountNotFound
	}
	return a, err
}

// ErrAccountNotFound refuses access to an account that does not exist or is someone else's.
var ErrAccountNotFound = apperr.New(apperr.KindNotFound, "account_not_found", "No such paper account.")

// Account loads one of a person's accounts.
func (s *Service) Account(ctx context.Context, userID, accountID int64) (*models.PaperAccount, error) {
	a, err := models.PaperAccountOf(ctx, s.db, userID, accountID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrAccountNotFound
	}
	return a, err
}

// Accounts lists a person's accounts, the primary one first.
func (s *Service) Accounts(ctx context.Context, userID int64) ([]models.PaperAccount, error) {
	return models.PaperAccountsOf(ctx, s.db, userID)
}

// MakePrimary makes one of a person's accounts their primary one. Another person's account is
// not found, and nothing changes.
func (s *Service) MakePrimary(ctx context.Context, userID, accountID int64) (*models.PaperAccount, error) {
	var out *models.PaperAccount
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.lockOwned(ctx, tx, userID, accountID)
		if err != nil {
			return err
		}
		if err := models.MakePrimary(ctx, tx, userID, a.ID); err != nil {
			return fmt.Errorf("trading: make primary: %w", err)
		}
		a.IsPrimary, out = true, a
		return nil
	})
	return out, err
}
