package views

import "time"

// The view models of the paper-trading account pages: portfolio, activity, fill receipt and
// accounts. Handlers compute every figure (money is decimal on the server) and pass it here
// formatted; times arrive already in the viewer's time zone.

// PortfolioView is the portfolio page (GET /portfolio): the equity chart over one range, the
// statistics of the current period, the largest positions and how the equity is allocated.
type PortfolioView struct {
	// Empty is true for a brand-new account (no fills, no positions): the page invites a first
	// order instead of drawing a flat line.
	Empty        bool
	StartingCash string // the period's starting cash, formatted
	// Range is the chart's range ("1M"); Ranges are its buttons, links that work without JavaScript.
	Range  string
	Ranges []RangeLink
	// HistoryURL answers the chart's JSON (GET /portfolio/history?range=); HistoryJSON is the
	// current range's answer, embedded so the chart draws without a second request.
	HistoryURL  string
	HistoryJSON string
	TimeZone    string // IANA zone of the chart's time axis (the viewer's)
	// The change over the chart's range.
	RangeChange string // signed money
	RangeReturn string // signed percent
	RangeUp     bool
	RangeDown   bool
	Stats       PortfolioStats
	// Positions are the largest positions by market value; MorePositions counts the rest.
	Positions     []PositionSummary
	MorePositions int
	Allocation    Allocation
}

// RangeLink is one range button of the equity chart.
type RangeLink struct {
	Value   string // "1D", …, "all": the ?range= value
	Label   string // "1D", …, "All"
	Title   string // "One day"
	Href    string
	Current bool
}

// PortfolioStats are the current period's statistics.
type PortfolioStats struct {
	Period        int
	PeriodStarted time.Time

	TotalPL     string // signed money
	TotalReturn string // signed percent
	TotalUp     bool
	TotalDown   bool

	DayPL     string
	DayReturn string
	DayUp     bool
	DayDown   bool

	MaxDrawdown  string    // "4.21%"; "0.00%" when equity never fell below a peak
	DrawdownFrom time.Time // the peak (zero without a drawdown)
	DrawdownTo   time.Time // the trough

	Sharpe      string // "1.42"; shown as "—" unless SharpeReady
	SharpeReady bool   // at least two daily returns
	SharpeDays  int

	WinRate string // "66.7%"; "—" without decided trades
	Wins    int
	Losses  int
}

// HasDrawdown reports whether equity ever fell below an earlier peak.
func (s PortfolioStats) HasDrawdown() bool { return !s.DrawdownFrom.IsZero() }

// PositionSummary is one position in the portfolio's summary.
type PositionSummary struct {
	Symbol       string
	Side         string // "long" or "short"
	Qty          string
	Price        string // current mark
	MarketValue  string
	UnrealizedPL string // signed money
	UnrealizedPC string // signed percent
	Up           bool
	Down         bool
	Weight       string // share of the gross market value, in percent ("37.5"), for its bar
	TradeHref    string
}

// Allocation is how the account's money is split between cash, long and short positions.
type Allocation struct {
	Slices   []AllocationSlice // only the non-empty ones, in bar order
	Borrowed string            // margin debt (negative cash), formatted; "" when none
}

// AllocationSlice is one part of the allocation bar.
type AllocationSlice struct {
	Key     string // "cash", "long", "short": picks the colour
	Label   string
	Amount  string // money
	Percent string // "42.1%"
	X       string // where the slice starts on the bar, in percent ("0", "42.1")
	Width   string // its width in percent ("42.1")
}

// ActivityView is the activity page (GET /activity): fills and cash movements, newest first.
type ActivityView struct {
	Type     string // "all", "fills" or "cash"
	Tabs     []ActivityTab
	Rows     []ActivityRow
	MoreHref string // the next page ("" at the end)
	// Period is the period shown; Viewing an earlier one says so.
	Period        int
	CurrentPeriod int
	TimeZone      string
	Periods       []PeriodRow // the account's closed periods, newest first
	// Search is what the journal search looks for ("" lists everything); SearchMax bounds it.
	Search    string
	SearchMax int
}

// ActivityTab is one filter tab.
type ActivityTab struct {
	Value, Label, Href string
	Current            bool
}

