package market

// ring is a bounded FIFO that grows its storage on demand up to max, so thousands of idle
// subscriptions do not each hold a full buffer.
type ring[T any] struct {
	buf  []T
	head int
	n    int
	max  int
}

func (r *ring[T]) full() bool { return r.n >= r.max }

func (r *ring[T]) push(v T) {
	if r.n == len(r.buf) {
		grown := make([]T, min(r.max, max(8, 2*len(r.buf))))
		for i := range r.n {
			grown[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = grown, 0
	}
	r.buf[(r.head+r.n)%len(r.buf)] = v
	r.n++
}

func (r *ring[T]) front() *T { return &r.buf[r.head] }

func (r *ring[T]) back() *T { return &r.buf[(r.head+r.n-1)%len(r.buf)] }

func (r *ring[T]) dropFront() {
	var zero T
	r.buf[r.head] = zero // let the payload's numbers be collected
	r.head = (r.head + 1) % len(r.buf)
	r.n--
}

func (r *ring[T]) reset() {
	clear(r.buf)
	r.head, r.n = 0, 0
}
