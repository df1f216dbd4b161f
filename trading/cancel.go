package trading

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// ErrOrderNotFound refuses an order that does not exist or is another account's.
var ErrOrderNotFound = &apperr.Error{Kind: apperr.KindNotFound, Code: CodeNotFound, Message: "order not found"}

// lockOrder loads one of the account's orders with its row locked.
func lockOrder(ctx context.Context, tx *gorm.DB, accountID int64, id uuid.UUID) (*models.Order, error) {
	o, err := models.LockOrder(ctx, tx, accountID, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrOrderNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("trading: %w", err)
	}
	return o, nil
}

// notCancelable is Alpaca's 422 for an order that has already ended.
func notCancelable(o *models.Order) error {
	return unprocessable("", fmt.Sprintf("order is already in %q state", o.Status))
}

// CancelOrder cancels an open order and the rest of its bracket, OTO or OCO group (cancelling any
// order of a group cancels the group, as at Alpaca). An order that has ended is refused with 422.
func (s *Service) CancelOrder(ctx context.Context, userID, accountID int64, id uuid.UUID) (*models.Order, error) {
	ch := newChanges()
	var out *models.Order
	err := s.transact(ctx, ch, func(tx *gorm.DB) error {
		a, err := s.lockOwned(ctx, tx, userID, accountID)
		if err != nil {
			return err
		}
		o, err := lockOrder(ctx, tx, a.ID, id)
		if err != nil {
			return err
		}
		if !o.IsOpen() {
			return notCancelable(o)
		}
		now := s.now().UTC()
		if err := s.endGroup(ctx, tx, a, o, models.OrderCanceled, "Canceled by you.", now, ch); err != nil {
			return err
		}
		out = o
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.commit(ch)
	return out, nil
}

// CancelAll cancels every open order of the account (Alpaca's DELETE /v2/orders) in one
// transaction and returns the orders it canceled, oldest first, legs included.
func (s *Service) CancelAll(ctx context.Context, userID, accountID int64) ([]models.Order, error) {
	return s.cancelAll(ctx, "Canceled by you (cancel all).", func(tx *gorm.DB) (*models.PaperAccount, error) {
		return s.lockOwned(ctx, tx, userID, accountID)
	}, nil)
}

// cancelAll is CancelAll on the account lock returns (locked), with why as the orders' reason.
// within, when set, runs last in the same transaction with the orders it canceled (an operator's
// audit entry, or a refusal when there were none): its error rolls everything back.
func (s *Service) cancelAll(ctx context.Context, why string, lock func(tx *gorm.DB) (*models.PaperAccount, error), within func(tx *gorm.DB, a *models.PaperAccount, canceled []models.Order) error) ([]models.Order, error) {
	ch := newChanges()
	var out []models.Order
	// Through transact, like every engine transaction, so the cancels reach the trade-event log.
	err := s.transact(ctx, ch, func(tx *gorm.DB) error {
		a, err := lock(tx)
		if err != nil {
			return err
		}
		open, err := models.LockOpenOrdersOf(ctx, tx, a.ID)
		if err != nil {
			return fmt.Errorf("trading: cancel all: %w", err)
		}
		now := s.now().UTC()
		for i := range open {
			if err := s.finish(ctx, tx, a, &open[i], models.OrderCanceled, why, now, ch); err != nil {
				return err
			}
		}
		if within != nil {
			if err := within(tx, a, open); err != nil {
				return err
			}
		}
		out = open
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.commit(ch)
	return out, nil
}

// endGroup ends an order and every open order of its group with the same status.
func (s *Service) endGroup(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, status, reason string, at time.Time, ch *changes) error {
	if err := s.finish(ctx, tx, a, o, status, reason, at, ch); err != nil {
		return err
	}
	group, err := s.group(ctx, tx, o)
	if err != nil {
		return err
	}
	for i := range group {
		if err := s.finish(ctx, tx, a, &group[i], status, reason, at, ch); err != nil {
			return err
		}
	}
	return nil
}
