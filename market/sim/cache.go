package sim

import "sync"

// dayKey names one session's path.
type dayKey struct {
	in  *instrument
	day int
}

// pathCache keeps recently used session paths. It is a two-generation cache: entries live in
// young until it fills, then young becomes old and a new young starts; a hit in old moves the
// entry back to young. Memory stays within twice the capacity, and whatever is used every tick
// (today's path of each streamed symbol) is never evicted. No LRU bookkeeping on the hot path.
type pathCache struct {
	mu         sync.Mutex
	capacity   int
	young, old map[dayKey]*dayPath
}

func newPathCache(capacity int) *pathCache {
	return &pathCache{capacity: capacity, young: make(map[dayKey]*dayPath), old: make(map[dayKey]*dayPath)}
}

func (c *pathCache) get(k dayKey) (*dayPath, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if dp, ok := c.young[k]; ok {
		return dp, true
	}
	dp, ok := c.old[k]
	if ok {
		delete(c.old, k)
		c.putLocked(k, dp)
	}
	return dp, ok
}

func (c *pathCache) put(k dayKey, dp *dayPath) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(k, dp)
}

func (c *pathCache) putLocked(k dayKey, dp *dayPath) {
	if len(c.young) >= c.capacity {
		c.old, c.young = c.young, make(map[dayKey]*dayPath, c.capacity)
	}
	c.young[k] = dp
}
