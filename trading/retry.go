package trading

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// retried answers a placement whose client_order_id the account has used before (issue 10, item
// 18): a client whose reply was lost sends the same order again, and gets the order it placed,
// whatever has happened to it since; a different order under the same id is refused, as Alpaca
// refuses a duplicate id. nil, nil means the id is new.
func retried(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, asset *models.Asset, n order.Normalized) (*models.Order, error) {
	prev, err := models.OrderByClientID(ctx, tx, a.ID, n.ClientOrderID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("trading: client order id: %w", err)
	}
	legs, err := models.OrderLegs(ctx, tx, []uuid.UUID{prev.ID})
	if err != nil {
		return nil, fmt.Errorf("trading: client order id: %w", err)
	}
	placeAs(&n, asset.Class == market.Crypto) // compare with what was stored
	if prev.ParentID != nil || !samePlacement(prev, legs[prev.ID], asset, n) {
		return nil, unprocessable("client_order_id", "client_order_id must be unique")
	}
	return prev, nil
}

// retriedAfterRace is retried for a placement that lost the race to the unique index: it reads
// the winner in a transaction of its own.
func (s *Service) retriedAfterRace(ctx context.Context, userID, accountID int64, asset *models.Asset, n order.Normalized) (*models.Order, error) {
	var prev *models.Order
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.lockOwned(ctx, tx, userID, accountID)
		if err != nil {
			return err
		}
		prev, err = retried(ctx, tx, a, asset, n)
		return err
	})
	return prev, err
}

// samePlacement reports whether o (with its legs) is what placing n would have stored: the same
// instrument, side, type, time in force, class, size, prices and legs (as first placed: a leg
// replaced since still counts by its original prices).
func samePlacement(o *models.Order, legs []models.Order, asset *models.Asset, n order.Normalized) bool {
	size := o.Notional.Valid == !n.Notional.IsZero() && sameDec(o.Notional, n.Notional)
	if n.Notional.IsZero() {
		size = size && sameDec(o.Qty, n.Qty)
	}
	if !size || o.AssetID != asset.ID || o.Side != string(n.Side) || o.Type != string(n.Type) ||
		o.TimeInForce != string(n.TimeInForce) || o.OrderClass != string(n.OrderClass) || o.ExtendedHours != n.ExtendedHours ||
		!sameDec(o.LimitPrice, n.LimitPrice) || !sameDec(o.StopPrice, n.StopPrice) && o.Type != string(fill.TrailingStop) ||
		!sameDec(o.TrailPrice, n.TrailPrice) || !sameDec(o.TrailPercent, n.TrailPercent) {
		return false
	}
	want := 0
	if n.TakeProfit != nil && n.OrderClass != order.OCO {
		want++
		if !hasLeg(legs, "take_profit", func(l models.Order) bool { return sameDec(l.LimitPrice, n.TakeProfit.LimitPrice) }) {
			return false
		}
	}
	if n.StopLoss != nil {
		want++
		if !hasLeg(legs, "stop_loss", func(l models.Order) bool {
			return sameDec(l.StopPrice, n.StopLoss.StopPrice) && sameDec(l.LimitPrice, n.StopLoss.LimitPrice)
		}) {
			return false
		}
	}
	placed := 0 // legs as placed; a leg replaced since has a successor that replaces it
	for _, l := range legs {
		if l.Replaces == nil {
			placed++
		}
	}
	return placed == want
}

// hasLeg reports whether legs has a leg of the kind that matches.
func hasLeg(legs []models.Order, kind string, match func(models.Order) bool) bool {
	for _, l := range legs {
		if l.Leg != nil && *l.Leg == kind && l.Replaces == nil && match(l) {
			return true
		}
	}
	return false
}

// sameDec compares a stored optional decimal with a normalised one (zero meaning absent).
func sameDec(stored decimal.NullDecimal, v decimal.Decimal) bool {
	if !stored.Valid {
		return v.IsZero()
	}
	return stored.Decimal.Equal(v)
}
