package market

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Lane is who is asking the provider's REST API, which decides how a call draws on the Budget.
type Lane int

// The lanes, lowest priority first.
const (
	// LanePages is page and public API look-ups: they never wait for the budget, may use only
	// what is above the reserve, and only a few at a time. A refused look-up shows the last known
	// value instead (LastKnown).
	LanePages Lane = iota
	// LaneBackground is jobs (catalogue and calendar syncs, candle backfills): they wait for the
	// budget, but only for what is above the reserve.
	LaneBackground
	// LaneTrading is order placement and valuation: it may use the whole budget, reserve
	// included, and waits for it as long as its context allows.
	LaneTrading
	laneCount
)

// String names the lane for logs and the status endpoint.
func (l Lane) String() string {
	switch l {
	case LanePages:
		return "pages"
	case LaneBackground:
		return "background"
	case LaneTrading:
		return "trading"
	}
	return "unknown"
}

// ErrBudgetSpent is returned to a page look-up that the budget refuses: the provider's allowance
// above the trading reserve is spent for now, or enough page look-ups are already waiting on it.
var ErrBudgetSpent = errors.New("market: provider request budget spent for pages")

// Defaults of BudgetOptions.
const (
	// DefaultRESTPerMinute is a little under Alpaca's free plan's 200 requests a minute, so the
	// app's own traffic never meets the provider's 429s.
	DefaultRESTPerMinute = 180
	// DefaultPageConcurrency bounds the page look-ups under way at once: a slow provider must not
	// collect a goroutine and a connection per page view.
	DefaultPageConcurrency = 4
)

