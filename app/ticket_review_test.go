package app

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"alpacawrapper/trading"
)

// An account reviews orders by default: the ticket's first post answers with the review (the
// summary, the estimate, "Send order" and "Edit order") and places nothing; "Edit order" gives
// the ticket back as typed; "Send order" places it.
func TestTradeTicketReviewBeforeSending(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, true)
	if !p.account(p.alice).ReviewOrders {
		t.Fatal("a new account does not review orders")
	}
	first := tradeTicket("type", "limit", "limit_price", "1.00", "qty", "2", "time_in_force", "gtc")
	first.Del("confirmed")

	resp, body := b.post("/orders", first)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("review: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{`data-testid="ticket-review"`, "Buy 2 AAPL · limit $1.00 · GTC", `data-testid="preview-figures"`,
		`name="confirmed" value="1"`, `name="edit" value="1"`, `name="limit_price" value="1.00"`, "data-focus-on-load"} {
		if !strings.Contains(htmlText(body), want) {
			t.Errorf("the review lacks %q", want)
		}
	}
	if n := len(p.orders(p.alice)); n != 0 {
		t.Fatalf("the review placed %d orders", n)
	}

	edit := tradeTicket("type", "limit", "limit_price", "1.00", "qty", "2", "time_in_force", "gtc", "edit", "1")
	edit.Del("confirmed")
	resp, body = b.post("/orders", edit)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="ticket-form"`) ||
		!strings.Contains(body, `value="1.00"`) || strings.Contains(body, `data-testid="ticket-review"`) {
		t.Fatalf("edit: %d\n%s", resp.StatusCode, body)
	}
	if n := len(p.orders(p.alice)); n != 0 {
		t.Fatalf("editing placed %d orders", n)
	}

	resp, body = b.post("/orders", tradeTicket("type", "limit", "limit_price", "1.00", "qty", "2", "time_in_force", "gtc"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="ticket-placed"`) {
		t.Fatalf("send: %d\n%s", resp.StatusCode, body)
	}
	if n := len(p.orders(p.alice)); n != 1 {
		t.Fatalf("%d orders after sending, want 1", n)
	}
}

// A refused order is not reviewed: the ticket comes back with its message at once.
func TestTradeTicketRefusalSkipsTheReview(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, true)
	f := tradeTicket("qty", "100000")
	f.Del("confirmed")
	resp, body := b.post("/orders", f)
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, `data-testid="ticket-review"`) ||
		!strings.Contains(body, `data-testid="form-error"`) {
		t.Fatalf("refused order: %d\n%s", resp.StatusCode, body)
	}
}

// With the review turned off in the account's settings, the ticket places the order at once.
func TestTradeTicketReviewTurnedOff(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	a := p.account(p.alice)
	b := p.as(p.alice, true)
	b.htmx = false
	b.get("/accounts/" + itoa(a.ID) + "/settings")
	resp, body := b.post("/accounts/"+itoa(a.ID)+"/settings", map[string][]string{"name": {a.Name}, "margin": {"true"},
		"shorting_enabled": {"true"}, "commission": {a.Commission}, "realism": {a.Realism}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d\n%s", resp.StatusCode, body)
	}
	if p.account(p.alice).ReviewOrders {
		t.Fatal("unticking the review did not turn it off")
	}
	b.htmx = true
	f := tradeTicket()
	f.Del("confirmed")
	resp, body = b.post("/orders", f)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="ticket-placed"`) {
		t.Fatalf("place without review: %d\n%s", resp.StatusCode, body)
	}
	// Ticking it again turns it back on.
	st := trading.DefaultSettings()
	if _, err := p.svc.Trading.UpdateSettings(context.Background(), p.alice.ID, a.ID, a.Name, st); err != nil || !p.account(p.alice).ReviewOrders {
		t.Fatalf("default settings review orders: %v", err)
	}
}

// The preview of a bracket lists its legs with their sides and prices.
func TestTradePreviewListsBracketLegs(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, true)
	resp, body := b.post("/trade/preview", tradeTicket("type", "limit", "limit_price", "100", "order_class", "bracket",
		"tp_limit_price", "120", "sl_stop_price", "90", "sl_limit_price", "89.50", "time_in_force", "gtc"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, body)
	}
	text := collapseSpace(stripTags(htmlText(body)))
	for _, want := range []string{"Entry buy limit $100.00", "Take profit sell limit $120.00", "Stop loss sell stop $90.00, limit $89.50"} {
		if !strings.Contains(text, want) {
			t.Errorf("the preview lacks the leg %q:\n%s", want, text)
		}
	}
	if strings.Count(body, `data-testid="preview-leg"`) != 3 {
		t.Errorf("%d legs, want 3", strings.Count(body, `data-testid="preview-leg"`))
	}
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// stripTags is an HTML fragment's text, its tags removed.
func stripTags(s string) string { return tagPattern.ReplaceAllString(s, " ") }

// collapseSpace turns every run of white space into one space.
func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
