package sim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"alpacawrapper/market"
)

// maxMinuteSpan caps one request for minute bars (about 1.6 million crypto bars): a mistaken
// request for decades of minutes should fail rather than take the process's memory.
const maxMinuteSpan = 3 * 366 * 24 * time.Hour

// Bars returns the bars of one symbol with Start in [req.Start, req.End), oldest first, for
// minutes (Min1) or regular sessions (Day1). Only finished minutes are returned: a minute bar
// appears once its minute has ended by Options.Now, exactly as the live stream publishes it, and
// today's daily bar covers the finished minutes of its session so far. Unknown and delisted
// symbols have no bars.
func (p *Provider) Bars(ctx context.Context, req market.BarsRequest) ([]market.Bar, error) {
	if req.Timeframe != market.Min1 && req.Timeframe != market.Day1 {
		return nil, fmt.Errorf("sim: bars: timeframe %q is not served (only %s and %s)", req.Timeframe, market.Min1, market.Day1)
	}
	in, ok := p.lookup(req.Symbol)
	if !ok {
		return nil, nil
	}
	now := p.now().UTC()
	start, end := req.Start.UTC(), req.End.UTC()
	if end.After(now) {
		end = now
	}
	if !end.After(start) {
		return nil, nil
	}
	if req.Timeframe == market.Min1 && end.Sub(start) > maxMinuteSpan {
		return nil, fmt.Errorf("sim: bars %s: %s of minutes asked for, more than the %s one request may span",
			req.Symbol, end.Sub(start).Round(time.Hour), maxMinuteSpan)
	}
	if req.Timeframe == market.Day1 {
		return p.dailyBars(ctx, in, start, end, now)
	}
	return p.minuteBars(ctx, in, start, end)
}

// minuteBars returns the bars starting in [start, end) whose minute has ended by end.
func (p *Provider) minuteBars(ctx context.Context, in *instrument, start, end time.Time) ([]market.Bar, error) {
	bars := make([]market.Bar, 0, estimateMinutes(in, end.Sub(start)))
	last := end.Add(-time.Minute) // the latest minute start whose minute has ended by end
	memos, buf := newBarMemos(in), new(pathBuffers)
	for day := p.dayOf(in, start); day <= p.dayOf(in, end); day++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sim: bars %s: %w", in.asset.Symbol, err)
		}
		s, ok := p.sessionOn(in, day)
		if !ok || !s.end.After(start) || s.start.After(last) {
			continue
		}
		dp := p.pathUncached(in, s, buf)
		first := 0
		if start.After(s.start) {
			first = int((start.Sub(s.start) + time.Minute - 1) / time.Minute) // round up to a whole minute
		}
		for i := first; i < len(dp.hi); i++ {
			m := s.start.Add(time.Duration(i) * time.Minute)
			if m.After(last) {
				break
			}
			bars = append(bars, in.bar(m, dp.record(i), memos))
		}
	}
	return bars, nil
}

// dailyBars returns the daily bars whose regular session opens in [start, end).
func (p *Provider) dailyBars(ctx context.Context, in *instrument, start, end, now time.Time) ([]market.Bar, error) {
	var bars []market.Bar
	buf := new(pathBuffers)
	for day := p.dayOf(in, start); day <= p.dayOf(in, end); day++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sim: bars %s: %w", in.asset.Symbol, err)
		}
		s, ok := p.sessionOn(in, day)
		if !ok || s.open.Before(start) || !s.open.Before(end) {
			continue
		}
		if b, ok := p.pathUncached(in, s, buf).dailyBar(now); ok {
			bars = append(bars, b)
		}
	}
	return bars, nil
}

// estimateMinutes guesses how many minute bars a span holds, to size the result once: crypto
// trades every minute, stocks about 16 hours on 5 days of 7.
func estimateMinutes(in *instrument, span time.Duration) int {
	minutes := int(span / time.Minute)
	if in.crypto {
		return minutes + 1
	}
	return minutes*16*5/(24*7) + 1000
}

