package trading

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"
)

// How often the engine loop does its housekeeping.
const (
	// syncEvery: re-read orders changed since the last sync, so nothing the index missed stays
	// missed. Orders placed by another process (a web process in a split deployment) arrive
	// sooner: its trade-event notification asks for a sync at once (Updates.Remote).
	syncEvery = 5 * time.Second
	// trailEvery: store the water marks the index moved.
	trailEvery = 5 * time.Second
	// remoteSyncGap: the least time between two syncs asked for by other processes' commits, so
	// a burst of orders placed elsewhere costs one sync per gap, not one per order.
	remoteSyncGap = 100 * time.Millisecond
)

// Run is the matcher: it rebuilds the index of resting orders from the database, follows every
// quote on the hub, and hands each quote to Match. Symbols with resting orders are wanted upstream
// at PriorityOrders. It returns when ctx ends.
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
		// remote is nil for remoteSyncGap after a sync it asked for; a signal sent meanwhile
		// waits in its channel and is taken when resume re-arms it.
		remote = s.updates.Remote()
		resume <-chan time.Time
	)
	syncNow := func() {
		if next, err := s.sync(ctx, since); err != nil {
			if ctx.Err() == nil {
				s.log.Warn("matcher: order sync failed", slog.Any("error", err))
			}
		} else {
			since = next
		}
		s.followDemand(hub, demand)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-remote:
			// Another process committed orders: bring them into the index now.
			syncNow()
			remote, resume = nil, time.After(remoteSyncGap)
			continue
		case <-resume:
			remote, resume = s.updates.Remote(), nil
			continue
		case <-housekeeping.C:
			trails = s.index.DrainTrailChanges(trails[:0])
			if err := s.PersistTrails(ctx, trails); err != nil && ctx.Err() == nil {
				s.log.Warn("matcher: trailing stops not stored", slog.Any("error", err))
			}
			syncNow()
			continue
		case <-s.indexChanged:
			s.followDemand(hub, demand)
			continue
		case <-sub.Ready():
		}
		events = sub.Drain(events[:0])
		for i := range events {
			if events[i].Kind != market.EventQuote {
				continue
			}
			if candidates, err = s.Match(ctx, events[i].Quote, candidates); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				s.log.Warn("matcher: evaluation failed", slog.String("symbol", events[i].Quote.Symbol), slog.Any("error", err))
			}
		}
		select {
		case <-sub.Done():
			return market.ErrSubscriptionClosed
		default:
		}
	}
}

// Match is the engine's step for one quote: it records the quote, asks the index which resting
// orders it may make act, and evaluates each in its own transaction (ExecuteResting), in priority
// order: price first (orders without a limit, then the best limit), then time. buf is reused for
// the candidates and returned. An order's failure does not stop the others; the errors are
// returned together.
//
// In the realistic and harsh presets a quote's displayed size is shared: each order of those
// presets sees what the orders before it left of the size on its side, so two orders cannot both
// take the whole of a 300-share ask. Fills of the easy preset, which ignores size, use none.
//
// A quote timed outside the regular session acts on regular-session orders as little as one
// delivered outside it: the quote's own time counts, not only the clock's. The first usable quote
// of a regular session on a symbol is the one every order on it meets as an arriving order; once
// it has been evaluated against the orders it reaches, the others are marked as resting (see
// restAtOpen).
func (s *Service) Match(ctx context.Context, q market.Quote, buf []matcher.Entry) ([]matcher.Entry, error) {
	now := s.now().UTC()
	st := s.clock.At(now)
	quoteRegular := s.clock.SessionAt(q.Time) == market.SessionRegular
	if quoteRegular {
		s.quotes.ObserveRegular(q)
	} else {
		s.quotes.Observe(q)
	}
	open := st.Session == market.SessionRegular && quoteRegular
	buf = s.index.Candidates(q, now, open, buf[:0])
	if len(buf) > 1 {
		slices.SortStableFunc(buf, byPriority)
	}
	shown := displayed{q: q, bid: q.BidSize, ask: q.AskSize}
	var errs []error
	for _, c := range buf {
		took, err := s.executeResting(ctx, c, shown.quoteFor(c))
		if err != nil {
			if ctx.Err() != nil {
				return buf, ctx.Err()
			}
			errs = append(errs, err)
			continue
		}
		shown.use(took)
	}
	if open && st.Day != nil && usableAtOpen(q, st.Day.Open, now) && s.quotes.firstOfSession(q.Symbol, st.Day.Open) {
		if err := s.restAtOpen(ctx, q.Symbol, st.Day.Open, now); err != nil {
			errs = append(errs, err)
		}
	}
	return buf, errors.Join(errs...)
}

