package trading

import (
	"context"
	"encoding/json"
	"testing"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

func TestMarketBuyFillsAtTheAskAndBooksEverything(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "99.98", "100.02")

	o := b.place(a, marketOrder("AAPL", fill.Buy, "10"))
	if o.Status != models.OrderFilled || !o.FilledAvgPrice.Decimal.Equal(d("100.02")) || !o.FilledQty.Equal(d("10")) {
		t.Fatalf("order = %s %s @ %s, want filled 10 @ 100.02", o.Status, o.FilledQty, o.FilledAvgPrice.Decimal)
	}
	acct := b.reloadAccount(a)
	if !acct.Cash.Equal(d("98999.80")) {
		t.Errorf("cash = %s, want 98999.80", acct.Cash)
	}
	positions, _ := models.PositionsOf(context.Background(), b.db, a.ID, a.Period)
	if len(positions) != 1 || !positions[0].Qty.Equal(d("10")) || !positions[0].AvgEntryPrice.Equal(d("100.02")) {
		t.Fatalf("positions = %+v", positions)
	}
	fills, _ := models.FillsOfOrder(context.Background(), b.db, o.ID)
	if len(fills) != 1 {
		t.Fatalf("fills = %d", len(fills))
	}
	var receipt map[string]any
	if err := json.Unmarshal(fills[0].Receipt, &receipt); err != nil {
		t.Fatal(err)
	}
	if receipt["rule"] != string(fill.RuleMarketAtAsk) || receipt["ask"] != "100.02" || receipt["source"] != "test" || receipt["cost_vs_mid"] != "0.2" {
		t.Errorf("receipt = %v", receipt)
	}
	b.checkBooks(a)
}

func TestRestingLimitFillsWhenTheQuoteReachesIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "99.98", "100.02")
	o := b.place(a, limitOrder("AAPL", fill.Buy, "5", "99.50", fill.GTC))
	if o.Status != models.OrderNew || !o.Reserved.Equal(d("497.50")) {
		t.Fatalf("order = %s reserved %s, want new holding 497.50", o.Status, o.Reserved)
	}
	if _, ok := b.svc.index.Get(o.ID); !ok {
		t.Fatal("resting order is not in the matcher's index")
	}
	v, _ := b.svc.Value(context.Background(), b.db, b.reloadAccount(a))
	if !v.BuyingPower.Equal(d("99502.50")) {
		t.Errorf("buying power = %s, want 99502.50 (cash less the order's hold)", v.BuyingPower)
	}

	b.clock.Add(1e9)
	b.tick(b.quote("AAPL", "99.70", "99.80")) // not there yet
	if got := b.reload(o); got.Status != models.OrderNew {
		t.Fatalf("status after a quote above the limit = %s", got.Status)
	}
	b.clock.Add(1e9)
	b.tick(b.quote("AAPL", "99.40", "99.45")) // through the limit: a resting order fills at its limit
	got := b.reload(o)
	if got.Status != models.OrderFilled || !got.FilledAvgPrice.Decimal.Equal(d("99.5")) || !got.Reserved.IsZero() {
		t.Fatalf("order = %s @ %s reserved %s, want filled at the limit 99.50", got.Status, got.FilledAvgPrice.Decimal, got.Reserved)
	}
	if _, ok := b.svc.index.Get(o.ID); ok {
		t.Error("a filled order is still in the index")
	}
	b.checkBooks(a)
}

func TestRefusalsWriteNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cash := b.account("1000", cashSettings())
	margin := b.account("1000", marginSettings())
	b.quote("AAPL", "99.98", "100.02")
	b.quote("HTB", "10", "10.02")
	b.quote("BTC/USD", "50000", "50010")
	ctx := context.Background()

	cases := []struct {
		name    string
		account *models.PaperAccount
		req     order.Request
		kind    apperr.Kind
		code    string
		msg     string
	}{
		{"buying power", cash, marketOrder("AAPL", fill.Buy, "20"), apperr.KindForbidden, CodeForbidden, "insufficient buying power"},
		{"sell what is not held in a cash account", cash, marketOrder("AAPL", fill.Sell, "1"), apperr.KindForbidden, CodeForbidden, "account is not allowed to short"},
		{"hard to borrow", margin, marketOrder("HTB", fill.Sell, "1"), apperr.KindForbidden, CodeForbidden, "asset HTB is hard to borrow and cannot be sold short here"},
		{"fractional short", margin, marketOrder("AAPL", fill.Sell, "0.5"), apperr.KindForbidden, CodeForbidden, "fractional orders cannot be sold short"},
		{"crypto short", margin, order.Request{Symbol: "BTC/USD", Qty: nd("1"), Side: fill.Sell, Type: fill.Market, TimeInForce: fill.GTC},
			apperr.KindForbidden, CodeForbidden, "insufficient balance for BTC/USD (requested: 1, available: 0)"},
		{"unknown symbol", cash, marketOrder("NOPE", fill.Buy, "1"), apperr.KindInvalid, order.CodeUnprocessable, `asset "NOPE" not found`},
		{"invalid request", cash, order.Request{Symbol: "AAPL", Side: fill.Buy, Type: fill.Market, TimeInForce: fill.Day}, apperr.KindInvalid, order.CodeMalformed, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.svc.PlaceOrder(ctx, b.user, c.account.ID, c.req, SourceAPI)
			e, ok := apperr.As(err)
			if !ok || e.Kind != c.kind || e.Code != c.code || (c.msg != "" && e.Message != c.msg) {
				t.Fatalf("err = %#v, want %d %s %q", err, c.kind, c.code, c.msg)
			}
		})
	}
	var orders int64
	b.db.Model(&models.Order{}).Count(&orders)
	if orders != 0 {
		t.Errorf("%d orders written by refused requests", orders)
	}

	// Another person's account is not found, whatever the request.
	other := b.newUser()
	if _, err := b.svc.PlaceOrder(ctx, other, cash.ID, marketOrder("AAPL", fill.Buy, "1"), SourceAPI); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Errorf("placing on someone else's account: %v, want not found", err)
	}
}

func TestClientOrderIDIsUniquePerAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	other := b.account("100000", cashSettings())
	b.quote("AAPL", "99.98", "100.02")
	r := limitOrder("AAPL", fill.Buy, "1", "90", fill.GTC)
	r.ClientOrderID = "my-order-1"
	b.place(a, r)
	different := r
	different.LimitPrice = nd("91") // an identical request is a retry (retry_test.go)
	_, err := b.svc.PlaceOrder(context.Background(), b.user, a.ID, different, SourceAPI)
	if e, ok := apperr.As(err); !ok || e.Message != "client_order_id must be unique" || e.Fields["client_order_id"] == "" {
		t.Fatalf("duplicate client_order_id: %v", err)
	}
	b.place(other, r) // another account may use the same id
}

