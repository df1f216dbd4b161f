package sim

import (
	"math"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// minuteRec is one minute bar on the grid: prices in price units, VWAP in VWAP units, volume in
// size units. Bars of every kind are built from these, so live and historical bars agree exactly.
type minuteRec struct {
	open, high, low, close int64
	vwap                   int64
	volume, trades         int64
}

// record rounds minute i of a path onto the grid.
func (dp *dayPath) record(i int) minuteRec {
	in := dp.in
	r := minuteRec{
		open:   in.roundPrice(dp.px[i]),
		high:   in.roundPrice(dp.hi[i]),
		low:    in.roundPrice(dp.lo[i]),
		close:  in.roundPrice(dp.px[i+1]),
		volume: dp.vol[i],
		trades: int64(dp.cnt[i]),
	}
	// The typical price stands in for the volume-weighted one: it always lies within the bar.
	typical := in.dollars(r.high+r.low+r.close) / 3
	r.vwap = int64(math.Round(typical * in.vwapUnit))
	return r
}

// bar makes a market.Bar of a record; memos may be zero.
func (in *instrument) bar(start time.Time, r minuteRec, memos barMemos) market.Bar {
	return market.Bar{
		Symbol:     in.asset.Symbol,
		Start:      start,
		Open:       memos.prices.get(r.open, in.price),
		High:       memos.prices.get(r.high, in.price),
		Low:        memos.prices.get(r.low, in.price),
		Close:      memos.prices.get(r.close, in.price),
		Volume:     in.size(r.volume),
		TradeCount: r.trades,
		VWAP:       memos.vwaps.get(r.vwap, in.vwap),
	}
}

// minuteBar is the bar of the minute starting at m (UTC, whole minute), and false when the
// instrument does not trade then.
func (p *Provider) minuteBar(in *instrument, m time.Time) (market.Bar, bool) {
	s, open, ok := p.sessionAt(in, m)
	if !ok || !open {
		return market.Bar{}, false
	}
	dp := p.path(in, s)
	return in.bar(m, dp.record(s.index(m)), barMemos{}), true
}

// dailyBar aggregates the regular session's minutes that have ended by now; false when none has.
// Its Start is the regular open, which is where the app's daily bucket starts (a UTC midnight
// for crypto).
func (dp *dayPath) dailyBar(now time.Time) (market.Bar, bool) {
	s := dp.sess
	from, to := s.index(s.open), s.index(s.close)
	if done := int(now.Sub(s.start) / time.Minute); done < to {
		to = done
	}
	if to <= from {
		return market.Bar{}, false
	}
	agg := dp.record(from)
	weighted := float64(agg.vwap) * float64(agg.volume)
	for i := from + 1; i < to; i++ {
		r := dp.record(i)
		agg.high = max(agg.high, r.high)
		agg.low = min(agg.low, r.low)
		agg.close = r.close
		agg.volume += r.volume
		agg.trades += r.trades
		weighted += float64(r.vwap) * float64(r.volume)
	}
	agg.vwap = int64(math.Round(weighted / float64(agg.volume)))
	return dp.in.bar(s.open, agg, barMemos{}), true
}

// decimalMemo lets the bars of one long response share their decimals. Making a decimal
// allocates twice, and a year of minute bars holds millions of prices but far fewer distinct
// ones, mostly close together in time. A small direct-mapped table indexed by the value itself
// catches most repeats (a minute's close is the next one's open) and keeps neighbouring prices in
// neighbouring slots, which the CPU's caches like. Decimals are immutable, so sharing them is
// safe. One memo serves one kind of value (one exponent).
type decimalMemo struct {
	step  int64 // the values' usual spacing, so that consecutive values take consecutive slots
	slots [1 << 14]memoSlot
}

type memoSlot struct {
	units int64 // 0 marks an empty slot: the values memoised are at least one tick
	dec   decimal.Decimal
}

// get is build(units), shared where it can be. A nil memo shares nothing.
func (m *decimalMemo) get(units int64, build func(int64) decimal.Decimal) decimal.Decimal {
	if m == nil {
		return build(units)
	}
	slot := &m.slots[(units/m.step)&int64(len(m.slots)-1)]
	if slot.units != units {
		slot.units, slot.dec = units, build(units)
	}
	return slot.dec
}

// barMemos are the memos of one response's bars, for prices and for VWAPs.
type barMemos struct {
	prices, vwaps *decimalMemo
}

func newBarMemos(in *instrument) barMemos {
	step := in.priceStep
	if !in.crypto {
		step = 100 // a cent
	}
	return barMemos{prices: &decimalMemo{step: step}, vwaps: &decimalMemo{step: 1}}
}

// tape is what the market shows at an instant t of a session: the quote and a print that could
// have happened then. Both derive from the path and a hash of t, so asking twice gives the same.
func (p *Provider) tape(dp *dayPath, t time.Time) (market.Quote, market.Trade) {
	in := dp.in
	i, f := dp.at(t)
	mid := dp.midAt(i, f)
	h := hashKey(p.seed, in.key, saltQuote, uint64(t.UnixNano()))

	tick := in.tick(mid)
	spread := max(int64(math.Round(mid*in.spreadBps/1e4*in.priceUnit/float64(tick))), 1)
	if t.Before(dp.sess.open) || !t.Before(dp.sess.close) {
		spread = 3*spread + 1 // thin books outside regular hours
	}
	if h>>60 < 4 {
		spread++ // now and then the book thins for a moment
	}
	bid := int64(math.Round((mid*in.priceUnit-float64(spread*tick)/2)/float64(tick))) * tick
	bid = max(bid, tick)
	ask := bid + spread*tick

	q := market.Quote{
		Symbol:   in.asset.Symbol,
		BidPrice: in.price(bid),
		AskPrice: in.price(ask),
		Time:     t,
	}
	if in.crypto {
		q.BidSize = in.size(in.sizeUnits(in.quoteSize * (0.2 + 1.6*unit(mix(h)))))
		q.AskSize = in.size(in.sizeUnits(in.quoteSize * (0.2 + 1.6*unit(mix(h+1)))))
	} else {
		lot, depth := roundLot(mid), 1+int64(in.quoteRate*2)
		q.BidSize = in.size(lot * (1 + int64(mix(h)%uint64(depth))))
		q.AskSize = in.size(lot * (1 + int64(mix(h+1)%uint64(depth))))
		q.BidExchange = venue(in, mix(h+2))
		q.AskExchange = venue(in, mix(h+3))
		q.Tape = market.TapeOf(in.asset.Exchange)
	}

	// Prints land on the bid or the ask but never outside the minute's high and low, so the tape
	// and the bars never contradict each other.
	rec := dp.record(i)
	price := ask
	if h&1 == 0 {
		price = bid
	}
	price = min(max(price, rec.low), rec.high)
	tr := market.Trade{
		Symbol: in.asset.Symbol,
		ID:     t.UnixMicro(),
		Price:  in.price(price),
		Time:   t,
	}
	u := unit(mix(h + 4))
	if in.crypto {
		tr.Size = in.size(in.sizeUnits(in.avgTrade * 2 * u * u))
	} else {
		// Mostly odd lots, as on the real tape, with the odd round-lot block.
		lot := roundLot(mid)
		shares := 1 + int64(u*float64(lot))
		if h&2 == 0 {
			shares = lot * (1 + int64(u*5))
		}
		tr.Size = in.size(shares)
		tr.Exchange = venue(in, mix(h+5))
		tr.Tape = q.Tape
	}
	return q, tr
}

// venue picks an exchange code for a stock quote or print: the listing market half the time,
// otherwise one of the busy venues.
func venue(in *instrument, h uint64) string {
	others := [...]string{"V", "K", "Z", "Q", "P", "N", "J", "Y", "X", "H"}
	if h&1 == 0 {
		switch in.asset.Exchange {
		case "NASDAQ":
			return "Q"
		case "NYSE":
			return "N"
		case "ARCA":
			return "P"
		case "BATS":
			return "Z"
		case "AMEX":
			return "A"
		}
	}
	return others[(h>>1)%uint64(len(others))]
}
