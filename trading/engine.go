package trading

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"
)

// How often the engine loop does its housekeeping.
const (
	// syncEvery: re-read orders changed since the last sync, so orders placed by another process
	// (a web process in a split deployment) reach this process's index, and nothing the index
	// missed stays missed.
	syncEvery = 5 * time.Second
	// trailEvery: store the water marks the index moved.
	trailEvery = 5 * time.Second
)

// Run is the matcher: it rebuilds the index of resting orders from the database, follows every
// quote on the hub (keeping the quote cache current), and hands each order a quote may make act to
// ExecuteResting. Symbols with resting orders are wanted upstream at PriorityOrders. It returns
// when ctx ends.
func (s *Service) Run(ctx context.Context, hub *market.Hub) error {
	since, err := s.sync(ctx, time.Time{})
	if err != nil {
		return err
	}
	s.log.Info("matcher started", slog.Int("resting_orders", s.index.Len()))
	sub := hub.Subscribe(market.SubscribeOptions{Symbols: []string{market.Wildcard}, Quotes: true, Buffer: 1 << 14})
	defer sub.Close()
	demand := map[string]func(){}
	defer func() {
		for _, release := range demand {
			release()
		}
	}()
	s.followDemand(hub, demand)

	housekeeping := time.NewTicker(min(syncEvery, trailEvery))
	defer housekeeping.Stop()
	var (
		events     []market.Event
		candidates []matcher.Entry
		trails     []matcher.Entry
	)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-housekeeping.C:
			trails = s.index.DrainTrailChanges(trails[:0])
			if err := s.PersistTrails(ctx, trails); err != nil && ctx.Err() == nil {
				s.log.Warn("matcher: trailing stops not stored", slog.Any("error", err))
			}
			if next, err := s.sync(ctx, since); err != nil {
				if ctx.Err() == nil {
					s.log.Warn("matcher: order sync failed", slog.Any("error", err))
				}
			} else {
				since = next
			}
			s.followDemand(hub, demand)
			continue
		case <-s.indexChanged:
			s.followDemand(hub, demand)
			continue
		case <-sub.Ready():
		}
		events = sub.Drain(events[:0])
		open := s.clock.SessionAt(s.now()) == market.SessionRegular
		for i := range events {
			if events[i].Kind != market.EventQuote {
				continue
			}
			q := events[i].Quote
			if open {
				s.quotes.ObserveRegular(q)
			} else {
				s.quotes.Observe(q)
			}
			candidates = s.index.Candidates(q, open, candidates[:0])
			for _, c := range candidates {
				if err := s.ExecuteResting(ctx, c, q); err != nil {
					if ctx.Err() != nil {
						return nil
					}
					s.log.Warn("matcher: evaluation failed", slog.String("order", c.OrderID.String()), slog.Any("error", err))
				}
			}
		}
		select {
		case <-sub.Done():
			return market.ErrSubscriptionClosed
		default:
		}
	}
}

// followDemand keeps every symbol with resting orders wanted upstream.
func (s *Service) followDemand(hub *market.Hub, held map[string]func()) {
	want := map[string]bool{}
	for _, sym := range s.index.Symbols(nil) {
		want[sym] = true
		if _, ok := held[sym]; !ok {
			held[sym] = hub.AddDemand(sym, market.PriorityOrders)
		}
	}
	for sym, release := range held {
		if !want[sym] {
			release()
			delete(held, sym)
		}
	}
}

// sync brings the index in line with the orders changed since a time (all open orders when
// since is zero) and returns the time to sync from next. It reads a little overlap, since
// commits are not ordered by their timestamps.
func (s *Service) sync(ctx context.Context, since time.Time) (time.Time, error) {
	started := s.now().UTC()
	q := s.db.WithContext(ctx).Model(&models.Order{})
	if since.IsZero() {
		q = q.Where("status IN ?", models.OpenOrderStatuses)
	} else {
		q = q.Where("updated_at >= ?", since.Add(-2*syncEvery))
	}
	var orders []models.Order
	if err := q.Order("created_at, id").Find(&orders).Error; err != nil {
		return since, fmt.Errorf("trading: sync orders: %w", err)
	}
	realisms, err := s.realisms(ctx, orders)
	if err != nil {
		return since, err
	}
	for i := range orders {
		o := &orders[i]
		if o.IsOpen() && o.Status != models.OrderHeld {
			s.index.Upsert(s.liveEntry(o, realisms[o.AccountID]))
		} else {
			s.index.Remove(o.ID)
		}
	}
	return started, nil
}

// realisms loads the realism preset of each account the orders belong to.
func (s *Service) realisms(ctx context.Context, orders []models.Order) (map[int64]fill.Realism, error) {
	ids := map[int64]bool{}
	for _, o := range orders {
		ids[o.AccountID] = true
	}
	out := map[int64]fill.Realism{}
	if len(ids) == 0 {
		return out, nil
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	var accts []models.PaperAccount
	if err := s.db.WithContext(ctx).Select("id, realism").Where("id IN ?", list).Find(&accts).Error; err != nil {
		return nil, fmt.Errorf("trading: account realism: %w", err)
	}
	for i := range accts {
		out[accts[i].ID] = realism(&accts[i])
	}
	return out, nil
}
