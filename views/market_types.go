package views

import (
	"net/url"
	"strings"
	"time"
)

// QuoteView is one symbol's live numbers, already formatted for display.
type QuoteView struct {
	Symbol    string // "AAPL", "BTC/USD"
	DOMID     string // id-safe symbol: "AAPL", "BTC-USD" (use views.SymbolDOMID)
	Bid, Ask  string // formatted prices ("187.42"; crypto per its increment); "—" when unknown
	Last      string // last trade or mid
	Change    string // "+1.23" vs previous close; "" when unknown
	ChangePct string // "+0.66%"
	Direction string // "up", "down" or "" — the move since the previous update, for the flash
	Time      time.Time
}

// SymbolDOMID returns an id-safe form of a symbol for element ids:
// "BTC/USD" -> "BTC-USD". Characters other than ASCII letters, digits, '-'
// and '_' become '-', so the result is always a valid id fragment.
func SymbolDOMID(symbol string) string {
	var b strings.Builder
	b.Grow(len(symbol))
	for _, r := range symbol {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// MarketStatusView is the header badge for the US equity session.
type MarketStatusView struct {
	Session string // "open", "closed", "pre", "post"
	Label   string // "Market open"
	Detail  string // "Opens 9:30 ET Mon"
}

// FeedStatusView is the header badge for the market data feed.
type FeedStatusView struct {
	Provider string // "sim", "alpaca"
	Healthy  bool
	Detail   string // "last message 2s ago"
}

// InstrumentRow is one asset in a table of instruments, with its live numbers.
type InstrumentRow struct {
	Symbol   string
	Name     string
	Class    string // "us_equity" or "crypto"
	Exchange string
	Tradable bool
	Quote    QuoteView
}

// Href is the instrument page of the row's asset.
func (r InstrumentRow) Href() string { return InstrumentHref(r.Symbol) }

// ClassLabel is the asset class for people: "Stock" or "Crypto".
func (r InstrumentRow) ClassLabel() string { return ClassLabel(r.Class) }

// InstrumentHref is the page of one instrument. A crypto pair keeps its slash: the route takes
// the rest of the path as the symbol.
func InstrumentHref(symbol string) string { return "/instruments/" + symbol }

// ChartHref is the chart page of one instrument.
func ChartHref(symbol string) string { return "/chart/" + symbol }

// ClassLabel names an asset class for people.
func ClassLabel(class string) string {
	switch class {
	case "crypto":
		return "Crypto"
	case "us_equity":
		return "Stock"
	}
	return class
}

// WatchlistTab is one list in the switcher of the markets dashboard and in the list of lists.
type WatchlistTab struct {
	ID       int64
	Name     string
	Global   bool
	Default  bool // the global list guests see
	Count    int
	Editable bool
	Active   bool
}

// MarketsDashboard is GET /markets: the lists the viewer may read and one of them shown live.
type MarketsDashboard struct {
	Tabs     []WatchlistTab
	Active   *WatchlistView // nil when there is no list at all
	SignedIn bool
}

// WatchlistView is one list with its instruments, as its page and the dashboard show it.
type WatchlistView struct {
	ID       int64
	Name     string
	Global   bool
	Default  bool
	Editable bool // the viewer may change it
	Rows     []InstrumentRow
}

// Symbols lists the symbols of the list in order.
func (w WatchlistView) Symbols() []string {
	out := make([]string, len(w.Rows))
	for i, r := range w.Rows {
		out[i] = r.Symbol
	}
	return out
}

// WatchlistsIndex is GET /watchlists: the viewer's lists and the global ones.
type WatchlistsIndex struct {
	Own      []WatchlistTab
	Global   []WatchlistTab
	SignedIn bool
	IsAdmin  bool // may create global lists
}

// Facet is one choice of a search filter with how many results picking it gives.
type Facet struct {
	Value string
	Label string
	Count int64
}

// InstrumentSearch is GET /instruments: the filters as given, one page of results and the facets.
type InstrumentSearch struct {
	Q, Class, Exchange                            string
	Tradable, Marginable, Shortable, Fractionable string // "", "true" or "false"
	Rows                                          []InstrumentRow
	Total                                         int64
	Page, Pages                                   int
	PrevURL, NextURL                              string // "" when there is no such page
	Classes, Exchanges                            []Facet
	Error                                         string // the quotes could not be loaded
}

// Fact is one labelled value on an instrument page.
type Fact struct {
	Label, Value, TestID string
}

// WatchOption is one of the viewer's lists in the "add to watchlist" picker.
type WatchOption struct {
	ID     int64
	Name   string
	Global bool
	Has    bool // the instrument is already on it
}

// InstrumentDetail is GET /instruments/:symbol.
type InstrumentDetail struct {
	Row       InstrumentRow
	PrevClose string // "" when unknown
	Facts     []Fact
	Flags     []string // "Tradable", "Fractionable", …
	Lists     []WatchOption
	SignedIn  bool
	Added     string // after a successful add: the list's name
	AddedID   int64
	QuoteNote string // why there are no live numbers, when there are none
}

// queryEscape escapes a value for a URL's query string.
func queryEscape(s string) string { return url.QueryEscape(s) }
