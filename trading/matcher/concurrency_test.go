package matcher_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"
)

// TestConcurrentUse runs writers, quote readers, getters and drains at once; with -race it
// checks the locking, and at the end that the writers' orders are all there.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	x := matcher.NewIndex()
	symbols := []string{"A", "B", "C", "D"}
	const writers, perWriter = 4, 300
	var wg sync.WaitGroup
	done := make(chan struct{})
	kept := make([]int, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range perWriter {
				n := w*perWriter + i
				var o fill.Order
				switch i % 4 {
				case 0:
					o = limit(fill.Buy, fmt.Sprintf("%d.%02d", 99+rng.IntN(2), rng.IntN(100)))
				case 1:
					o = stop(fill.Sell, fmt.Sprintf("%d.%02d", 99+rng.IntN(2), rng.IntN(100)))
				case 2:
					o = trailing(fill.Sell, "0.50", "", "", "")
				default:
					o = trailing(fill.Buy, "", "1", "", "")
				}
				e := matcher.Entry{OrderID: id(n), Symbol: symbols[rng.IntN(len(symbols))], Order: o}
				x.Upsert(e)
				if i%5 == 0 {
					e.Order.Triggered = true
					x.Upsert(e)
				}
				if i%3 == 0 {
					x.Remove(id(n))
				} else {
					kept[w]++
				}
			}
		}()
	}
	var readers sync.WaitGroup
	for r := range 3 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 2))
			var buf []matcher.Entry
			for {
				select {
				case <-done:
					return
				default:
				}
				bid := fmt.Sprintf("%d.%02d", 99+rng.IntN(2), rng.IntN(100))
				q := quote(symbols[rng.IntN(len(symbols))], bid, bid)
				buf = x.Candidates(q, t0, rng.IntN(2) == 0, buf[:0])
				switch r {
				case 0:
					buf = x.DrainTrailChanges(buf[:0])
				case 1:
					x.Get(id(rng.IntN(writers * perWriter)))
					x.Symbols(nil)
					x.Len()
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	readers.Wait()
	want := 0
	for _, k := range kept {
		want += k
	}
	if x.Len() != want {
		t.Fatalf("Len = %d, want %d", x.Len(), want)
	}
	for n := range writers * perWriter {
		if _, ok := x.Get(id(n)); ok != (n%perWriter%3 != 0) {
			t.Fatalf("order %d: indexed = %v", n, ok)
		}
	}
}
