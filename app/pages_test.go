package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
	"alpacawrapper/models"
)

// marketPages is a test app with the simulated catalogue synced, two people, an administrator and
// a global list (the guests' default) holding BTC/USD and AAPL.
type marketPages struct {
	*testApp
	alice, bob, root *models.User
	globalID         int64
}

func newMarketPages(t *testing.T) *marketPages {
	t.Helper()
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	m := &marketPages{testApp: a}
	m.alice = a.createUser("alice@example.com", goodPassword)
	m.bob = a.createUser("bob@example.com", goodPassword)
	root, _, err := a.svc.Accounts.CreateAdmin(context.Background(), "root@example.com", "Root Operator", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	m.root = root
	ctx := context.Background()
	d, err := a.svc.Watchlists.Create(ctx, root, "Market movers", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, sym := range []string{"BTC/USD", "AAPL"} {
		if _, _, err := a.svc.Watchlists.AddAsset(ctx, root, d.ID, sym); err != nil {
			t.Fatal(err)
		}
	}
	m.globalID = d.ID
	return m
}

// as is a browser logged in as email ("" for a guest), with its CSRF token from a page.
func (m *marketPages) as(email string) *browser {
	m.t.Helper()
	b := m.browser()
	if email != "" {
		b.login(email, goodPassword)
	}
	b.get("/watchlists")
	return b
}

// symbols is list id's symbols in order, as owner sees them.
func (m *marketPages) symbols(owner *models.User, id int64) []string {
	m.t.Helper()
	d, err := m.svc.Watchlists.Get(context.Background(), owner, id)
	if err != nil {
		m.t.Fatalf("watchlist %d: %v", id, err)
	}
	var out []string
	for _, it := range d.Items {
		out = append(out, it.Symbol)
	}
	return out
}

func wantStatus(t *testing.T, what string, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%.2000s", what, resp.StatusCode, want, body)
	}
}

func wantContains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q", what, w)
		}
	}
}

func TestGuestsReadTheMarketPages(t *testing.T) {
	t.Parallel()
	m := newMarketPages(t)
	guest := m.browser()
	id := strconv.FormatInt(m.globalID, 10)

	resp, body := guest.get("/markets")
	wantStatus(t, "markets", resp, body, http.StatusOK)
	wantContains(t, "markets", body, "Market movers", `id="q-BTC-USD-last"`, `id="q-AAPL-chg"`,
		`ws-connect="/ws/quotes?symbols=BTC%2FUSD,AAPL"`, `href="/instruments/BTC/USD"`,
		`id="market-status"`, `id="feed-status"`, `data-symbol-search`)
	if strings.Contains(body, `href="/watchlists/`+id+`"`) {
		t.Error("a guest is offered the edit link of a global list")
	}

	// The home page shows the default list live: its crypto pair in the hero card (it moves at
	// any hour), the rest in the table; each live number appears once, as its id must.
	resp, body = guest.get("/")
	wantStatus(t, "home", resp, body, http.StatusOK)
	wantContains(t, "home", body, `data-testid="landing-preview-live"`, `data-testid="landing-live"`,
		`ws-connect="/ws/quotes?symbols=BTC%2FUSD"`, `ws-connect="/ws/quotes?symbols=AAPL"`)
	for _, id := range []string{`id="q-BTC-USD-last"`, `id="q-AAPL-last"`} {
		if n := strings.Count(body, id); n != 1 {
			t.Errorf("home page has %s %d times, want once", id, n)
		}
	}
	if strings.Contains(body, "Sample data") {
		t.Error("the home page shows the sample card although a live list exists")
	}

	resp, body = guest.get("/instruments?q=apple")
	wantStatus(t, "search", resp, body, http.StatusOK)
	wantContains(t, "search", body, `data-symbol="AAPL"`, `id="q-AAPL-last"`, `<html`)

	for _, path := range []string{"/instruments/BTC/USD", "/instruments/BTC%2FUSD"} {
		resp, body = guest.get(path)
		wantStatus(t, path, resp, body, http.StatusOK)
		wantContains(t, path, body, `data-testid="instrument-symbol">BTC/USD<`, `href="/chart/BTC/USD"`,
			`href="/login?next=%2Finstruments%2FBTC%2FUSD"`, `id="q-BTC-USD-bid"`, "Price increment", "Log in to add")
	}
	resp, _ = guest.get("/instruments/btcusd")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/instruments/BTC/USD" {
		t.Errorf("btcusd: %d to %q, want 301 to the canonical address", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = guest.get("/instruments/NOPE")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown instrument: %d, want 404", resp.StatusCode)
	}

	resp, body = guest.get("/watchlists")
	wantStatus(t, "watchlists", resp, body, http.StatusOK)
	wantContains(t, "watchlists", body, "Market movers", `href="/login?next=%2Fwatchlists"`)
	resp, body = guest.get("/watchlists/" + id)
	wantStatus(t, "global list", resp, body, http.StatusOK)
	wantContains(t, "global list", body, `data-testid="watchlist-title">Market movers<`, `id="q-AAPL-ask"`)
	for _, control := range []string{"rename-form", "delete-form", "add-symbol-form", "remove-form"} {
		if strings.Contains(body, control) {
			t.Errorf("a guest sees %s on a global list", control)
		}
	}
}

