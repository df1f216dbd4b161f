package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

// render renders c and parses the result as an HTML document.
func render(t *testing.T, c templ.Component) (string, *html.Node) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := html.Parse(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("parse rendered HTML: %v", err)
	}
	return buf.String(), doc
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// findAll returns every element for which match is true, in document order.
func findAll(root *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

func byAttr(key, val string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, ok := attr(n, key); return ok && v == val }
}

func byTestID(id string) func(*html.Node) bool { return byAttr("data-testid", id) }

func one(t *testing.T, root *html.Node, what string, match func(*html.Node) bool) *html.Node {
	t.Helper()
	got := findAll(root, match)
	if len(got) != 1 {
		t.Fatalf("want exactly one %s, found %d", what, len(got))
	}
	return got[0]
}

// text returns the whitespace-normalised text content of n.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func metaContent(t *testing.T, doc *html.Node, name string) string {
	t.Helper()
	m := one(t, doc, `<meta name="`+name+`">`, func(n *html.Node) bool {
		v, _ := attr(n, "name")
		return n.Data == "meta" && v == name
	})
	v, _ := attr(m, "content")
	return v
}

var guestPage = Page{Title: "Home", Path: "/", CSRFToken: "csrf-guest-123", Version: "v1.2.3"}

var userPage = Page{
	Title:     "Markets",
	Path:      "/markets/AAPL",
	CSRFToken: "csrf-user-456",
	Version:   "v1.2.3",
	User:      &User{Name: "Ada Lovelace", Email: "ada@example.com", EmailVerified: true},
}

func TestLayoutGuest(t *testing.T) {
	out, doc := render(t, Layout(guestPage))

	if got := text(one(t, doc, "<title>", byTag("title"))); got != "Home · Alpaca Wrapper" {
		t.Errorf("title = %q", got)
	}
	if got := metaContent(t, doc, "csrf-token"); got != "csrf-guest-123" {
		t.Errorf("csrf-token meta = %q", got)
	}
	if got := metaContent(t, doc, "description"); got != DefaultDescription {
		t.Errorf("default description = %q", got)
	}
	login := one(t, doc, "login link", byTestID("login-link"))
	if href, _ := attr(login, "href"); href != "/login" {
		t.Errorf("login href = %q", href)
	}
	signup := one(t, doc, "signup link", byTestID("signup-link"))
	if href, _ := attr(signup, "href"); href != "/signup" {
		t.Errorf("signup href = %q", href)
	}
	if n := findAll(doc, byTestID("logout-form")); len(n) != 0 {
		t.Error("guest page has a logout form")
	}
	if n := findAll(doc, byTestID("user-name")); len(n) != 0 {
		t.Error("guest page shows a user name")
	}
	if strings.Contains(out, `name="_csrf"`) {
		t.Error("guest page renders a _csrf form field")
	}

	// Structure every page relies on.
	ms := one(t, doc, "#market-status", byAttr("id", "market-status"))
	if ms.FirstChild != nil {
		t.Error("#market-status should render empty")
	}
	one(t, doc, "<main id=main>", func(n *html.Node) bool { id, _ := attr(n, "id"); return n.Data == "main" && id == "main" })
	fl := one(t, doc, "#flashes", byAttr("id", "flashes"))
	if r, _ := attr(fl, "role"); r != "status" {
		t.Errorf("#flashes role = %q", r)
	}
	if r, _ := attr(fl, "aria-live"); r != "polite" {
		t.Errorf("#flashes aria-live = %q", r)
	}
	footer := text(one(t, doc, "footer", byTag("footer")))
	for _, want := range []string{"v1.2.3", "Simulated trading only. Not investment advice. Market data via Alpaca or the built-in simulator."} {
		if !strings.Contains(footer, want) {
			t.Errorf("footer %q lacks %q", footer, want)
		}
	}
	for _, href := range []string{"/markets", "/watchlists", "/trade", "/portfolio"} {
		if len(findAll(doc, byAttr("href", href))) == 0 {
			t.Errorf("no nav link to %s", href)
		}
	}
	if n := findAll(doc, byAttr("aria-current", "page")); len(n) != 0 {
		t.Errorf("no nav item should be current on /, got %d", len(n))
	}
}

