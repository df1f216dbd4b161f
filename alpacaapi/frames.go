package alpacaapi

import (
	"sync"

	"alpacawrapper/trading"
)

// EventFrames keeps the encoded SSE frames of recent trade events for every stream of the process
// to share: an event that a thousand streams of one account deliver is encoded once, not a
// thousand times (the encoding was most of the fan-out's cost). It holds the newest size events;
// an older one is encoded again if a late reader needs it.
type EventFrames struct {
	mu     sync.RWMutex
	frames map[int64][]byte
	ring   []int64 // ids in the order they were kept, to evict the oldest
	next   int
}

// NewEventFrames returns a cache of the last size events' frames.
func NewEventFrames(size int) *EventFrames {
	return &EventFrames{frames: make(map[int64][]byte, size), ring: make([]int64, size)}
}

// SSE is up's frame ("id: …\ndata: …\n\n"), empty for an event Alpaca has no shape for. The
// slice is shared: append it, never change it.
func (f *EventFrames) SSE(up *trading.TradeUpdate) []byte {
	if f == nil || up.EventID == 0 {
		return encodeSSE(up)
	}
	f.mu.RLock()
	b, ok := f.frames[up.EventID]
	f.mu.RUnlock()
	if ok {
		return b
	}
	b = encodeSSE(up)
	f.mu.Lock()
	if _, ok := f.frames[up.EventID]; !ok {
		if old := f.ring[f.next]; old != 0 {
			delete(f.frames, old)
		}
		f.ring[f.next] = up.EventID
		f.next = (f.next + 1) % len(f.ring)
		f.frames[up.EventID] = b
	}
	f.mu.Unlock()
	return b
}

// encodeSSE is up's frame, encoded now.
func encodeSSE(up *trading.TradeUpdate) []byte {
	tu, ok := EncodeTradeUpdate(up)
	if !ok {
		return []byte{}
	}
	return AppendSSE(nil, &tu)
}
