package trading

import (
	"context"
	"errors"

	"github.com/shopspring/decimal"

	"alpacawrapper/models"
)

// AccountValue loads one of a person's accounts and values it, reading the account, its
// positions and its working orders in one query (Account then Value take three): it is the
// whole of GET /v2/account's work, which bots poll. Another person's account is
// ErrAccountNotFound.
func (s *Service) AccountValue(ctx context.Context, userID, accountID int64) (*models.PaperAccount, Valuation, error) {
	sum, err := models.AccountSummaryOf(ctx, s.db, userID, accountID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, Valuation{}, ErrAccountNotFound
	}
	if err != nil {
		return nil, Valuation{}, err
	}
	reserved, closing := decimal.Zero, make(map[string]decimal.Decimal, len(sum.Holds))
	for _, h := range sum.Holds {
		reserved = reserved.Add(h.Reserved)
		closing[h.Symbol+"/"+h.Side] = h.Leaves
	}
	a := &sum.Account
	return a, s.valueOf(ctx, a, sum.Positions, reserved, closing), nil
}