func TestGuestsAreSentToLogInToChangeAnything(t *testing.T) {
	t.Parallel()
	m := newMarketPages(t)
	id := strconv.FormatInt(m.globalID, 10)
	for _, path := range []string{"/watchlists", "/watchlists/add", "/watchlists/" + id + "/rename",
		"/watchlists/" + id + "/delete", "/watchlists/" + id + "/assets", "/watchlists/" + id + "/assets/remove",
		"/watchlists/" + id + "/order"} {
		for _, htmx := range []bool{false, true} {
			guest := m.as("")
			guest.htmx = htmx
			resp, _ := guest.post(path, url.Values{"name": {"Mine"}, "symbol": {"AAPL"}})
			switch {
			case htmx && (resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get(hxRedirect), "/login?next=")):
				t.Errorf("htmx POST %s: %d HX-Redirect %q", path, resp.StatusCode, resp.Header.Get(hxRedirect))
			case !htmx && (resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=")):
				t.Errorf("POST %s: %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	}
	if got := m.symbols(m.root, m.globalID); !slices.Equal(got, []string{"BTC/USD", "AAPL"}) {
		t.Errorf("global list changed by guests: %v", got)
	}
}

var listPath = regexp.MustCompile(`^/watchlists/(\d+)$`)

// TestPeopleManageTheirWatchlists runs the whole life of a list as a plain form post and with
// htmx: both must change the same things, answering with a redirect or with the panel.
func TestPeopleManageTheirWatchlists(t *testing.T) {
	t.Parallel()
	for _, htmx := range []bool{false, true} {
		t.Run(fmt.Sprintf("htmx=%v", htmx), func(t *testing.T) {
			t.Parallel()
			m := newMarketPages(t)
			b := m.as("alice@example.com")
			b.htmx = htmx

			// Create.
			resp, body := b.post("/watchlists", url.Values{"name": {"Tech"}})
			var id int64
			if htmx {
				wantStatus(t, "create", resp, body, http.StatusOK)
				wantContains(t, "create", body, `id="watchlists-panel"`, `data-testid="watchlist-name">Tech<`)
				if strings.Contains(body, "<html") {
					t.Error("htmx create answered a whole page")
				}
				lists, _ := m.svc.Watchlists.List(context.Background(), m.alice)
				id = lists[0].ID
			} else {
				wantStatus(t, "create", resp, body, http.StatusSeeOther)
				match := listPath.FindStringSubmatch(resp.Header.Get("Location"))
				if match == nil {
					t.Fatalf("create redirected to %q", resp.Header.Get("Location"))
				}
				id, _ = strconv.ParseInt(match[1], 10, 64)
			}
			base := "/watchlists/" + strconv.FormatInt(id, 10)

			// A duplicate name is the name field's error, and the form keeps what was typed.
			b.post("/watchlists", url.Values{"name": {"Other"}})
			resp, body = b.post("/watchlists", url.Values{"name": {"Tech"}})
			wantStatus(t, "duplicate", resp, body, http.StatusUnprocessableEntity)
			wantContains(t, "duplicate", body, `data-testid="error-name"`, "already have a watchlist called", `value="Tech"`)

			// Add (a pair without its slash too), with errors under the symbol field.
			for _, sym := range []string{"AAPL", "btcusd", "MSFT"} {
				resp, body = b.post(base+"/assets", url.Values{"symbol": {sym}})
				wantStatus(t, "add "+sym, resp, body, map[bool]int{false: http.StatusSeeOther, true: http.StatusOK}[htmx])
			}
			if htmx {
				wantContains(t, "add", body, `id="watchlist-panel"`, `id="q-MSFT-last"`, `ws-connect="/ws/quotes?symbols=AAPL,BTC%2FUSD,MSFT"`)
			}
			resp, body = b.post(base+"/assets", url.Values{"symbol": {"NOSUCH"}})
			wantStatus(t, "add unknown", resp, body, http.StatusUnprocessableEntity)
			wantContains(t, "add unknown", body, `data-testid="error-symbol"`, `value="NOSUCH"`)
			if got := m.symbols(m.alice, id); !slices.Equal(got, []string{"AAPL", "BTC/USD", "MSFT"}) {
				t.Fatalf("after adding: %v", got)
			}

			// Reorder by one step, and with the complete order.
			b.post(base+"/order", url.Values{"symbol": {"MSFT"}, "move": {"up"}})
			if got := m.symbols(m.alice, id); !slices.Equal(got, []string{"AAPL", "MSFT", "BTC/USD"}) {
				t.Fatalf("after moving MSFT up: %v", got)
			}
			b.post(base+"/order", url.Values{"symbol": {"AAPL"}, "move": {"up"}}) // already first: no change
			b.post(base+"/order", url.Values{"symbols": {"BTC/USD", "AAPL", "MSFT"}})
			if got := m.symbols(m.alice, id); !slices.Equal(got, []string{"BTC/USD", "AAPL", "MSFT"}) {
				t.Fatalf("after the full order: %v", got)
			}

			// Remove.
			resp, body = b.post(base+"/assets/remove", url.Values{"symbol": {"AAPL"}})
			if htmx {
				wantStatus(t, "remove", resp, body, http.StatusOK)
				if strings.Contains(body, `data-symbol="AAPL"`) {
					t.Error("the panel still shows the removed symbol")
				}
			}
			if got := m.symbols(m.alice, id); !slices.Equal(got, []string{"BTC/USD", "MSFT"}) {
				t.Fatalf("after removing: %v", got)
			}

			// Rename, then a rename onto another list's name.
			b.post(base+"/rename", url.Values{"name": {"Tech & coins"}})
			resp, body = b.post(base+"/rename", url.Values{"name": {"Other"}})
			wantStatus(t, "rename duplicate", resp, body, http.StatusUnprocessableEntity)
			wantContains(t, "rename duplicate", body, `data-testid="error-name"`)
			_, body = b.get(base)
			wantContains(t, "list page", body, `data-testid="watchlist-title">Tech &amp; coins<`, "rename-form", "move-up")

			// Delete.
			resp, _ = b.post(base+"/delete", nil)
			if htmx && resp.Header.Get(hxRedirect) != "/watchlists" || !htmx && resp.Header.Get("Location") != "/watchlists" {
				t.Errorf("delete: %d, HX-Redirect %q, Location %q", resp.StatusCode, resp.Header.Get(hxRedirect), resp.Header.Get("Location"))
			}
			resp, _ = b.get(base)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("deleted list: %d, want 404", resp.StatusCode)
			}
		})
	}
}

func TestNobodySeesAnotherPersonsList(t *testing.T) {
	t.Parallel()
	m := newMarketPages(t)
	d, err := m.svc.Watchlists.Create(context.Background(), m.alice, "Secret picks", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.svc.Watchlists.AddAsset(context.Background(), m.alice, d.ID, "AAPL"); err != nil {
		t.Fatal(err)
	}
	base := "/watchlists/" + strconv.FormatInt(d.ID, 10)
	for _, who := range []string{"", "bob@example.com", "root@example.com"} {
		b := m.as(who)
		resp, body := b.get(base)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Secret picks") {
			t.Errorf("%q reading alice's list: %d", who, resp.StatusCode)
		}
		resp, _ = b.get("/markets?list=" + strconv.FormatInt(d.ID, 10))
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%q on /markets?list=: %d", who, resp.StatusCode)
		}
		if who == "" {
			continue
		}
		for _, path := range []string{base + "/rename", base + "/assets", base + "/assets/remove", base + "/order", base + "/delete"} {
			resp, _ = b.post(path, url.Values{"name": {"Mine now"}, "symbol": {"AAPL"}, "move": {"down"}})
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", who, path, resp.StatusCode)
			}
		}
		resp, _ = b.post("/watchlists/add", url.Values{"symbol": {"MSFT"}, "watchlist": {strconv.FormatInt(d.ID, 10)}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s adding to alice's list from an instrument: %d, want 404", who, resp.StatusCode)
		}
	}
	if got := m.symbols(m.alice, d.ID); !slices.Equal(got, []string{"AAPL"}) {
		t.Errorf("alice's list changed: %v", got)
	}
}

func TestOnlyAdministratorsChangeGlobalLists(t *testing.T) {
	t.Parallel()
	m := newMarketPages(t)
	base := "/watchlists/" + strconv.FormatInt(m.globalID, 10)

	alice := m.as("alice@example.com")
	_, body := alice.get(base)
	if strings.Contains(body, "rename-form") || strings.Contains(body, "remove-form") {
		t.Error("an ordinary user sees edit controls on a global list")
	}
	for _, path := range []string{base + "/rename", base + "/assets", base + "/assets/remove", base + "/order", base + "/delete"} {
		resp, _ := alice.post(path, url.Values{"name": {"Hijacked"}, "symbol": {"BTC/USD"}, "move": {"down"}})
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("alice POST %s: %d, want 403 or 404", path, resp.StatusCode)
		}
	}
	if got := m.symbols(m.root, m.globalID); !slices.Equal(got, []string{"BTC/USD", "AAPL"}) {
		t.Fatalf("alice changed the global list: %v", got)
	}

	root := m.as("root@example.com")
	root.htmx = true
	_, body = root.get(base)
	wantContains(t, "admin's view", body, "rename-form", "remove-form")
	resp, body := root.post(base+"/assets", url.Values{"symbol": {"ETH/USD"}})
	wantStatus(t, "admin adds", resp, body, http.StatusOK)
	root.post(base+"/rename", url.Values{"name": {"Movers"}})
	if got := m.symbols(m.root, m.globalID); !slices.Equal(got, []string{"BTC/USD", "AAPL", "ETH/USD"}) {
		t.Fatalf("admin's change: %v", got)
	}
	_, body = m.browser().get("/markets")
	wantContains(t, "guest after the admin's change", body, "Movers", `id="q-ETH-USD-last"`)

	// An administrator may create a global list from the page.
	resp, body = root.post("/watchlists", url.Values{"name": {"Crypto majors"}, "global": {"true"}})
	wantStatus(t, "admin creates a global list", resp, body, http.StatusOK)
	_, body = m.browser().get("/watchlists")
	wantContains(t, "guest sees the new global list", body, "Crypto majors")
	// An ordinary user's "global" is refused, not quietly made private.
	resp, _ = alice.post("/watchlists", url.Values{"name": {"Sneaky"}, "global": {"true"}})
	if resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusOK {
		t.Errorf("alice creating a global list: %d", resp.StatusCode)
	}
}

func TestAddingFromTheInstrumentPage(t *testing.T) {
	t.Parallel()
	m := newMarketPages(t)
	b := m.as("alice@example.com")
	b.get("/instruments/ETH/USD")
	b.htmx = true

	// A new list made for the symbol.
	resp, body := b.post("/watchlists/add", url.Values{"symbol": {"ETH/USD"}, "watchlist": {"new"}, "name": {"Coins"}})
	wantStatus(t, "add to a new list", resp, body, http.StatusOK)
	wantContains(t, "add to a new list", body, `id="watch-panel"`, `data-testid="watch-added"`, "Coins", "already on it")
	lists, _ := m.svc.Watchlists.List(context.Background(), m.alice) // hers first, then the global one
	if len(lists) != 2 || lists[0].Name != "Coins" || !slices.Equal(m.symbols(m.alice, lists[0].ID), []string{"ETH/USD"}) {
		t.Fatalf("lists after adding: %+v", lists)
	}
	// The same name again is the name field's error.
	resp, body = b.post("/watchlists/add", url.Values{"symbol": {"BTC/USD"}, "watchlist": {"new"}, "name": {"Coins"}})
	wantStatus(t, "duplicate new list", resp, body, http.StatusUnprocessableEntity)
	wantContains(t, "duplicate new list", body, `data-testid="error-name"`, `id="watch-panel"`)
	// Onto the existing list, as a plain post.
	b.htmx = false
	id := strconv.FormatInt(lists[0].ID, 10)
	resp, _ = b.post("/watchlists/add", url.Values{"symbol": {"BTC/USD"}, "watchlist": {id}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/instruments/BTC/USD" {
		t.Errorf("plain add: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := m.symbols(m.alice, lists[0].ID); !slices.Equal(got, []string{"ETH/USD", "BTC/USD"}) {
		t.Errorf("after adding to the list: %v", got)
	}
	// The global list is not offered to an ordinary user.
	_, body = b.get("/instruments/AAPL")
	if strings.Contains(body, "Market movers") {
		t.Error("alice is offered the global list")
	}
}

var rowSymbol = regexp.MustCompile(`data-testid="result-row" data-symbol="([^"]+)"|data-symbol="([^"]+)" data-testid="result-row"`)

func resultSymbols(body string) []string {
	var out []string
	for _, m := range rowSymbol.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+m[2])
	}
	return out
}

func TestInstrumentSearchKeepsItsStateInTheURL(t *testing.T) {
	t.Parallel()
	m := newMarketPages(t)
	guest := m.browser()

	_, body := guest.get("/instruments?class=crypto")
	got := resultSymbols(body)
	if len(got) == 0 {
		t.Fatal("no crypto results")
	}
	for _, s := range got {
		if !strings.Contains(s, "/") {
			t.Errorf("class=crypto lists %s", s)
		}
	}
	wantContains(t, "crypto", body, `value="crypto" class="checkbox" checked`)

	_, body = guest.get("/instruments?class=us_equity&tradable=true")
	wantContains(t, "page 1", body, `href="/instruments?class=us_equity&amp;page=2&amp;tradable=true"`, `<option value="true" selected`)
	first := resultSymbols(body)
	if len(first) != instrumentsPerPage {
		t.Fatalf("page 1 has %d rows, want %d", len(first), instrumentsPerPage)
	}

	// htmx asks for the results only; the form is left alone.
	guestHX := m.browser()
	guestHX.htmx = true
	resp, body := guestHX.get("/instruments?class=us_equity&tradable=true&page=2")
	wantStatus(t, "page 2", resp, body, http.StatusOK)
	if strings.Contains(body, "<html") || strings.Contains(body, "instrument-filters") {
		t.Error("htmx page 2 answered more than the results")
	}
	wantContains(t, "page 2", body, `id="instrument-results"`, `href="/instruments?class=us_equity&amp;tradable=true"`)
	second := resultSymbols(body)
	if len(second) == 0 || slices.Contains(first, second[0]) {
		t.Errorf("page 2 repeats page 1: %v", second)
	}

	_, body = guest.get("/instruments?q=zzzzqqq")
	wantContains(t, "no match", body, "No instruments match")
	// Nonsense filters are ignored, not refused: it is a page a person types into.
	resp, _ = guest.get("/instruments?class=bonds&tradable=maybe&page=-3")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("nonsense filters: %d", resp.StatusCode)
	}
}

