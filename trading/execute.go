package trading

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// evaluate runs the fill model on an open order against a quote and applies its decision, inside
// the caller's transaction (which holds the account lock).
func (s *Service) evaluate(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, q market.Quote, now time.Time, ch *changes) error {
	qty := o.LeavesQty()
	if !o.Qty.Valid { // a notional order is sized from the price it would fill at
		var why string
		var err error
		qty, why, err = s.sizeNotional(ctx, tx, a, o, q)
		switch {
		case err != nil:
			return err
		case why != "":
			return s.finish(ctx, tx, a, o, models.OrderRejected, why, now, ch)
		case !qty.IsPositive():
			return nil // no side to size against: the fill model would wait too
		}
	}
	fo := fillOrder(o, qty)
	si := s.sessionInfo(o.AssetClass, now)
	d := fill.Evaluate(fo, q, now, si, realism(a))
	if d.Trail.Changed {
		o.HWM, o.StopPrice = nullable(d.Trail.WaterMark), nullable(d.Trail.Stop)
	}
	// An order that met a usable quote in a session that trades it rests from now on (a queued
	// order arrives at the open once, and so does yesterday's resting order).
	if d.Rested {
		o.RestedAt = &now
	}
	switch d.Action {
	case fill.Wait:
		return s.saveState(ctx, tx, o, now, ch)
	case fill.Trigger:
		o.Triggered = true
		if err := s.saveState(ctx, tx, o, now, ch); err != nil {
			return err
		}
		ch.event(a, o, EventTriggered, now)
		return nil
	case fill.Execute:
		if d.Triggered {
			o.Triggered = true
		}
		if !o.Qty.Valid {
			o.Qty = nullable(qty)
		}
		if err := s.applyFill(ctx, tx, a, o, q, d.Fill, now, ch); err != nil {
			return err
		}
		if d.CancelRemainder && o.IsOpen() {
			return s.finish(ctx, tx, a, o, models.OrderCanceled, "The rest of an immediate-or-cancel order was canceled.", now, ch)
		}
		return nil
	case fill.Cancel:
		return s.finish(ctx, tx, a, o, models.OrderCanceled, d.Detail, now, ch)
	default:
		return s.finish(ctx, tx, a, o, models.OrderRejected, d.Detail, now, ch)
	}
}

// saveState persists what an evaluation changed without a fill: the trigger flag, a trailing
// stop's water mark and stop, and whether the order rests.
func (s *Service) saveState(ctx context.Context, tx *gorm.DB, o *models.Order, now time.Time, ch *changes) error {
	o.UpdatedAt = now
	if err := storeOrder(ctx, tx, o, ch, "triggered", "rested_at", "hwm", "stop_price", "updated_at"); err != nil {
		return fmt.Errorf("trading: save order state: %w", err)
	}
	return nil
}

// storeOrder writes the named columns of o, or the whole row if o was placed in this
// transaction and is not written yet (changes.unsaved).
func storeOrder(ctx context.Context, tx *gorm.DB, o *models.Order, ch *changes, columns ...string) error {
	if ch.unsaved[o.ID] {
		delete(ch.unsaved, o.ID)
		return models.InsertOrders(ctx, tx, o)
	}
	return models.SaveOrder(ctx, tx, o, columns...)
}

// finish ends an open order without (further) fills: canceled, expired or rejected. It releases
// the buying power the order held.
func (s *Service) finish(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, status, reason string, now time.Time, ch *changes) error {
	if !o.IsOpen() {
		return nil
	}
	o.Status, o.Reason, o.Reserved, o.UpdatedAt = status, reason, decimal.Zero, now
	event := EventCanceled
	switch status {
	case models.OrderCanceled:
		o.CanceledAt = &now
	case models.OrderExpired:
		o.ExpiredAt, event = &now, EventExpired
	case models.OrderRejected:
		o.FailedAt, event = &now, EventRejected
	case models.OrderReplaced:
		o.ReplacedAt, event = &now, EventReplaced
	}
	err := storeOrder(ctx, tx, o, ch, "status", "reason", "reserved", "canceled_at", "expired_at", "failed_at", "replaced_at",
		"replaced_by", "hwm", "stop_price", "triggered", "rested_at", "updated_at")
	if err != nil {
		return fmt.Errorf("trading: finish order: %w", err)
	}
	ch.event(a, o, event, now)
	return nil
}