func TestLayoutUser(t *testing.T) {
	out, doc := render(t, Layout(userPage))

	if got := metaContent(t, doc, "csrf-token"); got != "csrf-user-456" {
		t.Errorf("csrf-token meta = %q", got)
	}
	if !strings.Contains(text(one(t, doc, "user name", byTestID("user-name"))), "Ada Lovelace") {
		t.Error("user name not shown")
	}
	if n := findAll(doc, byTestID("login-link")); len(n) != 0 {
		t.Error("signed-in page has a login link")
	}
	if n := findAll(doc, byTestID("signup-link")); len(n) != 0 {
		t.Error("signed-in page has a signup link")
	}
	if strings.Contains(out, `href="/login"`) || strings.Contains(out, `href="/signup"`) {
		t.Error("signed-in page links to /login or /signup")
	}
	for _, id := range []string{"logout-form", "logout-form-mobile"} {
		form := one(t, doc, id, byTestID(id))
		if m, _ := attr(form, "method"); m != "post" {
			t.Errorf("%s method = %q", id, m)
		}
		if a, _ := attr(form, "action"); a != "/logout" {
			t.Errorf("%s action = %q", id, a)
		}
		in := one(t, form, "_csrf input", byAttr("name", "_csrf"))
		if ty, _ := attr(in, "type"); ty != "hidden" {
			t.Errorf("%s _csrf type = %q", id, ty)
		}
		if v, _ := attr(in, "value"); v != "csrf-user-456" {
			t.Errorf("%s _csrf value = %q", id, v)
		}
	}
	if n := findAll(doc, byAttr("aria-current", "page")); len(n) != 2 { // desktop + phone nav
		t.Errorf("want Markets current in both navs, got %d", len(n))
	} else if href, _ := attr(n[0], "href"); href != "/markets" {
		t.Errorf("current nav item = %q", href)
	}
	if strings.Contains(out, "Admin") {
		t.Error("non-admin user sees the Admin badge")
	}
}

func TestLayoutUserWithoutNameShowsEmail(t *testing.T) {
	p := userPage
	p.User = &User{Email: "bob@example.com", IsAdmin: true}
	_, doc := render(t, Layout(p))
	got := text(one(t, doc, "user name", byTestID("user-name")))
	if !strings.Contains(got, "bob@example.com") || !strings.Contains(got, "Admin") {
		t.Errorf("user block = %q, want email and Admin badge", got)
	}
}

func TestLayoutNoInlineScriptsOrStyles(t *testing.T) {
	for _, p := range []Page{guestPage, userPage} {
		out, doc := render(t, Landing(p, nil))
		for _, s := range findAll(doc, byTag("script")) {
			if src, _ := attr(s, "src"); !strings.HasPrefix(src, "/static/js/") || s.FirstChild != nil {
				t.Errorf("script must be external from /static/js/ with no body: src=%q", src)
			}
		}
		if n := findAll(doc, byTag("style")); len(n) != 0 {
			t.Errorf("found %d <style> elements", len(n))
		}
		for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
			for _, a := range n.Attr {
				if a.Key == "style" || strings.HasPrefix(a.Key, "on") || strings.HasPrefix(a.Key, "hx-on") {
					t.Errorf("<%s> has inline %s attribute", n.Data, a.Key)
				}
			}
		}
		if strings.Contains(out, "lightweight-charts") {
			t.Error("lightweight-charts must not be loaded globally")
		}
		cfg := metaContent(t, doc, "htmx-config")
		if !strings.Contains(cfg, `"includeIndicatorStyles":false`) {
			t.Errorf("htmx-config = %q", cfg)
		}
		var srcs []string
		for _, s := range findAll(doc, byTag("script")) {
			src, _ := attr(s, "src")
			_, deferred := attr(s, "defer")
			srcs = append(srcs, src)
			if strings.Contains(src, "theme.js") == deferred {
				t.Errorf("%s: theme.js must be blocking in <head>, the others deferred", src)
			}
		}
		want := []string{"js/theme.js", "js/htmx.min.js", "js/htmx-ext-ws.min.js", "js/app.js", "js/confirm.js", "js/markets.js"}
		if p.User != nil {
			want = append(want, "js/notices.js") // trade notices on every page of a signed-in person
		}
		if len(srcs) != len(want) {
			t.Fatalf("scripts = %v", srcs)
		}
		for i := range want {
			if !strings.HasPrefix(srcs[i], "/static/"+want[i]+"?v=") {
				t.Errorf("script %d = %q, want versioned %s", i, srcs[i], want[i])
			}
		}
	}
}

