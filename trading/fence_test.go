package trading

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
)

// switchFence refuses every fill while closed.
type switchFence struct{ closed bool }

var errFenced = errors.New("fenced")

func (f *switchFence) Check(context.Context, *gorm.DB) error {
	if f.closed {
		return errFenced
	}
	return nil
}

// A matcher whose fence refuses (its feed lease was lost) applies no fill, and the order stays
// open for the next holder; the same quote fills it once the fence lets it through.
func TestFencedMatcherAppliesNoFill(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "101.00", "101.10")
	o := b.place(a, limitOrder("AAPL", fill.Buy, "10", "100.00", fill.GTC))
	b.filledAt(o, models.OrderNew, "")

	fence := &switchFence{closed: true}
	ctx := WithFence(context.Background(), fence)
	q := quoteAt("AAPL", "99.80", "500", "99.90", "500", b.clock.Now())
	if _, err := b.svc.Match(ctx, q, nil); !errors.Is(err, errFenced) {
		t.Fatalf("fenced match: %v, want the fence's refusal", err)
	}
	b.filledAt(o, models.OrderNew, "")
	var fills int64
	if err := b.db.Model(&models.Fill{}).Where("order_id = ?", o.ID).Count(&fills).Error; err != nil || fills != 0 {
		t.Fatalf("fills after a fenced match: %d (%v)", fills, err)
	}

	fence.closed = false
	if _, err := b.svc.Match(ctx, q, nil); err != nil {
		t.Fatal(err)
	}
	b.filledAt(o, models.OrderFilled, "100.00")
	b.checkBooks(a)
}