// The tape: historical quotes and prints. The live stream wakes every tick interval and, for each
// symbol at its own pace, publishes a quote and now and then a print, both drawn from the path and
// the instant (see Stream.tick). Those instants lie on a fixed grid (multiples of the interval since
// the Unix epoch) and whether one carries a quote or a print is a hash of it, so the tape of any
// stretch of the past can be drawn again exactly, as the stream published it: Trades and Quotes
// walk that grid.

// Trades returns the prints of one symbol with Time in [req.Start, req.End) that have happened by
// Options.Now, oldest first (newest first with req.Desc), at most req.Limit.
func (p *Provider) Trades(ctx context.Context, req market.TicksRequest) ([]market.Trade, error) {
	var out []market.Trade
	err := p.walkTape(ctx, req, func(dp *dayPath, t time.Time, printed bool) bool {
		if printed {
			_, tr := p.tape(dp, t)
			out = append(out, tr)
		}
		return len(out) < req.Limit
	})
	if err != nil {
		return nil, fmt.Errorf("sim: trades %s: %w", req.Symbol, err)
	}
	return out, nil
}

// Quotes returns the quotes of one symbol with Time in [req.Start, req.End) that have happened by
// Options.Now, oldest first (newest first with req.Desc), at most req.Limit.
func (p *Provider) Quotes(ctx context.Context, req market.TicksRequest) ([]market.Quote, error) {
	var out []market.Quote
	err := p.walkTape(ctx, req, func(dp *dayPath, t time.Time, _ bool) bool {
		q, _ := p.tape(dp, t)
		out = append(out, q)
		return len(out) < req.Limit
	})
	if err != nil {
		return nil, fmt.Errorf("sim: quotes %s: %w", req.Symbol, err)
	}
	return out, nil
}

// walkTape calls visit with each instant of the request's range at which the stream publishes a
// quote for the symbol (printed: a print too), in the order asked, until visit returns false or
// the range ends. Unknown and delisted symbols have no tape.
func (p *Provider) walkTape(ctx context.Context, req market.TicksRequest, visit func(dp *dayPath, t time.Time, printed bool) bool) error {
	if req.Limit <= 0 {
		return errors.New("the limit must be positive")
	}
	in, ok := p.lookup(req.Symbol)
	if !ok {
		return nil
	}
	start, end := req.Start.UTC(), req.End.UTC()
	if now := p.now().UTC(); end.After(now) {
		end = now
	}
	// Before the calendar's first year there are no sessions: walking those days would find nothing.
	if first := time.Date(firstCalendarYear, time.January, 1, 0, 0, 0, 0, time.UTC); start.Before(first) {
		start = first
	}
	if !end.After(start) {
		return nil
	}
	iv := int64(p.stream.interval)
	chance := in.quoteRate * p.stream.interval.Seconds()
	buf := new(pathBuffers)
	first, last := p.dayOf(in, start), p.dayOf(in, end)
	for i := 0; i <= last-first; i++ {
		day := first + i
		if req.Desc {
			day = last - i
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		s, ok := p.sessionOn(in, day)
		if !ok {
			continue
		}
		from, to := market.Latest(start, s.start), market.Earliest(end, s.end)
		if !to.After(from) {
			continue
		}
		dp := p.pathUncached(in, s, buf)
		// Grid indices k with from <= k·iv < to.
		lo, hi := ceilDiv(from.UnixNano(), iv), ceilDiv(to.UnixNano(), iv)-1
		for j := int64(0); j <= hi-lo; j++ {
			k := lo + j
			if req.Desc {
				k = hi - j
			}
			h := hashKey(p.seed, in.key, saltTick, uint64(k))
			if unit(h) >= chance {
				continue
			}
			if !visit(dp, time.Unix(0, k*iv).UTC(), unit(mix(h)) < tradeChance) {
				return nil
			}
		}
	}
	return nil
}

// ceilDiv is a/b rounded up, for positive b.
func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a > 0 {
		q++
	}
	return q
}
