package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// Issue 14, item 10: the instrument page shows a sparkline and the 52-week range from the daily
// candles (saying when the history is shorter), the quote's sizes, the day's range and volume,
// and, for a signed-in person, their position and open orders in the symbol.
func TestInstrumentPageSummaryAndStake(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ctx := context.Background()
	ada, b, acct := a.trader("ada@example.com")

	resp, body := b.get("/instruments/BTC/USD")
	wantStatus(t, "before any history", resp, body, http.StatusOK)
	wantContains(t, "before any history", body, `data-testid="history-note"`, `data-testid="instrument-stake"`,
		"You hold no BTC/USD.", `data-testid="no-open-orders"`, `data-testid="detail-bid-size"`, `data-testid="day-volume"`)

	// Three days of minute bars, through the path backfill takes; their daily candles follow.
	btc, err := models.AssetBySymbol(ctx, a.db.Gorm, "BTC/USD")
	if err != nil {
		t.Fatal(err)
	}
	day := a.clock.Now().UTC().Truncate(24 * time.Hour)
	for i := 3; i >= 1; i-- {
		start := day.AddDate(0, 0, -i).Add(12 * time.Hour)
		bars, err := a.svc.Market.Provider.Bars(ctx, market.BarsRequest{Symbol: "BTC/USD", Timeframe: market.Min1, Start: start, End: start.Add(30 * time.Minute)})
		if err != nil || len(bars) == 0 {
			t.Fatalf("sim bars: %d, %v", len(bars), err)
		}
		if err := a.svc.Market.Candles.UpsertMinuteBars(ctx, btc.ID, market.Crypto, bars, "backfill"); err != nil {
			t.Fatal(err)
		}
	}
	a.market(ada, acct.ID, fill.Buy, "0.01")
	resting, err := a.svc.Trading.PlaceOrder(ctx, ada.ID, acct.ID, order.Request{Symbol: "BTC/USD", Qty: decimal.NewNullDecimal(decimal.RequireFromString("0.01")),
		Side: fill.Buy, Type: fill.Limit, TimeInForce: fill.GTC, LimitPrice: decimal.NewNullDecimal(decimal.NewFromInt(1))}, trading.SourceWeb)
	if err != nil || !resting.IsOpen() {
		t.Fatalf("resting limit: %v", err)
	}

	resp, body = b.get("/instruments/BTC/USD")
	wantStatus(t, "with history", resp, body, http.StatusOK)
	wantContains(t, "with history", body, `data-testid="sparkline" data-days="3"`, "<polyline points=",
		`data-testid="year-range-note">From 3 days of history, less than a year.`,
		`data-testid="stake-qty">0.01`, `href="/orders?status=open#order-`+resting.ID.String()+`"`, "buy 0.01 BTC/USD limit $1.00")
	if strings.Contains(body, `data-testid="history-note"`) {
		t.Error("the page still says there is no history")
	}

	// A guest sees the market summary, not anyone's stake.
	_, body = a.browser().get("/instruments/BTC/USD")
	if strings.Contains(body, `data-testid="instrument-stake"`) {
		t.Error("a guest sees a position card")
	}
}

func TestSparkPointsSpanTheBox(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	got := sparkPoints([]decimal.Decimal{d("10"), d("20"), d("15")}, 100, 42)
	// Highest at the top (y=1), lowest at the bottom (y=41), the middle halfway.
	if got != "0.0,41.0 50.0,1.0 100.0,21.0" {
		t.Errorf("sparkPoints = %q", got)
	}
	if flat := sparkPoints([]decimal.Decimal{d("5"), d("5")}, 100, 42); flat != "0.0,21.0 100.0,21.0" {
		t.Errorf("flat line = %q", flat)
	}
	if one := sparkPoints([]decimal.Decimal{d("5")}, 100, 42); one != "" {
		t.Errorf("one value drew %q", one)
	}
}
