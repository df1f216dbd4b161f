package matcher

import (
	"slices"
	"sort"
)

// list holds orders sorted by key, ascending; orders with equal keys keep their arrival order.
// Keys and items are separate slices so that the hot test reads one int64.
type list struct {
	keys  []int64
	items []*item
}

func (l *list) insert(it *item) {
	i := sort.Search(len(l.keys), func(i int) bool { return l.keys[i] > it.key })
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

// fromTop appends the orders whose key is at least v, highest first.
func (l *list) fromTop(v int64, dst []Entry) []Entry {
	for i := len(l.keys) - 1; i >= 0 && l.keys[i] >= v; i-- {
		dst = append(dst, l.items[i].e)
	}
	return dst
}

// fromBottom appends the orders whose key is at most v, lowest first.
func (l *list) fromBottom(v int64, dst []Entry) []Entry {
	for i := 0; i < len(l.keys) && l.keys[i] <= v; i++ {
		dst = append(dst, l.items[i].e)
	}
	return dst
}

// bag is an unordered list with O(1) removal (items remember their position).
type bag []*item

func (s *bag) add(it *item) {
	it.pos = len(*s)
	*s = append(*s, it)
}

func (s *bag) remove(it *item) {
	last := len(*s) - 1
	moved := (*s)[last]
	(*s)[it.pos], moved.pos = moved, it.pos
	(*s)[last] = nil
	*s = (*s)[:last]
}
