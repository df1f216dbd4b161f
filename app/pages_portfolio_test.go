package app

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/stats"
	"alpacawrapper/views"
)

// seedEquity writes equity snapshots of an account's first period, as the snapshot job would:
// one per offset from paperStart, with the given equities (all cash).
func seedEquity(t *testing.T, a *testApp, accountID int64, points map[time.Duration]string) {
	t.Helper()
	var snaps []models.EquitySnapshot
	for off, eq := range points {
		e := decimal.RequireFromString(eq)
		snaps = append(snaps, models.EquitySnapshot{AccountID: accountID, At: paperStart.Add(off), Period: 1,
			Kind: models.SnapshotIntraday, Equity: e, Cash: e})
	}
	if err := a.db.Gorm.Create(&snaps).Error; err != nil {
		t.Fatal(err)
	}
}

// A week and a half of equity after the account opened at paperStart with $100,000 (New York
// days: Mon 2 March 10:00 opening, 11:00; Tue 3; Wed 4; Fri 6; Wed 11 at 23:00 EDT), seen from
// Thu 12 March 11:00 EDT.
var tenDays = map[time.Duration]string{
	time.Hour:                     "100500",
	24 * time.Hour:                "101000",
	48 * time.Hour:                "99000",
	96 * time.Hour:                "102000",
	9*24*time.Hour + 12*time.Hour: "103000",
}

func getHistory(t *testing.T, b *browser, query string) equityHistory {
	t.Helper()
	resp, body := b.get("/portfolio/history" + query)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("history%s: %d %s", query, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var h equityHistory
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("history%s: %v\n%s", query, err, body)
	}
	// The wire shape, not only what decodes: points are {t: number, equity: "string"}.
	if !regexp.MustCompile(`"points":\[\{"t":\d+,"equity":"-?\d+\.\d\d"\}`).MatchString(body) || !strings.Contains(body, `"base":"`) {
		t.Errorf("history%s JSON shape: %.200s", query, body)
	}
	return h
}