func TestFlashes(t *testing.T) {
	p := guestPage
	p.Flashes = []Flash{
		{Kind: FlashSuccess, Message: "Order placed"},
		{Kind: FlashError, Message: "Not enough <cash>"},
		{Kind: "bogus", Message: "Odd kind"},
	}
	out, doc := render(t, Layout(p))
	region := one(t, doc, "#flashes", byAttr("id", "flashes"))
	items := findAll(region, byTestID("flash"))
	if len(items) != 3 {
		t.Fatalf("want 3 flashes, got %d", len(items))
	}
	want := []struct{ kind, class, msg, role string }{
		{"success", "alert-success", "Order placed", ""},
		{"error", "alert-error", "Not enough <cash>", "alert"},
		{"info", "alert-info", "Odd kind", ""},
	}
	for i, w := range want {
		n := items[i]
		if k, _ := attr(n, "data-flash"); k != w.kind {
			t.Errorf("flash %d kind = %q, want %q", i, k, w.kind)
		}
		if c, _ := attr(n, "class"); !strings.Contains(" "+c+" ", " "+w.class+" ") {
			t.Errorf("flash %d class = %q, want %s", i, c, w.class)
		}
		if r, _ := attr(n, "role"); r != w.role {
			t.Errorf("flash %d role = %q, want %q", i, r, w.role)
		}
		if !strings.Contains(text(n), w.msg) {
			t.Errorf("flash %d text = %q, want %q", i, text(n), w.msg)
		}
		if len(findAll(n, byAttr("data-dismiss", ""))) != 1 {
			t.Errorf("flash %d has no dismiss button", i)
		}
	}
	if strings.Contains(out, "<cash>") {
		t.Error("flash message not HTML-escaped")
	}
}

func TestFlashOOB(t *testing.T) {
	_, doc := render(t, FlashOOB([]Flash{{Kind: FlashInfo, Message: "Saved"}}))
	el := one(t, doc, "#flashes", byAttr("id", "flashes"))
	if v, _ := attr(el, "hx-swap-oob"); v != "afterbegin" {
		t.Errorf("hx-swap-oob = %q", v)
	}
	if got := text(el); !strings.Contains(got, "Saved") {
		t.Errorf("text = %q", got)
	}
}

func TestLandingGuest(t *testing.T) {
	p := guestPage
	p.Title = ""
	_, doc := render(t, Landing(p, nil))
	if got := text(one(t, doc, "<title>", byTag("title"))); got != AppName {
		t.Errorf("title = %q", got)
	}
	hero := one(t, doc, "hero", byTestID("landing-hero"))
	if n := findAll(doc, byTag("h1")); len(n) != 1 || !isInside(n[0], hero) {
		t.Errorf("want exactly one h1, inside the hero; got %d", len(n))
	}
	cta := one(t, hero, "signup CTA", byTestID("cta-signup"))
	if href, _ := attr(cta, "href"); href != "/signup" || !strings.Contains(text(cta), "Start paper trading") {
		t.Errorf("signup CTA = %q %q", href, text(cta))
	}
	markets := one(t, hero, "markets CTA", byTestID("cta-markets"))
	if href, _ := attr(markets, "href"); href != "/markets" || !strings.Contains(text(markets), "Explore markets") {
		t.Errorf("markets CTA = %q %q", href, text(markets))
	}
	for _, id := range []string{"landing-features", "landing-how", "landing-api", "landing-cta",
		"feature-live", "feature-paper", "feature-charts", "feature-api", "feature-offline"} {
		one(t, doc, id, byTestID(id))
	}
	one(t, doc, "login link", byTestID("login-link"))
}

