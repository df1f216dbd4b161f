package trading

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fees"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"
)

// Options are a Service's dependencies. Zero values select the documented defaults.
type Options struct {
	DB     *gorm.DB
	Clock  *market.Clock
	Quotes *Quotes
	// Index holds the resting orders the engine loop evaluates on each quote. Default: a new one.
	Index *matcher.Index
	// Updates delivers the trade-event log to listeners. Default: one reading DB, within this
	// process only.
	Updates *Updates
	// Regulatory is the dated SEC/FINRA fee table. Default fees.DefaultRegulatoryTable().
	Regulatory fees.RegulatoryTable
	// Source names the quote feed in fill receipts ("sim", "iex", "sip").
	Source string
	Now    func() time.Time
	Logger *slog.Logger
}

// Service is the paper-trading engine's transactional side. It is safe for concurrent use: its
// state lives in Postgres (serialised per account by the account row lock) and in the matcher
// index (which has its own lock).
type Service struct {
	db         *gorm.DB
	clock      *market.Clock
	quotes     *Quotes
	index      *matcher.Index
	updates    *Updates
	regulatory fees.RegulatoryTable
	source     string
	now        func() time.Time
	log        *slog.Logger
	// indexChanged wakes the engine loop to update upstream demand when orders enter or leave
	// the index.
	indexChanged chan struct{}
}

// New builds a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Index == nil {
		o.Index = matcher.NewIndex()
	}
	if o.Regulatory == nil {
		o.Regulatory = fees.DefaultRegulatoryTable()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Updates == nil {
		o.Updates = NewUpdates(UpdatesOptions{DB: o.DB, Logger: o.Logger})
	}
	if o.Quotes == nil {
		o.Quotes = NewQuotes(nil, o.Now)
	}
	return &Service{
		db: o.DB, clock: o.Clock, quotes: o.Quotes, index: o.Index, updates: o.Updates,
		regulatory: o.Regulatory, source: o.Source, now: o.Now, log: o.Logger, indexChanged: make(chan struct{}, 1),
	}
}

// Updates is where trade updates are listened to.
func (s *Service) Updates() *Updates { return s.updates }

// Index is the matcher's index of resting orders.
func (s *Service) Index() *matcher.Index { return s.index }

// Quotes is the engine's quote cache.
func (s *Service) Quotes() *Quotes { return s.quotes }

// Clock is the market clock the engine trades by.
func (s *Service) Clock() *market.Clock { return s.clock }

// newID makes order and fill ids. Version 7 UUIDs sort by creation time, which keeps the primary
// key index append-mostly.
func newID() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}

// sessionInfo is where in the trading day at falls, for the fill model.
func (s *Service) sessionInfo(class string, at time.Time) fill.SessionInfo {
	st := s.clock.At(at)
	si := fill.SessionInfo{Session: st.Session, Crypto: class == string(market.Crypto), Source: s.source}
	if st.Day != nil {
		si.Open, si.Close, si.PreOpen = st.Day.Open, st.Day.Close, st.Day.SessionOpen
		// The always-open demo market trades around the clock while its days keep the calendar's
		// times: before today's calendar open the session running is the one that opened a day
		// earlier, or every quote between midnight and 9:30 would count as a pre-open price.
		if s.clock.AlwaysOpen() && at.Before(si.Open) {
			si.Open = si.Open.AddDate(0, 0, -1)
		}
	}
	return si
}

// realism is an account's realism preset; an unknown name (impossible through the settings form)
// falls back to the default.
func realism(a *models.PaperAccount) fill.Realism {
	if r, ok := fill.Preset(a.Realism); ok {
		return r
	}
	return fill.Realistic()
}

// commission is an account's commission schedule; an unknown name (impossible through the
// settings form) falls back to free, like realism's fallback.
func commission(a *models.PaperAccount) fees.Schedule {
	if sc, ok := fees.ScheduleByName(a.Commission); ok {
		return sc
	}
	sc, _ := fees.ScheduleByName(fees.Free)
	return sc
}

// liveEntry is the index entry for an open order, keeping a trailing stop's water mark and stop
// from the index, which moves them on every quote ahead of the database.
func (s *Service) liveEntry(o *models.Order, r fill.Realism) matcher.Entry {
	e := indexEntry(o, r)
	if cur, ok := s.index.Get(o.ID); ok && cur.Order.Type == fill.TrailingStop {
		e.Order.WaterMark, e.Order.StopPrice = cur.Order.WaterMark, cur.Order.StopPrice
	}
	return e
}

