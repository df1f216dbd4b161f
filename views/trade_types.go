package views

import (
	"alpacawrapper/urls"
	"strings"
)

// The trade pages' view models: the order ticket, the positions table and the orders tables.
// Handlers fill them with text already formatted (money, prices, times in the person's zone), so
// the templates only lay it out.

// Live sections: the parts of a trading page that /ws/trading (and the answers to the trade
// forms) re-render by id. A page names the sections it shows when it connects, so that an update
// never targets an element the page does not have (htmx logs an error for a missing OOB target).
const (
	SectionFigures    = "figures"     // the account strip's numbers (#acct-equity, …)
	SectionPositions  = "positions"   // #positions-panel
	SectionOpenOrders = "open-orders" // #open-orders-panel (the trade page's open orders)
	SectionOrders     = "orders-"     // prefix of #orders-panel with its tab: orders-open, orders-closed, orders-all
	openOrdersPanelID = "open-orders-panel"
	ordersPanelID     = "orders-panel"
)

// TradingLiveURL is the /ws/trading address for a page showing the given sections.
func TradingLiveURL(sections string) string {
	if sections == "" {
		return urls.Path(urls.WSTrading)
	}
	return urls.Query(urls.Path(urls.WSTrading), "sections", sections)
}

// TicketView is the order ticket for one instrument.
type TicketView struct {
	CSRF     string
	Symbol   string // "" until one is chosen (the trade page)
	Name     string
	Crypto   bool
	Known    bool // the symbol is a tradable instrument
	Editable bool // the symbol can be typed (the trade page); elsewhere it is fixed
	// Sections are the live sections of the page the ticket is on: sent back with the order so
	// that the answer re-renders them.
	Sections    string
	Form        Form // values as typed, errors by form field
	Placed      *PlacedOrder
	BuyingPower string
	Realism     string
	Bid, Ask    string // at render time; the preview shows the latest
	// Review, when set, replaces the form with the order's last look before it is sent: its
	// summary, estimate and legs, with "Send order" and "Edit order" (the account reviews orders).
	Review *TicketReview
	// Editing: back from the review to change the order; the submit button takes the focus.
	Editing bool
}

// TicketReview is an order waiting for its "Send order".
type TicketReview struct {
	Summary string            // "Buy 3 AAPL · market · day"
	Preview TicketPreviewView // the estimate and the legs
	Values  map[string]string // the ticket's fields, sent again as they were
}

// TicketLeg is one order of a bracket, OTO or OCO, as the preview lists it.
type TicketLeg struct {
	Role  string // "Entry", "Take profit", "Stop loss"
	Side  string // buy, sell
	Order string // "limit $110.00", "stop $90.00, limit $89.50", "market"
}

// PlacedOrder is the message the ticket shows after an order went in.
type PlacedOrder struct {
	Kind    FlashKind // success, info (resting or queued) or warning (canceled, rejected)
	Title   string    // "Filled", "Order resting", …
	Message string    // "Bought 10 AAPL at $187.23."
	OrderID string
}

// TicketPreviewView is the estimate under the ticket.
type TicketPreviewView struct {
	Prompt  string            // nothing to estimate yet: what to fill in
	Refusal string            // the order would be refused: why
	Errors  map[string]string // ticket field → message, swapped into the field slots
	Symbol  string
	Side    string // buy, sell
	Bid     string
	Ask     string
	Qty     string
	QtyEst  bool // estimated from a dollar amount
	Price   string
	Value   string
	Commission,
	SEC,
	TAF,
	Fees,
	Total string
	BuyingPowerBefore, BuyingPowerAfter string
	Outcome                             string // "Fills now at about $187.23", …
	OutcomeKind                         string // fills, rests, queued, waits
	Realism                             string
	Schedule                            string
	// Legs are the orders a bracket, OTO or OCO is made of, with their prices; empty for a
	// simple order.
	Legs []TicketLeg
}

// TicketFieldNames are the ticket's form fields, in reading order: each has an error slot.
func TicketFieldNames() []string {
	return []string{"symbol", "side", "type", "qty", "notional", "limit_price", "stop_price", "trail_price",
		"trail_percent", "time_in_force", "extended_hours", "order_class", "tp_limit_price", "sl_stop_price",
		"sl_limit_price", "client_order_id"}
}

// TradePositions is the positions table.
type TradePositions struct {
	ReadOnly bool // no Close buttons: an operator's view of someone else's account
	CSRF     string
	Sections string // the page's live sections, sent back by the close buttons
	Next     string // where a plain (no JavaScript) close goes back to
	Rows     []TradePositionRow
	// Totals.
	MarketValue, CostBasis, UnrealizedPL, UnrealizedPLPC string
	Up, Down                                             bool
	Today                                                string // the positions' P&L since the previous close
	TodayUp, TodayDown                                   bool
}

