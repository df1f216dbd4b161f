package trading

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// Operators' actions on any paper account (the admin pages). Each runs in one engine transaction
// on the locked account and calls the caller's record last in that transaction with the state
// before and after, so the operator's audit entry commits exactly when the change does; an error
// from record, or a refusal, leaves neither. The engine does not know about audit entries: record
// is whatever the caller needs written alongside.

// Record writes what an operator's action needs written in its transaction (an audit entry).
type Record func(tx *gorm.DB, before, after any) error

// Limits of an operator's cash adjustment.
var maxAdjustment = decimal.NewFromInt(1_000_000_000)

// maxAdjustReason bounds the reason of an adjustment, which becomes the ledger line's description.
const maxAdjustReason = 200

// ErrFrozen refuses an order on an account whose trading an operator froze (Alpaca answers a
// trading_blocked account with 403 too).
var ErrFrozen = &apperr.Error{Kind: apperr.KindForbidden, Code: CodeForbidden,
	Message: "trading is blocked on this account: an operator froze it"}

// lockAny locks an account whoever owns it; a missing one is ErrAccountNotFound.
func lockAny(ctx context.Context, tx *gorm.DB, accountID int64) (*models.PaperAccount, error) {
	a, err := models.LockPaperAccount(ctx, tx, accountID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrAccountNotFound
	}
	return a, err
}

// periodChanged refuses an action prepared against a period the account has since left (it was
// reset after the operator loaded the page): what they saw is no longer what they would change.
func periodChanged(a *models.PaperAccount, period int) error {
	if period == a.Period {
		return nil
	}
	return apperr.New(apperr.KindConflict, "already_changed", fmt.Sprintf(
		"This account was reset since the page was loaded (it is in period %d now, not %d); nothing was changed. Reload the page to see the current state.",
		a.Period, period))
}

// accountState is what an audit entry records of an account.
func accountState(a *models.PaperAccount) map[string]any {
	return map[string]any{"period": a.Period, "cash": a.Cash.String(), "starting_cash": a.StartingCash.String(),
		"trading_frozen": a.TradingFrozenAt != nil}
}

// CashAdjustment is an operator's correction of an account's cash.
type CashAdjustment struct {
	AccountID int64
	Period    int             // the period the operator saw; another refuses the adjustment
	Amount    decimal.Decimal // added to cash; negative takes cash away
	Reason    string          // why, kept in the ledger line's description
}

// validate checks an adjustment's amount and reason, field by field.
func (in *CashAdjustment) validate() error {
	f := apperr.Fields{}
	switch {
	case in.Amount.IsZero():
		f.Add("amount", "Enter an amount other than zero: positive adds cash, negative takes it away.")
	case in.Amount.Abs().GreaterThan(maxAdjustment):
		f.Add("amount", "Adjust by at most $1,000,000,000 at a time.")
	case !in.Amount.Equal(in.Amount.Round(2)):
		f.Add("amount", "Use dollars and cents (at most two decimals).")
	}
	in.Reason = strings.Join(strings.Fields(in.Reason), " ")
	switch n := utf8.RuneCountInString(in.Reason); {
	case n < 3:
		f.Add("reason", "Say why, in a few words: the reason is kept in the account's ledger.")
	case n > maxAdjustReason:
		f.Add("reason", fmt.Sprintf("Use at most %d characters.", maxAdjustReason))
	}
	return f.Err()
}

