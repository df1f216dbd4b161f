package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"alpacawrapper/market/sim"
)

// boundaryTargets are the places where people's bytes enter the application, each fed the fuzzed
// value in one field: the forms (ticket, orders, watchlists, accounts), the JSON APIs (the app's and
// the Alpaca-compatible one, with the value spliced in raw, so invalid UTF-8 and NUL reach the
// decoder as sent), and a query string. Whatever the value, the answer is never a 5xx.
var boundaryTargets = []string{
	"form /trade/preview qty", "form /orders limit_price", "form /orders client_order_id", "form /orders symbol",
	"form /watchlists name", "form /accounts starting_cash",
	"json /api/v1/watchlists name", "json /api/v1/watchlists raw body",
	"json /v2/orders qty", "json /v2/orders limit_price", "json /v2/orders client_order_id", "json /v2/orders symbol",
	"query /instruments q",
}

// FuzzBoundaries runs as part of `make test` on its seed corpus (the f.Add calls below and any
// inputs saved under testdata/fuzz/FuzzBoundaries). To search for new failures, run it for as
// long as you like, for example ten minutes:
//
//	APP_ENV=test go run . devdb run -- go test -run '^$' -fuzz FuzzBoundaries -fuzztime 10m ./app/
//
// A failing input is saved under testdata/fuzz and replayed by every later `make test`.
func FuzzBoundaries(f *testing.F) {
	a := buildTestApp(f, testAppOptions{
		vars:     map[string]string{"SIM_ALWAYS_OPEN": "true", "RATE_LIMIT_BOT_API": "1000000/1m", "RATE_LIMIT_AUTH": "1000000/1m"},
		provider: sim.New(sim.Options{Seed: 7, AlwaysOpen: true}),
	})

	huge := strings.Repeat("9", 200_000)
	seeds := []string{
		"1", "0", "-1", "1.5", "0.000000001", "1e9999", "-1e-9999", "1E+3", "NaN", "Inf", "0x10", "1_000", "١٢٣",
		"100,000.50", "$5", " 7 ", "", huge, "1." + huge, huge + "e" + huge,
		"AAPL", "BTC/USD", "aapl", "AA\x00PL", "AAPL\xff", "\xc3\x28", "\xed\xa0\x80", "a\u0000b",
		"bot-1", strings.Repeat("x", 1<<16), "\"", "\\", "\\u0000", `","qty":"1`, "<script>", "%00", "%FF",
		"😀", "\u202e", "\r\n", "null", "{}", "[]",
	}
	for i := range boundaryTargets {
		for _, s := range seeds {
			f.Add(uint8(i), s)
		}
	}

	var b *browser
	var key botKey
	f.Fuzz(func(t *testing.T, target uint8, value string) {
		a.t = t
		if b == nil { // once per process, on the first input's t (nothing here registers a cleanup)
			seedSimAssets(t, a)
			u := a.createUser("fuzz@example.com", goodPassword)
			b = a.browser()
			b.login(u.Email, goodPassword)
			if resp, body := b.get("/trade"); resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /trade: %d\n%.300s", resp.StatusCode, body)
			}
			k, err := a.svc.APIKeys.CreateFor(context.Background(), u.ID, 0, "fuzz")
			if err != nil {
				t.Fatal(err)
			}
			key = botKey{KeyID: k.KeyID, Secret: k.Secret}
		}
		name := boundaryTargets[int(target)%len(boundaryTargets)]
		resp, body := sendBoundary(a, b, key, name, value)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s = %.80q: status %d\n%.500s", name, value, resp.StatusCode, body)
		}
	})
}

// sendBoundary sends value through the named boundary.
func sendBoundary(a *testApp, b *browser, key botKey, name, value string) (*http.Response, string) {
	kind, rest, _ := strings.Cut(name, " ")
	path, field, _ := strings.Cut(rest, " ")
	switch kind {
	case "form":
		var form url.Values
		switch path {
		case "/trade/preview", "/orders":
			form = tradeTicket(field, value)
			if field == "limit_price" {
				form.Set("type", "limit")
			}
		case "/accounts":
			form = url.Values{"name": {"Fuzz"}, field: {value}}
		default:
			form = url.Values{field: {value}}
		}
		return b.post(path, form)
	case "query":
		// A request line longer than the server's read buffer is refused before routing (431,
		// TestHTTPLayerErrorsOnTheAPIAreProblemJSON); the in-process client reports it as an error.
		if len(value) > 1024 {
			value = value[:1024]
		}
		return b.get(path + "?" + url.Values{field: {value}}.Encode())
	}
	// JSON: the value spliced in raw, as a client's bytes.
	var body string
	switch {
	case field == "raw":
		body = value
	case path == "/v2/orders":
		order := map[string]string{"symbol": "AAPL", "qty": "1", "side": "buy", "type": "market", "time_in_force": "day"}
		if field == "limit_price" {
			order["type"] = "limit"
		}
		order[field] = value
		parts := make([]string, 0, len(order))
		for k, v := range order {
			parts = append(parts, `"`+k+`":"`+v+`"`)
		}
		body = "{" + strings.Join(parts, ",") + "}"
	default:
		body = `{"` + field + `":"` + value + `"}`
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerAPIKeyID, key.KeyID)
	req.Header.Set(headerAPISecretKey, key.Secret)
	return a.do(req)
}
