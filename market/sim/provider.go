// Package sim is the built-in simulated market: a market.Provider that makes a believable US
// stock and crypto market offline, so the whole app runs without Alpaca keys. It is
// deterministic: every price, quote, print and bar is a pure function of the seed, the symbol
// and the instant, so history and the live feed agree, restarts change nothing, and tests can
// pin exact values.
package sim

import (
	"context"
	"fmt"
	"time"

	"alpacawrapper/market"
)

// Options configures the simulated market.
type Options struct {
	// Seed selects one of many possible markets; the same seed always gives the same prices.
	Seed int64
	// AlwaysOpen makes the stock market trade around the clock, every day, for demos at night
	// and at weekends. The calendar then reports every day as one 24-hour session (New York
	// midnight to midnight), so order handling and candles agree with the prices that move.
	AlwaysOpen bool
	// TickInterval is how often the live stream wakes to move prices. Default 250ms.
	TickInterval time.Duration
	// Now is the clock. Default time.Now; tests pass a fixed or stepping clock.
	Now func() time.Time
}

// pathCacheSize bounds the session paths kept in memory (at most twice this many, about 50 kB
// each): room for today and yesterday of a few hundred streamed symbols.
const pathCacheSize = 1024

// Provider is the simulated market. It is safe for concurrent use.
type Provider struct {
	seed       uint64
	alwaysOpen bool
	now        func() time.Time
	cal        nyseCalendar

	instruments []*instrument
	bySymbol    map[string]*instrument
	paths       *pathCache
	stream      *Stream
}

var _ market.Provider = (*Provider)(nil)

// New builds the simulated market.
func New(opts Options) *Provider {
	if opts.TickInterval <= 0 {
		opts.TickInterval = 250 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		// time/tzdata is linked into this package, so the zone cannot be missing.
		panic(fmt.Sprintf("sim: load America/New_York: %v", err))
	}
	p := &Provider{
		seed:       uint64(opts.Seed),
		alwaysOpen: opts.AlwaysOpen,
		now:        opts.Now,
		cal:        nyseCalendar{ny: ny},
		bySymbol:   make(map[string]*instrument),
		paths:      newPathCache(pathCacheSize),
	}
	p.instruments = catalogue()
	for _, in := range p.instruments {
		p.bySymbol[in.asset.Symbol] = in
	}
	p.stream = newStream(p, opts.TickInterval)
	return p
}

// Name identifies the provider on the feed badge and in logs.
func (p *Provider) Name() string { return "simulated" }

// Stream is the live feed.
func (p *Provider) Stream() market.Stream { return p.stream }

// Assets is the catalogue: about a hundred stocks and ETFs, six crypto pairs and a few delisted
// symbols.
func (p *Provider) Assets(ctx context.Context) ([]market.Asset, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sim: assets: %w", err)
	}
	out := make([]market.Asset, len(p.instruments))
	for i, in := range p.instruments {
		out[i] = in.asset
	}
	return out, nil
}

// calendarDay is the stock market's day on a civil date, honouring AlwaysOpen.
func (p *Provider) calendarDay(date time.Time) (market.CalendarDay, bool) {
	if p.alwaysOpen {
		return p.cal.wholeDay(date)
	}
	return p.cal.tradingDay(date)
}

// Calendar lists the trading days whose New York date lies from start's to end's, inclusive, as
// Alpaca's calendar does. Dates outside 1990–2099 are left out.
func (p *Provider) Calendar(ctx context.Context, start, end time.Time) ([]market.CalendarDay, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sim: calendar: %w", err)
	}
	from, to := p.cal.date(start), p.cal.date(end)
	if from.Year() < firstCalendarYear {
		from = civil(firstCalendarYear, time.January, 1)
	}
	if to.Year() > lastCalendarYear {
		to = civil(lastCalendarYear, time.December, 31)
	}
	var days []market.CalendarDay
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if day, ok := p.calendarDay(d); ok {
			days = append(days, day)
		}
	}
	return days, nil
}

// lookup finds a symbol that has market data.
func (p *Provider) lookup(symbol string) (*instrument, bool) {
	in, ok := p.bySymbol[symbol]
	if !ok || !in.hasData() {
		return nil, false
	}
	return in, true
}

// latest is where the market stands for in at now: the session in progress, or the last one
// with the instant its final quote was made.
func (p *Provider) latest(in *instrument, now time.Time) (dp *dayPath, at time.Time, open, ok bool) {
	s, open, ok := p.sessionAt(in, now)
	if !ok {
		return nil, time.Time{}, false, false
	}
	at = now
	if !open {
		at = s.end.Add(-time.Second)
	}
	return p.path(in, s), at, open, true
}

// LatestQuotes returns each known symbol's quote at Options.Now: the live one while its market
// is open, else the last one of its latest session. Unknown and delisted symbols are absent.
func (p *Provider) LatestQuotes(ctx context.Context, symbols []string) (map[string]market.Quote, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sim: latest quotes: %w", err)
	}
	now := p.now().UTC()
	out := make(map[string]market.Quote, len(symbols))
	for _, sym := range symbols {
		in, ok := p.lookup(sym)
		if !ok {
			continue
		}
		if dp, at, _, ok := p.latest(in, now); ok {
			q, _ := p.tape(dp, at)
			out[sym] = q
		}
	}
	return out, nil
}

// Snapshots returns each known symbol's latest quote and print, its last completed minute bar,
// its current (possibly partial) daily bar and the one before.
func (p *Provider) Snapshots(ctx context.Context, symbols []string) (map[string]market.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sim: snapshots: %w", err)
	}
	now := p.now().UTC()
	out := make(map[string]market.Snapshot, len(symbols))
	for _, sym := range symbols {
		in, ok := p.lookup(sym)
		if !ok {
			continue
		}
		if snap, ok := p.snapshot(in, now); ok {
			out[sym] = snap
		}
	}
	return out, nil
}

func (p *Provider) snapshot(in *instrument, now time.Time) (market.Snapshot, bool) {
	dp, at, open, ok := p.latest(in, now)
	if !ok {
		return market.Snapshot{}, false
	}
	q, tr := p.tape(dp, at)
	snap := market.Snapshot{Symbol: in.asset.Symbol, LatestQuote: &q, LatestTrade: &tr}

	// The last completed minute: the one before now's while open, else the session's last.
	last := dp.sess.end.Add(-time.Minute)
	if open {
		last = now.Truncate(time.Minute).Add(-time.Minute)
		if last.Before(dp.sess.start) {
			if prev, ok := p.sessionBefore(in, dp.sess.day); ok {
				last = prev.end.Add(-time.Minute)
			}
		}
	}
	if b, ok := p.minuteBar(in, last); ok {
		snap.MinuteBar = &b
	}

	// Daily bars: today's once its regular session has a finished minute, else the last one.
	sess := dp.sess
	daily, ok := dp.dailyBar(now)
	if !ok {
		prev, found := p.sessionBefore(in, sess.day)
		if !found {
			return snap, true
		}
		sess = prev
		daily, ok = p.path(in, prev).dailyBar(now)
	}
	if ok {
		snap.DailyBar = &daily
	}
	if prev, found := p.sessionBefore(in, sess.day); found {
		if b, ok := p.pathUncached(in, prev, nil).dailyBar(now); ok {
			snap.PrevDailyBar = &b
		}
	}
	return snap, true
}
