package matcher_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"alpacawrapper/market"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// instrument is a symbol the property test trades: its price level and tick.
type instrument struct {
	symbol string
	crypto bool
	base   decimal.Decimal
	tick   decimal.Decimal
}

type world struct {
	rng   *rand.Rand
	x     *matcher.Index
	next  int
	live  map[string][]uuid.UUID // ids by symbol, in the index
	walks map[string]int         // each symbol's price, in ticks from its base
}

func (w *world) price(in instrument, ticks int) decimal.Decimal {
	return in.base.Add(in.tick.Mul(decimal.NewFromInt(int64(ticks))))
}

func (w *world) pick(s ...string) string { return s[w.rng.IntN(len(s))] }

// randomOrder is any order the engine may hold, priced near the instrument's current price.
func (w *world) randomOrder(in instrument) matcher.Entry {
	r := w.rng
	near := func() decimal.Decimal { return w.price(in, w.walks[in.symbol]+r.IntN(31)-15) }
	side := fill.Buy
	if r.IntN(2) == 0 {
		side = fill.Sell
	}
	o := fill.Order{Side: side, TimeInForce: fill.GTC, Qty: decimal.NewFromInt(10)}
	if r.IntN(10) > 0 {
		o.RestedAt = t0
	}
	if r.IntN(2) == 0 {
		o.TimeInForce = fill.Day
	}
	if r.IntN(8) == 0 {
		o.TimeInForce = []fill.TimeInForce{fill.IOC, fill.FOK, fill.OPG, fill.CLS}[r.IntN(4)]
	}
	if r.IntN(100) == 0 {
		o.Qty = decimal.Zero
	}
	o.ExtendedHours = r.IntN(3) == 0
	switch n := r.IntN(10); {
	case n < 3:
		o.Type, o.LimitPrice = fill.Limit, near()
	case n < 5:
		o.Type, o.StopPrice, o.Triggered = fill.Stop, near(), r.IntN(4) == 0
	case n < 7:
		o.Type, o.StopPrice, o.LimitPrice, o.Triggered = fill.StopLimit, near(), near(), r.IntN(3) == 0
	case n < 9:
		o.Type = fill.TrailingStop
		if r.IntN(2) == 0 {
			o.TrailPrice = in.tick.Mul(decimal.NewFromInt(int64(1 + r.IntN(10))))
		} else {
			o.TrailPercent = dec(w.pick("0.5", "1", "2.5", "0.01", "3.123456", "0.05"))
		}
		if in.crypto {
			if inc := w.pick("", "0.5", "0.01", "1"); inc != "" {
				o.PriceIncrement = dec(inc)
			}
		}
		if r.IntN(2) == 0 {
			o.WaterMark = near()
			o.StopPrice = fill.TrailStop(o, o.WaterMark)
		}
		o.Triggered = r.IntN(10) == 0
	default:
		o.Type = fill.Market
	}
	w.next++
	e := matcher.Entry{OrderID: id(w.next), AccountID: int64(r.IntN(3)), Symbol: in.symbol, Crypto: in.crypto, Order: o,
		Realism: []fill.Realism{{}, fill.Easy(), fill.Realistic(), fill.Harsh()}[r.IntN(4)]}
	return e
}

// randomQuote moves the instrument's price a few ticks and quotes it, now and then with an
// empty side, crossed, or with a price beyond nine decimals.
func (w *world) randomQuote(in instrument) market.Quote {
	r := w.rng
	j := w.walks[in.symbol] + r.IntN(7) - 3
	j = max(-40, min(40, j)) // stay among the orders
	w.walks[in.symbol] = j
	q := market.Quote{Symbol: in.symbol, BidPrice: w.price(in, j), AskPrice: w.price(in, j+r.IntN(4)),
		BidSize: decimal.NewFromInt(int64(r.IntN(30))), AskSize: decimal.NewFromInt(int64(r.IntN(30))), Time: t0}
	switch r.IntN(50) {
	case 0:
		q.BidPrice = decimal.Zero
	case 1:
		q.AskPrice = decimal.Zero
	case 2:
		q.AskPrice = w.price(in, j-1)
	case 3:
		q.BidPrice = q.BidPrice.Add(decimal.New(1, -11))
	case 4:
		q.AskPrice = q.AskPrice.Sub(decimal.New(3, -12))
	}
	return q
}

