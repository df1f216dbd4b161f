package sim

import (
	"math"
	"time"
)

// The price model, in three layers:
//
//  1. Anchors: one log level per calendar day and symbol, a slowly mean-reverting random walk
//     (Ornstein–Uhlenbeck) around the reference price, pinned to it on anchorEpoch. Each day's
//     shock is a pure function of (seed, symbol, day); the levels are cached per instrument.
//  2. Sessions: each day's path is a Brownian bridge between two levels, so consecutive days join
//     up without one day having to know another's path. Crypto runs from anchor(d) to
//     anchor(d+1) over the UTC day. A stock's extended session runs from an opening level a random
//     share of the way from the previous trading day's close to anchor(d) (the overnight gap) to
//     anchor(d); outside sessions it stays flat.
//  3. Minutes: the bridge is sampled per minute with U-shaped intraday volatility and volume for
//     stocks; each minute also gets a high and a low beyond its open and close, and inside a
//     minute quotes follow open → one extreme → the other → close.
//
// So the price at any instant is a pure function of (seed, symbol, instant), and a day's path,
// once computed, is cached.

const (
	// anchorEpoch is the day on which every price equals its reference price (2026-01-01).
	anchorEpoch = 20454
	// reversion is the daily pull of the log price back towards the reference: a half-life of
	// about 140 days, so charts trend for months without drifting off to nonsense (in the long
	// run a stock typically stays within about 15% of its reference, crypto within 30%).
	reversion = 0.005
	// intradayNoise scales the wiggle of a session's path around the straight line between its
	// opening and closing levels, relative to the daily volatility.
	intradayNoise = 0.9
	// extendedActivity is the volatility of a pre-market or after-hours minute relative to a
	// quiet regular-session one.
	extendedActivity = 0.3
	// extendedVolumeShare is the part of a stock's daily volume traded outside regular hours.
	extendedVolumeShare = 0.08
	// jumpChance is the chance per minute of a move five times the usual size: news.
	jumpChance = 0.0015
)

// anchorSeries caches an instrument's daily anchors outwards from anchorEpoch: fwd[i] is day
// anchorEpoch+i and back[i] is day anchorEpoch-i.
type anchorSeries struct {
	fwd, back []float64
}

// anchor is an instrument's log price level (relative to the reference) on a day: a fixed point
// that the day's session is bridged to or from (see levels).
func (p *Provider) anchor(in *instrument, day int) float64 {
	in.mu.Lock()
	defer in.mu.Unlock()
	a := &in.anchors
	if len(a.fwd) == 0 {
		a.fwd, a.back = []float64{0}, []float64{0}
	}
	// Stocks' volatility is per trading day; the walk steps per calendar day.
	sigma := in.dailyVol
	if !in.crypto {
		sigma *= math.Sqrt(252.0 / 365.0)
	}
	step := func(prev float64, d int) float64 {
		r := newRNG(hashKey(p.seed, in.key, saltAnchor, uint64(d)))
		return (1-reversion)*prev + sigma*r.norm()
	}
	if day >= anchorEpoch {
		for i := len(a.fwd); i <= day-anchorEpoch; i++ {
			a.fwd = append(a.fwd, step(a.fwd[i-1], anchorEpoch+i))
		}
		return a.fwd[day-anchorEpoch]
	}
	// A stationary autoregressive walk looks the same run backwards, so days before the epoch
	// are generated the same way, walking into the past.
	for i := len(a.back); i <= anchorEpoch-day; i++ {
		a.back = append(a.back, step(a.back[i-1], anchorEpoch-i))
	}
	return a.back[anchorEpoch-day]
}

// session is the span of one day in which an instrument's price moves.
type session struct {
	day         int       // day number of the civil date (New York for stocks, UTC for crypto)
	start, end  time.Time // the price moves in [start, end): the extended session for stocks
	open, close time.Time // the regular session, which makes the daily bar
}

// minutes is the number of one-minute bars in the session.
func (s session) minutes() int { return int(s.end.Sub(s.start) / time.Minute) }

// index is the minute of the session t falls in.
func (s session) index(t time.Time) int { return int(t.Sub(s.start) / time.Minute) }

// wholeDay reports a session that spans the whole day (crypto, or stocks in always-open mode):
// such days have no opening and closing rush.
func (s session) wholeDay() bool { return s.open.Equal(s.start) && s.close.Equal(s.end) }

// dayOf is the day number of t in the instrument's zone.
func (p *Provider) dayOf(in *instrument, t time.Time) int {
	if in.crypto {
		return int(math.Floor(float64(t.Unix()) / 86400))
	}
	return dayNumber(p.cal.date(t))
}