func TestPaperPortfolioHistory(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, b, acct := a.trader("ada@example.com")
	seedEquity(t, a, acct.ID, tenDays)
	a.clock.Advance(10 * 24 * time.Hour)
	b.login("ada@example.com", goodPassword) // the session has expired meanwhile
	now := paperStart.Add(10 * 24 * time.Hour)

	type pt struct {
		at     time.Time
		equity string
	}
	all := []pt{{paperStart, "100000.00"}, {paperStart.Add(time.Hour), "100500.00"}, {paperStart.Add(24 * time.Hour), "101000.00"},
		{paperStart.Add(48 * time.Hour), "99000.00"}, {paperStart.Add(96 * time.Hour), "102000.00"},
		{paperStart.Add(9*24*time.Hour + 12*time.Hour), "103000.00"}, {now, "100000.00"}}
	for _, tc := range []struct {
		query, rng, base, change, ret string
		points                        []pt
	}{
		{"?range=all", "all", "100000.00", "0.00", "0", all},
		{"?range=1Y", "1Y", "100000.00", "0.00", "0", all},
		{"?range=3m", "3M", "100000.00", "0.00", "0", all},
		{"", "1M", "100000.00", "0.00", "0", all},
		{"?range=5Y", "1M", "100000.00", "0.00", "0", all},
		// A week back starts on Thursday 5 March, between snapshots: Wednesday's 99,000 stands in.
		{"?range=1W", "1W", "99000.00", "1000.00", "0.01010101", []pt{{now.AddDate(0, 0, -7), "99000.00"},
			{paperStart.Add(96 * time.Hour), "102000.00"}, {paperStart.Add(9*24*time.Hour + 12*time.Hour), "103000.00"}, {now, "100000.00"}}},
		// A day back is Wednesday 11:00 (EDT): Friday's 102,000 stands in, then Wednesday night's peak.
		{"?range=1D", "1D", "102000.00", "-2000.00", "-0.01960784", []pt{{now.AddDate(0, 0, -1), "102000.00"},
			{paperStart.Add(9*24*time.Hour + 12*time.Hour), "103000.00"}, {now, "100000.00"}}},
	} {
		t.Run(tc.rng+tc.query, func(t *testing.T) {
			h := getHistory(t, b, tc.query)
			if h.Range != tc.rng || h.Base != tc.base || h.Change != tc.change || h.Return != tc.ret {
				t.Errorf("range %s base %s change %s return %s; want %s %s %s %s", h.Range, h.Base, h.Change, h.Return, tc.rng, tc.base, tc.change, tc.ret)
			}
			if len(h.Points) != len(tc.points) {
				t.Fatalf("%d points %v, want %d", len(h.Points), h.Points, len(tc.points))
			}
			for i, p := range tc.points {
				if h.Points[i].T != p.at.Unix() || h.Points[i].Equity != p.equity {
					t.Errorf("point %d = %d %s, want %d %s", i, h.Points[i].T, h.Points[i].Equity, p.at.Unix(), p.equity)
				}
			}
		})
	}

	// Once the account has traded, the page draws the same range, its buttons being links.
	a.market(ada, acct.ID, fill.Buy, "0.01")
	resp, body := b.get("/portfolio?range=1W")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("portfolio: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `href="/portfolio?range=1W" class=`) || !regexp.MustCompile(`data-range="1W"[^>]*aria-current="true"`).MatchString(body) ||
		strings.Count(body, `aria-current="true"`) != 1 {
		t.Error("the 1W button is not the one current")
	}
	if !strings.Contains(body, `data-history="{&#34;range&#34;:&#34;1W&#34;`) || !strings.Contains(body, `data-testid="range-change">+$99`) {
		t.Error("the page does not embed the week's history and change")
	}
}

func TestPaperHistoryThinsLongRanges(t *testing.T) {
	t.Parallel()
	ny, _ := newYork()
	// Two days of 5-minute points: the 1W range keeps one per 15 minutes, 1M one a day, and both
	// keep the first point and the last (now).
	start := time.Date(2026, time.March, 2, 14, 30, 0, 0, time.UTC)
	var curve []stats.Point
	for i := range 2 * 288 {
		curve = append(curve, stats.Point{At: start.Add(time.Duration(i) * 5 * time.Minute), Equity: decimal.NewFromInt(int64(100_000 + i))})
	}
	now := curve[len(curve)-1].At.Add(time.Minute)
	curve = withNow(curve, now, decimal.NewFromInt(99_000))
	week := buildEquityHistory(stats.Range1W, rangeCurve(curve, stats.Range1W.Since(now)), ny)
	month := buildEquityHistory(stats.Range1M, rangeCurve(curve, stats.Range1M.Since(now)), ny)
	if n := len(week.Points); n < 190 || n > 194 {
		t.Errorf("1W: %d points for two days of 5-minute snapshots, want about 192", n)
	}
	if n := len(month.Points); n != 5 {
		t.Errorf("1M: %d points, want the first, one per New York day (3) and now", n)
	}
	for _, h := range []equityHistory{week, month} {
		if h.Points[0].T != start.Unix() || h.Points[len(h.Points)-1].T != now.Unix() || h.Points[len(h.Points)-1].Equity != "99000.00" {
			t.Errorf("%s: first %v last %v", h.Range, h.Points[0], h.Points[len(h.Points)-1])
		}
		for i := 1; i < len(h.Points); i++ {
			if h.Points[i].T <= h.Points[i-1].T {
				t.Fatalf("%s: times not increasing at %d", h.Range, i)
			}
		}
	}
	if empty := buildEquityHistory(stats.RangeAll, nil, ny); empty.Points == nil || len(empty.Points) != 0 || empty.Base != "0.00" {
		t.Errorf("an empty history: %+v", empty)
	}
}

func TestPaperPortfolioStatistics(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, b, acct := a.trader("ada@example.com")
	seedEquity(t, a, acct.ID, tenDays)
	a.clock.Advance(10 * 24 * time.Hour)
	b.login("ada@example.com", goodPassword) // the session has expired meanwhile
	a.market(ada, acct.ID, fill.Buy, "0.02")
	a.market(ada, acct.ID, fill.Sell, "0.01") // closes half at the bid: a small loss

	resp, body := b.get("/portfolio")
	if resp.StatusCode != http.StatusOK || strings.Contains(body, `data-testid="portfolio-empty"`) {
		t.Fatalf("portfolio: %d (empty state shown: %v)", resp.StatusCode, strings.Contains(body, "portfolio-empty"))
	}
	card := func(id string) string {
		i := strings.Index(body, `data-testid="`+id+`"`)
		if i < 0 {
			t.Fatalf("no %s card", id)
		}
		return body[i:min(len(body), i+1200)]
	}
	// Peak 103,000 (Wed 11) to now, just under 100,000 after paying half the spread: −2.91%.
	if dd := card("stat-drawdown"); !strings.Contains(dd, "−2.91%") || !strings.Contains(dd, "Mar 11 → Mar 12, 2026") {
		t.Errorf("drawdown card: %s", dd)
	}
	// Daily returns from Mon 2 to Thu 12 March: five of them.
	if sh := card("stat-sharpe"); !strings.Contains(sh, "5 daily returns") || strings.Contains(sh, "—") {
		t.Errorf("Sharpe card: %s", sh)
	}
	if wr := card("stat-winrate"); !strings.Contains(wr, "0.0%") || !strings.Contains(wr, "0 wins · 1 loss") {
		t.Errorf("win-rate card: %s", wr)
	}
	// Today (New York's Thursday 12th) is measured from Wednesday night's 103,000.
	if day := card("stat-day"); !strings.Contains(day, "-$3,000.") || !strings.Contains(day, "-2.91%") {
		t.Errorf("day card: %s", day)
	}
	if tot := card("stat-total"); !strings.Contains(tot, "-$0.") && !strings.Contains(tot, "$0.00") {
		t.Errorf("total card: %s", tot)
	}
	if pos := card("portfolio-positions"); !strings.Contains(pos, `data-symbol="BTC/USD"`) || !strings.Contains(pos, `width="100%"`) {
		t.Errorf("positions: %s", pos)
	}
	if alloc := card("portfolio-allocation"); !strings.Contains(alloc, `data-testid="allocation-long"`) || !strings.Contains(alloc, `data-testid="allocation-cash"`) {
		t.Errorf("allocation: %s", alloc)
	}
	if !strings.Contains(body, `src="/static/js/portfolio.js?v=`) || !strings.Contains(body, `data-history="{&#34;range&#34;:&#34;1M&#34;`) {
		t.Error("the chart's script or its embedded history is missing")
	}
}

func TestPaperSharpeNeedsTwoDays(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, b, acct := a.trader("ada@example.com")
	a.market(ada, acct.ID, fill.Buy, "0.01")
	_, body := b.get("/portfolio")
	i := strings.Index(body, `data-testid="stat-sharpe"`)
	if i < 0 {
		t.Fatal("no Sharpe card")
	}
	sh := body[i:min(len(body), i+800)]
	if !strings.Contains(sh, `aria-label="Not enough data">—</span>`) || !strings.Contains(sh, "needs at least two daily returns") {
		t.Errorf("Sharpe card on day one: %s", sh)
	}
}

func TestPaperReceipt(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, b, acct := a.trader("ada@example.com")
	_, grace, _ := a.trader("grace@example.com")
	buy := a.market(ada, acct.ID, fill.Buy, "0.01")
	f := firstFillOf(t, a, buy)

	resp, body := b.get("/fills/" + f.ID.String())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("receipt: %d", resp.StatusCode)
	}
	r, err := f.DecodedReceipt()
	if err != nil {
		t.Fatal(err)
	}
	for what, want := range map[string]string{
		"rule":        `data-rule="market_at_ask">Market order, filled at the ask`,
		"bid":         `data-testid="receipt-bid">` + views.FormatPrice(r.Bid, decimal.Zero),
		"ask":         `data-testid="receipt-ask">` + views.FormatPrice(r.Ask, decimal.Zero),
		"fill label":  `>Filled ` + views.FormatPrice(f.Price, decimal.Zero),
		"cost":        `data-testid="receipt-cost-vs-mid">` + htmlEscape(views.FormatSignedMoney(r.CostVsMid)),
		"order link":  `href="/orders?status=all#order-` + buy.ID.String() + `"`,
		"detail":      htmlEscape(r.Detail),
		"spread note": "the part of the spread this fill crossed",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("receipt has no %s: %q", what, want)
		}
	}
	if !r.CostVsMid.IsPositive() || !f.Price.Equal(r.Ask) {
		t.Errorf("a market buy filled at %s (ask %s) with cost vs mid %s", f.Price, r.Ask, r.CostVsMid)
	}

	for _, path := range []string{"/fills/" + f.ID.String(), "/fills/not-a-uuid", "/fills/0190c8a4-0000-7000-8000-000000000000"} {
		if resp, body := grace.get(path); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "BTC/USD at") {
			t.Errorf("another person's GET %s: %d", path, resp.StatusCode)
		}
	}
}

