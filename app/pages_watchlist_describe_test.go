package app

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestWatchlistDescriptionsAndSearch (issue 14, item 17): the original's watchlists had a
// description and a search over one's lists. A person describes a list on its page (an overlong
// description is refused under the field), sees the description on the list and in the index,
// and searches their lists by name, description or a symbol on them; another person's list never
// turns up in their search.
func TestWatchlistDescriptionsAndSearch(t *testing.T) {
	t.Parallel()
	m := newMarketPages(t)
	ctx := context.Background()
	b := m.as("alice@example.com")
	tech, err := m.svc.Watchlists.Create(ctx, m.alice, "Tech", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.svc.Watchlists.AddAsset(ctx, m.alice, tech.ID, "MSFT"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.Watchlists.Create(ctx, m.alice, "Crypto", false); err != nil {
		t.Fatal(err)
	}
	bobs, err := m.svc.Watchlists.Create(ctx, m.bob, "Bob's dividend plays", false)
	if err != nil {
		t.Fatal(err)
	}
	base := "/watchlists/" + strconv.FormatInt(tech.ID, 10)

	resp, body := b.post(base+"/rename", url.Values{"name": {"Tech"}, "description": {strings.Repeat("x", 281)}})
	wantStatus(t, "long description", resp, body, http.StatusUnprocessableEntity)
	wantContains(t, "long description", body, `data-testid="error-description"`, "280 characters or fewer")

	resp, body = b.post(base+"/rename", url.Values{"name": {"Tech giants"}, "description": {"Long-term dividend holds"}})
	wantStatus(t, "describe", resp, body, http.StatusSeeOther)
	_, body = b.get(base)
	wantContains(t, "list page", body, `data-testid="watchlist-title">Tech giants<`, `data-testid="watchlist-description">Long-term dividend holds<`)
	_, body = b.get("/watchlists")
	wantContains(t, "index", body, `data-testid="watchlist-link-description">Long-term dividend holds<`)

	// A form without the description field only renames, leaving the description alone.
	resp, body = b.post(base+"/rename", url.Values{"name": {"Tech"}})
	wantStatus(t, "rename", resp, body, http.StatusSeeOther)
	if d, _ := m.svc.Watchlists.Get(ctx, m.alice, tech.ID); d.Name != "Tech" || d.Description != "Long-term dividend holds" {
		t.Errorf("after a rename: %q, %q", d.Name, d.Description)
	}

	names := func(body string) []string {
		var out []string
		for _, part := range strings.Split(body, `data-testid="watchlist-name">`)[1:] {
			out = append(out, part[:strings.Index(part, "<")])
		}
		return out
	}
	for q, want := range map[string]string{"DIVIDEND": "Tech", "msf": "Tech", "cryp": "Crypto", "zzz": ""} {
		_, body = b.get("/watchlists?q=" + url.QueryEscape(q))
		if got := strings.Join(names(body), ","); got != want {
			t.Errorf("/watchlists?q=%s lists %q, want %q", q, got, want)
		}
	}
	if _, body = b.get("/watchlists?q=plays"); strings.Contains(body, bobs.Name) {
		t.Error("alice's search finds bob's list")
	}
	// The global list is searched too, by a symbol on it.
	_, body = b.get("/watchlists?q=BTC")
	if got := strings.Join(names(body), ","); got != "Market movers" {
		t.Errorf("/watchlists?q=BTC lists %q, want the global list", got)
	}
}
