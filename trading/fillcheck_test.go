package trading

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
)

// A margin account that cannot be valued at fill time does not fill: the fill is refused (its
// transaction rolls back and the order stays open), and the next quote fills it once the account
// can be valued again.
func TestFillTimeValuationFailureRefusesTheFill(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", marginSettings())
	b.quote("AAPL", "101.98", "102.02")
	buy := b.place(a, limitOrder("AAPL", fill.Buy, "10", "101", fill.GTC))

	// Fail the valuation's holdings query (only models.HoldingsOf sums reserved); this test's
	// database handle is its own, so the callback touches no other test.
	var failing atomic.Bool
	inject := func(db *gorm.DB) {
		if failing.Load() && strings.Contains(db.Statement.SQL.String(), "sum(reserved)") {
			_ = db.AddError(errors.New("injected: open orders unavailable"))
		}
	}
	if err := b.db.Callback().Row().Before("gorm:row").Register("test:fail_valuation", inject); err != nil {
		t.Fatal(err)
	}
	failing.Store(true)

	_, err := b.svc.Match(context.Background(), b.quote("AAPL", "100.00", "100.04"), nil)
	if err == nil || !strings.Contains(err.Error(), "fill-time margin check") {
		t.Fatalf("Match with the valuation failing = %v, want the fill-time margin check's error", err)
	}
	if got := b.positionQty(a, "AAPL"); got != "0" {
		t.Fatalf("position = %s after a fill whose valuation failed, want 0", got)
	}
	if got := b.reload(buy); !got.IsOpen() || !got.FilledQty.IsZero() {
		t.Fatalf("order = %s with %s filled, want still open and unfilled", got.Status, got.FilledQty)
	}

	failing.Store(false)
	b.tick(b.quote("AAPL", "100.00", "100.04"))
	if got := b.reload(buy); got.Status != models.OrderFilled {
		t.Fatalf("order = %s once the account can be valued, want filled", got.Status)
	}
	b.checkBooks(a)
}