func TestSellingClosesAndRealisesProfitWithFees(t *testing.T) {
	t.Parallel()
	b := setup(t)
	st := cashSettings()
	st.Commission, st.RegulatoryFees = "per_share", true
	a := b.account("100000", st)
	b.quote("AAPL", "99.98", "100.02")
	b.place(a, marketOrder("AAPL", fill.Buy, "100"))
	b.clock.Add(60e9)
	b.quote("AAPL", "110.00", "110.04")
	sell := b.place(a, marketOrder("AAPL", fill.Sell, "100"))
	fills, _ := models.FillsOfOrder(context.Background(), b.db, sell.ID)
	if len(fills) != 1 {
		t.Fatalf("fills = %d", len(fills))
	}
	f := fills[0]
	// 100 × (110.00 − 100.02) = 998.00 realised; commission max($1, 100 × 0.005) = $1.00;
	// SEC at the 2026 rate $20.60/M on $11,000 = $0.2266 → $0.23; TAF 100 × 0.000195 = 0.0195 → $0.02.
	if !f.RealizedPL.Equal(d("998")) || !f.Commission.Equal(d("1")) || !f.SECFee.Equal(d("0.23")) || !f.TAFFee.Equal(d("0.02")) {
		t.Errorf("fill: realised %s commission %s SEC %s TAF %s", f.RealizedPL, f.Commission, f.SECFee, f.TAFFee)
	}
	acct := b.reloadAccount(a)
	// 100000 − 10002 − 1 (buy commission) + 11000 − 1 − 0.23 − 0.02
	if !acct.Cash.Equal(d("100995.75")) {
		t.Errorf("cash = %s, want 100995.75", acct.Cash)
	}
	positions, _ := models.PositionsOf(context.Background(), b.db, a.ID, a.Period)
	if len(positions) != 0 {
		t.Errorf("a closed position still has a row: %+v", positions)
	}
	b.checkBooks(a)
}

func TestShortAndCover(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", marginSettings())
	b.quote("AAPL", "100.00", "100.02")
	b.place(a, marketOrder("AAPL", fill.Sell, "10")) // short at the bid
	b.quote("AAPL", "95.00", "95.02")
	b.place(a, marketOrder("AAPL", fill.Buy, "4")) // cover part at the ask
	positions, _ := models.PositionsOf(context.Background(), b.db, a.ID, a.Period)
	if len(positions) != 1 || !positions[0].Qty.Equal(d("-6")) || !positions[0].AvgEntryPrice.Equal(d("100")) {
		t.Fatalf("positions = %+v, want -6 @ 100", positions)
	}
	var realized []string
	b.db.Raw("SELECT realized_pl::text FROM fills WHERE account_id = ? ORDER BY executed_at, id", a.ID).Scan(&realized)
	if len(realized) != 2 || realized[1] != "19.92" { // 4 × (100 − 95.02)
		t.Errorf("realised = %v, want the cover to realise 19.92", realized)
	}
	v, _ := b.svc.Value(context.Background(), b.db, b.reloadAccount(a))
	// cash 100000 + 1000 − 380.08 = 100619.92; short value −6 × 95.01 = −570.06
	if !v.Cash.Equal(d("100619.92")) || !v.ShortMarketValue.Equal(d("-570.06")) || !v.Equity.Equal(d("100049.86")) {
		t.Errorf("valuation: cash %s short %s equity %s", v.Cash, v.ShortMarketValue, v.Equity)
	}
	b.checkBooks(a)
}

func TestMarginCallAllowsOnlyClosingOrders(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("10000", marginSettings())
	b.quote("AAPL", "99.99", "100.01")
	b.quote("MSFT", "49.99", "50.01")
	b.place(a, marketOrder("AAPL", fill.Sell, "300")) // a $30,000 short on $10,000 of equity
	b.quote("AAPL", "129.99", "130.01")               // +30%: equity 40,000 − 39,000 = ~1,000
	v, _ := b.svc.Value(context.Background(), b.db, b.reloadAccount(a))
	if !v.InMarginCall() || !v.BuyingPower.IsZero() {
		t.Fatalf("equity %s, maintenance %s, buying power %s: want a margin call with no buying power", v.Equity, v.MaintenanceMargin, v.BuyingPower)
	}
	_, err := b.svc.PlaceOrder(context.Background(), b.user, a.ID, marketOrder("MSFT", fill.Buy, "1"), SourceAPI)
	if e, ok := apperr.As(err); !ok || e.Message != "insufficient buying power" {
		t.Fatalf("a new position during a margin call: %v", err)
	}
	if o := b.place(a, marketOrder("AAPL", fill.Buy, "300")); o.Status != models.OrderFilled {
		t.Fatalf("closing the short during a margin call = %s", o.Status)
	}
	b.checkBooks(a)
}
