// Package views holds the HTML templates (templ components) of Alpaca
// Wrapper. Views are pure functions of their arguments: they do no I/O, know
// nothing about HTTP or the database, and import only templ, the standard
// library and alpacawrapper/static (for asset URLs).
//
// Edit the *.templ files and run `go tool templ generate`; the generated
// *_templ.go files are committed. After adding Tailwind classes, run
// `npm run build` to regenerate static/css/app.css.
package views

import (
	"alpacawrapper/urls"
	"strings"
)

// AppName is the product name used in titles and the header.
const AppName = "Alpaca Wrapper"

// DefaultDescription is the meta description used when Page.Description is
// empty.
const DefaultDescription = "Watch US stock and crypto markets live and practise trading with simulated money. " +
	"Paper trading against live bid/ask, charts with indicators and an Alpaca-compatible API."

// Page carries what every full page needs from the request.
type Page struct {
	Title       string // shown in <title> as "Title · Alpaca Wrapper"
	Description string // meta description
	Path        string // current URL path, to highlight the active nav item
	CSRFToken   string // empty until the accounts work lands; rendered in <meta name="csrf-token">
	Flashes     []Flash
	User        *User             // nil for guests
	Version     string            // app version shown in the footer
	Market      *MarketStatusView // header badge: the stock market's session; nil hides it
	Feed        *FeedStatusView   // header badge: the market-data feed's health; nil hides it
	// SignInProviders are the configured OpenID Connect providers: "Continue with …" buttons on
	// the login and sign-up pages, and the settings' sign-in methods. None hides both.
	SignInProviders []SignInProvider
}

// FlashKind is the severity of a flash message.
type FlashKind string

// The flash kinds. An unknown kind is rendered like FlashInfo.
const (
	FlashSuccess FlashKind = "success"
	FlashInfo    FlashKind = "info"
	FlashWarning FlashKind = "warning"
	FlashError   FlashKind = "error"
)

// Flash is a one-off message shown at the top of the next page (or swapped
// in by htmx).
type Flash struct {
	Kind    FlashKind
	Message string
	// Key names the event a notice tells of ("order:<id>"), when it is one: the page shows one
	// notice per key, however many answers tell of it (static/js/notices.js).
	Key string
}

// User is a minimal read-only view of the signed-in user.
type User struct {
	Name, Email   string
	IsAdmin       bool
	EmailVerified bool // false shows a banner asking to confirm the address
}

// DisplayName is the name shown in the header: the name, else the email.
func (u *User) DisplayName() string {
	if u == nil {
		return ""
	}
	if n := strings.TrimSpace(u.Name); n != "" {
		return n
	}
	return u.Email
}

// FullTitle is the contents of <title>: "Title · Alpaca Wrapper", or just
// the app name when Title is empty.
func (p Page) FullTitle() string {
	t := strings.TrimSpace(p.Title)
	if t == "" || t == AppName {
		return AppName
	}
	return t + " · " + AppName
}

func (p Page) metaDescription() string {
	if d := strings.TrimSpace(p.Description); d != "" {
		return d
	}
	return DefaultDescription
}

func (p Page) version() string {
	if v := strings.TrimSpace(p.Version); v != "" {
		return v
	}
	return "dev"
}

// navItem is one entry of the main navigation.
type navItem struct {
	Href, Label, TestID string
	// Also lists other sections the item stands for in the main navigation (the trading pages
	// beside /trade light up "Trade").
	Also []string
}

var mainNav = []navItem{
	{Href: urls.Path(urls.Markets), Label: "Markets", TestID: "nav-markets"},
	{Href: urls.Path(urls.Watchlists), Label: "Watchlists", TestID: "nav-watchlists"},
	{Href: urls.Path(urls.Trade), Label: "Trade", TestID: "nav-trade", Also: []string{urls.Path(urls.Orders), urls.Path(urls.Activity), "/fills", urls.Path(urls.Accounts)}},
	{Href: urls.Path(urls.Portfolio), Label: "Portfolio", TestID: "nav-portfolio"},
}

// isActive reports whether the nav item href matches the current path
// (exactly or as a parent: /markets is active on /markets/AAPL).
func isActive(path, href string) bool {
	if path == "" {
		return false
	}
	return path == href || strings.HasPrefix(path, href+"/")
}

// htmxConfig is rendered into <meta name="htmx-config">.
//
//   - includeIndicatorStyles:false stops htmx from injecting an inline
//     <style> element (so CSP style-src needs no 'unsafe-inline'); the
//     .htmx-indicator rules live in app.css instead.
//   - allowEval:false: the CSP has no 'unsafe-eval', so hx-on:*, hx-vals
//     "js:" and trigger filters like keyup[key=='Enter'] are unavailable;
//     turning eval off makes htmx skip them cleanly instead of raising CSP
//     violations. Put such behaviour in static/js/app.js.
//   - responseHandling: 2xx swap as usual, 204 does nothing, 422 (a form
//     re-rendered with its validation messages) swaps into the request's own
//     target, and every other 4xx/5xx body is prepended to the #flashes
//     region. The server's error handler also sends HX-Retarget/HX-Reswap
//     with every ErrorFragment, so an error never lands inside a form.
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"responseHandling":[` +
	`{"code":"204","swap":false},` +
	`{"code":"[23]..","swap":true},` +
	`{"code":"422","swap":true},` +
	`{"code":"[45]..","swap":true,"error":true,"target":"#flashes","swapOverride":"afterbegin"}]}`

// activeOn reports whether the item is the current section of path.
func (n navItem) activeOn(path string) bool {
	if isActive(path, n.Href) {
		return true
	}
	for _, also := range n.Also {
		if isActive(path, also) {
			return true
		}
	}
	return false
}
