package views

// DashboardView is the signed-in home page (/): the current account's figures and positions
// (kept live by /ws/trading), the person's watchlist and the day's top movers (kept live by
// /ws/quotes), and the latest fills.
type DashboardView struct {
	Greeting    string // "Welcome back, Ada"
	AccountName string
	Figures     AccountFigures
	Positions   TradePositions
	Sections    string // the live sections, for /ws/trading
	Watchlist   *WatchlistView
	Movers      []MoverRow // the day's largest moves, up and down, largest first
	MoversNote  string     // why there are none, or where they come from
	Fills       []ActivityRow
	PriceNote   string // live prices unavailable, when so
}

// MoverRow is one of the day's top movers: an instrument row with its move for the label.
type MoverRow struct {
	InstrumentRow
	Up bool
}
