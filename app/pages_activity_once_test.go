package app

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestActivityListsEachFillOnce (issue 14, figure 2): the activity page listed every fill twice
// (the fill and its cash line) and showed a fee line without its label ("−$0.80"). On the "All"
// tab each fill is one row (its fees on it); the only cash line left is the deposit; on the
// "Cash" tab every line is labelled with its kind.
func TestActivityListsEachFillOnce(t *testing.T) {
	t.Parallel()
	p := newTradePages(t)
	b := p.as(p.alice, false)
	for _, form := range [][]string{{"qty", "3"}, {"side", "sell", "qty", "3"}} {
		if resp, body := b.post("/orders", tradeTicket(form...)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /orders %v: %d\n%s", form, resp.StatusCode, body)
		}
	}
	_, body := b.get("/activity")
	if n := strings.Count(body, `data-testid="activity-fill"`); n != 2 {
		t.Errorf("/activity lists %d fill rows for two fills", n)
	}
	kinds := regexp.MustCompile(`data-testid="activity-cash" data-kind="([a-z_]+)"`).FindAllStringSubmatch(body, -1)
	if len(kinds) != 1 || kinds[0][1] != "deposit" {
		t.Errorf("/activity's cash rows beside the fills: %v, want the deposit alone", kinds)
	}

	_, body = b.get("/activity?type=cash")
	rows := strings.Split(body, `data-testid="activity-cash"`)[1:]
	if len(rows) < 3 { // the deposit and the two trades (and any fee lines)
		t.Fatalf("/activity?type=cash has %d lines", len(rows))
	}
	label := regexp.MustCompile(`<span class="font-medium">([^<]+)</span>`)
	for _, r := range rows {
		if m := label.FindStringSubmatch(r); m == nil || strings.TrimSpace(m[1]) == "" {
			t.Errorf("a cash line has no label: %.200s", r)
		}
	}
}