// afterFill applies an order class's rules once an order has (partly) filled. Legs that activate
// meet the quote that filled their entry at once, so they arrive in the market at that instant and
// rest from then on.
func (s *Service) afterFill(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, q market.Quote, now time.Time, ch *changes) error {
	group, err := s.group(ctx, tx, o)
	if err != nil {
		return err
	}
	if o.ParentID == nil && o.OrderClass != string(order.OCO) {
		// An entry: its held legs activate once it has filled completely, sized to the fill.
		if o.Status != models.OrderFilled {
			return nil
		}
		// All legs activate first; then each meets the quote. A leg that fills there cancels its
		// sibling, so each one is read again before it is evaluated: acting on the copy loaded
		// before the first leg ran would bring a canceled stop-loss back to life.
		var active []uuid.UUID
		for i := range group {
			l := &group[i]
			if l.Status != models.OrderHeld {
				continue
			}
			l.Status, l.Qty, l.UpdatedAt = models.OrderNew, nullable(o.FilledQty), now
			if !s.mayTradeNow(l, now) {
				l.Status = models.OrderAccepted
			}
			if err := models.SaveOrder(ctx, tx, l, "status", "qty", "updated_at"); err != nil {
				return fmt.Errorf("trading: activate leg: %w", err)
			}
			ch.event(a, l, EventNew, now)
			if l.Status == models.OrderNew {
				active = append(active, l.ID)
			}
		}
		for _, id := range active {
			l, err := lockOrder(ctx, tx, a.ID, id)
			if err != nil {
				return err
			}
			if l.Status != models.OrderNew {
				continue // its sibling filled on this quote and canceled it
			}
			ch.touch(a, l)
			if err := s.evaluate(ctx, tx, a, l, q, now, ch); err != nil {
				return err
			}
		}
		return nil
	}
	// An exit: a complete fill cancels its siblings; a partial one shrinks them to what is left.
	for i := range group {
		sib := &group[i]
		if sib.ID == o.ID || !sib.IsOpen() || sib.ParentID == nil && sib.OrderClass != string(order.OCO) {
			continue
		}
		if o.Status == models.OrderFilled {
			if err := s.finish(ctx, tx, a, sib, models.OrderCanceled, "Its other leg filled (one cancels the other).", now, ch); err != nil {
				return err
			}
			continue
		}
		left := sib.FilledQty.Add(o.LeavesQty())
		if sib.Qty.Valid && left.LessThan(sib.Qty.Decimal) && left.GreaterThan(sib.FilledQty) {
			sib.Qty, sib.UpdatedAt = nullable(left), now
			if err := models.SaveOrder(ctx, tx, sib, "qty", "updated_at"); err != nil {
				return fmt.Errorf("trading: resize leg: %w", err)
			}
			ch.touch(a, sib)
		}
	}
	return nil
}

// group loads the other orders of o's bracket, OTO or OCO group (not o itself), locked.
func (s *Service) group(ctx context.Context, tx *gorm.DB, o *models.Order) ([]models.Order, error) {
	if o.OrderClass == string(order.Simple) {
		return nil, nil
	}
	root := o.ID
	if o.ParentID != nil {
		root = *o.ParentID
	}
	out, err := models.LockOrderGroup(ctx, tx, root, o.ID)
	if err != nil {
		return nil, fmt.Errorf("trading: %w", err)
	}
	return out, nil
}
