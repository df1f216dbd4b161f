package trading

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// Reset starts an account over with the given cash. Nothing is deleted: the current period is
// closed (its orders, fills, positions and ledger stay, marked with the period, and a period row
// records how it ended), open orders are canceled, and a new period starts with a ledger entry
// that brings cash to the new amount.
func (s *Service) Reset(ctx context.Context, userID, accountID int64, cash decimal.Decimal) (*models.PaperAccount, error) {
	return s.reset(ctx, cash, "The account was reset.", func(tx *gorm.DB) (*models.PaperAccount, error) {
		return s.lockOwned(ctx, tx, userID, accountID)
	}, nil)
}

// reset is Reset on the account lock returns (locked), with what canceled orders give as their
// reason. within, when set, runs last in the same transaction with the account before and after
// (an operator's audit entry): its error rolls the whole reset back.
func (s *Service) reset(ctx context.Context, cash decimal.Decimal, why string, lock func(tx *gorm.DB) (*models.PaperAccount, error), within func(tx *gorm.DB, before, after models.PaperAccount) error) (*models.PaperAccount, error) {
	f := apperr.Fields{}
	checkCash(f, "starting_cash", cash)
	if err := f.Err(); err != nil {
		return nil, err
	}
	ch := newChanges()
	var out *models.PaperAccount
	err := s.transact(ctx, ch, func(tx *gorm.DB) error {
		a, err := lock(tx)
		if err != nil {
			return err
		}
		before := *a
		now := s.now().UTC()
		v, err := s.Value(ctx, tx, a)
		if err != nil {
			return err
		}
		open, err := models.ListOrders(ctx, tx, models.OrderQuery{AccountID: a.ID, Period: a.Period, Status: "open", Limit: 500})
		for err == nil && len(open) > 0 {
			for i := range open {
				if err := s.finish(ctx, tx, a, &open[i], models.OrderCanceled, why, now, ch); err != nil {
					return err
				}
			}
			open, err = models.ListOrders(ctx, tx, models.OrderQuery{AccountID: a.ID, Period: a.Period, Status: "open", Limit: 500})
		}
		if err != nil {
			return err
		}
		closed := models.PaperAccountPeriod{AccountID: a.ID, Period: a.Period, StartedAt: a.PeriodStartedAt, EndedAt: now,
			StartingCash: a.StartingCash, EndingEquity: v.Equity}
		if err := models.InsertAccountPeriod(ctx, tx, &closed); err != nil {
			return fmt.Errorf("trading: %w", err)
		}
		adjust := cash.Sub(a.Cash)
		a.Period++
		a.PeriodStartedAt, a.StartingCash, a.Cash, a.LastEquity, a.LastEquityAt, a.UpdatedAt = now, cash, cash, cash, nil, now
		if err := models.SavePaperAccount(ctx, tx, a); err != nil {
			return fmt.Errorf("trading: reset: %w", err)
		}
		what := fmt.Sprintf("Reset to $%s (period %d)", cash.StringFixed(2), a.Period)
		if err := s.startPeriod(ctx, tx, a, models.LedgerReset, adjust, what, now); err != nil {
			return err
		}
		if within != nil {
			if err := within(tx, before, *a); err != nil {
				return err
			}
		}
		ch.updates = append(ch.updates, TradeUpdate{AccountID: a.ID, Event: EventReset, At: now})
		out = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.commit(ch)
	return out, nil
}