// TestCandidatesSupersetOfFill is the index's contract: for random orders and quotes, every
// order fill.Evaluate executes or triggers is among the candidates, and every trailing stop
// the index moves ends where fill.Evaluate says. The test plays the caller: it applies fills,
// triggers and cancellations back to the index, so orders move between lists.
func TestCandidatesSupersetOfFill(t *testing.T) {
	t.Parallel()
	instruments := []instrument{
		{symbol: "AAPL", base: dec("100"), tick: dec("0.01")},
		{symbol: "PENNY", base: dec("0.5"), tick: dec("0.0001")},
		{symbol: "BTC/USD", crypto: true, base: dec("60000"), tick: dec("0.01")},
		{symbol: "DOGE/USD", crypto: true, base: dec("0.08"), tick: dec("0.000001")},
	}
	w := &world{rng: rand.New(rand.NewPCG(7, 11)), x: matcher.NewIndex(), live: map[string][]uuid.UUID{}, walks: map[string]int{}}
	for _, in := range instruments {
		for range 60 {
			e := w.randomOrder(in)
			w.x.Upsert(e)
			w.live[in.symbol] = append(w.live[in.symbol], e.OrderID)
		}
	}
	steps := 3000
	if testing.Short() {
		steps = 500
	}
	var acted, candidates, falsePositives int
	var buf []matcher.Entry
	for step := range steps {
		in := instruments[w.rng.IntN(len(instruments))]
		q := w.randomQuote(in)
		open := w.rng.IntN(10) < 7
		decisions := map[uuid.UUID]fill.Decision{}
		before := map[uuid.UUID]matcher.Entry{}
		for _, oid := range w.live[in.symbol] {
			e, ok := w.x.Get(oid)
			if !ok {
				t.Fatalf("step %d: order %v lost", step, oid)
			}
			before[oid] = e
			decisions[oid] = fill.Evaluate(e.Order, q, q.Time, session(e, open), e.Realism)
		}
		buf = w.x.Candidates(q, t0, open, buf[:0])
		got := ids(buf)
		if len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Fatalf("step %d: duplicate candidates", step)
		}
		candidates += len(got)
		for _, c := range buf {
			if _, ok := before[c.OrderID]; !ok || c.Symbol != in.symbol {
				t.Fatalf("step %d: candidate %v is not an order on %s", step, c.OrderID, in.symbol)
			}
			// Evaluated as the caller will, with the state the candidate carries.
			if d := decisions[c.OrderID]; d.Action != fill.Execute && d.Action != fill.Trigger {
				falsePositives++
			}
		}
		for _, oid := range w.live[in.symbol] {
			d, e := decisions[oid], before[oid]
			if (d.Action == fill.Execute || d.Action == fill.Trigger) && !slices.Contains(got, oid) {
				t.Fatalf("step %d: missed %+v on quote %s/%s open=%v: fill.Evaluate says %s (%s)",
					step, e.Order, q.BidPrice, q.AskPrice, open, d.Action, d.Detail)
			}
			if e.Order.Type == fill.TrailingStop && d.Action != fill.Reject && (e.Order.TimeInForce == fill.Day || e.Order.TimeInForce == fill.GTC) {
				after, _ := w.x.Get(oid)
				if !after.Order.WaterMark.Equal(d.Trail.WaterMark) || !after.Order.StopPrice.Equal(d.Trail.Stop) {
					t.Fatalf("step %d: trailing %+v on quote %s/%s open=%v: index holds %s/%s, fill.Evaluate %s/%s",
						step, e.Order, q.BidPrice, q.AskPrice, open, after.Order.WaterMark, after.Order.StopPrice, d.Trail.WaterMark, d.Trail.Stop)
				}
			}
		}
		// Play the caller, and a user who now and then cancels an order.
		if w.rng.IntN(4) == 0 {
			oid := w.live[in.symbol][w.rng.IntN(len(w.live[in.symbol]))]
			decisions[oid] = fill.Decision{Action: fill.Cancel}
		}
		for _, oid := range slices.Clone(w.live[in.symbol]) {
			d, e := decisions[oid], before[oid]
			if d.Action == fill.Execute || d.Action == fill.Trigger {
				acted++
			}
			switch {
			case d.Action == fill.Execute && d.Fill.Partial && !d.CancelRemainder,
				d.Action == fill.Trigger:
				e.Order.Triggered = e.Order.Triggered || d.Triggered
				e.Order.RestedAt = t0
				if d.Action == fill.Execute {
					e.Order.Qty = e.Order.Qty.Sub(d.Fill.Qty)
				}
				if e.Order.Type == fill.TrailingStop {
					e.Order.WaterMark, e.Order.StopPrice = d.Trail.WaterMark, d.Trail.Stop
				}
				w.x.Upsert(e)
			case d.Action == fill.Execute, d.Action == fill.Cancel, d.Action == fill.Reject:
				w.x.Remove(oid)
				w.live[in.symbol] = slices.DeleteFunc(w.live[in.symbol], func(u uuid.UUID) bool { return u == oid })
				n := w.randomOrder(in)
				w.x.Upsert(n)
				w.live[in.symbol] = append(w.live[in.symbol], n.OrderID)
			}
		}
	}
	if w.x.Len() != 4*60 {
		t.Fatalf("Len = %d, want %d", w.x.Len(), 4*60)
	}
	t.Logf("%d steps: %d orders executed or triggered, %d candidates, %d of them false positives", steps, acted, candidates, falsePositives)
	if acted < steps/3 {
		t.Fatalf("only %d orders acted: the test exercises too little", acted)
	}
}
