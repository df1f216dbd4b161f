package app

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
)

// Issue 14, item 8: a signed-in person's home is their dashboard: the account's figures, the
// positions with their P&L and the live connection that keeps them current, a watchlist and the
// day's movers with live quotes, and the latest fills linking to their receipts.
func TestDashboardIsTheSignedInHome(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	if _, err := a.svc.Watchlists.SeedStarterLists(context.Background()); err != nil {
		t.Fatal(err)
	}
	ada, b, acct := a.trader("ada@example.com")
	buy := a.market(ada, acct.ID, fill.Buy, "0.01")
	f := firstFillOf(t, a, buy)

	resp, body := b.get("/")
	wantStatus(t, "dashboard", resp, body, http.StatusOK)
	wantContains(t, "dashboard", body, `data-testid="dashboard-page"`,
		`id="acct-equity"`, `id="acct-day-pl"`, // the figures /ws/trading replaces
		`data-testid="position-row" data-symbol="BTC/USD"`,
		`ws-connect="/ws/trading?sections=figures%2Cpositions"`,
		`data-testid="quote-list"`, `data-testid="live-quotes"`,
		`href="/fills/`+f.ID.String()+`"`, "Bought", " 0.01 BTC/USD")
	if strings.Contains(body, `data-testid="markets-page"`) {
		t.Error("signed-in / still shows the markets page")
	}
	// Every symbol appears once, so each live cell has one target.
	if n := strings.Count(body, `id="q-BTC-USD-last"`); n > 1 {
		t.Errorf("BTC/USD's live price appears %d times", n)
	}

	// A guest still gets the landing page.
	resp, body = a.browser().get("/")
	wantStatus(t, "guest home", resp, body, http.StatusOK)
	if strings.Contains(body, `data-testid="dashboard-page"`) {
		t.Error("a guest got a dashboard")
	}
}

func TestTopMoversRankByTheSizeOfTheMove(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	m := func(sym, last, prev string) mover {
		return mover{asset: models.Asset{Symbol: sym, Class: market.USEquity}, numbers: quoteNumbers{Last: d(last), PrevClose: d(prev)}}
	}
	got := topMovers([]mover{
		m("FLAT", "100", "100"), m("UP2", "102", "100"), m("DOWN5", "95", "100"),
		m("NOPREV", "50", "0"), m("UP10", "110", "100"), m("DOWN2", "98", "100"),
	}, 4)
	var syms []string
	for _, r := range got {
		syms = append(syms, r.Symbol)
	}
	if strings.Join(syms, ",") != "UP10,DOWN5,DOWN2,UP2" {
		t.Errorf("movers = %v, want UP10,DOWN5,DOWN2,UP2 (ties by symbol, no price history left out)", syms)
	}
	if !got[0].Up || got[1].Up || got[0].Quote.ChangePct != "+10.00%" {
		t.Errorf("first two: %+v %+v", got[0], got[1])
	}
}
