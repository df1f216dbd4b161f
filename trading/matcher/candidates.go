package matcher

import (
	"time"

	"alpacawrapper/market"
)

// Candidates appends to dst every order on q.Symbol that q may make act, and returns dst: the
// orders fill.Evaluate may execute or trigger on q (and a few it may not; see the package
// documentation). open says whether the stock market is in its regular session by the
// caller's clock; when it is not, only orders that may act outside it are considered:
// extended-hours limit orders and crypto orders (whose entries ignore open). A quote with an
// empty side or crossed yields nothing, as Evaluate refuses it.
//
// Trailing stops on the symbol move with q, as Evaluate would move them at now: not at all on a
// quote their account's realism finds stale (or an undated one); a triggered one is returned
// with the water mark and stop it triggered with, and changed ones are queued for
// DrainTrailChanges. The caller passes open false for a quote timed outside the regular session,
// which Evaluate refuses for regular-session orders.
//
// Within each list, orders the quote reaches at the same price come in time priority (see
// earlier); the caller orders candidates across lists.
//
// A quote that makes nothing act, or that only moves trailing stops, does not allocate. What
// allocates: appending beyond dst's capacity; reporting a triggered trailing stop whose stop
// moved since it was last reported (one decimal); queueing a trailing stop for the next drain
// (amortised slice growth only); and the decimal fallback for prices with more than 18
// significant digits or more than nine decimals, and for trailing stops whose terms the integer
// computation cannot reproduce exactly (a trail percent with more than five decimals, a price
// increment finer than a nano-dollar or very coarse: see newTrailTerms).
func (x *Index) Candidates(q market.Quote, now time.Time, open bool, dst []Entry) []Entry {
	if !q.BidPrice.IsPositive() || !q.AskPrice.IsPositive() {
		return dst
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	b := x.books[q.Symbol]
	if b == nil {
		return dst
	}
	bid, ask := newPrice(q.BidPrice), newPrice(q.AskPrice)
	if crossed(q, bid, ask) {
		return dst
	}
	m := move{dated: !q.Time.IsZero(), age: now.Sub(q.Time)}
	b.mu.Lock()
	defer b.mu.Unlock()
	dst = b.halves[anytime].candidates(x, b, bid, ask, m, dst)
	if open {
		dst = b.halves[regular].candidates(x, b, bid, ask, m, dst)
	}
	return dst
}

// move is what decides whether a quote may move a trailing stop besides its prices: its age at
// the evaluation time, against each order's realism.
type move struct {
	dated bool
	age   time.Duration
}

// allowed reports whether the quote is fresh enough to move or trigger e's trailing stop.
func (m move) allowed(e *Entry) bool { return m.dated && e.Realism.Fresh(m.age) }

// crossed reports whether ask < bid, in integers unless a price has more than nine decimals.
func crossed(q market.Quote, bid, ask price) bool {
	if bid.exact && ask.exact {
		return ask.lo < bid.lo
	}
	return q.AskPrice.LessThan(q.BidPrice)
}

// candidates tests one half of a book: each sorted list from its acting end until an order
// is out of reach, so a quote that reaches nothing costs one comparison per list.
func (h *half) candidates(x *Index, b *book, bid, ask price, m move, dst []Entry) []Entry {
	for _, it := range h.always {
		dst = append(dst, it.report())
	}
	dst = h.buyLimit.fromTop(ask.lo, dst)     // ask ≤ limit
	dst = h.sellStop.fromTop(bid.lo, dst)     // bid ≤ stop
	dst = h.sellLimit.fromBottom(bid.hi, dst) // bid ≥ limit
	dst = h.buyStop.fromBottom(ask.hi, dst)   // ask ≥ stop
	dst = h.sellTrail.run(x, b, bid, m, dst)
	dst = h.buyTrail.run(x, b, ask, m, dst)
	return dst
}

// markDirty queues it for DrainTrailChanges. The caller holds the book's lock.
func (x *Index) markDirty(b *book, it *item) {
	if it.dirty {
		return
	}
	it.dirty = true
	b.dirty = append(b.dirty, it)
	if !b.queued {
		b.queued = true
		x.dirtyMu.Lock()
		x.dirtyBooks = append(x.dirtyBooks, b)
		x.dirtyMu.Unlock()
	}
}

// DrainTrailChanges appends to dst the trailing stops whose water mark or stop changed since
// the last drain, with their current state, and returns dst. The caller persists them (in
// batches) so that a restart resumes from a recent water mark; an order removed or replaced
// meanwhile is not reported.
func (x *Index) DrainTrailChanges(dst []Entry) []Entry {
	x.drainMu.Lock()
	defer x.drainMu.Unlock()
	x.mu.RLock()
	defer x.mu.RUnlock()
	x.dirtyMu.Lock()
	books := x.dirtyBooks
	x.dirtyBooks = x.spare[:0]
	x.dirtyMu.Unlock()
	for _, b := range books {
		b.mu.Lock()
		for _, it := range b.dirty {
			if it.dirty && !it.dead {
				dst = append(dst, it.report())
			}
			it.dirty = false
		}
		clear(b.dirty)
		b.dirty, b.queued = b.dirty[:0], false
		b.mu.Unlock()
	}
	clear(books)
	x.spare = books[:0]
	return dst
}
