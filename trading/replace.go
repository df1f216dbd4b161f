package trading

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// ReplaceRequest mirrors the body of Alpaca's PATCH /v2/orders/{id}: omitted fields keep the old
// order's values. Trail is the new trail amount in the old order's unit (dollars or percent).
type ReplaceRequest struct {
	Qty           decimal.NullDecimal `json:"qty"`
	TimeInForce   fill.TimeInForce    `json:"time_in_force"`
	LimitPrice    decimal.NullDecimal `json:"limit_price"`
	StopPrice     decimal.NullDecimal `json:"stop_price"`
	Trail         decimal.NullDecimal `json:"trail"`
	ClientOrderID string              `json:"client_order_id"`
}

// ReplaceOrder replaces an open simple order with a new one, as Alpaca does: the new order gets a
// new id and `replaces`, the old one ends as `replaced` with `replaced_by`. It is one
// transaction, so if the old order filled first the replace is refused and nothing changes. The
// old order's buying power is released before the new one's is checked.
func (s *Service) ReplaceOrder(ctx context.Context, userID, accountID int64, id uuid.UUID, r ReplaceRequest, source string) (*models.Order, error) {
	ch := newChanges()
	var placed *models.Order
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.lockOwned(ctx, tx, userID, accountID)
		if err != nil {
			return err
		}
		old, err := lockOrder(ctx, tx, a.ID, id)
		if err != nil {
			return err
		}
		switch {
		case !old.IsOpen():
			return notCancelable(old)
		case old.Status == models.OrderHeld:
			return unprocessable("", "a held leg cannot be replaced before its entry order fills")
		case old.OrderClass != string(order.Simple):
			return unprocessable("", fmt.Sprintf("replacing %s orders is not supported; cancel the order and place a new one", old.OrderClass))
		case !old.Qty.Valid:
			return unprocessable("qty", "a notional order cannot be replaced")
		}
		asset, err := s.tradableAsset(ctx, old.Symbol)
		if err != nil {
			return err
		}
		req := replacement(old, r)
		n, err := order.Validate(req, order.AssetInfoFrom(asset.MarketAsset()), order.Options{})
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if err := s.finish(ctx, tx, a, old, models.OrderReplaced, "Replaced by a new order.", now, ch); err != nil {
			return err
		}
		placed, err = s.admit(ctx, tx, a, asset, n, source, old, ch)
		if err != nil {
			return err
		}
		old.ReplacedBy = &placed.ID
		if err := tx.Model(old).Update("replaced_by", placed.ID).Error; err != nil {
			return fmt.Errorf("trading: replace: %w", err)
		}
		ch.touch(a, old)
		for i := range ch.updates {
			if ch.updates[i].Order.ID == old.ID {
				ch.updates[i].Order.ReplacedBy = &placed.ID
			}
		}
		return nil
	})
	if err != nil {
		return nil, uniqueClientID(err)
	}
	s.commit(ch)
	return ch.orders[placed.ID], nil
}

// replacement is the request for the new order: the old order's terms with the changes applied.
// The quantity is the new order's whole quantity; what the old order already filled stays with it.
func replacement(old *models.Order, r ReplaceRequest) order.Request {
	req := order.Request{
		Symbol: old.Symbol, Qty: decimal.NullDecimal{Decimal: old.LeavesQty(), Valid: true}, Side: fill.Side(old.Side),
		Type: fill.OrderType(old.Type), TimeInForce: fill.TimeInForce(old.TimeInForce), LimitPrice: old.LimitPrice,
		StopPrice: old.StopPrice, TrailPrice: old.TrailPrice, TrailPercent: old.TrailPercent,
		ExtendedHours: old.ExtendedHours, ClientOrderID: r.ClientOrderID, OrderClass: order.Simple,
	}
	if old.Type == string(fill.TrailingStop) {
		req.StopPrice = decimal.NullDecimal{} // a trailing stop's stop is state, not a term
	}
	if r.Qty.Valid {
		req.Qty = r.Qty
	}
	if r.TimeInForce != "" {
		req.TimeInForce = r.TimeInForce
	}
	if r.LimitPrice.Valid {
		req.LimitPrice = r.LimitPrice
	}
	if r.StopPrice.Valid {
		req.StopPrice = r.StopPrice
	}
	if r.Trail.Valid {
		if old.TrailPercent.Valid {
			req.TrailPercent = r.Trail
		} else {
			req.TrailPrice = r.Trail
		}
	}
	return req
}
