package matcher

import (
	"slices"
	"sync"

	"github.com/google/uuid"
)

// Index is the in-memory index of resting orders by symbol and trigger price. It is safe for
// concurrent use (see the package documentation for the locking).
type Index struct {
	mu    sync.RWMutex
	books map[string]*book
	byID  map[uuid.UUID]*item

	// dirtyBooks are the books with trailing stops changed since the last drain. dirtyMu is
	// taken inside a book's lock, never the other way round.
	dirtyMu    sync.Mutex
	dirtyBooks []*book

	// drainMu serialises DrainTrailChanges; spare is its second buffer for dirtyBooks.
	drainMu sync.Mutex
	spare   []*book
}

// book is one symbol's orders.
type book struct {
	// mu guards the lists' trailing state and dirty, for readers holding the index's read
	// lock; writers hold the index's exclusive lock instead.
	mu     sync.Mutex
	n      int // orders in the book, dormant ones included
	halves [2]half
	dirty  []*item
	queued bool // in the index's dirtyBooks
}

// half is the orders of a book that may act in one class of session (regular or anytime).
type half struct {
	always    queue
	buyLimit  list
	sellLimit list
	buyStop   list
	sellStop  list
	buyTrail  trailList
	sellTrail trailList
}

func newBook() *book {
	b := &book{}
	for i := range b.halves {
		b.halves[i].buyTrail = newTrailList(false)
		b.halves[i].sellTrail = newTrailList(true)
	}
	return b
}

func (b *book) attach(it *item) {
	it.book = b
	b.n++
	h := &b.halves[it.half]
	switch it.where {
	case always:
		h.always.add(it)
	case buyLimit:
		h.buyLimit.insert(it)
	case sellLimit:
		h.sellLimit.insert(it)
	case buyStop:
		h.buyStop.insert(it)
	case sellStop:
		h.sellStop.insert(it)
	case buyTrail:
		h.buyTrail.add(it)
	case sellTrail:
		h.sellTrail.add(it)
	}
}

func (b *book) detach(it *item) {
	b.n--
	h := &b.halves[it.half]
	switch it.where {
	case always:
		h.always.remove(it)
	case buyLimit:
		h.buyLimit.remove(it)
	case sellLimit:
		h.sellLimit.remove(it)
	case buyStop:
		h.buyStop.remove(it)
	case sellStop:
		h.sellStop.remove(it)
	case buyTrail:
		h.buyTrail.remove(it)
	case sellTrail:
		h.sellTrail.remove(it)
	}
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{books: make(map[string]*book), byID: make(map[uuid.UUID]*item)}
}

// Upsert adds e, or replaces the order with e's OrderID (after a partial fill, a trigger, a
// replacement), moving it to the list its new state belongs in. e is taken as the order's
// whole state: a trailing stop's in-memory water mark and stop are replaced by e's (pass what
// Get or Candidates reported, or a fresher state), and an undrained change of the old entry
// is dropped.
func (x *Index) Upsert(e Entry) {
	it := newItem(e)
	x.mu.Lock()
	defer x.mu.Unlock()
	if old := x.byID[e.OrderID]; old != nil {
		x.detach(old)
	}
	b := x.books[e.Symbol]
	if b == nil {
		b = newBook()
		x.books[e.Symbol] = b
	}
	b.attach(it)
	x.byID[e.OrderID] = it
}

// Remove takes the order out of the index (filled, cancelled, expired) and reports whether it
// was there.
func (x *Index) Remove(id uuid.UUID) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	it := x.byID[id]
	if it == nil {
		return false
	}
	x.detach(it)
	return true
}

// detach takes it out; the caller holds the exclusive lock.
func (x *Index) detach(it *item) {
	it.book.detach(it)
	it.dead = true
	delete(x.byID, it.e.OrderID)
	if it.book.n == 0 {
		delete(x.books, it.e.Symbol)
	}
}

// Get returns the order's entry as the index holds it (a trailing stop with its current water
// mark and stop).
func (x *Index) Get(id uuid.UUID) (Entry, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	it := x.byID[id]
	if it == nil {
		return Entry{}, false
	}
	it.book.mu.Lock()
	defer it.book.mu.Unlock()
	return it.report(), true
}

// Len is the number of orders in the index.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byID)
}

// Symbols appends to dst, sorted, the symbols with at least one order (the matcher's demand
// for quotes), and returns dst.
func (x *Index) Symbols(dst []string) []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	start := len(dst)
	for s := range x.books {
		dst = append(dst, s)
	}
	slices.Sort(dst[start:])
	return dst
}

// HasSymbol reports whether any order on symbol is indexed.
func (x *Index) HasSymbol(symbol string) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.books[symbol]
	return ok
}
