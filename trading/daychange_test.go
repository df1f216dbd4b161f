package trading

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/trading/fill"
)

// closesProvider answers Snapshots with fixed previous closes; nothing else is called.
type closesProvider struct {
	market.Provider
	closes map[string]string
}

func (p closesProvider) Snapshots(_ context.Context, symbols []string) (map[string]market.Snapshot, error) {
	out := map[string]market.Snapshot{}
	for _, s := range symbols {
		if c, ok := p.closes[s]; ok {
			out[s] = market.Snapshot{Symbol: s, PrevDailyBar: &market.Bar{Symbol: s, Close: d(c)}}
		}
	}
	return out, nil
}

func TestDayChangeFromThePreviousClose(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.quotes.provider = closesProvider{closes: map[string]string{"AAPL": "95", "MSFT": "50"}}
	a := b.account("100000", marginSettings())
	// Bought yesterday at 90, marked today at 100 (the mid): today's change is from the close, 95.
	b.clock.Set(time.Date(2026, 11, 23, 15, 0, 0, 0, ny))
	b.quote("AAPL", "89.99", "90.00")
	b.place(a, marketOrder("AAPL", fill.Buy, "10"))
	b.clock.Set(tuesday10am)
	b.quote("AAPL", "99.99", "100.01")
	// Shorted today at 49.99, marked at 49.00: today's change is from the entry.
	b.quote("MSFT", "49.99", "50.01")
	b.place(a, marketOrder("MSFT", fill.Sell, "4"))
	b.quote("MSFT", "48.99", "49.01")

	v, err := b.svc.Value(context.Background(), b.db, b.reloadAccount(a))
	if err != nil {
		t.Fatal(err)
	}
	b.svc.AddDayChange(context.Background(), &v)
	got := map[string]PositionValue{}
	for _, p := range v.Positions {
		got[p.Symbol] = p
	}
	aapl, msft := got["AAPL"], got["MSFT"]
	if !aapl.LastdayPrice.Equal(d("95")) || !aapl.ChangeToday.Equal(d("0.052632")) || !aapl.UnrealizedIntradayPL.Equal(d("50")) {
		t.Errorf("AAPL: lastday %s change %s intraday %s", aapl.LastdayPrice, aapl.ChangeToday, aapl.UnrealizedIntradayPL)
	}
	if !msft.UnrealizedIntradayPL.Equal(d("3.96")) || !msft.UnrealizedPL.Equal(d("3.96")) {
		t.Errorf("MSFT short: intraday %s unrealised %s, want +3.96 both", msft.UnrealizedIntradayPL, msft.UnrealizedPL)
	}
}