func TestLandingUser(t *testing.T) {
	out, doc := render(t, Landing(userPage, nil))
	if n := findAll(doc, byTestID("cta-signup")); len(n) != 0 {
		t.Error("signed-in landing still shows the sign-up CTA")
	}
	one(t, doc, "trade CTA", byTestID("cta-trade"))
	if strings.Contains(out, `href="/signup"`) {
		t.Error("signed-in landing links to /signup")
	}
	one(t, doc, "user name", byTestID("user-name"))
}

// TestHeadingOrder checks that headings never skip a level.
func TestHeadingOrder(t *testing.T) {
	for name, c := range map[string]templ.Component{
		"landing": Landing(guestPage, nil),
		"error":   ErrorPage(guestPage, ErrorView{Status: 404}),
	} {
		_, doc := render(t, c)
		prev := 0
		for _, h := range findAll(doc, func(n *html.Node) bool {
			return len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6'
		}) {
			lvl := int(h.Data[1] - '0')
			if lvl > prev+1 {
				t.Errorf("%s: <%s> %q follows h%d", name, h.Data, text(h), prev)
			}
			prev = lvl
		}
	}
}

func isInside(n, ancestor *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == ancestor {
			return true
		}
	}
	return false
}

func TestErrorPage(t *testing.T) {
	p := guestPage
	p.Title = ""
	p.Flashes = []Flash{{Kind: FlashInfo, Message: "stale flash"}}
	e := ErrorView{Status: 503, Title: "Market data offline", Detail: "Try again <soon>.", RequestID: "req-42"}
	out, doc := render(t, ErrorPage(p, e))

	if got := text(one(t, doc, "<title>", byTag("title"))); got != "Market data offline · Alpaca Wrapper" {
		t.Errorf("title = %q", got)
	}
	main := one(t, doc, "<main>", byTag("main"))
	if got := text(one(t, main, "status", byTestID("error-status"))); got != "503" {
		t.Errorf("status = %q", got)
	}
	if got := text(one(t, main, "h1", byTag("h1"))); got != "Market data offline" {
		t.Errorf("h1 = %q", got)
	}
	if got := text(one(t, main, "detail", byTestID("error-detail"))); got != "Try again <soon>." {
		t.Errorf("detail = %q", got)
	}
	if got := text(one(t, main, "request id", byTestID("error-request-id"))); !strings.HasSuffix(got, "req-42") {
		t.Errorf("request id block = %q", got)
	}
	home := one(t, main, "home link", byTestID("error-home"))
	if href, _ := attr(home, "href"); href != "/" {
		t.Errorf("home link = %q", href)
	}
	// Nothing else: the whole text of <main> is exactly these parts.
	want := "503 Market data offline Try again <soon>. Back to home Explore markets " +
		"If this keeps happening, contact support and quote request ID req-42"
	if got := text(main); got != want {
		t.Errorf("main text =\n%q\nwant\n%q", got, want)
	}
	if strings.Contains(out, "stale flash") {
		t.Error("error page should not render pending flashes")
	}
	if strings.Contains(out, "<soon>") {
		t.Error("detail not HTML-escaped")
	}
}

