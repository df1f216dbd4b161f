package app

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestInstrumentsSortAndMultipleChoiceFilters (issue 14, item 17): the original's instruments
// list had sortable columns and filters that take several values. Ticking two exchanges lists
// the assets of either and only those; a column header sorts by it, and again reverses it, and
// the sort survives the filters and the pages.
func TestInstrumentsSortAndMultipleChoiceFilters(t *testing.T) {
	t.Parallel()
	m := newMarketPages(t)
	guest := m.browser()

	// Two exchanges at once: every row is on one of them, both are present, both boxes ticked.
	_, body := guest.get("/instruments?exchange=NASDAQ&exchange=NYSE&sort=exchange")
	rows := resultSymbols(body)
	if len(rows) == 0 {
		t.Fatal("no results for NASDAQ or NYSE")
	}
	exchanges := exchangesOf(body)
	for _, e := range exchanges {
		if e != "NASDAQ" && e != "NYSE" {
			t.Errorf("exchange filter NASDAQ+NYSE lists an asset on %s", e)
		}
	}
	if !slices.IsSorted(exchanges) {
		t.Errorf("sort=exchange: %v", exchanges)
	}
	wantContains(t, "two exchanges", body, `value="NASDAQ" class="checkbox" checked`, `value="NYSE" class="checkbox" checked`,
		`aria-sort="ascending"`, `href="/instruments?exchange=NASDAQ&amp;exchange=NYSE&amp;sort=-exchange"`)
	_, one := guest.get("/instruments?exchange=NASDAQ")
	_, both := guest.get("/instruments?exchange=NASDAQ&exchange=NYSE")
	if countOf(t, one) >= countOf(t, both) {
		t.Errorf("NASDAQ alone counts %d, with NYSE %d: a second choice should add results", countOf(t, one), countOf(t, both))
	}

	// Sorted by symbol, then reversed.
	_, body = guest.get("/instruments?class=us_equity&sort=symbol")
	asc := resultSymbols(body)
	if !sort.StringsAreSorted(asc) {
		t.Errorf("sort=symbol: %v", asc)
	}
	wantContains(t, "sorted", body, `href="/instruments?class=us_equity&amp;sort=-symbol"`, `name="sort" value="symbol"`)
	_, body = guest.get("/instruments?class=us_equity&sort=-symbol")
	desc := resultSymbols(body)
	if len(desc) == 0 || !sort.IsSorted(sort.Reverse(sort.StringSlice(desc))) || desc[0] < asc[len(asc)-1] {
		t.Errorf("sort=-symbol: %v", desc)
	}
	wantContains(t, "reversed", body, `aria-sort="descending"`, `href="/instruments?class=us_equity&amp;page=2&amp;sort=-symbol"`)

	// An unknown sort is ignored, not refused.
	if resp, _ := guest.get("/instruments?sort=price;drop"); resp.StatusCode != http.StatusOK {
		t.Errorf("unknown sort: %d", resp.StatusCode)
	}
}

// exchangesOf lists the exchange cell of each result row.
func exchangesOf(body string) []string {
	var out []string
	for _, row := range strings.Split(body, `data-testid="result-row"`)[1:] {
		cell := row[strings.Index(row, "md:table-cell\">")+len("md:table-cell\">"):]
		out = append(out, strings.TrimSpace(cell[:strings.Index(cell, "<")]))
	}
	return out
}

// countOf is the result count the page states.
func countOf(t *testing.T, body string) int {
	t.Helper()
	i := strings.Index(body, `data-testid="result-count"`)
	rest := body[i:]
	rest = rest[strings.Index(rest, `<span class="font-semibold text-slate-900 dark:text-white">`)+len(`<span class="font-semibold text-slate-900 dark:text-white">`):]
	n := 0
	for _, r := range rest {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}
