package app

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
)

func TestAlpacaOneKeyNeverReachesAnotherAccount(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	alice, bob := b.client(b.aliceKey), b.client(b.bobKey)
	o, err := alice.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day})
	if err != nil {
		t.Fatal(err)
	}
	resting, err := alice.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Buy, Type: alpaca.Limit,
		LimitPrice: dec("1"), TimeInForce: alpaca.GTC, ClientOrderID: "alice-only"})
	if err != nil {
		t.Fatal(err)
	}

	_, err = bob.GetOrder(o.ID)
	apiErr(t, err, http.StatusNotFound, 40410000)
	_, err = bob.GetOrderByClientOrderID("alice-only")
	apiErr(t, err, http.StatusNotFound, 40410000)
	_, err = bob.ReplaceOrder(resting.ID, alpaca.ReplaceOrderRequest{LimitPrice: dec("2")})
	apiErr(t, err, http.StatusNotFound, 40410000)
	apiErr(t, bob.CancelOrder(resting.ID), http.StatusNotFound, 40410000)
	if err := bob.CancelAllOrders(); err != nil {
		t.Fatal(err)
	}
	if got, _ := alice.GetOrder(resting.ID); got.Status != "new" {
		t.Fatalf("Bob's cancel all touched Alice's order: %s", got.Status)
	}
	if orders, _ := bob.GetOrders(alpaca.GetOrdersRequest{Status: "all"}); len(orders) != 0 {
		t.Fatalf("Bob lists %d orders", len(orders))
	}
	if positions, _ := bob.GetPositions(); len(positions) != 0 {
		t.Fatalf("Bob sees %d positions", len(positions))
	}
	_, err = bob.GetPosition("AAPL")
	apiErr(t, err, http.StatusNotFound, 40410000)
	_, err = bob.ClosePosition("AAPL", alpaca.ClosePositionRequest{})
	apiErr(t, err, http.StatusNotFound, 40410000)
	acts, err := bob.GetAccountActivities(alpaca.GetAccountActivitiesRequest{ActivityTypes: []string{"FILL"}})
	if err != nil || len(acts) != 0 {
		t.Fatalf("Bob's fills = %d, %v", len(acts), err)
	}
	req, _ := http.NewRequest(http.MethodGet, b.url+"/v2/orders/"+o.ID+"/fills", nil)
	req.Header.Set("APCA-API-KEY-ID", b.bobKey.KeyID)
	req.Header.Set("APCA-API-SECRET-KEY", b.bobKey.Secret)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("Bob's GET of Alice's fills = %v, %v", resp, err)
	}

	// A second account of Alice's, with its own key: the keys see one account each.
	second, err := b.svc.Trading.OpenAccount(context.Background(), b.db.Gorm, b.alice.ID, openAccountInput("Second"))
	if err != nil {
		t.Fatal(err)
	}
	other := b.client(b.newKey(b.alice, second.ID))
	if orders, _ := other.GetOrders(alpaca.GetOrdersRequest{Status: "all"}); len(orders) != 0 {
		t.Fatalf("the second account's key lists %d orders of the first", len(orders))
	}
	acct, err := other.GetAccount()
	if err != nil || acct.AccountNumber != second.Number {
		t.Fatalf("second key's account = %v, %v", acct, err)
	}
}

func TestAlpacaRevokedKeyStopsAtOnce(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	cl := b.client(b.aliceKey)
	if _, err := cl.GetAccount(); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.APIKeys.Revoke(context.Background(), b.alice.ID, b.aliceKey.RowID); err != nil {
		t.Fatal(err)
	}
	_, err := cl.GetAccount()
	apiErr(t, err, http.StatusUnauthorized, 40110000)
	if ok, err := b.srv.AlpacaCallerStillValid(context.Background(), AlpacaCaller{KeyID: b.aliceKey.RowID}); ok || err != nil {
		t.Fatalf("still valid after revocation = %v, %v", ok, err)
	}
}

func TestAlpacaRateLimitTripsAtItsThreshold(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, map[string]string{"RATE_LIMIT_BOT_API": "5/1m"})
	get := func(k botKey) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, b.url+"/v2/clock", nil)
		req.Header.Set("APCA-API-KEY-ID", k.KeyID)
		req.Header.Set("APCA-API-SECRET-KEY", k.Secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for i := range 5 {
		resp := get(b.aliceKey)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d = %d", i+1, resp.StatusCode)
		}
		if got, want := resp.Header.Get("X-RateLimit-Remaining"), string(rune('0'+4-i)); got != want || resp.Header.Get("X-RateLimit-Limit") != "5" {
			t.Fatalf("request %d: remaining %q, want %q", i+1, got, want)
		}
		if resp.Header.Get("X-RateLimit-Reset") == "" {
			t.Fatal("no X-RateLimit-Reset")
		}
	}
	resp := get(b.aliceKey)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth request = %d (Retry-After %q), want 429", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	_, err := b.client(b.aliceKey).GetClock()
	apiErr(t, err, http.StatusTooManyRequests, 42910000)
	// Another key has its own allowance.
	if resp := get(b.bobKey); resp.StatusCode != http.StatusOK {
		t.Fatalf("Bob's first request = %d", resp.StatusCode)
	}
	// The Go SDK's own retry of a POST after a 429 resends an empty body (alpaca.md §0.7): the
	// client fails before the app sees it, so nothing is written twice or half.
	retrying := alpaca.NewClient(alpaca.ClientOpts{APIKey: b.aliceKey.KeyID, APISecret: b.aliceKey.Secret, BaseURL: b.url,
		RetryLimit: 1, RetryDelay: 1})
	_, err = retrying.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day})
	if err == nil || !strings.Contains(err.Error(), "Body length 0") {
		t.Fatalf("SDK retry of a POST = %v, want its empty-body failure", err)
	}
}
