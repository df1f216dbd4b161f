package stats

import (
	"time"

	"github.com/shopspring/decimal"
)

// Downsample thins curve to one point per step for drawing: it keeps the last point of each
// bucket (so the chart's last point is the latest equity), at its own time, with NetFlow
// replaced by the sum of the bucket's flows, so P&L between kept points (equity change less
// flows) is exactly what the full curve says. A return across a bucket that holds a flow is
// then measured as if the flow arrived at the bucket's end; compute Summary on the curve before
// thinning it.
//
// Buckets are aligned in loc (nil means UTC): below a day, to multiples of step from local
// midnight (5-minute buckets start at :00, :05, …, and a bucket never spans midnight); from a
// day up, to calendar days, step counting whole days (rounded down), numbered from 1970-01-01.
// A non-positive step returns a copy of curve. The result is in time order whatever the input's.
func Downsample(curve []Point, step time.Duration, loc *time.Location) []Point {
	curve = ordered(curve)
	if step <= 0 {
		return append([]Point(nil), curve...)
	}
	if loc == nil {
		loc = time.UTC
	}
	type bucket struct{ day, slot int64 }
	key := func(t time.Time) bucket {
		day := civilDay(t, loc)
		if step >= 24*time.Hour {
			days := int64(step / (24 * time.Hour))
			return bucket{day: floorDiv(day, days)}
		}
		y, m, d := t.In(loc).Date()
		midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
		return bucket{day: day, slot: int64(t.Sub(midnight) / step)}
	}

	var out []Point
	flow := decimal.Zero
	for i, p := range curve {
		flow = flow.Add(p.NetFlow)
		if i == len(curve)-1 || key(curve[i+1].At) != key(p.At) {
			p.NetFlow = flow
			out = append(out, p)
			flow = decimal.Zero
		}
	}
	return out
}

// floorDiv is a / b rounded towards minus infinity (days before 1970 are negative).
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