// BudgetOptions tune a Budget. Zero values select the documented defaults.
type BudgetOptions struct {
	// PerMinute is the sustained rate of REST calls for the whole process. Default
	// DefaultRESTPerMinute.
	PerMinute int
	// Burst is how many calls may be made at once after a quiet spell. Default PerMinute/3.
	Burst int
	// Reserve is how many of the Burst only LaneTrading may use. Default Burst/2.
	Reserve int
	// PageConcurrency bounds the LanePages calls under way. Default DefaultPageConcurrency.
	PageConcurrency int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Budget puts one app-wide allowance on the provider's REST calls (a token bucket), shared by
// lanes of different priority, so that page traffic, however heavy, can never use up what order
// placement needs: pages take only tokens above the reserve and never wait; trading may take the
// reserve and waits for a token. The stream is not a REST call and is not counted.
//
// It is safe for concurrent use.
type Budget struct {
	p    Provider
	opts BudgetOptions

	mu        sync.Mutex
	tokens    float64
	refilled  time.Time
	pagesBusy int

	calls   [laneCount]atomic.Uint64
	refused atomic.Uint64
}

// NewBudget returns a budget in front of p. Use Lane to get the Provider each caller should use.
func NewBudget(p Provider, o BudgetOptions) *Budget {
	if o.PerMinute <= 0 {
		o.PerMinute = DefaultRESTPerMinute
	}
	if o.Burst <= 0 {
		o.Burst = max(o.PerMinute/3, 2)
	}
	if o.Reserve <= 0 || o.Reserve >= o.Burst {
		o.Reserve = o.Burst / 2
	}
	if o.PageConcurrency <= 0 {
		o.PageConcurrency = DefaultPageConcurrency
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Budget{p: p, opts: o, tokens: float64(o.Burst), refilled: o.Now()}
}

// Lane returns p as seen by callers of lane l: every REST method draws on the budget first.
func (b *Budget) Lane(l Lane) Provider { return &laneProvider{b: b, lane: l} }

// BudgetStats count the calls made and refused since the budget was made.
type BudgetStats struct {
	Calls   map[string]uint64 // per lane
	Refused uint64            // page look-ups refused
	Tokens  float64           // available now
}

// Stats reports the counters.
func (b *Budget) Stats() BudgetStats {
	out := BudgetStats{Calls: make(map[string]uint64, laneCount), Refused: b.refused.Load()}
	for l := Lane(0); l < laneCount; l++ {
		out.Calls[l.String()] = b.calls[l].Load()
	}
	b.mu.Lock()
	b.refillLocked()
	out.Tokens = b.tokens
	b.mu.Unlock()
	return out
}

func (b *Budget) refillLocked() {
	now := b.opts.Now()
	if el := now.Sub(b.refilled); el > 0 {
		b.tokens = min(float64(b.opts.Burst), b.tokens+el.Minutes()*float64(b.opts.PerMinute))
		b.refilled = now
	}
}

// take draws one call for lane, waiting (except pages) until a token is available or ctx ends.
// The returned release must be called when the call is over.
func (b *Budget) take(ctx context.Context, lane Lane) (release func(), err error) {
	floor := float64(b.opts.Reserve)
	if lane == LaneTrading {
		floor = 0
	}
	for {
		b.mu.Lock()
		b.refillLocked()
		if lane == LanePages && b.pagesBusy >= b.opts.PageConcurrency {
			b.mu.Unlock()
			b.refused.Add(1)
			return nil, ErrBudgetSpent
		}
		if b.tokens-1 >= floor {
			b.tokens--
			b.calls[lane].Add(1)
			if lane != LanePages {
				b.mu.Unlock()
				return func() {}, nil
			}
			b.pagesBusy++
			b.mu.Unlock()
			var once sync.Once
			return func() {
				once.Do(func() {
					b.mu.Lock()
					b.pagesBusy--
					b.mu.Unlock()
				})
			}, nil
		}
		wait := time.Duration((floor + 1 - b.tokens) / float64(b.opts.PerMinute) * float64(time.Minute))
		b.mu.Unlock()
		if lane == LanePages {
			b.refused.Add(1)
			return nil, ErrBudgetSpent
		}
		t := time.NewTimer(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("market: waiting for the provider budget (%s): %w", lane, ctx.Err())
		case <-t.C:
		}
	}
}

// laneProvider is the provider as one lane sees it.
type laneProvider struct {
	b    *Budget
	lane Lane
}

func (p *laneProvider) Name() string   { return p.b.p.Name() }
func (p *laneProvider) Stream() Stream { return p.b.p.Stream() }

func (p *laneProvider) Assets(ctx context.Context) ([]Asset, error) {
	release, err := p.b.take(ctx, p.lane)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.b.p.Assets(ctx)
}

func (p *laneProvider) Calendar(ctx context.Context, start, end time.Time) ([]CalendarDay, error) {
	release, err := p.b.take(ctx, p.lane)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.b.p.Calendar(ctx, start, end)
}

func (p *laneProvider) LatestQuotes(ctx context.Context, symbols []string) (map[string]Quote, error) {
	release, err := p.b.take(ctx, p.lane)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.b.p.LatestQuotes(ctx, symbols)
}

func (p *laneProvider) Snapshots(ctx context.Context, symbols []string) (map[string]Snapshot, error) {
	release, err := p.b.take(ctx, p.lane)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.b.p.Snapshots(ctx, symbols)
}

// Bars counts one call however many pages the provider follows: the SDK pages internally, and a
// budget that under-counts a long backfill only errs toward using the allowance.
func (p *laneProvider) Bars(ctx context.Context, req BarsRequest) ([]Bar, error) {
	release, err := p.b.take(ctx, p.lane)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.b.p.Bars(ctx, req)
}

// Trades counts one call, as Bars does, however many pages the provider follows.
func (p *laneProvider) Trades(ctx context.Context, req TicksRequest) ([]Trade, error) {
	release, err := p.b.take(ctx, p.lane)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.b.p.Trades(ctx, req)
}

// Quotes counts one call, as Bars does.
func (p *laneProvider) Quotes(ctx context.Context, req TicksRequest) ([]Quote, error) {
	release, err := p.b.take(ctx, p.lane)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.b.p.Quotes(ctx, req)
}