// AdjustCash adds in.Amount to the account's cash with a ledger line of kind adjustment that
// carries the reason: cash never changes without a line saying why. The account's previous-close
// equity moves by the same amount, and an equity snapshot records it as a flow, so neither the
// day's P&L nor the period's return counts the adjustment as a gain or loss. Taking away more cash
// than the account has is refused.
func (s *Service) AdjustCash(ctx context.Context, in CashAdjustment, record Record) (*models.PaperAccount, *models.LedgerEntry, error) {
	if err := in.validate(); err != nil {
		return nil, nil, err
	}
	var out *models.PaperAccount
	var line *models.LedgerEntry
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := lockAny(ctx, tx, in.AccountID)
		if err != nil {
			return err
		}
		if err := periodChanged(a, in.Period); err != nil {
			return err
		}
		before := accountState(a)
		cash := a.Cash.Add(in.Amount)
		if in.Amount.IsNegative() && cash.IsNegative() {
			return apperr.Invalid(map[string]string{"amount": fmt.Sprintf(
				"The account holds $%s in cash; take away at most that much.", a.Cash.StringFixed(2))})
		}
		now := s.now().UTC()
		a.Cash, a.LastEquity, a.UpdatedAt = cash, a.LastEquity.Add(in.Amount), now
		if err := models.SavePaperAccount(ctx, tx, a); err != nil {
			return fmt.Errorf("trading: adjust cash: %w", err)
		}
		line = &models.LedgerEntry{AccountID: a.ID, Period: a.Period, Kind: models.LedgerAdjustment, Amount: in.Amount,
			BalanceAfter: cash, Description: "Adjusted by an operator: " + in.Reason, CreatedAt: now}
		if err := models.InsertLedgerEntry(ctx, tx, line); err != nil {
			return fmt.Errorf("trading: %w", err)
		}
		v, err := s.Value(ctx, tx, a)
		if err != nil {
			return err
		}
		snap := models.EquitySnapshot{AccountID: a.ID, At: now, Period: a.Period, Kind: models.SnapshotIntraday,
			Equity: v.Equity, Cash: v.Cash, LongMarketValue: v.LongMarketValue, ShortMarketValue: v.ShortMarketValue, NetFlow: in.Amount}
		if _, err := models.InsertEquitySnapshot(ctx, tx, &snap, models.ReplaceSnapshot); err != nil {
			return fmt.Errorf("trading: adjustment snapshot: %w", err)
		}
		after := accountState(a)
		after["ledger_id"], after["amount"], after["reason"] = line.ID, in.Amount.String(), in.Reason
		out = a
		return record(tx, before, after)
	})
	if err != nil {
		return nil, nil, err
	}
	return out, line, nil
}

// OperatorCancelAll cancels every open order of any account, as its owner's cancel all does, with
// an operator's reason on each order. An account with no open order is refused (nothing to do,
// most likely done already by someone else): nothing is written.
func (s *Service) OperatorCancelAll(ctx context.Context, accountID int64, record Record) ([]models.Order, error) {
	return s.cancelAll(ctx, "Canceled by an operator.", func(tx *gorm.DB) (*models.PaperAccount, error) {
		return lockAny(ctx, tx, accountID)
	}, func(tx *gorm.DB, a *models.PaperAccount, canceled []models.Order) error {
		if len(canceled) == 0 {
			return apperr.New(apperr.KindConflict, "already_changed",
				"This account has no open orders; nothing was changed. Reload the page to see the current state.")
		}
		ids := make([]string, len(canceled))
		for i := range canceled {
			ids[i] = canceled[i].ID.String()
		}
		return record(tx, map[string]any{"open_orders": len(canceled)}, map[string]any{"open_orders": 0, "canceled": ids})
	})
}

// OperatorReset is the owner's reset (Reset: the period closes with its history kept, open orders
// are canceled, a new period starts with cash) done by an operator on any account, refused when
// the account has left period since the operator looked.
func (s *Service) OperatorReset(ctx context.Context, accountID int64, period int, cash decimal.Decimal, record Record) (*models.PaperAccount, error) {
	return s.reset(ctx, cash, "The account was reset by an operator.", func(tx *gorm.DB) (*models.PaperAccount, error) {
		a, err := lockAny(ctx, tx, accountID)
		if err != nil {
			return nil, err
		}
		return a, periodChanged(a, period)
	}, func(tx *gorm.DB, before, after models.PaperAccount) error {
		return record(tx, accountState(&before), accountState(&after))
	})
}

// SetTradingFrozen freezes (or unfreezes) trading on an account: while frozen, the engine refuses
// every new order and replacement on it (ErrFrozen) and the Alpaca API reports trading_blocked.
// Orders already working are left alone; cancelling them is a separate action. Asking for the
// state the account is already in is refused, and nothing is written.
func (s *Service) SetTradingFrozen(ctx context.Context, accountID int64, frozen bool, record Record) (*models.PaperAccount, error) {
	var out *models.PaperAccount
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := lockAny(ctx, tx, accountID)
		if err != nil {
			return err
		}
		if (a.TradingFrozenAt != nil) == frozen {
			state := map[bool]string{true: "frozen", false: "not frozen"}[frozen]
			return apperr.New(apperr.KindConflict, "already_changed", fmt.Sprintf(
				"Trading on “%s” is already %s; nothing was changed. Reload the page to see the current state.", a.Name, state))
		}
		before := accountState(a)
		now := s.now().UTC()
		a.TradingFrozenAt, a.UpdatedAt = nil, now
		if frozen {
			a.TradingFrozenAt = &now
		}
		if err := models.SavePaperAccount(ctx, tx, a); err != nil {
			return fmt.Errorf("trading: freeze: %w", err)
		}
		out = a
		return record(tx, before, accountState(a))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
