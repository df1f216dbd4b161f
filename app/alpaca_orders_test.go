package app

import (
	"errors"
	"net/http"
	"testing"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/shopspring/decimal"
)

// apiErr asserts err is the SDK's APIError with the given status and code.
func apiErr(t *testing.T, err error, status, code int) {
	t.Helper()
	var ae *alpaca.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want an APIError %d/%d", err, status, code)
	}
	if ae.StatusCode != status || ae.Code != code {
		t.Fatalf("error = %d/%d %q, want %d/%d", ae.StatusCode, ae.Code, ae.Message, status, code)
	}
}

func dec(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }

func TestAlpacaOrdersThroughTheGoSDK(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	cl := b.client(b.aliceKey)

	acct, err := cl.GetAccount()
	if err != nil {
		t.Fatal(err)
	}
	if !acct.Cash.Equal(decimal.NewFromInt(100000)) || acct.Status != "ACTIVE" || acct.AccountNumber == "" {
		t.Fatalf("account = %+v", acct)
	}

	placed, err := cl.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("2"), Side: alpaca.Buy,
		Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "bot-1"})
	if err != nil {
		t.Fatal(err)
	}
	if placed.Status != "filled" || !placed.FilledQty.Equal(decimal.NewFromInt(2)) || placed.FilledAvgPrice == nil {
		t.Fatalf("market order = %s filled %s", placed.Status, placed.FilledQty)
	}
	got, err := cl.GetOrder(placed.ID)
	if err != nil || got.ID != placed.ID {
		t.Fatalf("get order = %v, %v", got, err)
	}
	byClient, err := cl.GetOrderByClientOrderID("bot-1")
	if err != nil || byClient.ID != placed.ID {
		t.Fatalf("by client order id = %v, %v", byClient, err)
	}

	resting, err := cl.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Buy,
		Type: alpaca.Limit, LimitPrice: dec("1.00"), TimeInForce: alpaca.GTC})
	if err != nil {
		t.Fatal(err)
	}
	open, err := cl.GetOrders(alpaca.GetOrdersRequest{Status: "open"})
	if err != nil || len(open) != 1 || open[0].ID != resting.ID {
		t.Fatalf("open orders = %v, %v", open, err)
	}
	if err := cl.CancelOrder(resting.ID); err != nil {
		t.Fatal(err)
	}
	apiErr(t, cl.CancelOrder(resting.ID), http.StatusUnprocessableEntity, 42210000)
	if _, err := cl.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Buy,
		Type: alpaca.Limit, LimitPrice: dec("1.00"), TimeInForce: alpaca.GTC}); err != nil {
		t.Fatal(err)
	}
	if err := cl.CancelAllOrders(); err != nil {
		t.Fatal(err)
	}
	if open, _ := cl.GetOrders(alpaca.GetOrdersRequest{Status: "open"}); len(open) != 0 {
		t.Fatalf("open orders after cancel all = %d", len(open))
	}

	// Another key never sees Alice's orders.
	_, err = b.client(b.bobKey).GetOrder(placed.ID)
	apiErr(t, err, http.StatusNotFound, 40410000)
	// Wrong credentials and unknown paths answer as Alpaca does.
	_, err = b.client(botKey{KeyID: b.aliceKey.KeyID, Secret: "wrong"}).GetAccount()
	apiErr(t, err, http.StatusUnauthorized, 40110000)
	_, err = cl.GetOrders(alpaca.GetOrdersRequest{Status: "opened"})
	apiErr(t, err, http.StatusBadRequest, 40010001)
}
