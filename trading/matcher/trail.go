package matcher

import (
	"math"

	"alpacawrapper/trading/fill"

	"github.com/shopspring/decimal"
)

// price is one side of a quote with its nano-dollar bounds (see bounds).
type price struct {
	d      decimal.Decimal
	lo, hi int64
	exact  bool
}

func newPrice(d decimal.Decimal) price {
	lo, hi, exact := bounds(d)
	return price{d: d, lo: lo, hi: hi, exact: exact}
}

// trailing is a trailing stop's moving state.
type trailing struct {
	terms trailTerms
	// wm is the water mark as fill holds it: the quote price it came from.
	wm decimal.Decimal
	// stop is the stop when stopOK; otherwise the stop is stopN, written as fill writes it.
	stop   decimal.Decimal
	stopOK bool
	// When fast, wmN and stopN are the water mark and the stop exactly, in nano-dollars, and
	// the terms allow the integer computation. Otherwise they are bounds rounded outwards (for
	// a sell the floor of the water mark and the ceiling of the stop, for a buy the reverse),
	// which only the trailing list's skip test reads.
	wmN, stopN int64
	fast       bool
	// fresh is true until a quote has initialised the water mark and the stop.
	fresh bool
}

func newTrailing(o fill.Order) *trailing {
	t := &trailing{terms: newTrailTerms(o)}
	t.set(o.WaterMark, o.StopPrice)
	t.fresh = !o.WaterMark.IsPositive() || !o.StopPrice.IsPositive()
	return t
}

// set stores the state from decimals and derives the integer form.
func (t *trailing) set(wm, stop decimal.Decimal) {
	t.wm, t.stop, t.stopOK = wm, stop, true
	wlo, whi, wExact := bounds(wm)
	slo, shi, sExact := bounds(stop)
	t.fast = t.terms.ok && wExact && sExact
	if t.terms.sell {
		t.wmN, t.stopN = wlo, shi
	} else {
		t.wmN, t.stopN = whi, slo
	}
}

// stopDecimal is the current stop as a decimal (allocating once after each integer move).
func (t *trailing) stopDecimal() decimal.Decimal {
	if !t.stopOK {
		t.stop, t.stopOK = t.terms.decimal(t.stopN), true
	}
	return t.stop
}

// step applies one quote to the trailing stop as fill.Evaluate does for a two-sided, uncrossed
// quote in a session that allows the order: p is the side it triggers on (the bid for a sell,
// the ask for a buy). A zero water mark or stop is first initialised from p; then the trigger
// is tested with the current stop; only if it did not trigger does the water mark follow p,
// and the stop with it when that is in the order's favour. It reports whether the stop was hit
// and whether the state changed.
func (t *trailing) step(o *fill.Order, p price) (hit, changed bool) {
	t.fresh = false
	if t.fast && p.exact {
		if hit, changed, ok := t.stepFast(p); ok {
			return hit, changed
		}
	}
	return t.stepSlow(o, p.d)
}

// stepFast is step in nano-dollars, without allocation. ok is false, with nothing changed,
// when a stop overflows the integer computation.
func (t *trailing) stepFast(p price) (hit, changed, ok bool) {
	sell := t.terms.sell
	wm, wmN, stopN := t.wm, t.wmN, t.stopN
	if wmN <= 0 {
		wm, wmN = p.d, p.lo
	}
	if stopN <= 0 {
		if stopN, ok = t.terms.stop(wmN); !ok {
			return false, false, false
		}
	}
	switch {
	case sell && p.lo <= stopN || !sell && p.lo >= stopN:
		hit = true
	case sell && p.lo > wmN || !sell && p.lo < wmN:
		wm, wmN = p.d, p.lo
		next, ok := t.terms.stop(wmN)
		if !ok {
			return false, false, false
		}
		if sell && next > stopN || !sell && next < stopN {
			stopN = next
		}
	}
	changed = wmN != t.wmN || stopN != t.stopN
	if stopN != t.stopN {
		t.stopOK = false
	}
	t.wm, t.wmN, t.stopN = wm, wmN, stopN
	return hit, changed, true
}

// stepSlow is step with decimals and fill.TrailStop itself, for prices and terms the integer
// form cannot hold exactly. It allocates.
func (t *trailing) stepSlow(o *fill.Order, p decimal.Decimal) (hit, changed bool) {
	sell := t.terms.sell
	wm, stop := t.wm, t.stopDecimal()
	if !wm.IsPositive() {
		wm = p
	}
	if !stop.IsPositive() {
		stop = fill.TrailStop(*o, wm)
	}
	switch {
	case sell && p.LessThanOrEqual(stop) || !sell && p.GreaterThanOrEqual(stop):
		hit = true
	case sell && p.GreaterThan(wm) || !sell && p.LessThan(wm):
		wm = p
		if next := fill.TrailStop(*o, p); sell && next.GreaterThan(stop) || !sell && next.LessThan(stop) {
			stop = next
		}
	}
	changed = !wm.Equal(t.wm) || !stop.Equal(t.stop)
	t.set(wm, stop)
	return hit, changed
}

// trailList is one side's trailing stops in one half of a book. Every quote that could move or
// trigger one of them visits them all; the bounds let the others skip the visit.
type trailList struct {
	items queue
	sell  bool
	// For sells the lowest water mark and the highest stop, for buys the highest water mark
	// and the lowest stop; scan forces a visit (an uninitialised order). Removals leave the
	// bounds wider than they need be, which costs one visit.
	wm, stop int64
	scan     bool
}

func newTrailList(sell bool) trailList {
	l := trailList{sell: sell}
	l.reset()
	return l
}

// reset makes the bounds those of an empty list.
func (l *trailList) reset() {
	l.wm, l.stop, l.scan = math.MaxInt64, math.MinInt64, false
	if !l.sell {
		l.wm, l.stop = math.MinInt64, math.MaxInt64
	}
}

func (l *trailList) add(it *item) {
	l.items.add(it)
	l.widen(it.tr)
}

func (l *trailList) remove(it *item) {
	l.items.remove(it)
	if len(l.items) == 0 {
		l.reset()
	}
}

func (l *trailList) widen(t *trailing) {
	l.scan = l.scan || t.fresh
	if l.sell {
		l.wm, l.stop = min(l.wm, t.wmN), max(l.stop, t.stopN)
	} else {
		l.wm, l.stop = max(l.wm, t.wmN), min(l.stop, t.stopN)
	}
}

// reached reports whether p may move or trigger one of the list's orders: a sell moves when
// bid > water mark and triggers when bid ≤ stop; a buy moves when ask < water mark and
// triggers when ask ≥ stop.
func (l *trailList) reached(p price) bool {
	if l.scan {
		return true
	}
	if l.sell {
		return p.hi > l.wm || p.lo <= l.stop
	}
	return p.lo < l.wm || p.hi >= l.stop
}

// run steps every order when p may move or trigger one, appends those it triggers to dst, and
// queues those that changed for DrainTrailChanges.
func (l *trailList) run(x *Index, b *book, p price, m move, dst []Entry) []Entry {
	if len(l.items) == 0 || !l.reached(p) {
		return dst
	}
	l.reset()
	for _, it := range l.items {
		if !m.allowed(&it.e) { // fill.Evaluate would refuse the quote as stale
			l.widen(it.tr)
			continue
		}
		hit, changed := it.tr.step(&it.e.Order, p)
		if changed {
			x.markDirty(b, it)
		}
		if hit {
			dst = append(dst, it.report())
		}
		l.widen(it.tr)
	}
	return dst
}