// TradePositionRow is one position.
type TradePositionRow struct {
	Symbol       string
	Side         string // long, short
	Qty          string
	AvgEntry     string
	Price        string
	Priced       bool // false: no quote, valued at the entry price
	MarketValue  string
	CostBasis    string
	UnrealizedPL string
	PLPC         string
	Up, Down     bool
	// Today is the position's P&L since the previous close (or its entry today), TodayPct the
	// price's change since the close; empty when the previous close is unknown.
	Today, TodayPct    string
	TodayUp, TodayDown bool
	CloseConfirm       string // the question the Close button asks
}

// TradeOrders is an orders table: the trade page's open orders or the orders page's tab.
type TradeOrders struct {
	ReadOnly bool // no Cancel or Replace: an operator's view of someone else's account
	CSRF     string
	Sections string
	Next     string // where plain (no JavaScript) cancel and replace go back to
	Panel    string // SectionOpenOrders or SectionOrders+status
	Status   string // open, closed, all
	Groups   []TradeOrderGroup
	More     string // the next page's URL, "" at the end
	Compact  bool   // the trade page's short table
}

// PanelID is the table's element id.
func (o TradeOrders) PanelID() string {
	if o.Panel == SectionOpenOrders {
		return openOrdersPanelID
	}
	return ordersPanelID
}

// TradeOrderGroup is an order with its bracket, OCO or OTO legs.
type TradeOrderGroup struct {
	Order TradeOrderRow
	Legs  []TradeOrderRow
}

// TradeOrderRow is one order.
type TradeOrderRow struct {
	ID           string
	Submitted    string // in the person's time zone
	SubmittedISO string
	Symbol       string
	Side         string
	Type         string // "limit", "stop limit", …
	Class        string // "bracket", "oco", "oto"; "" for simple
	Leg          string // "take profit", "stop loss" for a leg
	Size         string // "10" or "$500.00"
	Filled       string
	Prices       string // "limit 150.00 · stop 148.00", "trail 2%"
	AvgFill      string
	TIF          string
	Status       string
	Reason       string
	Open         bool
	Replaceable  bool
	Fills        []FillLink
	Replace      ReplaceForm
	// Explain says what the order became when it is not what was typed: a buy stop that
	// Alpaca's price protection made a stop-limit, with its limit.
	Explain string
	// The journal: where the order's note is written (the full orders page only), whether it
	// has one, and its text (shown as the link's tooltip).
	NoteHref string
	HasNote  bool
	Note     string
}

// FillLink is a link to a fill's receipt.
type FillLink struct {
	ID    string
	Label string // "10 @ 187.23"
	Href  string // the receipt's address; "" is the owner's (/fills/:id)
}

// href is where the link goes.
func (f FillLink) href() string {
	if f.Href != "" {
		return f.Href
	}
	return urls.Path(urls.Fill, f.ID)
}

// ReplaceForm is an open order's inline replace form.
type ReplaceForm struct {
	Open      bool // rendered open (after a refusal)
	Form      Form
	Qty       string
	Limit     string
	Stop      string
	Trail     string
	TrailUnit string // "$" or "%"
	TIF       string
	HasLimit  bool
	HasStop   bool
	HasTrail  bool
	Crypto    bool
	// Exit is a bracket or OCO exit: only its prices can change.
	Exit bool
}

// AccountFigures are the account strip's numbers, for the live update of the strip.
type AccountFigures struct {
	Equity, BuyingPower, Cash, DayPL string
	DayUp, DayDown                   bool
}

// TradePageView is the trade page.
type TradePageView struct {
	Ticket     TicketView
	Positions  TradePositions
	OpenOrders TradeOrders
	Sections   string
}

// OrdersPageView is the orders page.
type OrdersPageView struct {
	Orders   TradeOrders
	Sections string // "" when the page shows an older page (live updates would reset it)
}

// statusBadge is the badge class of an order status.
func statusBadge(status string) string {
	switch status {
	case "filled":
		return "badge-up"
	case "new", "partially_filled":
		return "badge-brand"
	case "accepted", "held":
		return "badge-warning"
	case "rejected":
		return "badge-down"
	}
	return "badge-neutral"
}

// statusLabel is an order status for people: "partially filled".
func statusLabel(status string) string {
	switch status {
	case "new":
		return "working"
	case "accepted":
		return "queued"
	}
	return strings.ReplaceAll(status, "_", " ")
}

// OrdersTabs are the orders page's tabs.
func OrdersTabs() []ChartOption {
	return []ChartOption{{"open", "Open", "Orders that may still fill"}, {"closed", "Closed", "Filled, canceled, expired and replaced orders"}, {"all", "All", "Every order"}}
}