func TestPriceFormats(t *testing.T) {
	t.Parallel()
	inc := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(decimal.RequireFromString(s)) }
	btc := &models.Asset{Symbol: "BTC/USD", Class: market.Crypto, PriceIncrement: inc("1")}
	doge := &models.Asset{Symbol: "DOGE/USD", Class: market.Crypto, PriceIncrement: inc("0.00001")}
	eth := &models.Asset{Symbol: "ETH/USD", Class: market.Crypto, PriceIncrement: inc("0.10")}
	stock := &models.Asset{Symbol: "AAPL", Class: market.USEquity}
	for _, tc := range []struct {
		asset *models.Asset
		price string
		want  string
	}{
		{btc, "110234.6", "110,235.00"}, // issue 14, figure 6: separators and cents
		{doge, "0.2212345", "0.22123"},
		{eth, "4012.25", "4,012.30"},
		{stock, "187.4", "187.40"},
		{stock, "0.51234", "0.5123"},
		{stock, "0", "—"},
		{nil, "12.345", "12.35"},
	} {
		if got := priceFormatOf(tc.asset).price(decimal.RequireFromString(tc.price)); got != tc.want {
			t.Errorf("%+v %s: %q, want %q", tc.asset, tc.price, got, tc.want)
		}
	}

	v := quoteView("AAPL", priceFormatOf(stock), quoteNumbers{Bid: decimal.RequireFromString("99"),
		Ask: decimal.RequireFromString("99.1"), Last: decimal.RequireFromString("99.05"), PrevClose: decimal.RequireFromString("100")},
		decimal.RequireFromString("99.5"))
	// The change is written by views.FormatChange, shared with the WebSocket frames.
	if v.Last != "99.05" || !strings.HasPrefix(v.Change, "-0.95") || v.ChangePct != "-0.95%" || v.Direction != "down" || v.DOMID != "AAPL" {
		t.Errorf("quote view: %+v", v)
	}
}

