package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// TestOrderNotesAreAJournal (issue 14, item 17): a person writes a note and tags on a real order
// after it filled, changes them, finds the fill on the activity page by a word of the note or by
// a tag, and sees them on the fill's receipt; bad tags are refused under the field; nobody can
// write on another person's order.
func TestOrderNotesAreAJournal(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, false)
	if resp, body := b.post("/orders", tradeTicket("qty", "2")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /orders: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := b.post("/orders", tradeTicket("symbol", "MSFT", "qty", "1")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /orders MSFT: %d\n%s", resp.StatusCode, body)
	}
	orders := p.orders(p.alice) // newest first: MSFT, then AAPL
	if len(orders) != 2 || orders[1].Symbol != "AAPL" {
		t.Fatalf("orders: %+v", orders)
	}
	aapl := orders[1].ID.String()
	notePath := "/orders/" + aapl + "/note"

	resp, body := b.get(notePath)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="order-note-form"`) || !strings.Contains(body, "Buy 2 AAPL") {
		t.Fatalf("GET %s: %d\n%s", notePath, resp.StatusCode, body)
	}

	// Refused: a tag with punctuation. The form comes back with the message under the field and
	// what was typed.
	resp, body = b.post(notePath, url.Values{"note": {"Bought the dip"}, "tags": {"dip, wait!"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="error-tags"`) ||
		!strings.Contains(body, "Bought the dip") {
		t.Fatalf("bad tag: %d\n%s", resp.StatusCode, body)
	}

	resp, _ = b.post(notePath, url.Values{"note": {"Bought the dip before earnings"}, "tags": {"#Dip, earnings dip"}, "next": {"/activity"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/activity" {
		t.Fatalf("save note: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	n, err := p.svc.Trading.OrderNote(context.Background(), p.account(p.alice).ID, orders[1].ID)
	if err != nil || n.Note != "Bought the dip before earnings" || strings.Join(n.Tags, ",") != "dip,earnings" {
		t.Fatalf("stored note: %+v %v", n, err)
	}

	// The activity page shows it on the fill, and finds the fill by a word of the note, by a
	// tag, and by symbol; the other fill is not among the results.
	_, body = b.get("/activity")
	if !strings.Contains(body, "Bought the dip before earnings") || !strings.Contains(body, `href="/activity?q=earnings&amp;type=fills"`) {
		t.Errorf("/activity does not show the note and its tag links")
	}
	for _, q := range []string{"before EARN", "earnings", "aapl"} {
		_, body = b.get("/activity?q=" + url.QueryEscape(q))
		if strings.Count(body, `data-testid="activity-fill"`) != 1 || !strings.Contains(body, ">AAPL<") {
			t.Errorf("/activity?q=%s: want the AAPL fill alone, got %d fills", q, strings.Count(body, `data-testid="activity-fill"`))
		}
	}
	_, body = b.get("/activity?q=nothing-like-this")
	if strings.Contains(body, `data-testid="activity-fill"`) || !strings.Contains(body, "Nothing found") {
		t.Error("a search that matches nothing still lists fills")
	}

	// The receipt shows it, with the way to change it.
	fillID := firstFillOf(t, p.testApp, &orders[1]).ID.String()
	_, body = b.get("/fills/" + fillID)
	if !strings.Contains(body, "Bought the dip before earnings") || !strings.Contains(body, `data-testid="receipt-note-link"`) {
		t.Error("the receipt does not show the order's note")
	}
	// The orders page marks the order that has a note.
	_, body = b.get("/orders?status=all")
	if !strings.Contains(body, `href="`+notePath+`"`) || !strings.Contains(body, "Note ✓") {
		t.Error("the orders page does not link the note")
	}

	// Emptied: the note is removed.
	if resp, _ = b.post(notePath, url.Values{"note": {"  "}, "tags": {""}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove note: %d", resp.StatusCode)
	}
	if n, _ := p.svc.Trading.OrderNote(context.Background(), p.account(p.alice).ID, orders[1].ID); n.Note != "" || len(n.Tags) != 0 {
		t.Errorf("note after removal: %+v", n)
	}

	// Bob's order: not found for Alice, both to read and to write.
	bobs := p.account(p.bob)
	o, err := p.svc.Trading.PlaceOrder(context.Background(), p.bob.ID, bobs.ID, order.Request{Symbol: "AAPL", Side: fill.Buy,
		Type: fill.Market, TimeInForce: fill.Day, Qty: decimal.NullDecimal{Decimal: decimal.NewFromInt(1), Valid: true}}, trading.SourceAPI)
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := b.get("/orders/" + o.ID.String() + "/note"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("alice reads bob's note page: %d, want 404", resp.StatusCode)
	}
	if resp, _ := b.post("/orders/"+o.ID.String()+"/note", url.Values{"note": {"mine now"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("alice writes on bob's order: %d, want 404", resp.StatusCode)
	}
	if n, _ := p.svc.Trading.OrderNote(context.Background(), bobs.ID, o.ID); n.Note != "" {
		t.Errorf("bob's order got a note: %+v", n)
	}
}