func TestPaperActivity(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	ada, b, acct := a.trader("ada@example.com")
	// 55 fills at one instant (the test clock stands still) and the opening deposit: 56 rows, two
	// pages. A fill's own cash line is on its row, not listed again (the Cash tab has it).
	for range 55 {
		a.market(ada, acct.ID, fill.Buy, "0.001")
	}
	_, body := b.get("/activity")
	if n := strings.Count(body, `data-testid="activity-fill"`) + strings.Count(body, `data-testid="activity-cash"`); n != activityPageSize {
		t.Fatalf("first page: %d rows, want %d", n, activityPageSize)
	}
	more := regexp.MustCompile(`href="(/activity\?[^"]+)"[^>]*data-testid="activity-more"`).FindStringSubmatch(body)
	if more == nil {
		t.Fatal("no Load more link")
	}
	seen := map[string]int{}
	receipts := regexp.MustCompile(`href="(/fills/[0-9a-f-]+)" class="link text-xs"`)
	for _, m := range receipts.FindAllStringSubmatch(body, -1) {
		seen[m[1]]++
	}
	b.htmx = true
	resp, rest := b.get(strings.ReplaceAll(more[1], "&amp;", "&"))
	b.htmx = false
	if resp.StatusCode != http.StatusOK || strings.Contains(rest, "<html") || strings.Contains(rest, `data-testid="activity-more"`) {
		t.Fatalf("Load more (htmx): %d, a fragment without another Load more expected:\n%.300s", resp.StatusCode, rest)
	}
	for _, m := range receipts.FindAllStringSubmatch(rest, -1) {
		seen[m[1]]++
	}
	cash := strings.Count(body, `data-testid="activity-cash"`) + strings.Count(rest, `data-testid="activity-cash"`)
	if len(seen) != 55 || cash != 1 || !strings.Contains(rest, `data-kind="deposit"`) {
		t.Errorf("across both pages: %d distinct fills, %d cash rows (the deposit last: %v)", len(seen), cash, strings.Contains(rest, `data-kind="deposit"`))
	}
	for link, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", link, n)
		}
	}

	t.Run("filters", func(t *testing.T) {
		_, fills := b.get("/activity?type=fills")
		if strings.Count(fills, `data-testid="activity-fill"`) != activityPageSize || strings.Contains(fills, `data-testid="activity-cash"`) {
			t.Error("the Fills tab shows something else")
		}
		_, cash := b.get("/activity?type=cash")
		if strings.Count(cash, `data-testid="activity-cash"`) != activityPageSize || strings.Contains(cash, `data-testid="activity-fill"`) {
			t.Error("the Cash tab shows something else")
		}
		if !strings.Contains(cash, `href="/activity?type=cash" class="tab-link py-1.5" data-testid="activity-tab-cash" aria-current="page"`) {
			t.Error("the Cash tab is not the current one")
		}
	})

	t.Run("fills of one instant page by id", func(t *testing.T) {
		var got []string
		cur := models.FillCursor{}
		for range 20 {
			page, err := a.srv.trading.Activity(context.Background(), trading.ActivityQuery{AccountID: acct.ID, Period: 1,
				Kind: trading.ActivityFills, FillsBefore: cur, Limit: 4})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				got = append(got, it.Fill.ID.String())
			}
			if !page.More {
				break
			}
			cur = page.NextFills
			if back := models.ParseFillCursor(cur.String()); !back.At.Equal(cur.At) || back.ID != cur.ID {
				t.Fatalf("cursor %s reads back as %v", cur, back)
			}
		}
		distinct := map[string]bool{}
		for _, id := range got {
			distinct[id] = true
		}
		if len(got) != 55 || len(distinct) != 55 {
			t.Errorf("paging 4 at a time gave %d fills, %d distinct; want 55", len(got), len(distinct))
		}
	})
}

// A snapshot dated before the account opened (the engine wrote them once, in the five-minute slot
// the account opened in) must not turn the opening deposit into a −100% return.
func TestPortfolioStatisticsStartAtThePeriod(t *testing.T) {
	t.Parallel()
	a := newPaperApp(t)
	_, b, acct := a.trader("ada@example.com")
	seedEquity(t, a, acct.ID, map[time.Duration]string{-3 * time.Minute: "100000", time.Hour: "100005"})
	a.clock.Advance(2 * time.Hour)
	h := getHistory(t, b, "?range=all")
	if r := decimal.RequireFromString(h.Return); r.IsNegative() {
		t.Errorf("return over the whole period %s (change %s), want none lost", h.Return, h.Change)
	}
	_, body := b.get("/portfolio")
	if strings.Contains(body, "−100") || strings.Contains(body, "-100.00%") {
		t.Error("the portfolio page shows a −100% figure")
	}
}
