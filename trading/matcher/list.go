package matcher

import (
	"bytes"
	"slices"
	"sort"
)

// Priority among orders that a quote reaches at the same price is time priority: first in, first
// out. Order ids are version 7 UUIDs, which sort by creation time (and, within a process, by
// creation order), so an order's id is its place in the queue: it keeps it across partial fills,
// triggers and re-indexing, whatever order the index learns orders in, and a replacement, which
// is a new order with a new id, goes to the back, as it does on an exchange.

// earlier reports whether a has time priority over b.
func earlier(a, b *item) bool { return bytes.Compare(a.e.OrderID[:], b.e.OrderID[:]) < 0 }

// list holds orders sorted by key, ascending, and by time priority among equal keys. Keys and
// items are separate slices so that the hot test reads one int64.
type list struct {
	keys  []int64
	items []*item
}

func (l *list) insert(it *item) {
	i := sort.Search(len(l.keys), func(i int) bool {
		return l.keys[i] > it.key || l.keys[i] == it.key && earlier(it, l.items[i])
	})
	l.keys = slices.Insert(l.keys, i, it.key)
	l.items = slices.Insert(l.items, i, it)
}

func (l *list) remove(it *item) {
	for i := sort.Search(len(l.keys), func(i int) bool { return l.keys[i] >= it.key }); i < len(l.keys) && l.keys[i] == it.key; i++ {
		if l.items[i] == it {
			l.keys = slices.Delete(l.keys, i, i+1)
			l.items = slices.Delete(l.items, i, i+1)
			return
		}
	}
}

// fromTop appends the orders whose key is at least v, highest key first and, among equal keys,
// in time priority.
func (l *list) fromTop(v int64, dst []Entry) []Entry {
	for hi := len(l.keys) - 1; hi >= 0 && l.keys[hi] >= v; {
		lo := hi
		for lo > 0 && l.keys[lo-1] == l.keys[hi] {
			lo--
		}
		for i := lo; i <= hi; i++ {
			dst = append(dst, l.items[i].e)
		}
		hi = lo - 1
	}
	return dst
}

// fromBottom appends the orders whose key is at most v, lowest key first and, among equal keys,
// in time priority.
func (l *list) fromBottom(v int64, dst []Entry) []Entry {
	for i := 0; i < len(l.keys) && l.keys[i] <= v; i++ {
		dst = append(dst, l.items[i].e)
	}
	return dst
}

// queue is a list of orders in time priority (the always list, and trailing stops).
type queue []*item

func (s *queue) add(it *item) {
	q := *s
	i := sort.Search(len(q), func(i int) bool { return earlier(it, q[i]) })
	*s = slices.Insert(q, i, it)
}

func (s *queue) remove(it *item) {
	q := *s
	i := sort.Search(len(q), func(i int) bool { return !earlier(q[i], it) })
	if i < len(q) && q[i] == it {
		*s = slices.Delete(q, i, i+1)
	}
}