// sessionOn is the instrument's session on a day, and false when it does not trade that day.
func (p *Provider) sessionOn(in *instrument, day int) (session, bool) {
	date := dayDate(day)
	if in.crypto {
		if y := date.Year(); y < firstCalendarYear || y > lastCalendarYear {
			return session{}, false
		}
		end := date.AddDate(0, 0, 1)
		return session{day: day, start: date, end: end, open: date, close: end}, true
	}
	cd, ok := p.calendarDay(date)
	if !ok {
		return session{}, false
	}
	return session{day: day, start: cd.SessionOpen, end: cd.SessionClose, open: cd.Open, close: cd.Close}, true
}

// maxIdleDays is further back than the longest run of days without a stock session.
const maxIdleDays = 10

// sessionAt is the session in progress at t (open true) or else the latest one before t.
func (p *Provider) sessionAt(in *instrument, t time.Time) (s session, open, ok bool) {
	day := p.dayOf(in, t)
	for back := 0; back <= maxIdleDays; back++ {
		s, ok := p.sessionOn(in, day-back)
		if ok && !t.Before(s.start) {
			return s, t.Before(s.end), true
		}
	}
	return session{}, false, false
}

// sessionBefore is the latest session of a day before day.
func (p *Provider) sessionBefore(in *instrument, day int) (session, bool) {
	for back := 1; back <= maxIdleDays; back++ {
		if s, ok := p.sessionOn(in, day-back); ok {
			return s, true
		}
	}
	return session{}, false
}

// dayPath is one session's price path, minute by minute.
type dayPath struct {
	in   *instrument
	sess session
	seed uint64
	px   []float64 // price at each minute boundary: px[i] opens minute i, px[i+1] closes it
	hi   []float64 // each minute's highest price
	lo   []float64 // each minute's lowest price
	vol  []int64   // each minute's volume, in size units
	cnt  []int32   // each minute's number of prints
}

// levels are where a session's path starts and ends, as log prices relative to the reference.
// A whole-day session runs from its day's anchor to the next day's. A stock's extended session
// ends at its day's anchor and starts part of the way there from the previous session's close:
// the overnight gap.
func (p *Provider) levels(in *instrument, s session) (from, to float64) {
	to = p.anchor(in, s.day)
	if s.wholeDay() {
		return to, p.anchor(in, s.day+1)
	}
	prev, ok := p.sessionBefore(in, s.day)
	if !ok {
		return to, to
	}
	last := p.anchor(in, prev.day)
	gap := 0.2 + 0.4*unit(hashKey(p.seed, in.key, saltGap, uint64(s.day)))
	return last + gap*(to-last), to
}

// pathBuffers is the memory of one path and its workings, reused from day to day by bulk reads
// so that a year of history does not allocate a year of paths.
type pathBuffers struct {
	weight, volShape, x, varTime, ext, px, hi, lo []float64
	vol                                           []int64
	cnt                                           []int32
}