// changes collects what a transaction did, to tell the index and the listeners after it commits.
type changes struct {
	orders  map[uuid.UUID]*models.Order
	realism map[int64]fill.Realism
	updates []TradeUpdate
	// positions are the positions this transaction has read or written, by account and symbol,
	// so a fill does not read again what placement's valuation read under the same lock.
	positions map[positionKey]models.Position
	// unsaved are orders placed in this transaction whose row is not written yet: an order that
	// meets its quote at once is inserted in the state the evaluation leaves it in (by the
	// booking, when it fills), so its row is written once instead of inserted and then updated.
	unsaved map[uuid.UUID]bool
}

// positionKey names a position in changes.positions.
type positionKey struct {
	account int64
	period  int
	symbol  string
}

func newChanges() *changes {
	return &changes{orders: map[uuid.UUID]*models.Order{}, realism: map[int64]fill.Realism{},
		positions: map[positionKey]models.Position{}, unsaved: map[uuid.UUID]bool{}}
}

// knowPosition records the account's position in symbol as the transaction left it (a zero
// quantity: none).
func (c *changes) knowPosition(a *models.PaperAccount, symbol string, p models.Position) {
	c.positions[positionKey{a.ID, a.Period, symbol}] = p
}

// knowValuation records every position of a valuation made under the account's lock, and that
// the account holds no other.
func (c *changes) knowValuation(a *models.PaperAccount, v Valuation, symbols ...string) {
	for _, sym := range symbols {
		c.knowPosition(a, sym, models.Position{})
	}
	for _, p := range v.Positions {
		c.knowPosition(a, p.Symbol, p.Position)
	}
}

// knownPosition is the account's position in symbol if this transaction knows it: the position,
// whether there is one, and whether it is known at all.
func (c *changes) knownPosition(a *models.PaperAccount, symbol string) (models.Position, bool, bool) {
	p, ok := c.positions[positionKey{a.ID, a.Period, symbol}]
	if !ok {
		return models.Position{}, false, false
	}
	return p, !p.Qty.IsZero(), true
}

// touch records an order's latest state.
func (c *changes) touch(a *models.PaperAccount, o *models.Order) {
	c.orders[o.ID] = o
	c.realism[a.ID] = realism(a)
}

// event records a trade update.
func (c *changes) event(a *models.PaperAccount, o *models.Order, name string, at time.Time) *TradeUpdate {
	c.touch(a, o)
	c.updates = append(c.updates, TradeUpdate{AccountID: a.ID, Event: name, Order: *o, HasOrder: true, At: at})
	return &c.updates[len(c.updates)-1]
}

// transact runs fn as one transaction and, as its last statement, writes the trade updates fn
// collected in ch to the trade-event log: the log holds exactly what commits. Every engine
// transaction that changes orders goes through here, after locking its account (which is what
// keeps the log's ids in commit order within an account).
func (s *Service) transact(ctx context.Context, ch *changes, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		return ch.record(ctx, tx)
	})
}

// commit tells the index and the listeners what a committed transaction did: an open order that
// is working rests in the index, anything else leaves it.
func (s *Service) commit(c *changes) {
	for _, o := range c.orders {
		if o.IsOpen() && o.Status != models.OrderHeld {
			s.index.Upsert(indexEntry(o, c.realism[o.AccountID]))
		} else {
			s.index.Remove(o.ID)
		}
	}
	if len(c.orders) > 0 {
		select {
		case s.indexChanged <- struct{}{}:
		default:
		}
	}
	s.updates.committed(c.updates)
}

// indexEntry is how the matcher indexes an order.
func indexEntry(o *models.Order, r fill.Realism) matcher.Entry {
	return matcher.Entry{
		OrderID: o.ID, AccountID: o.AccountID, Symbol: o.Symbol,
		Crypto: o.AssetClass == string(market.Crypto), Order: fillOrder(o, o.LeavesQty()), Realism: r,
	}
}

// fillOrder is what the fill model reads of an order, with qty as the quantity still to fill.
func fillOrder(o *models.Order, qty decimal.Decimal) fill.Order {
	return fill.Order{
		Side: fill.Side(o.Side), Type: fill.OrderType(o.Type), TimeInForce: fill.TimeInForce(o.TimeInForce),
		Qty: qty, LimitPrice: o.LimitPrice.Decimal, StopPrice: o.StopPrice.Decimal,
		TrailPrice: o.TrailPrice.Decimal, TrailPercent: o.TrailPercent.Decimal, WaterMark: o.HWM.Decimal,
		ExtendedHours: o.ExtendedHours, Triggered: o.Triggered, RestedAt: restedAt(o),
	}
}

// restedAt is when an order last met a usable quote (zero: never).
func restedAt(o *models.Order) time.Time {
	if o.RestedAt == nil {
		return time.Time{}
	}
	return *o.RestedAt
}
