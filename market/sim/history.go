package sim

import (
	"context"
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
