package app

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// Adding a symbol a list holds already says so, under the field, rather than answering as if it
// had been added; the list keeps one copy. The instrument page's "add to watchlist" says the same.
func TestWatchlistAddingADuplicateSaysSo(t *testing.T) {
	t.Parallel()
	m := newMarketPages(t)
	d, err := m.svc.Watchlists.Create(context.Background(), m.alice, "Tech", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.svc.Watchlists.AddAsset(context.Background(), m.alice, d.ID, "AAPL"); err != nil {
		t.Fatal(err)
	}
	b := m.as(m.alice.Email)
	id := strconv.FormatInt(d.ID, 10)
	for _, htmx := range []bool{false, true} {
		b.htmx = htmx
		resp, body := b.post("/watchlists/"+id+"/assets", url.Values{"symbol": {"aapl"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(htmlText(body), "AAPL is already on “Tech”.") {
			t.Errorf("htmx %v: adding AAPL again: %d\n%s", htmx, resp.StatusCode, body)
		}
		resp, body = b.post("/watchlists/add", url.Values{"symbol": {"AAPL"}, "watchlist": {id}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(htmlText(body), "AAPL is already on “Tech”.") {
			t.Errorf("htmx %v: adding AAPL again from its page: %d\n%s", htmx, resp.StatusCode, body)
		}
	}
	after, err := m.svc.Watchlists.Get(context.Background(), m.alice, d.ID)
	if err != nil || len(after.Items) != 1 {
		t.Fatalf("the list after the duplicates: %v, %d items", err, len(after.Items))
	}
}
