package app

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

func TestCSVCellNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"AAPL": "AAPL", "-12.50": "-12.50", "0.000000001": "0.000000001", "=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0", "-2+3": "'-2+3", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "": "",
	} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// The orders and activity exports: a dated attachment, exact decimals, one row per order (legs
// included) and per fill, and a client order id that looks like a formula neutralised.
func TestOrdersAndActivityCSV(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	ctx := context.Background()
	a := p.account(p.alice)
	qty := decimal.RequireFromString("3")
	if _, err := p.svc.Trading.PlaceOrder(ctx, p.alice.ID, a.ID, order.Request{Symbol: "AAPL", Side: fill.Buy, Type: fill.Market,
		TimeInForce: fill.Day, Qty: decimal.NullDecimal{Decimal: qty, Valid: true}, ClientOrderID: "=1+2"}, trading.SourceAPI); err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.Trading.PlaceOrder(ctx, p.alice.ID, a.ID, order.Request{Symbol: "MSFT", Side: fill.Buy, Type: fill.Limit,
		TimeInForce: fill.Day, Qty: decimal.NullDecimal{Decimal: decimal.RequireFromString("1.5"), Valid: true},
		LimitPrice: decimal.NullDecimal{Decimal: decimal.RequireFromString("1.23"), Valid: true}}, trading.SourceAPI); err != nil {
		t.Fatal(err)
	}
	b := p.as(p.alice, false)
	today := time.Now().UTC().Format("2006-01-02")

	resp, body := b.get("/orders.csv")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("orders.csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="orders-`) || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Disposition %q", cd)
	} else if !strings.Contains(cd, today) && !strings.Contains(cd, time.Now().Add(-24*time.Hour).UTC().Format("2006-01-02")) &&
		!strings.Contains(cd, time.Now().Add(24*time.Hour).UTC().Format("2006-01-02")) {
		t.Errorf("the file name has no date: %q", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("orders.csv rows: %v %d\n%s", err, len(rows), body)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	limit, market := rows[1], rows[2] // newest first
	if limit[col["symbol"]] != "MSFT" || limit[col["qty"]] != "1.5" || limit[col["limit_price"]] != "1.23" || limit[col["status"]] != "new" {
		t.Errorf("the limit order's row: %v", limit)
	}
	if market[col["client_order_id"]] != "'=1+2" || market[col["filled_qty"]] != "3" || market[col["status"]] != "filled" {
		t.Errorf("the market order's row: %v", market)
	}

	resp, body = b.get("/activity.csv?type=fills")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), `filename="activity-`) {
		t.Fatalf("activity.csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	rows, err = csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("activity.csv rows: %v %d\n%s", err, len(rows), body)
	}
	fills, err := p.svc.Trading.Activity(ctx, trading.ActivityQuery{AccountID: a.ID, Period: a.Period, Kind: trading.ActivityFills, Limit: 10})
	if err != nil || len(fills.Items) != 1 {
		t.Fatalf("fills: %v", err)
	}
	f := fills.Items[0].Fill
	col = map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	got := rows[1]
	if got[col["kind"]] != "fill" || got[col["price"]] != f.Price.String() || got[col["qty"]] != "3" ||
		got[col["amount"]] != f.Price.Mul(qty).Neg().String() {
		t.Errorf("the fill's row %v, want price %s", got, f.Price)
	}
	// The page links to the exports.
	if _, page := b.get("/orders?status=all"); !strings.Contains(page, `href="/orders.csv?status=all"`) {
		t.Error("the orders page does not link its CSV")
	}
	if _, page := b.get("/activity"); !strings.Contains(page, `href="/activity.csv?type=all"`) {
		t.Error("the activity page does not link its CSV")
	}
}
