package trading

import (
	"context"
	"encoding/json"
	"testing"

	"alpacawrapper/apperr"
	"alpacawrapper/trading/order"
)

// FuzzPlaceOrder sends arbitrary Alpaca-shaped order bodies through the whole placement path (the
// service, its checks and the database). Whatever the body, placement either succeeds with the
// books still balanced or refuses with an Alpaca-like refusal: a known code, a message and the
// kind the API maps to 403/404/422 — never an untyped error, which the API would turn into a 500.
//
//	go run . devdb run -- go test ./trading/ -run '^$' -fuzz FuzzPlaceOrder -fuzztime 60s
func FuzzPlaceOrder(f *testing.F) {
	for _, seed := range []string{
		`{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day"}`,
		`{"symbol":"AAPL","notional":"250.5","side":"buy","type":"market","time_in_force":"day"}`,
		`{"symbol":"AAPL","qty":"2","side":"sell","type":"limit","limit_price":"101.5","time_in_force":"gtc"}`,
		`{"symbol":"AAPL","qty":"1","side":"buy","type":"stop","stop_price":"120","time_in_force":"day"}`,
		`{"symbol":"MSFT","qty":"3","side":"sell","type":"trailing_stop","trail_percent":"2.5","time_in_force":"gtc"}`,
		`{"symbol":"AAPL","qty":"5","side":"buy","type":"limit","limit_price":"99","time_in_force":"gtc","order_class":"bracket","take_profit":{"limit_price":"110"},"stop_loss":{"stop_price":"90","limit_price":"89"}}`,
		`{"symbol":"BTC/USD","qty":"0.01","side":"buy","type":"limit","limit_price":"50000","time_in_force":"ioc"}`,
		`{"symbol":"AAPL","qty":"1","notional":"5","side":"buy","type":"market","time_in_force":"day"}`,
		`{"symbol":"AAPL","qty":"-1","side":"buy","type":"market","time_in_force":"day","client_order_id":"dup"}`,
		`{"symbol":"AAPL","qty":"1e9","side":"buy","type":"market","time_in_force":"day"}`,
		`{"symbol":"HTB","qty":"1","side":"sell","type":"market","time_in_force":"opg"}`,
		`{"symbol":"","qty":"1.0000000001","side":"short","type":"pegged","time_in_force":"gtx"}`,
	} {
		f.Add([]byte(seed))
	}
	b := setup(f)
	a := b.account("100000", marginSettings())
	b.quote("AAPL", "99.98", "100.02")
	b.quote("MSFT", "49.99", "50.01")
	b.quote("BTC/USD", "50000", "50010")
	codes := map[string]bool{order.CodeMalformed: true, order.CodeUnprocessable: true, CodeForbidden: true, CodeNotFound: true}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req order.Request
		if json.Unmarshal(body, &req) != nil {
			return // not JSON: the HTTP layer refuses the body before the engine sees it
		}
		_, err := b.svc.PlaceOrder(context.Background(), b.user, a.ID, req, SourceAPI)
		if err == nil {
			checkBooks(t, b.db, a.ID)
			return
		}
		e, ok := apperr.As(err)
		if !ok {
			t.Fatalf("untyped error for %s: %v", body, err)
		}
		if !codes[e.Code] || e.Message == "" || (e.Kind != apperr.KindInvalid && e.Kind != apperr.KindForbidden && e.Kind != apperr.KindNotFound) {
			t.Fatalf("refusal for %s is not Alpaca-like: kind %d code %q message %q", body, e.Kind, e.Code, e.Message)
		}
	})
}