func TestErrorPageDefaultsAndNoRequestID(t *testing.T) {
	_, doc := render(t, ErrorPage(guestPage, ErrorView{Status: 404}))
	main := one(t, doc, "<main>", byTag("main"))
	if got := text(one(t, main, "h1", byTag("h1"))); got != "Page not found" {
		t.Errorf("default 404 title = %q", got)
	}
	if n := findAll(main, byTestID("error-request-id")); len(n) != 0 {
		t.Error("request id block shown without a request id")
	}
	if got := text(one(t, doc, "<title>", byTag("title"))); got != "Home · Alpaca Wrapper" {
		t.Errorf("explicit page title not kept: %q", got)
	}
	_, doc = render(t, ErrorPage(Page{}, ErrorView{Status: 599}))
	if got := text(one(t, doc, "h1", byTag("h1"))); got != "Something went wrong" {
		t.Errorf("unknown 5xx title = %q", got)
	}
}

func TestErrorFragment(t *testing.T) {
	out, doc := render(t, ErrorFragment(ErrorView{Status: 500, Title: "Could not load quotes", Detail: "Retry <now>.", RequestID: "req-7"}))
	el := one(t, doc, "fragment", byTestID("error-fragment"))
	if r, _ := attr(el, "role"); r != "alert" {
		t.Errorf("role = %q", r)
	}
	if k, _ := attr(el, "data-flash"); k != "error" {
		t.Errorf("data-flash = %q", k)
	}
	if got, want := text(el), "Could not load quotes Retry <now>. Request ID req-7"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if strings.Contains(out, "<html") || strings.Contains(out, "<main") {
		t.Error("fragment must not contain a full page")
	}
	if strings.Contains(out, "<now>") {
		t.Error("detail not HTML-escaped")
	}
}

func TestFullTitle(t *testing.T) {
	for in, want := range map[string]string{
		"":               "Alpaca Wrapper",
		"  ":             "Alpaca Wrapper",
		"Alpaca Wrapper": "Alpaca Wrapper",
		"Trade":          "Trade · Alpaca Wrapper",
	} {
		if got := (Page{Title: in}).FullTitle(); got != want {
			t.Errorf("FullTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInitials(t *testing.T) {
	for in, want := range map[string]string{
		"Ada Lovelace":       "AL",
		"ada":                "a",
		"Jean-Luc Picard":    "JL",
		"bob.smith@mail.com": "bs",
		"@weird":             "?",
		"":                   "?",
		"Émile Zola":         "ÉZ",
	} {
		if got := initials(in); got != want {
			t.Errorf("initials(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsActive(t *testing.T) {
	for _, c := range []struct {
		path, href string
		want       bool
	}{
		{"/markets", "/markets", true},
		{"/markets/AAPL", "/markets", true},
		{"/marketsx", "/markets", false},
		{"/", "/markets", false},
		{"", "/markets", false},
	} {
		if got := isActive(c.path, c.href); got != c.want {
			t.Errorf("isActive(%q, %q) = %v", c.path, c.href, got)
		}
	}
}

func TestLayoutAsksUnverifiedUsersToConfirm(t *testing.T) {
	t.Parallel()
	p := Page{Title: "x", CSRFToken: "tok", User: &User{Name: "Ada", Email: "ada@example.com"}}
	var out strings.Builder
	if err := Landing(p, nil).Render(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `data-testid="verify-banner"`) {
		t.Error("an unverified user sees the confirmation banner")
	}
	p.User.EmailVerified = true
	out.Reset()
	_ = Landing(p, nil).Render(context.Background(), &out)
	if strings.Contains(out.String(), `data-testid="verify-banner"`) {
		t.Error("a verified user does not")
	}
}

func TestTradeNavCoversTheTradingPages(t *testing.T) {
	t.Parallel()
	var trade navItem
	for _, n := range mainNav {
		if n.Href == "/trade" {
			trade = n
		}
	}
	for _, path := range []string{"/trade", "/orders", "/activity", "/fills/abc", "/accounts/3/settings"} {
		if !trade.activeOn(path) {
			t.Errorf("Trade is not the current section on %s", path)
		}
	}
	if trade.activeOn("/portfolio") || trade.activeOn("/ordersx") {
		t.Error("Trade lights up outside the trading pages")
	}
}