// byPriority orders candidates by price priority, then time priority: orders without a limit
// (market orders, stops, trailing stops) first, then the highest buy limit and the lowest sell
// limit, then the order placed first (order ids sort by creation time). Buys and sells use
// different sides of the quote, so how they interleave does not matter; the key only has to be a
// total order.
func byPriority(a, b matcher.Entry) int {
	la, lb := limitOf(a.Order), limitOf(b.Order)
	switch {
	case la.IsZero() != lb.IsZero():
		if la.IsZero() {
			return -1
		}
		return 1
	case !la.IsZero():
		if c := lb.Cmp(la); c != 0 { // the more aggressive first
			return c
		}
	}
	return bytes.Compare(a.OrderID[:], b.OrderID[:])
}

// limitOf is an order's limit as an aggressiveness key: the limit for a buy, its negation for a
// sell, zero for an order without a limit.
func limitOf(o fill.Order) decimal.Decimal {
	if o.Type != fill.Limit && o.Type != fill.StopLimit {
		return decimal.Zero
	}
	if o.Side == fill.Sell {
		return o.LimitPrice.Neg()
	}
	return o.LimitPrice
}

// displayed is what a quote's displayed size has left for orders of size-capped presets.
type displayed struct {
	q        market.Quote
	bid, ask decimal.Decimal
}

// quoteFor is the quote e is evaluated against: with the size left when its preset caps fills at
// the displayed size.
func (d *displayed) quoteFor(e matcher.Entry) market.Quote {
	if !e.Realism.PartialByDisplayedSize {
		return d.q
	}
	q := d.q
	q.BidSize, q.AskSize = d.bid, d.ask
	return q
}

// use takes what size-capped fills took: buys from the ask, sells from the bid.
func (d *displayed) use(t taken) {
	d.ask = decimal.Max(d.ask.Sub(t.bought), decimal.Zero)
	d.bid = decimal.Max(d.bid.Sub(t.sold), decimal.Zero)
}

// usableAtOpen reports whether q can be the regular session's first quote: two-sided, uncrossed,
// timed at or after the open and fresh by the default age limit.
func usableAtOpen(q market.Quote, open, now time.Time) bool {
	return q.BidPrice.IsPositive() && q.AskPrice.IsPositive() && !q.AskPrice.LessThan(q.BidPrice) &&
		!q.Time.Before(open) && now.Sub(q.Time) <= fill.DefaultMaxQuoteAge
}

// restAtOpen marks the working stock orders on symbol that have not met a quote since the open as
// resting from now: the session's first usable quote has reached them (the index offered it to
// those it could fill), so from now on a limit fills at its limit. The changed rows reach the
// index through the next sync, and an index entry that is still behind costs one transaction,
// which reads the row.
func (s *Service) restAtOpen(ctx context.Context, symbol string, open, now time.Time) error {
	if err := models.RestStockOrdersAt(ctx, s.db, symbol, open, now); err != nil {
		return fmt.Errorf("trading: rest orders at the open: %w", err)
	}
	return nil
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
	from := since
	if !since.IsZero() {
		from = since.Add(-2 * syncEvery)
	}
	orders, err := models.OrdersChangedSince(ctx, s.db, from)
	if err != nil {
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
	names, err := models.AccountRealisms(ctx, s.db, list)
	if err != nil {
		return nil, fmt.Errorf("trading: %w", err)
	}
	for id, name := range names {
		out[id] = realism(&models.PaperAccount{Realism: name})
	}
	return out, nil
}
