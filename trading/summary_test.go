package trading

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"alpacawrapper/trading/fill"
)

// AccountValue's one query gives exactly what Account then Value give: longs and shorts, a
// crypto position, working orders that hold buying power and close part of a position.
func TestAccountValueMatchesAccountThenValue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.quote("AAPL", "100.00", "100.10")
	b.quote("MSFT", "300.00", "300.30")
	b.quote("BTC/USD", "50000", "50010")

	empty := b.account("100000", cashSettings())
	a := b.account("100000", marginSettings())
	b.place(a, marketOrder("AAPL", fill.Buy, "10"))
	b.place(a, marketOrder("MSFT", fill.Sell, "3")) // short
	crypto := marketOrder("BTC/USD", fill.Buy, "0.01")
	crypto.TimeInForce = fill.GTC
	b.place(a, crypto)
	b.place(a, limitOrder("AAPL", fill.Sell, "4", "150", fill.GTC)) // closes part of the long
	b.place(a, limitOrder("AAPL", fill.Buy, "2", "50", fill.GTC))   // holds buying power
	b.quote("AAPL", "101.00", "101.20")                             // moves after the fills

	for _, acct := range []int64{a.ID, empty.ID} {
		want, err := b.svc.Account(ctx, b.user, acct)
		if err != nil {
			t.Fatal(err)
		}
		wantV, err := b.svc.Value(ctx, b.db, want)
		if err != nil {
			t.Fatal(err)
		}
		got, gotV, err := b.svc.AccountValue(ctx, b.user, acct)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := fmt.Sprintf("%+v", *got), fmt.Sprintf("%+v", *want); g != w {
			t.Errorf("account:\n got %s\nwant %s", g, w)
		}
		if g, w := valuationText(gotV), valuationText(wantV); g != w {
			t.Errorf("valuation:\n got %s\nwant %s", g, w)
		}
	}
	_, v, err := b.svc.AccountValue(ctx, b.user, a.ID)
	if err != nil || len(v.Positions) != 3 || !v.Reserved.IsPositive() || v.Positions[0].Symbol != "AAPL" ||
		v.Positions[0].QtyAvailable.String() != "6" || !v.Positions[0].Priced {
		t.Errorf("want three positions, AAPL's 6 of 10 available, buying power held:\n%s", valuationText(v))
	}

	other := b.newUser()
	if _, _, err := b.svc.AccountValue(ctx, other, a.ID); !errors.Is(err, ErrAccountNotFound) {
		t.Errorf("another person's account: %v, want ErrAccountNotFound", err)
	}
}

// valuationText prints what a valuation says (decimals by value, positions' times to the
// microsecond the database keeps).
func valuationText(v Valuation) string {
	s := fmt.Sprintf("cash %s long %s short %s equity %s last %s im %s mm %s reserved %s mult %d regt %s dt %s nm %s bp %s\n",
		v.Cash, v.LongMarketValue, v.ShortMarketValue, v.Equity, v.LastEquity, v.InitialMargin, v.MaintenanceMargin,
		v.Reserved, v.Multiplier, v.RegTBuyingPower, v.DayTradingBuyingPower, v.NonMarginableBuyingPower, v.BuyingPower)
	for _, p := range v.Positions {
		s += fmt.Sprintf("  %s %s %d %s qty %s avg %s basis %s opened %s updated %s side %s price %s mv %s upl %s uplpc %s avail %s priced %v\n",
			p.Symbol, p.AssetClass, p.AssetID, fmt.Sprint(p.AccountID, "/", p.Period), p.Qty, p.AvgEntryPrice, p.CostBasis,
			p.OpenedAt.UTC().Format("2006-01-02T15:04:05.000000Z"), p.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000000Z"),
			p.Side, p.CurrentPrice, p.MarketValue, p.UnrealizedPL, p.UnrealizedPLPC, p.QtyAvailable, p.Priced)
	}
	return s
}
