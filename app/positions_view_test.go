package app

import (
	"testing"

	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
)

// A position opened today that made $0.25 while the stock is down 1.51% on the day shows its own
// change, in dollars and percent, not the dollars over the stock's percent.
func TestPositionsTodayIsThePositionsOwnChange(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	v := trading.Valuation{Positions: []trading.PositionValue{{
		Position: models.Position{Symbol: "AAPL", Qty: d("10"), AvgEntryPrice: d("100")},
		Side:     "long", CurrentPrice: d("100.025"), MarketValue: d("1000.25"), CostBasis: d("1000"),
		LastdayPrice: d("101.56"), ChangeToday: d("-0.0151"),
		UnrealizedIntradayPL: d("0.25"), UnrealizedIntradayPLPC: d("0.00025"),
	}}}
	rows := positionsView(tradeEnv{}, tradeSections{}, v).Rows
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	if r := rows[0]; r.Today != "+$0.25" || r.TodayPct != "+0.03%" || !r.TodayUp {
		t.Errorf("today %q %q (up %v), want +$0.25 and +0.03%%", r.Today, r.TodayPct, r.TodayUp)
	}
}
