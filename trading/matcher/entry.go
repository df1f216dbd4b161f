package matcher

import (
	"alpacawrapper/trading/fill"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Entry is a resting order as the matcher indexes it.
type Entry struct {
	OrderID   uuid.UUID
	AccountID int64
	Symbol    string
	// Crypto marks a crypto order: it may act at any time, whatever the stock market's session.
	Crypto bool
	// Order is the order's terms and state (Triggered; WaterMark and StopPrice for a trailing
	// stop, which the index moves and reports as it goes).
	Order fill.Order
	// Realism is the account's. The index carries it for the caller and does not use it: its
	// comparisons are inclusive (a touch is a candidate) whatever the realism.
	Realism fill.Realism
}

// place is where an order sits in its symbol's book.
type place uint8

// The places.
const (
	dormant   place = iota // indexed but never a candidate: cls orders
	always                 // a candidate on every usable quote
	buyLimit               // key ⌈limit⌉, acts when ⌊ask⌋ ≤ key
	sellLimit              // key ⌊limit⌋, acts when ⌈bid⌉ ≥ key
	buyStop                // key ⌊stop⌋, acts when ⌈ask⌉ ≥ key
	sellStop               // key ⌈stop⌉, acts when ⌊bid⌋ ≤ key
	buyTrail               // trailing stops, moved on every quote
	sellTrail
)

// Which half of a book an order sits in: orders that may act only in the stock market's regular
// session, and orders that may act at any time.
const (
	regular = 0
	anytime = 1
)

// item is an indexed order. Fields other than e, book, half, where and key change under the
// book's lock (tr, dirty) or the index's exclusive lock (dead).
type item struct {
	e     Entry
	book  *book
	half  int
	where place
	key   int64 // the key in a sorted list
	tr    *trailing
	dirty bool // queued for DrainTrailChanges
	dead  bool // removed or replaced
}

// newItem classifies e: which half of the book, which list and under which key.
func newItem(e Entry) *item {
	it := &item{e: e}
	o := &it.e.Order
	// Mirrors fill.SessionInfo's rule: outside the regular session only extended-hours limit
	// orders (and crypto, always) may act.
	if e.Crypto || o.ExtendedHours && o.Type == fill.Limit {
		it.half = anytime
	}
	it.where, it.key = classify(o)
	if it.where == buyTrail || it.where == sellTrail {
		it.tr = newTrailing(*o)
	}
	return it
}

// classify says where o sits and under which key. Orders fill.Evaluate would reject go to the
// always list, so that the caller's evaluation sees them.
func classify(o *fill.Order) (place, int64) {
	switch o.TimeInForce {
	case fill.Day, fill.GTC:
	case fill.CLS:
		return dormant, 0
	default:
		// opg, ioc and fok orders rest only while queued outside the session; the first usable
		// quote fills or cancels them, whatever their price.
		return always, 0
	}
	buy := o.Side == fill.Buy
	if !buy && o.Side != fill.Sell || !o.Qty.IsPositive() {
		return always, 0
	}
	switch o.Type {
	case fill.Limit:
		return limitPlace(buy, o.LimitPrice)
	case fill.StopLimit:
		if !o.LimitPrice.IsPositive() || !o.StopPrice.IsPositive() {
			return always, 0
		}
		if o.Triggered { // a triggered stop-limit rests as a limit
			return limitPlace(buy, o.LimitPrice)
		}
		return stopPlace(buy, o.StopPrice)
	case fill.Stop:
		if o.Triggered || !o.StopPrice.IsPositive() { // a triggered stop executes as a market order
			return always, 0
		}
		return stopPlace(buy, o.StopPrice)
	case fill.TrailingStop:
		if o.Triggered || !validTrailing(o) {
			return always, 0
		}
		if buy {
			return buyTrail, 0
		}
		return sellTrail, 0
	}
	return always, 0 // market orders, and unknown types
}

func limitPlace(buy bool, limit decimal.Decimal) (place, int64) {
	if !limit.IsPositive() {
		return always, 0
	}
	lo, hi, _ := bounds(limit)
	if buy {
		return buyLimit, hi
	}
	return sellLimit, lo
}

func stopPlace(buy bool, stop decimal.Decimal) (place, int64) {
	lo, hi, _ := bounds(stop)
	if buy {
		return buyStop, lo
	}
	return sellStop, hi
}

// validTrailing mirrors fill's check of a trailing stop's terms: exactly one positive offset,
// and a percent below 100.
func validTrailing(o *fill.Order) bool {
	byPrice, byPercent := o.TrailPrice.IsPositive(), o.TrailPercent.IsPositive()
	return byPrice != byPercent && (byPrice || o.TrailPercent.LessThan(decimal.NewFromInt(100)))
}

// report is the entry as a candidate or a change: a trailing stop carries its current state.
// The caller holds the book's lock.
func (it *item) report() Entry {
	e := it.e
	if it.tr != nil {
		e.Order.WaterMark = it.tr.wm
		e.Order.StopPrice = it.tr.stopDecimal()
	}
	return e
}
