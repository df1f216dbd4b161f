package market

import (
	"sync/atomic"
	"time"
)

// stampedQuote is a quote and when the hub received it.
type stampedQuote struct {
	quote Quote
	at    time.Time
}

// quoteBuffer is a triple buffer: one slot being written by publishers, one being read by the
// fan-out worker, and one in the middle holding the newest complete quote. The slots change hands
// only through an atomic swap of the middle index, so a writer and the reader never touch the
// same slot and neither ever waits for the other.
type quoteBuffer struct {
	slots [3]stampedQuote
	state atomic.Uint32 // index of the middle slot, | fresh when it holds a quote not yet taken
	back  uint32        // the publishers' slot; guarded by Hub.quoteMu
	front uint32        // the worker's slot
}

const fresh = 4

func (b *quoteBuffer) init() {
	b.back, b.front = 0, 2
	b.state.Store(1)
}

// put publishes q and reports whether it replaced a quote the worker had not taken yet.
func (b *quoteBuffer) put(q *Quote, at time.Time) (replaced bool) {
	slot := &b.slots[b.back]
	slot.quote, slot.at = *q, at
	old := b.state.Swap(b.back | fresh)
	b.back = old &^ fresh
	return old&fresh != 0
}

// take returns the newest quote if one arrived since the last take. The slot stays the
// worker's until its next take.
func (b *quoteBuffer) take() (*stampedQuote, bool) {
	if b.state.Load()&fresh == 0 {
		return nil, false
	}
	b.front = b.state.Swap(b.front) &^ fresh
	return &b.slots[b.front], true
}
