package app

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"alpacawrapper/models"
)

// TestAlpacaRefusesBadOrdersAsAlpacaDoes sends every invalid order combination of alpaca.md §4,
// and bodies that are not orders at all, the way the SDKs send them (no Content-Type): each gets
// Alpaca's status and code with a message, never a 500, and nothing is written.
func TestAlpacaRefusesBadOrdersAsAlpacaDoes(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	post := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, b.url+path, strings.NewReader(body))
		req.Header.Set("APCA-API-KEY-ID", b.aliceKey.KeyID)
		req.Header.Set("APCA-API-SECRET-KEY", b.aliceKey.Secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}
	// A position to sell from, and a client order id to collide with.
	if st, body := post(http.MethodPost, "/v2/orders", `{"symbol":"AAPL","qty":"5","side":"buy","type":"market","time_in_force":"day","client_order_id":"taken"}`); st != 200 {
		t.Fatalf("setup order = %d %v", st, body)
	}
	count := func() int64 {
		var n int64
		b.db.Gorm.Model(&models.Order{}).Where("account_id = ?", b.aliceKey.AccountID).Count(&n)
		return n
	}
	before := count()
	var cash string
	b.db.Gorm.Raw("SELECT cash::text FROM paper_accounts WHERE id = ?", b.aliceKey.AccountID).Scan(&cash)

	// order builds an SDK-shaped body (every field, unset ones null or "") with changes.
	order := func(changes string) string {
		base := `"symbol":"AAPL","qty":"1","notional":null,"side":"buy","type":"market","time_in_force":"day",` +
			`"limit_price":null,"extended_hours":false,"stop_price":null,"client_order_id":"","order_class":"",` +
			`"take_profit":null,"stop_loss":null,"trail_price":null,"trail_percent":null,"legs":null`
		var m map[string]json.RawMessage
		_ = json.Unmarshal([]byte("{"+base+"}"), &m)
		var c map[string]json.RawMessage
		if err := json.Unmarshal([]byte("{"+changes+"}"), &c); err != nil {
			t.Fatalf("bad test case %q: %v", changes, err)
		}
		for k, v := range c {
			m[k] = v
		}
		out, _ := json.Marshal(m)
		return string(out)
	}
	cases := []struct {
		name   string
		body   string
		status int
		code   float64
	}{
		{"qty and notional", order(`"notional":"100"`), 400, 40010001},
		{"neither qty nor notional", order(`"qty":null`), 400, 40010001},
		{"zero qty", order(`"qty":"0"`), 400, 40010001},
		{"negative qty", order(`"qty":"-1"`), 400, 40010001},
		{"qty with ten decimals", order(`"qty":"1.0000000001"`), 400, 40010001},
		{"qty not a number", order(`"qty":"ten"`), 400, 40010001},
		{"qty of 40 digits", order(`"qty":"1234567890123456789012345678901234567890"`), 400, 40010001},
		{"qty exponent too large", order(`"qty":"1e999"`), 400, 40010001},
		{"missing symbol", order(`"symbol":""`), 400, 40010001},
		{"unknown symbol", order(`"symbol":"NOPE"`), 422, 42210000},
		{"missing side", order(`"side":""`), 400, 40010001},
		{"unknown side", order(`"side":"hold"`), 400, 40010001},
		{"unknown type", order(`"type":"iceberg"`), 400, 40010001},
		{"unknown time in force", order(`"time_in_force":"gtd"`), 400, 40010001},
		{"limit without limit_price", order(`"type":"limit"`), 400, 40010001},
		{"stop without stop_price", order(`"type":"stop"`), 400, 40010001},
		{"stop_limit without stop_price", order(`"type":"stop_limit","limit_price":"100"`), 400, 40010001},
		{"trailing stop without trail", order(`"type":"trailing_stop","time_in_force":"gtc"`), 400, 40010001},
		{"trailing stop with both trails", order(`"type":"trailing_stop","time_in_force":"gtc","trail_price":"1","trail_percent":"1"`), 400, 40010001},
		{"sub-penny limit above $1", order(`"type":"limit","limit_price":"100.001"`), 422, 42210000},
		{"extended hours on a market order", order(`"extended_hours":true`), 422, 42210000},
		{"client_order_id over 48 characters", order(`"client_order_id":"` + strings.Repeat("x", 49) + `"`), 422, 42210000},
		{"client_order_id used before", order(`"client_order_id":"taken"`), 422, 42210000},
		{"bracket without take_profit", order(`"order_class":"bracket","stop_loss":{"stop_price":"100"}`), 400, 40010001},
		{"bracket without stop_loss", order(`"order_class":"bracket","take_profit":{"limit_price":"1000"}`), 400, 40010001},
		{"bracket with ioc", order(`"order_class":"bracket","time_in_force":"ioc","take_profit":{"limit_price":"1000"},"stop_loss":{"stop_price":"100"}`), 422, 42210000},
		{"bracket buy with take_profit below stop_loss", order(`"order_class":"bracket","type":"limit","limit_price":"200","take_profit":{"limit_price":"150"},"stop_loss":{"stop_price":"180"}`), 422, 42210000},
		{"oco that is not a limit order", order(`"order_class":"oco","side":"sell","take_profit":{"limit_price":"1000"},"stop_loss":{"stop_price":"100"}`), 422, 42210000},
		{"oto with both legs", order(`"order_class":"oto","take_profit":{"limit_price":"1000"},"stop_loss":{"stop_price":"100"}`), 422, 42210000},
		{"take_profit on a simple order", order(`"take_profit":{"limit_price":"1000"}`), 422, 42210000},
		{"fractional stop order", order(`"qty":"1.5","type":"stop","stop_price":"500","time_in_force":"gtc"`), 422, 42210000},
		{"crypto with time in force day", order(`"symbol":"BTC/USD","qty":"0.01","time_in_force":"day"`), 422, 42210000},
		{"multi-leg options order", order(`"order_class":"mleg","legs":[{"symbol":"AAPL"}]`), 422, 42210000},
		{"more than the buying power", order(`"qty":"100000"`), 403, 40310000},
		{"selling more than held", order(`"side":"sell","qty":"6"`), 403, 40310000},
		{"malformed JSON", `{"symbol":"AAPL",`, 400, 40010000},
		{"not JSON at all", `symbol=AAPL&qty=1`, 400, 40010000},
		{"empty body", ``, 400, 40010000},
		{"an array", `[1,2]`, 400, 40010000},
		{"two objects", order(``) + order(``), 400, 40010000},
		{"qty is true", order(`"qty":true`), 400, 40010001},
		{"side is a number", order(`"side":5`), 400, 40010001},
		{"take_profit is a string", order(`"order_class":"bracket","take_profit":"1000"`), 400, 40010001},
		{"extended_hours is a string", order(`"extended_hours":"yes"`), 400, 40010001},
	}
	for _, tc := range cases {
		status, body := post(http.MethodPost, "/v2/orders", tc.body)
		if status != tc.status || body["code"] != tc.code {
			t.Errorf("%s: %d %v, want %d %v", tc.name, status, body, tc.status, int(tc.code))
			continue
		}
		if msg, _ := body["message"].(string); msg == "" {
			t.Errorf("%s: no message", tc.name)
		}
	}
	// Query parameters and replace bodies are refused the same way.
	for _, tc := range []struct {
		method, path, body string
		status             int
		code               float64
	}{
		{http.MethodPost, "/v2/orders?dry_run=true", order(``), 400, 40010001},
		{http.MethodGet, "/v2/orders?limit=0", "", 400, 40010001},
		{http.MethodGet, "/v2/orders?limit=501", "", 400, 40010001},
		{http.MethodGet, "/v2/orders?direction=sideways", "", 400, 40010001},
		{http.MethodGet, "/v2/orders?after=yesterday", "", 400, 40010001},
		{http.MethodGet, "/v2/orders?nested=maybe", "", 400, 40010001},
		{http.MethodGet, "/v2/orders?status=open&status=closed", "", 400, 40010001},
		{http.MethodGet, "/v2/account/activities?page_size=101", "", 400, 40010001},
		{http.MethodGet, "/v2/account/activities?activity_types=NOPE", "", 400, 40010001},
		{http.MethodGet, "/v2/account/activities?page_token=garbage", "", 400, 40010001},
		{http.MethodGet, "/v2/account/portfolio/history?period=1Y", "", 400, 40010001},
		{http.MethodGet, "/v2/account/portfolio/history?timeframe=2H", "", 400, 40010001},
		{http.MethodGet, "/v2/assets?status=delisted", "", 400, 40010001},
		{http.MethodGet, "/v2/calendar?start=tomorrow", "", 400, 40010001},
		{http.MethodDelete, "/v2/positions/AAPL?qty=1&percentage=50", "", 400, 40010001},
		{http.MethodDelete, "/v2/positions/AAPL?percentage=150", "", 400, 40010001},
		{http.MethodDelete, "/v2/positions/AAPL?qty=abc", "", 400, 40010001},
		{http.MethodPatch, "/v2/orders/not-a-uuid", `{"qty":"1"}`, 404, 40410000},
		{http.MethodPatch, "/v2/account/configurations", `{"max_margin_multiplier":"3"}`, 400, 40010001},
		{http.MethodPatch, "/v2/account/configurations", `{"suspend_trade":true}`, 422, 42210000},
		{http.MethodPatch, "/v2/account/configurations", `{"realism":"magic"}`, 422, 42210000},
		{http.MethodGet, "/v2/no/such/endpoint", "", 404, 40410000},
	} {
		status, body := post(tc.method, tc.path, tc.body)
		if status != tc.status || body["code"] != tc.code {
			t.Errorf("%s %s: %d %v, want %d %v", tc.method, tc.path, status, body, tc.status, int(tc.code))
		}
	}
	if n := count(); n != before {
		t.Errorf("refusals wrote %d orders", n-before)
	}
	var after string
	b.db.Gorm.Raw("SELECT cash::text FROM paper_accounts WHERE id = ?", b.aliceKey.AccountID).Scan(&after)
	if after != cash {
		t.Errorf("refusals moved cash: %s → %s", cash, after)
	}
	var realism string
	b.db.Gorm.Raw("SELECT realism FROM paper_accounts WHERE id = ?", b.aliceKey.AccountID).Scan(&realism)
	if realism != "realistic" {
		t.Errorf("a refused configuration changed realism to %s", realism)
	}
}
