package views

import (
	"alpacawrapper/urls"
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
func InstrumentHref(symbol string) string { return urls.Path(urls.Instrument, symbol) }

// ChartHref is the chart page of one instrument.
func ChartHref(symbol string) string { return urls.Path(urls.Chart, symbol) }

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
	ID          int64
	Name        string
	Description string
	Global      bool
	Default     bool // the global list guests see
	Count       int
	Editable    bool
	Active      bool
}

// MarketsDashboard is GET /markets: the lists the viewer may read and one of them shown live.
type MarketsDashboard struct {
	Tabs     []WatchlistTab
	Active   *WatchlistView // nil when there is no list at all
	SignedIn bool
}

// WatchlistView is one list with its instruments, as its page and the dashboard show it.
type WatchlistView struct {
	ID          int64
	Name        string
	Description string
	Global      bool
	Default     bool
	Editable    bool // the viewer may change it
	Rows        []InstrumentRow
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
	Search   string // the search over the lists ("" shows them all)
	Own      []WatchlistTab
	Global   []WatchlistTab
	SignedIn bool
	IsAdmin  bool // may create global lists
}

// Facet is one choice of a search filter with how many results picking it gives.
type Facet struct {
	Value  string
	Label  string
	Count  int64
	Chosen bool // ticked in a multiple-choice filter
}

// SortLink is a sortable column's header: its label, the address sorting by it, and the
// direction the results are sorted by it now ("ascending", "descending"; "" when not).
type SortLink struct {
	Key, Label, Href string
	Direction        string
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
	// ChosenClasses and ChosenExchanges are the ticked choices of the multiple-choice filters
	// (Class and Exchange hold the one choice when a single one is ticked).
	ChosenClasses, ChosenExchanges []string
	Sort                           string     // "symbol", "-name", …; "" for relevance
	SortLinks                      []SortLink // the sortable columns' headers
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

	// The quote's sizes when the page was made ("" when unknown), and the day's figures.
	BidSize, AskSize string
	DayRange         string // "187.10 – 189.90"; "" before the day's first bar
	Volume           string // the day's volume, grouped: "12,345,678"
	// From the daily candles: the 52-week range (with a note when the history is shorter) and a
	// sparkline of the latest closes; HistoryNote says why both are missing.
	YearRange     string
	YearRangeNote string
	Spark         *Sparkline
	HistoryNote   string

	// A signed-in viewer's stake in the symbol, in their current account.
	AccountName string
	Position    *InstrumentPosition
	OpenOrders  []InstrumentOrder
}

// Sparkline is a small line of closes, drawn as an SVG polyline in a Width×Height box.
type Sparkline struct {
	Points        string // "x,y x,y …"
	Width, Height int
	Up            bool   // the last close is at or above the first
	Days          int    // how many closes
	Label         string // what it shows, for screen readers
}

// InstrumentPosition is the viewer's position in an instrument.
type InstrumentPosition struct {
	Side, Qty, AvgEntry, MarketValue string
	UnrealizedPL, UnrealizedPLPC     string
	Up, Down                         bool
}

// InstrumentOrder is one of the viewer's open orders in an instrument.
type InstrumentOrder struct {
	Text, Status, TIF string
	Href              string // the order on the orders page
}
