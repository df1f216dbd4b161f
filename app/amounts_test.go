package app

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHugeNumbersAreRefusedAtOnce: every form amount goes through one bounded parser, so a
// quantity of millions of digits costs nothing and a price of 1e9999 is refused with a message
// (issue 10, security 1).
func TestHugeNumbersAreRefusedAtOnce(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, true)
	nines := strings.Repeat("9", 3_900_000)

	cases := []struct {
		name, path string
		form       url.Values
		field      string
		want       string
	}{
		{"preview", "/trade/preview", tradeTicket("qty", nines), "qty", "Quantity must be a number, such as 10 or 187.50, written in at most 32 characters."},
		{"place", "/orders", tradeTicket("qty", nines), "qty", "Quantity must be a number, such as 10 or 187.50, written in at most 32 characters."},
		{"take profit of 1e9999", "/orders", tradeTicket("type", "limit", "limit_price", "100", "order_class", "bracket",
			"tp_limit_price", "1e9999", "sl_stop_price", "90"), "tp_limit_price", "Take-profit limit price must be a price, such as 187.50."},
		{"take profit beyond any price", "/orders", tradeTicket("type", "limit", "limit_price", "100", "order_class", "bracket",
			"tp_limit_price", "99999999999", "sl_stop_price", "90"), "tp_limit_price", "Take-profit limit price must be at most 10000000."},
	}
	for _, tc := range cases {
		start := time.Now()
		resp, body := b.post(tc.path, tc.form)
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s: took %s", tc.name, took)
		}
		slot, status := `data-testid="error-`+tc.field+`">`+tc.want+`</p>`, http.StatusUnprocessableEntity
		if tc.path == "/trade/preview" {
			// The preview is a panel of the ticket: it shows the field's message in place.
			slot, status = tc.want, http.StatusOK
		}
		if resp.StatusCode != status || !strings.Contains(htmlText(body), slot) {
			t.Errorf("%s: %d, want %d with %q", tc.name, resp.StatusCode, status, slot)
		}
	}

	t.Run("closing and resetting", func(t *testing.T) {
		start := time.Now()
		resp, _ := b.post("/positions/close", url.Values{"symbol": {"AAPL"}, "qty": {nines}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("close: %d, want 422", resp.StatusCode)
		}
		b.htmx = false
		acct := p.account(p.alice)
		path := "/accounts/" + strconv.FormatInt(acct.ID, 10)
		b.get(path + "/settings")
		resp, body := b.post(path+"/reset", url.Values{"starting_cash": {nines}, "confirm_name": {acct.Name}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(htmlText(body), "Starting cash must be an amount in dollars") {
			t.Errorf("reset: %d, want 422", resp.StatusCode)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("took %s", took)
		}
	})
	if n := len(p.orders(p.alice)); n != 0 {
		t.Fatalf("refused orders wrote %d order rows", n)
	}
}