func TestHeaderBadges(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	thu := time.Date(2026, 11, 26, 12, 0, 0, 0, ny) // Thanksgiving: closed all day
	fri930 := time.Date(2026, 11, 27, 9, 30, 0, 0, ny)
	fri13 := time.Date(2026, 11, 27, 13, 0, 0, 0, ny)
	for _, tc := range []struct {
		name       string
		st         market.ClockState
		alwaysOpen bool
		session    string
		detail     string
	}{
		{"holiday", market.ClockState{Time: thu, Session: market.SessionClosed, NextOpen: fri930}, false, "closed", "Opens 9:30 ET Fri"},
		{"pre", market.ClockState{Time: fri930.Add(-time.Hour), Session: market.SessionPre, NextOpen: fri930}, false, "pre", "Opens 9:30 ET"},
		{"open", market.ClockState{Time: fri930.Add(time.Hour), Session: market.SessionRegular, IsOpen: true, NextClose: fri13}, false, "open", "Closes 13:00 ET"},
		{"simulated", market.ClockState{Time: thu, Session: market.SessionRegular, IsOpen: true}, true, "open", "Simulated market, open around the clock"},
	} {
		got := marketStatusView(tc.st, tc.alwaysOpen)
		if got.Session != tc.session || got.Detail != tc.detail {
			t.Errorf("%s: %+v", tc.name, got)
		}
	}

	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		st      market.StreamStatus
		healthy bool
		detail  string
	}{
		{market.StreamStatus{Connected: true, Symbols: 3, LastMessageAt: now.Add(-5 * time.Second)}, true, "Last message 5s ago"},
		{market.StreamStatus{Connected: true, Symbols: 3, LastMessageAt: now.Add(-3 * time.Minute)}, false, "Last message 3m ago"},
		{market.StreamStatus{LastError: "auth failed"}, false, "Disconnected: auth failed"},
		// Issue 14, figure 5: connected with nothing subscribed is idle, not down.
		{market.StreamStatus{Connected: true, LastMessageAt: now.Add(-time.Minute)}, true, "Connected, idle: no symbol followed"},
		{market.StreamStatus{Connected: true}, true, "Connected, idle: no symbol followed"},
	} {
		got := feedStatusView("alpaca", tc.st, now)
		if got.Healthy != tc.healthy || got.Detail != tc.detail || got.Provider != "Alpaca" {
			t.Errorf("%+v: %+v", tc.st, got)
		}
	}
}
