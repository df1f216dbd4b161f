package trading

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
)

// recorder is a Record that counts its calls and can fail, standing in for the audit entry.
type recorder struct {
	calls         int
	before, after any
	fail          error
}

func (r *recorder) record(tx *gorm.DB, before, after any) error {
	r.calls++
	r.before, r.after = before, after
	return r.fail
}

func TestFrozenAccountRefusesOrdersAndReplacesUntilUnfrozen(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	a := b.account("100000", marginSettings())
	b.quote("AAPL", "99.98", "100.02")
	resting := b.place(a, limitOrder("AAPL", fill.Buy, "1", "90.00", fill.GTC))

	var rec recorder
	if _, err := b.svc.SetTradingFrozen(ctx, a.ID, true, rec.record); err != nil || rec.calls != 1 {
		t.Fatalf("freeze: %v, %d records", err, rec.calls)
	}
	_, err := b.svc.PlaceOrder(ctx, b.user, a.ID, marketOrder("AAPL", fill.Buy, "1"), SourceAPI)
	if !errors.Is(err, ErrFrozen) {
		t.Fatalf("an order on a frozen account: %v, want ErrFrozen", err)
	}
	_, err = b.svc.ReplaceOrder(ctx, b.user, a.ID, resting.ID, ReplaceRequest{LimitPrice: nd("91.00")}, SourceAPI)
	if !errors.Is(err, ErrFrozen) {
		t.Fatalf("a replace on a frozen account: %v, want ErrFrozen", err)
	}
	var n int64
	b.db.Model(&models.Order{}).Where("account_id = ?", a.ID).Count(&n)
	if n != 1 {
		t.Errorf("%d orders on the frozen account, want only the one placed before", n)
	}

	if _, err := b.svc.SetTradingFrozen(ctx, a.ID, false, rec.record); err != nil {
		t.Fatal(err)
	}
	b.place(a, marketOrder("AAPL", fill.Buy, "1"))
	b.checkBooks(a)
}

func TestSetTradingFrozenRefusesTheStateItIsIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", marginSettings())
	var rec recorder
	_, err := b.svc.SetTradingFrozen(context.Background(), a.ID, false, rec.record)
	if !apperr.IsKind(err, apperr.KindConflict) || rec.calls != 0 {
		t.Fatalf("unfreezing an account that is not frozen: %v, %d records", err, rec.calls)
	}
	_, err = b.svc.SetTradingFrozen(context.Background(), 1<<40, true, rec.record)
	if !errors.Is(err, ErrAccountNotFound) || rec.calls != 0 {
		t.Fatalf("a missing account: %v, %d records", err, rec.calls)
	}
}

func TestAdjustCashWritesALedgerLineAndAFlow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	a := b.account("1000", cashSettings())
	var rec recorder
	got, line, err := b.svc.AdjustCash(ctx, CashAdjustment{AccountID: a.ID, Period: a.Period, Amount: d("250.50"),
		Reason: "  refund of   a wrong fill "}, rec.record)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Cash.Equal(d("1250.50")) || !got.LastEquity.Equal(d("1250.50")) {
		t.Errorf("cash %s, last equity %s; want both 1250.50", got.Cash, got.LastEquity)
	}
	if line.Kind != models.LedgerAdjustment || line.Description != "Adjusted by an operator: refund of a wrong fill" {
		t.Errorf("ledger line %+v", line)
	}
	var flow models.EquitySnapshot
	b.db.Where("account_id = ? AND net_flow <> 0", a.ID).Order("at DESC").Take(&flow)
	if !flow.NetFlow.Equal(d("250.50")) || !flow.Equity.Equal(d("1250.50")) {
		t.Errorf("snapshot %+v: want a flow of 250.50 at equity 1250.50", flow)
	}
	if rec.calls != 1 {
		t.Errorf("%d records", rec.calls)
	}
	b.checkBooks(a)
}

func TestAdjustCashRefusalsChangeNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	a := b.account("1000", cashSettings())
	boom := errors.New("audit failed")
	cases := []struct {
		name string
		in   CashAdjustment
		fail error
		kind apperr.Kind
	}{
		{"zero", CashAdjustment{Amount: d("0"), Reason: "nothing"}, nil, apperr.KindInvalid},
		{"sub-cent", CashAdjustment{Amount: d("1.001"), Reason: "fraction"}, nil, apperr.KindInvalid},
		{"no reason", CashAdjustment{Amount: d("5"), Reason: "  "}, nil, apperr.KindInvalid},
		{"below zero", CashAdjustment{Amount: d("-1000.01"), Reason: "too much"}, nil, apperr.KindInvalid},
		{"old period", CashAdjustment{Period: 2, Amount: d("5"), Reason: "stale page"}, nil, apperr.KindConflict},
		{"missing account", CashAdjustment{AccountID: 1 << 40, Amount: d("5"), Reason: "gone"}, nil, apperr.KindNotFound},
		{"record fails", CashAdjustment{Amount: d("5"), Reason: "rolled back"}, boom, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.AccountID == 0 {
				in.AccountID = a.ID
			}
			if in.Period == 0 {
				in.Period = a.Period
			}
			rec := recorder{fail: tc.fail}
			_, _, err := b.svc.AdjustCash(ctx, in, rec.record)
			switch {
			case tc.fail != nil && !errors.Is(err, tc.fail):
				t.Fatalf("got %v, want the record's error", err)
			case tc.fail == nil && !apperr.IsKind(err, tc.kind):
				t.Fatalf("got %v, want kind %d", err, tc.kind)
			}
			if now := b.reloadAccount(a); !now.Cash.Equal(d("1000")) {
				t.Errorf("cash became %s", now.Cash)
			}
			var n int64
			b.db.Model(&models.LedgerEntry{}).Where("account_id = ? AND kind = 'adjustment'", a.ID).Count(&n)
			if n != 0 {
				t.Errorf("%d adjustment lines written", n)
			}
		})
	}
}

func TestOperatorResetKeepsHistoryAndRefusesAStalePeriod(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	a := b.account("100000", marginSettings())
	b.quote("AAPL", "99.98", "100.02")
	b.place(a, marketOrder("AAPL", fill.Buy, "3"))
	open := b.place(a, limitOrder("AAPL", fill.Buy, "1", "90.00", fill.GTC))

	var rec recorder
	done, err := b.svc.OperatorReset(ctx, a.ID, a.Period, d("5000"), rec.record)
	if err != nil {
		t.Fatal(err)
	}
	if done.Period != 2 || !done.Cash.Equal(d("5000")) || rec.calls != 1 {
		t.Fatalf("after reset: period %d, cash %s, %d records", done.Period, done.Cash, rec.calls)
	}
	if o := b.reload(open); o.Status != models.OrderCanceled || o.Reason != "The account was reset by an operator." {
		t.Errorf("the open order is %s (%q)", o.Status, o.Reason)
	}
	var fills int64
	b.db.Model(&models.Fill{}).Where("account_id = ? AND period = 1", a.ID).Count(&fills)
	if fills != 1 {
		t.Errorf("%d fills of period 1 kept, want 1", fills)
	}
	// The page the operator loaded showed period 1: a second reset from it is refused.
	if _, err := b.svc.OperatorReset(ctx, a.ID, 1, d("5000"), rec.record); !apperr.IsKind(err, apperr.KindConflict) || rec.calls != 1 {
		t.Fatalf("a reset from a stale page: %v, %d records", err, rec.calls)
	}
	b.checkBooks(a)
}

func TestOperatorCancelAllRecordsWhatItCanceledAndRefusesNone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	a := b.account("100000", marginSettings())
	b.quote("AAPL", "99.98", "100.02")
	o := b.place(a, limitOrder("AAPL", fill.Buy, "1", "90.00", fill.GTC))

	var rec recorder
	got, err := b.svc.OperatorCancelAll(ctx, a.ID, rec.record)
	if err != nil || len(got) != 1 || rec.calls != 1 {
		t.Fatalf("cancel all: %d orders, %v, %d records", len(got), err, rec.calls)
	}
	if r := b.reload(o); r.Status != models.OrderCanceled || r.Reason != "Canceled by an operator." {
		t.Errorf("order %s (%q)", r.Status, r.Reason)
	}
	var events int64
	b.db.Model(&models.TradeEvent{}).Where("account_id = ? AND event = ?", a.ID, EventCanceled).Count(&events)
	if events != 1 {
		t.Errorf("%d canceled events in the trade-event log, want 1", events)
	}
	if _, err := b.svc.OperatorCancelAll(ctx, a.ID, rec.record); !apperr.IsKind(err, apperr.KindConflict) || rec.calls != 1 {
		t.Fatalf("cancel all with nothing open: %v, %d records", err, rec.calls)
	}
}
