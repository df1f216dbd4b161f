package trading

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// prevCloseTTL is how long a previous close is kept: it changes once a day, and an hour-old value
// is at worst wrong for the first hour after the close rolls.
const prevCloseTTL = 30 * time.Minute

type prevClose struct {
	price decimal.Decimal
	at    time.Time
}

// PreviousCloses returns the previous session's closing price of each symbol the provider knows
// (from its snapshots' previous daily bar), cached for prevCloseTTL.
func (q *Quotes) PreviousCloses(ctx context.Context, symbols []string) map[string]decimal.Decimal {
	out := make(map[string]decimal.Decimal, len(symbols))
	now := q.now()
	var missing []string
	q.mu.RLock()
	for _, s := range symbols {
		if c, ok := q.closes[s]; ok && now.Sub(c.at) < prevCloseTTL {
			out[s] = c.price
		} else {
			missing = append(missing, s)
		}
	}
	q.mu.RUnlock()
	if len(missing) == 0 || q.provider == nil {
		return out
	}
	snaps, err := q.provider.Snapshots(ctx, missing)
	if err != nil {
		return out // today's change is left out rather than the page failing
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, s := range missing {
		if snap, ok := snaps[s]; ok && snap.PrevDailyBar != nil && snap.PrevDailyBar.Close.IsPositive() {
			q.closes[s] = prevClose{price: snap.PrevDailyBar.Close, at: now}
			out[s] = snap.PrevDailyBar.Close
		}
	}
	return out
}

// AddDayChange fills in the positions' change since the previous close (Alpaca's lastday_price,
// change_today, unrealized_intraday_pl and _plpc). It asks the provider for previous closes, so
// it is for pages and the API, not for the placement path.
func (s *Service) AddDayChange(ctx context.Context, v *Valuation) {
	symbols := make([]string, len(v.Positions))
	for i, p := range v.Positions {
		symbols[i] = p.Symbol
	}
	closes := s.quotes.PreviousCloses(ctx, symbols)
	prevSession := s.clock.PreviousClose(s.now())
	for i := range v.Positions {
		p := &v.Positions[i]
		last, ok := closes[p.Symbol]
		if !ok || !p.Priced {
			continue
		}
		p.LastdayPrice = last
		p.ChangeToday = p.CurrentPrice.Sub(last).DivRound(last, 6)
		base := last // held over the close: today's P&L is from the previous close
		if p.OpenedAt.After(prevSession) {
			base = p.AvgEntryPrice // opened today: from the entry
		}
		p.UnrealizedIntradayPL = p.Qty.Mul(p.CurrentPrice.Sub(base))
		if basis := p.Qty.Mul(base).Abs(); basis.IsPositive() {
			p.UnrealizedIntradayPLPC = p.UnrealizedIntradayPL.DivRound(basis, 6)
		}
	}
}
