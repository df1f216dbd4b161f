package trading

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/market"
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
	err := s.transact(ctx, ch, func(tx *gorm.DB) error {
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
		case isExit(old) && old.OrderClass != string(order.OTO):
			placed, err = s.replaceExit(ctx, tx, a, old, r, ch)
			return err
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
		if err := uniqueClientOrderID(ctx, tx, a, n.ClientOrderID); err != nil {
			return err
		}
		now := s.now().UTC()
		if err := s.finish(ctx, tx, a, old, models.OrderReplaced, "Replaced by a new order.", now, ch); err != nil {
			return err
		}
		placed, err = s.admit(ctx, tx, a, asset, n, source, old, nil, ch)
		if err != nil {
			return err
		}
		if err := models.SetReplacedBy(ctx, tx, old, placed.ID); err != nil {
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
	if protectedBuyStop(old) && r.StopPrice.Valid && !r.LimitPrice.Valid {
		// A buy stop placed with Alpaca's price protection keeps it: the protective limit is
		// computed again from the new stop (admit's placeAs does), never kept from the old one,
		// which would leave a stop moved above it unable to fill.
		req.Type, req.LimitPrice = fill.Stop, decimal.NullDecimal{}
	}
	return req
}

// ProtectedBuyStop reports whether o is a stock buy stop that Alpaca's price protection turned
// into a stop-limit (the orders pages explain the limit the person did not type).
func ProtectedBuyStop(o *models.Order) bool { return protectedBuyStop(o) }

// protectedBuyStop reports whether o is a stock buy stop that price protection turned into a
// stop-limit: its limit is the one protection gives its stop.
func protectedBuyStop(o *models.Order) bool {
	return o.Side == string(fill.Buy) && o.Type == string(fill.StopLimit) && o.OrderClass == string(order.Simple) &&
		o.AssetClass != string(market.Crypto) && o.StopPrice.Valid && o.LimitPrice.Valid &&
		o.LimitPrice.Decimal.Equal(protectedLimit(o.StopPrice.Decimal))
}

// carryTrail gives a trailing stop that replaces another the old one's water mark (the index's,
// when it has moved further than the stored one), with the new trail applied to it: a replace
// changes the trail, not how far the price has already come. Starting the mark again from the
// quote once moved a stop from 108 back to 105.
func (s *Service) carryTrail(o, old *models.Order) {
	if o.Type != string(fill.TrailingStop) || old.Type != string(fill.TrailingStop) || o.Side != old.Side {
		return
	}
	mark := old.HWM.Decimal
	if cur, ok := s.index.Get(old.ID); ok && cur.Order.WaterMark.IsPositive() && (!old.HWM.Valid || betterMark(old, cur.Order)) {
		mark = cur.Order.WaterMark
	}
	if !mark.IsPositive() {
		return
	}
	o.HWM = nullable(mark)
	o.StopPrice = nullable(fill.TrailStop(fillOrder(o, o.Qty.Decimal), mark))
}

// isExit reports whether o is an exit order of a group: a bracket or OTO leg, or an OCO's
// take-profit (the OCO's parent).
func isExit(o *models.Order) bool {
	return o.Leg != nil || (o.OrderClass == string(order.OCO) && o.ParentID == nil)
}

// replaceExit replaces a bracket or OCO exit with a new order at new prices, as Alpaca lets a
// bot move its stop-loss or take-profit. The leg keeps its group, quantity (which follows the
// entry) and time in force, and a held leg stays held. The new prices must keep the take-profit
// beyond the stop-loss.
func (s *Service) replaceExit(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, old *models.Order, r ReplaceRequest, ch *changes) (*models.Order, error) {
	switch {
	case r.Qty.Valid && !r.Qty.Decimal.Equal(old.LeavesQty()):
		// The new leg is for what the old one has left (its fills stay with it).
		return nil, unprocessable("qty", fmt.Sprintf("the quantity of a bracket or oco leg follows its entry (%s left); change its prices only", old.LeavesQty()))
	case r.TimeInForce != "" && string(r.TimeInForce) != old.TimeInForce:
		return nil, unprocessable("time_in_force", "a bracket or oco leg keeps its group's time_in_force")
	case r.Trail.Valid:
		return nil, unprocessable("trail", "trail is only for trailing_stop orders")
	}
	asset, err := s.tradableAsset(ctx, old.Symbol)
	if err != nil {
		return nil, err
	}
	// Validate the new terms as the simple order the leg is.
	req := replacement(old, ReplaceRequest{LimitPrice: r.LimitPrice, StopPrice: r.StopPrice, ClientOrderID: r.ClientOrderID})
	req.Qty = decimal.NullDecimal{Decimal: old.LeavesQty(), Valid: old.LeavesQty().IsPositive()}
	if !req.Qty.Valid {
		req.Qty = old.Qty
	}
	n, err := order.Validate(req, order.AssetInfoFrom(asset.MarketAsset()), order.Options{})
	if err != nil {
		return nil, err
	}
	group, err := s.group(ctx, tx, old)
	if err != nil {
		return nil, err
	}
	if err := exitPricesAgree(old, n, group); err != nil {
		return nil, err
	}
	if err := uniqueClientOrderID(ctx, tx, a, n.ClientOrderID); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	status := old.Status
	if status == models.OrderPartiallyFilled {
		status = models.OrderNew // the fills stay with the old leg; the new one has none yet
	}
	if err := s.finish(ctx, tx, a, old, models.OrderReplaced, "Replaced by a new order.", now, ch); err != nil {
		return nil, err
	}
	fresh := *old
	fresh.ID, fresh.ClientOrderID, fresh.Replaces, fresh.ReplacedBy = newID(), n.ClientOrderID, &old.ID, nil
	fresh.Status, fresh.Reason, fresh.Reserved, fresh.Triggered, fresh.RestedAt = status, "", decimal.Zero, false, nil
	fresh.Qty, fresh.FilledQty, fresh.FilledAvgPrice = nullable(n.Qty), decimal.Zero, decimal.NullDecimal{}
	fresh.LimitPrice, fresh.StopPrice = nullable(n.LimitPrice), nullable(n.StopPrice)
	fresh.CreatedAt, fresh.UpdatedAt, fresh.SubmittedAt = now, now, now
	fresh.CanceledAt, fresh.ExpiredAt, fresh.FailedAt, fresh.ReplacedAt, fresh.FilledAt = nil, nil, nil, nil, nil
	if err := models.InsertOrders(ctx, tx, &fresh); err != nil {
		return nil, fmt.Errorf("trading: replace leg: %w", err)
	}
	// An OCO's stop-loss hangs off its take-profit: it follows the replacement.
	if err := models.MoveLegs(ctx, tx, old.ID, fresh.ID); err != nil {
		return nil, fmt.Errorf("trading: replace leg: %w", err)
	}
	if err := models.SetReplacedBy(ctx, tx, old, fresh.ID); err != nil {
		return nil, fmt.Errorf("trading: replace leg: %w", err)
	}
	ch.touch(a, old)
	ch.event(a, &fresh, EventNew, now)
	if fresh.Status == models.OrderNew {
		if q, ok := s.quotes.latestCached(fresh.Symbol); ok {
			if err := s.evaluate(ctx, tx, a, &fresh, q, now, ch); err != nil {
				return nil, err
			}
		}
	}
	return &fresh, nil
}

// exitPricesAgree checks a replaced exit's prices against the group's other exit: a sell
// group's take-profit must stay above its stop-loss, a buy group's below.
func exitPricesAgree(old *models.Order, n order.Normalized, group []models.Order) error {
	sell := old.Side == string(fill.Sell)
	for _, o := range group {
		if !o.IsOpen() || !isExit(&o) || o.ID == old.ID {
			continue
		}
		tp, sl := n.LimitPrice, o.StopPrice.Decimal
		if old.Type != string(fill.Limit) { // the one replaced is the stop-loss
			tp, sl = o.LimitPrice.Decimal, n.StopPrice
		}
		if !tp.IsPositive() || !sl.IsPositive() {
			continue
		}
		if sell && !tp.GreaterThan(sl) {
			return unprocessable("", fmt.Sprintf("take_profit.limit_price must be greater than stop_loss.stop_price (%s ≤ %s)", tp, sl))
		}
		if !sell && !tp.LessThan(sl) {
			return unprocessable("", fmt.Sprintf("take_profit.limit_price must be less than stop_loss.stop_price (%s ≥ %s)", tp, sl))
		}
	}
	return nil
}