// grow returns b resized to n, reusing its memory when it is large enough.
func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// buildPath draws a session's path. It is deterministic: the same session of the same
// instrument gives the same path every time. With buf nil the path has memory of its own;
// otherwise it lives in buf and is valid until buf is next used.
func (p *Provider) buildPath(in *instrument, s session, buf *pathBuffers) *dayPath {
	if buf == nil {
		buf = new(pathBuffers)
	}
	n := s.minutes()
	seed := hashKey(p.seed, in.key, saltDay, uint64(s.day))
	r := newRNG(seed)
	from, to := p.levels(in, s)

	// Volatility and volume shapes: flat around the clock for whole-day sessions; for stocks
	// quiet outside regular hours and U-shaped inside them, busiest just after the open and
	// before the close.
	buf.weight, buf.volShape = grow(buf.weight, n), grow(buf.volShape, n)
	weight, volShape := buf.weight, buf.volShape
	regFrom, regTo := s.index(s.open), s.index(s.close)
	if s.wholeDay() {
		for i := range weight {
			weight[i], volShape[i] = 1, 1/float64(n)
		}
	} else {
		rush := 0.0
		for i := regFrom; i < regTo; i++ {
			k, left := float64(i-regFrom), float64(regTo-1-i)
			weight[i] = 1 + 1.5*math.Exp(-k/25) + 0.8*math.Exp(-left/20)
			volShape[i] = 1 + 3*math.Exp(-k/15) + 2.5*math.Exp(-left/12)
			rush += volShape[i]
		}
		// An early close trades a shorter day's share of the usual volume.
		regularShare := (1 - extendedVolumeShare) * float64(regTo-regFrom) / 390
		for i := regFrom; i < regTo; i++ {
			volShape[i] *= regularShare / rush
		}
		extended := float64(n - (regTo - regFrom))
		for i := range weight {
			if i < regFrom || i >= regTo {
				weight[i], volShape[i] = extendedActivity, extendedVolumeShare/extended
			}
		}
	}
	total := 0.0
	for _, w := range weight {
		total += w * w
	}
	scale := intradayNoise * in.dailyVol / math.Sqrt(total)

	// Walk, then bend the walk into a bridge that ends exactly at the closing level.
	buf.x, buf.varTime = grow(buf.x, n+1), grow(buf.varTime, n+1)
	buf.ext = grow(buf.ext, 2*n) // how far each minute's high and low reach beyond its open and close
	x, varTime, ext := buf.x, buf.varTime, buf.ext
	buf.px, buf.hi, buf.lo = grow(buf.px, n+1), grow(buf.hi, n), grow(buf.lo, n)
	buf.vol, buf.cnt = grow(buf.vol, n), grow(buf.cnt, n)
	dp := &dayPath{in: in, sess: s, seed: seed, px: buf.px, hi: buf.hi, lo: buf.lo, vol: buf.vol, cnt: buf.cnt}
	for i := range n {
		sd := scale * weight[i]
		z := r.norm()
		if r.float() < jumpChance {
			z *= 5
		}
		x[i+1] = x[i] + sd*z
		varTime[i+1] = varTime[i] + sd*sd
		ext[2*i] = 0.5 * sd * (r.float() + r.float())
		ext[2*i+1] = 0.5 * sd * (r.float() + r.float())
		// Volume is heavier in busy minutes and in minutes that move.
		v := in.adv * volShape[i] * (0.4 + 1.2*r.float()) * (1 + 0.5*math.Abs(z)) / 1.4
		units := in.sizeUnits(v)
		trades := math.Round(v / in.avgTrade * (0.7 + 0.6*r.float()))
		dp.vol[i] = units
		dp.cnt[i] = int32(min(max(trades, 1), float64(units), math.MaxInt32))
	}
	walkEnd, varEnd := x[n], varTime[n]
	for i := range x {
		f := 0.0
		if varEnd > 0 {
			f = varTime[i] / varEnd
		}
		dp.px[i] = in.ref * math.Exp(from+(to-from)*f+x[i]-f*walkEnd)
	}
	// The extensions are a fraction of a percent, where 1+e is as good as e^e.
	for i := range n {
		dp.hi[i] = max(dp.px[i], dp.px[i+1]) * (1 + ext[2*i])
		dp.lo[i] = min(dp.px[i], dp.px[i+1]) / (1 + ext[2*i+1])
	}
	return dp
}

// midAt is the model mid price at a fraction f of minute i. Within a minute the price runs from
// the open to one extreme, to the other, then to the close, so every quote lies inside the
// minute's bar.
func (dp *dayPath) midAt(i int, f float64) float64 {
	h := hashKey(dp.seed, saltMinute, uint64(i), 0)
	a := 0.1 + 0.35*unit(h)
	b := 0.55 + 0.35*unit(mix(h))
	first, second := dp.hi[i], dp.lo[i]
	if h&1 == 0 {
		first, second = second, first
	}
	lerp := func(from, to, at0, at1 float64) float64 { return from + (to-from)*(f-at0)/(at1-at0) }
	switch {
	case f <= a:
		return lerp(dp.px[i], first, 0, a)
	case f <= b:
		return lerp(first, second, a, b)
	default:
		return lerp(second, dp.px[i+1], b, 1)
	}
}

// at locates an instant of the session: its minute and how far into it.
func (dp *dayPath) at(t time.Time) (int, float64) {
	i := dp.sess.index(t)
	i = min(max(i, 0), len(dp.hi)-1)
	f := float64(t.Sub(dp.sess.start.Add(time.Duration(i)*time.Minute))) / float64(time.Minute)
	return i, min(max(f, 0), 1)
}

// path returns a session's path from the cache, drawing it on a miss.
func (p *Provider) path(in *instrument, s session) *dayPath {
	key := dayKey{in: in, day: s.day}
	if dp, ok := p.paths.get(key); ok {
		return dp
	}
	dp := p.buildPath(in, s, nil)
	p.paths.put(key, dp)
	return dp
}

// pathUncached is path for bulk reads (a year of history), which would only flush the cache of
// the days the live feed keeps asking for. A path drawn here lives in buf (see buildPath).
func (p *Provider) pathUncached(in *instrument, s session, buf *pathBuffers) *dayPath {
	if dp, ok := p.paths.get(dayKey{in: in, day: s.day}); ok {
		return dp
	}
	return p.buildPath(in, s, buf)
}