// ActivityRow is a fill or a cash movement.
type ActivityRow struct {
	Fill bool // a fill; otherwise a cash movement
	At   time.Time

	// A fill.
	ReceiptHref string
	Side        string // "buy" or "sell"
	Qty         string
	Symbol      string
	Price       string
	Fees        string // "" when none
	RealizedPL  string // signed money; "" when the fill closed nothing
	PLUp        bool
	PLDown      bool
	Partial     bool
	Note        string   // the order's journal note
	Tags        []string // the order's tags
	NoteHref    string   // where the order's note is written or changed
	TagHrefs    []string // the activity search for each tag

	// A cash movement.
	Kind        string // deposit, fill, commission, regulatory_fee, reset
	KindLabel   string
	Description string
	Amount      string // signed money
	AmountUp    bool
	AmountDown  bool
	Balance     string
}

// PeriodRow is a closed period of an account.
type PeriodRow struct {
	Period       int
	StartedAt    time.Time
	EndedAt      time.Time
	StartingCash string
	EndingEquity string
	Change       string // signed percent
	Up           bool
	Down         bool
	Href         string // its activity
}

// ReceiptView is a fill's receipt (GET /fills/:id): what executed and why at that price.
type ReceiptView struct {
	FillID      string
	AccountName string // the account the fill belongs to
	OrderID     string
	OrderHref   string
	Symbol      string
	Side        string
	Qty         string
	Price       string
	Value       string // qty × price
	Commission  string
	SECFee      string
	TAFFee      string
	TotalFees   string
	NetCash     string // signed: what the fill did to cash, fees included
	RealizedPL  string // signed money; "" when the fill closed nothing
	PLUp        bool
	PLDown      bool
	Partial     bool
	Note        string   // the order's journal note
	Tags        []string // the order's tags
	NoteHref    string   // where it is changed; "" for a fill of another account than the current one
	TagHrefs    []string // the activity search for each tag
	CumQty      string
	LeavesQty   string
	PositionQty string
	ExecutedAt  time.Time
	TimeZone    string
	Period      int
	OldPeriod   bool // from a closed period

	// The quote and the rule, from the stored receipt; HasQuote is false for a receipt without
	// a two-sided quote.
	HasQuote    bool
	Bid         string
	Ask         string
	Mid         string
	Spread      string
	BidSize     string
	AskSize     string
	BidExchange string
	AskExchange string
	QuoteTime   time.Time
	QuoteAge    string // "0.4 s before the fill"
	Source      string
	Rule        string // the stable code
	RuleLabel   string // for people
	Detail      string
	CostVsMid   string // money, signed: positive is paid, negative is improvement
	CostPaid    bool
	CostSaved   bool
	CostNote    string
	Scale       PriceScale
}

// PriceScale places bid, mid, ask and the fill on one line, in percent of its width.
type PriceScale struct {
	BidX, MidX, AskX, FillX string
	SpreadWidth             string // AskX − BidX
	Squeezed                bool   // bid and ask are close on the line: their labels go on two rows
	FillAnchor              string // the fill label's text-anchor: "start" near the left end, "end" near the right
	MidLabel                bool   // the mid gets a label (not when the fill's label would cover it)
}

// AccountsView is the accounts page (GET /accounts): the person's accounts and a form to open one.
type AccountsView struct {
	Accounts    []AccountRow
	CanOpen     bool
	MaxAccounts int
	Options     AccountOptions
}

// AccountOptions are the choices of the account forms.
type AccountOptions struct {
	Schedules []ScheduleChoice
	Realisms  []RealismChoice
}

// ScheduleChoice is one commission schedule of the select.
type ScheduleChoice struct{ Value, Label string }

// RealismChoice is one realism preset with what it means.
type RealismChoice struct{ Value, Label, Explain string }

// AccountRow is one of the person's accounts.
type AccountRow struct {
	ID             int64
	Name           string
	Number         string
	Equity         string
	TotalPL        string // signed money over the current period
	TotalReturn    string // signed percent
	Up             bool
	Down           bool
	Primary        bool
	Current        bool
	Margin         bool
	Shorting       bool
	RegulatoryFees bool
	Commission     string // the schedule's label
	Realism        string
	Period         int
}

// AccountSettingsView is an account's settings page (GET /accounts/:id/settings).
type AccountSettingsView struct {
	ID             int64
	Name           string
	Number         string
	Current        bool
	Margin         bool
	Shorting       bool
	ReviewOrders   bool   // the ticket asks for a last look before sending
	Commission     string // the schedule's name
	RegulatoryFees bool
	Realism        string
	Period         int
	PeriodStarted  time.Time
	StartingCash   string // formatted
	Equity         string // formatted
	DefaultReset   string // the reset form's amount, unformatted ("100000")
	Options        AccountOptions
}
