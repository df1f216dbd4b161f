package trading

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"
)

// taken is what one evaluation's fills took from a quote's displayed size, counting only the
// fills of presets that cap fills at the displayed size: shares bought (from the ask) and sold
// (from the bid).
type taken struct{ bought, sold decimal.Decimal }

// executeResting evaluates a resting order the matcher found against the quote that reached it,
// through the same transactional code as an immediate fill, and reports what its fills (and its
// legs' on the same quote) took from the displayed size. The order is re-read under the account
// lock, so a candidate that was canceled or filled meanwhile is simply dropped.
func (s *Service) executeResting(ctx context.Context, e matcher.Entry, q market.Quote) (taken, error) {
	// The index is a coarse filter (a touch that realism wants traded through, a cls order before
	// the close); asking the fill model first, on the index's copy of the order, keeps those from
	// costing a transaction on every quote. Only orders that have rested are skipped this way, and
	// only when nothing changes: a queued order's first evaluation also changes its state, and so
	// does an order's first usable quote of a session.
	if !e.Order.RestedAt.IsZero() && e.Order.Qty.IsPositive() {
		now := s.now().UTC()
		d := fill.Evaluate(e.Order, q, now, s.sessionInfo(classOf(e), now), e.Realism)
		if d.Action == fill.Wait && !d.Trail.Changed && !d.Rested {
			return taken{}, nil
		}
	}
	ch := newChanges()
	err := s.transact(ctx, ch, func(tx *gorm.DB) error {
		a, err := models.LockPaperAccount(ctx, tx, e.AccountID)
		if err != nil {
			return err
		}
		o, err := lockOrder(ctx, tx, a.ID, e.OrderID)
		if err != nil {
			return err
		}
		if !o.IsOpen() || o.Status == models.OrderHeld || o.Period != a.Period {
			ch.touch(a, o) // leaves the index on commit
			return nil
		}
		if e.Order.Type == fill.TrailingStop && e.Order.WaterMark.IsPositive() && betterMark(o, e.Order) {
			o.HWM, o.StopPrice = nullable(e.Order.WaterMark), nullable(e.Order.StopPrice)
		}
		now := s.now().UTC()
		if o.Status == models.OrderAccepted {
			o.Status = models.OrderNew // its session has come
			if err := models.SaveOrder(ctx, tx, o, "status"); err != nil {
				return fmt.Errorf("trading: activate: %w", err)
			}
		}
		ch.touch(a, o)
		return s.evaluate(ctx, tx, a, o, q, now, ch)
	})
	if err != nil {
		return taken{}, fmt.Errorf("trading: execute resting order %s: %w", e.OrderID, err)
	}
	s.commit(ch)
	var t taken
	for _, up := range ch.updates {
		if (up.Event != EventFill && up.Event != EventPartialFill) || !ch.realism[up.AccountID].PartialByDisplayedSize {
			continue
		}
		if up.Order.Side == string(fill.Buy) {
			t.bought = t.bought.Add(up.Qty)
		} else {
			t.sold = t.sold.Add(up.Qty)
		}
	}
	return t, nil
}

// betterMark reports whether the index's water mark is further in the order's favour than the
// stored one (the index moves it on every quote and the store catches up in batches).
func betterMark(o *models.Order, in fill.Order) bool {
	if !o.HWM.Valid {
		return true
	}
	if o.Side == string(fill.Sell) {
		return in.WaterMark.GreaterThan(o.HWM.Decimal)
	}
	return in.WaterMark.LessThan(o.HWM.Decimal)
}

// PersistTrails stores trailing stops' water marks and stops the index moved, so a restart
// resumes from them. Only open orders are touched, and only in the order's favour.
func (s *Service) PersistTrails(ctx context.Context, entries []matcher.Entry) error {
	now := s.now().UTC()
	for _, e := range entries {
		err := models.StoreTrail(ctx, s.db, e.OrderID, e.Order.Side == fill.Buy, e.Order.WaterMark, e.Order.StopPrice, now)
		if err != nil {
			return fmt.Errorf("trading: persist trail: %w", err)
		}
	}
	return nil
}

// GTCLifetime is how long a good-till-canceled order works before it expires: 90 days from its
// placement (a replacement is a new order and starts a new 90 days), as at Alpaca.
const GTCLifetime = 90 * 24 * time.Hour

// ExpireDue ends the day, opg and cls orders whose session has closed, and the gtc orders placed
// GTCLifetime ago: a cls order first gets its chance at the last regular-session quote, then
// whatever is still open expires, with its group. It is idempotent, so the job may run it as often
// as it likes, and on start-up for any close missed while the engine was down.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	now := s.now().UTC()
	expired := 0
	for {
		due, err := models.DueOrders(ctx, s.db, now, now.Add(-GTCLifetime), 200)
		if err != nil {
			return expired, fmt.Errorf("trading: due orders: %w", err)
		}
		if len(due) == 0 {
			return expired, nil
		}
		for _, d := range due {
			n, err := s.expire(ctx, d, now)
			if err != nil {
				return expired, err
			}
			expired += n
		}
	}
}

func (s *Service) expire(ctx context.Context, d models.Order, now time.Time) (int, error) {
	ch := newChanges()
	err := s.transact(ctx, ch, func(tx *gorm.DB) error {
		a, err := models.LockPaperAccount(ctx, tx, d.AccountID)
		if err != nil {
			return err
		}
		o, err := lockOrder(ctx, tx, a.ID, d.ID)
		if err != nil || !o.IsOpen() {
			return err
		}
		// A cls order fills at the close against the last regular-session quote (the index never
		// offers it during the day, so this is its only evaluation).
		if o.TimeInForce == string(fill.CLS) && o.Status != models.OrderHeld {
			if q, ok := s.quotes.lastRegular(o.Symbol); ok {
				if err := s.evaluate(ctx, tx, a, o, q, now, ch); err != nil {
					return err
				}
			}
		}
		if !o.IsOpen() {
			return nil
		}
		reason := "The order's session closed before it filled."
		if o.TimeInForce == string(fill.GTC) {
			reason = "A good-till-canceled order expires 90 days after it was placed, as at Alpaca."
		}
		return s.endGroup(ctx, tx, a, o, models.OrderExpired, reason, now, ch)
	})
	if err != nil {
		return 0, fmt.Errorf("trading: expire %s: %w", d.ID, err)
	}
	s.commit(ch)
	n := 0
	for _, up := range ch.updates {
		if up.Event == EventExpired {
			n++
		}
	}
	return n, nil
}

// classOf is the asset class of an indexed order.
func classOf(e matcher.Entry) string {
	if e.Crypto {
		return string(market.Crypto)
	}
	return string(market.USEquity)
}
