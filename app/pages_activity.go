package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/views"
)

// The activity page (GET /activity) and a fill's receipt (GET /fills/:id). Activity lists the
// current account's fills and cash movements newest first, merged, one page at a time: each
// source keeps its own cursor (fills by time and id, the ledger by id), so the pages of the
// merged list join up exactly however the two interleave.

// activityPageSize is how many rows a page of activity shows.
const activityPageSize = 50

// fillCursor is where a page of fills ends: the last fill shown (models.FillCursor).
type fillCursor models.FillCursor

func (c fillCursor) isZero() bool { return c.At.IsZero() }

// String is the cursor in a URL: Unix microseconds (the database's precision) and the id.
func (c fillCursor) String() string {
	return strconv.FormatInt(c.At.UnixMicro(), 10) + "_" + c.ID.String()
}

// parseFillCursor reads a cursor; anything malformed means "from the newest".
func parseFillCursor(s string) fillCursor {
	micros, id, ok := strings.Cut(s, "_")
	if !ok {
		return fillCursor{}
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil || us <= 0 {
		return fillCursor{}
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return fillCursor{}
	}
	return fillCursor{At: time.UnixMicro(us).UTC(), ID: u}
}

// fillsAfterCursor loads up to n fills after the cursor.
func (s *Server) fillsAfterCursor(ctx context.Context, accountID int64, period int, cur fillCursor, n int) ([]models.Fill, error) {
	return models.FillsOf(ctx, s.db, accountID, period, models.FillCursor(cur), n)
}

// activityItem is one row of the merged list, before formatting.
type activityItem struct {
	fill  *models.Fill
	entry *models.LedgerEntry
}

// mergeActivity merges newest-first fills and ledger entries into at most n rows, newest first
// (at one instant a fill comes before the cash it moved), and returns where each source's next
// page starts and whether there is one.
func mergeActivity(fills []models.Fill, entries []models.LedgerEntry, n int, fc fillCursor, ec int64) ([]activityItem, fillCursor, int64, bool) {
	var out []activityItem
	i, j := 0, 0
	for len(out) < n && (i < len(fills) || j < len(entries)) {
		if j >= len(entries) || i < len(fills) && !fills[i].ExecutedAt.Before(entries[j].CreatedAt) {
			out = append(out, activityItem{fill: &fills[i]})
			fc = fillCursor{At: fills[i].ExecutedAt, ID: fills[i].ID}
			i++
		} else {
			out = append(out, activityItem{entry: &entries[j]})
			ec = entries[j].ID
			j++
		}
	}
	return out, fc, ec, i < len(fills) || j < len(entries)
}

// activityTypes are the filter tabs, in order.
var activityTypes = []struct{ value, label string }{{"all", "All"}, {"fills", "Fills"}, {"cash", "Cash"}}

// activityQuery is the URL of a page of activity.
func activityQuery(typ string, period, current int, fc fillCursor, ec int64) string {
	q := url.Values{}
	if typ != "all" {
		q.Set("type", typ)
	}
	if period != current {
		q.Set("period", strconv.Itoa(period))
	}
	if !fc.isZero() {
		q.Set("fills_before", fc.String())
	}
	if ec > 0 {
		q.Set("cash_before", strconv.FormatInt(ec, 10))
	}
	if len(q) == 0 {
		return "/activity"
	}
	return "/activity?" + q.Encode()
}

// activityPage is GET /activity[?type=all|fills|cash&period=&fills_before=&cash_before=]. For
// htmx ("Load more") it answers only the next rows and the next "Load more".
func (s *Server) activityPage(c *fiber.Ctx) error {
	a, v, err := s.accountAndValue(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	loc := userLocation(currentUser(c))
	typ := c.Query("type", "all")
	if typ != "fills" && typ != "cash" {
		typ = "all"
	}
	period := a.Period
	if p, err := strconv.Atoi(c.Query("period")); err == nil && p >= 1 && p <= a.Period {
		period = p
	}
	fc := parseFillCursor(c.Query("fills_before"))
	ec, _ := strconv.ParseInt(c.Query("cash_before"), 10, 64)
	ec = max(ec, 0)

	var fills []models.Fill
	var entries []models.LedgerEntry
	if typ != "cash" {
		if fills, err = s.fillsAfterCursor(ctx, a.ID, period, fc, activityPageSize+1); err != nil {
			return err
		}
	}
	switch typ {
	case "cash": // every cash line, each with its kind
		entries, err = models.LedgerOf(ctx, s.db, a.ID, period, ec, activityPageSize+1)
	case "all": // a fill's cash lines are on its own row (value and fees); list the rest
		entries, err = models.CashMovementsOf(ctx, s.db, a.ID, period, ec, activityPageSize+1)
	}
	if err != nil {
		return err
	}
	items, nextFC, nextEC, more := mergeActivity(fills, entries, activityPageSize, fc, ec)
	av := views.ActivityView{Type: typ, Period: period, CurrentPeriod: a.Period, TimeZone: loc.String()}
	for _, it := range items {
		av.Rows = append(av.Rows, activityRow(it, loc))
	}
	if more {
		av.MoreHref = activityQuery(typ, period, a.Period, nextFC, nextEC)
	}
	if isHTMX(c) && (!fc.isZero() || ec > 0) {
		return render(c, views.ActivityMore(av))
	}

	for _, t := range activityTypes {
		av.Tabs = append(av.Tabs, views.ActivityTab{Value: t.value, Label: t.label,
			Href: activityQuery(t.value, period, a.Period, fillCursor{}, 0), Current: t.value == typ})
	}
	periods, err := models.PaperAccountPeriodsOf(ctx, s.db, a.ID)
	if err != nil {
		return err
	}
	for _, p := range periods {
		row := views.PeriodRow{Period: p.Period, StartedAt: p.StartedAt.In(loc), EndedAt: p.EndedAt.In(loc),
			StartingCash: views.FormatMoney(p.StartingCash), EndingEquity: views.FormatMoney(p.EndingEquity),
			Href: activityQuery("all", p.Period, a.Period, fillCursor{}, 0)}
		if p.StartingCash.IsPositive() {
			change := p.EndingEquity.Sub(p.StartingCash).Shift(2).DivRound(p.StartingCash, 2)
			row.Change, row.Up, row.Down = views.FormatPercent(change), change.IsPositive(), change.IsNegative()
		}
		av.Periods = append(av.Periods, row)
	}
	h, err := s.tradingHeader(c, a, v)
	if err != nil {
		return err
	}
	return render(c, views.ActivityPage(s.page(c, "Activity"), h, av))
}

// ledgerKindLabel names a ledger kind for people.
func ledgerKindLabel(kind string) string {
	switch kind {
	case models.LedgerDeposit:
		return "Deposit"
	case models.LedgerFill:
		return "Trade"
	case models.LedgerCommission:
		return "Commission"
	case models.LedgerRegulatoryFee:
		return "Regulatory fee"
	case models.LedgerReset:
		return "Reset"
	}
	return kind
}

// activityRow formats one row of activity.
func activityRow(it activityItem, loc *time.Location) views.ActivityRow {
	if f := it.fill; f != nil {
		r := views.ActivityRow{Fill: true, At: f.ExecutedAt.In(loc), ReceiptHref: "/fills/" + f.ID.String(),
			Side: f.Side, Qty: views.FormatQty(f.Qty), Symbol: f.Symbol, Price: views.FormatPrice(f.Price, decimal.Zero),
			Partial: f.Partial}
		if fees := f.Fees(); !fees.IsZero() {
			r.Fees = views.FormatMoney(fees)
		}
		if !f.RealizedPL.IsZero() {
			r.RealizedPL = views.FormatSignedMoney(f.RealizedPL)
			r.PLUp, r.PLDown = f.RealizedPL.Round(2).IsPositive(), f.RealizedPL.Round(2).IsNegative()
		}
		return r
	}
	e := it.entry
	r := views.ActivityRow{At: e.CreatedAt.In(loc), Kind: e.Kind, KindLabel: ledgerKindLabel(e.Kind), Description: e.Description,
		Amount: views.FormatSignedMoney(e.Amount), AmountUp: e.Amount.Round(2).IsPositive(), AmountDown: e.Amount.Round(2).IsNegative(),
		Balance: views.FormatMoney(e.BalanceAfter)}
	if e.FillID != nil {
		r.ReceiptHref = "/fills/" + e.FillID.String()
	}
	return r
}

// errFillNotFound answers a receipt that does not exist or is not the viewer's (never which).
var errFillNotFound = apperr.New(apperr.KindNotFound, "fill_not_found", "No such fill.")

// fillReceiptPage is GET /fills/:id: one fill and the receipt that explains its price. The fill
// must belong to one of the viewer's accounts (any period); anything else is a 404.
func (s *Server) fillReceiptPage(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return errFillNotFound
	}
	cur, v, err := s.accountAndValue(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	accts, err := s.trading.Accounts(ctx, cur.UserID)
	if err != nil {
		return err
	}
	// The current account first: that is where receipts are opened from.
	search := []models.PaperAccount{*cur}
	for _, a := range accts {
		if a.ID != cur.ID {
			search = append(search, a)
		}
	}
	var f *models.Fill
	var owner models.PaperAccount
	for _, a := range search {
		f, err = models.FillOf(ctx, s.db, a.ID, id)
		if errors.Is(err, models.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		owner = a
		break
	}
	if f == nil {
		return errFillNotFound
	}
	h, err := s.tradingHeader(c, cur, v)
	if err != nil {
		return err
	}
	rv := receiptView(f, &owner, userLocation(currentUser(c)))
	return render(c, views.ReceiptPage(s.page(c, "Fill receipt"), h, rv))
}

// storedReceipt is a fill's receipt as trading/execute.go stores it.
type storedReceipt struct {
	Bid         decimal.Decimal `json:"bid"`
	Ask         decimal.Decimal `json:"ask"`
	BidSize     decimal.Decimal `json:"bid_size"`
	AskSize     decimal.Decimal `json:"ask_size"`
	BidExchange string          `json:"bid_exchange"`
	AskExchange string          `json:"ask_exchange"`
	QuoteTime   time.Time       `json:"quote_time"`
	Source      string          `json:"source"`
	Rule        string          `json:"rule"`
	Detail      string          `json:"detail"`
	Mid         decimal.Decimal `json:"mid"`
	CostVsMid   decimal.Decimal `json:"cost_vs_mid"`
}

// fillRuleLabel names a fill rule (trading/fill's Rule codes) for people; an unknown code is
// shown as its words.
func fillRuleLabel(rule string) string {
	switch fill.Rule(rule) {
	case fill.RuleMarketAtAsk:
		return "Market order, filled at the ask"
	case fill.RuleMarketAtBid:
		return "Market order, filled at the bid"
	case fill.RuleMarketableLimitAtQuote:
		return "Marketable limit, filled at the quote"
	case fill.RuleLimitTouched:
		return "Resting limit, touched by the quote"
	case fill.RuleLimitThrough:
		return "Resting limit, traded through by the quote"
	case fill.RuleStopTriggeredOnAsk:
		return "Buy stop, triggered on the ask"
	case fill.RuleStopTriggeredOnBid:
		return "Sell stop, triggered on the bid"
	case fill.RuleStopLimitAtQuote:
		return "Stop-limit triggered, filled at the quote"
	case fill.RuleTrailingTriggeredOnAsk:
		return "Trailing stop, triggered on the ask"
	case fill.RuleTrailingTriggeredOnBid:
		return "Trailing stop, triggered on the bid"
	case fill.RuleTriggeredStopAtQuote:
		return "Triggered stop, filled at the quote"
	case fill.RuleOpeningAtFirstQuote:
		return "At the open: the first regular-session quote"
	case fill.RuleClosingAtLastQuote:
		return "At the close: the last regular-session quote"
	}
	return strings.ReplaceAll(rule, "_", " ")
}

// receiptView formats a fill and its stored receipt.
func receiptView(f *models.Fill, a *models.PaperAccount, loc *time.Location) views.ReceiptView {
	value := f.Qty.Mul(f.Price).Round(2)
	fees := f.Fees()
	net := value.Neg().Sub(fees)
	if f.Side == string(fill.Sell) {
		net = value.Sub(fees)
	}
	rv := views.ReceiptView{
		FillID: f.ID.String(), AccountName: a.Name, OrderID: f.OrderID.String(), OrderHref: "/orders?status=all#order-" + f.OrderID.String(),
		Symbol: f.Symbol, Side: f.Side, Qty: views.FormatQty(f.Qty), Price: views.FormatPrice(f.Price, decimal.Zero),
		Value: views.FormatMoney(value), Commission: views.FormatMoney(f.Commission), SECFee: views.FormatMoney(f.SECFee),
		TAFFee: views.FormatMoney(f.TAFFee), TotalFees: views.FormatMoney(fees), NetCash: views.FormatSignedMoney(net),
		Partial: f.Partial, CumQty: views.FormatQty(f.CumQty), LeavesQty: views.FormatQty(f.LeavesQty),
		PositionQty: views.FormatQty(f.PositionQty), ExecutedAt: f.ExecutedAt.In(loc), TimeZone: loc.String(),
		Period: f.Period, OldPeriod: f.Period != a.Period,
	}
	if !f.RealizedPL.IsZero() {
		rv.RealizedPL = views.FormatSignedMoney(f.RealizedPL)
		rv.PLUp, rv.PLDown = f.RealizedPL.Round(2).IsPositive(), f.RealizedPL.Round(2).IsNegative()
	}
	var r storedReceipt
	if err := json.Unmarshal(f.Receipt, &r); err != nil {
		return rv // an unreadable receipt still leaves the fill itself to show
	}
	rv.Source, rv.Rule, rv.Detail = r.Source, r.Rule, r.Detail
	rv.RuleLabel = fillRuleLabel(r.Rule)
	if !r.QuoteTime.IsZero() {
		rv.QuoteTime = r.QuoteTime.In(loc)
		rv.QuoteAge = quoteAge(f.ExecutedAt.Sub(r.QuoteTime))
	}
	rv.CostVsMid = views.FormatSignedMoney(r.CostVsMid)
	// The sign of the exact cost decides the words: a fill at the ask of a small crypto order
	// costs well under a cent against the mid, and is still not a fill at the mid.
	rv.CostPaid, rv.CostSaved = r.CostVsMid.IsPositive(), r.CostVsMid.IsNegative()
	switch {
	case rv.CostPaid:
		rv.CostNote = "You paid " + centsOrLess(r.CostVsMid) + " more than the mid-price: the part of the spread this fill crossed."
	case rv.CostSaved:
		rv.CostNote = "You did " + centsOrLess(r.CostVsMid.Neg()) + " better than the mid-price."
	default:
		rv.CostNote = "Filled at the mid-price: no spread paid."
	}
	if !r.Bid.IsPositive() || !r.Ask.IsPositive() {
		return rv
	}
	mid := r.Mid
	if !mid.IsPositive() {
		mid = r.Bid.Add(r.Ask).Div(decimal.NewFromInt(2))
	}
	rv.HasQuote = true
	rv.Bid, rv.Ask, rv.Mid = views.FormatPrice(r.Bid, decimal.Zero), views.FormatPrice(r.Ask, decimal.Zero), views.FormatPrice(mid, decimal.Zero)
	rv.Spread = views.FormatPrice(r.Ask.Sub(r.Bid), decimal.Zero)
	rv.BidSize, rv.AskSize = views.FormatQty(r.BidSize), views.FormatQty(r.AskSize)
	rv.BidExchange, rv.AskExchange = r.BidExchange, r.AskExchange
	rv.Scale = priceScale(r.Bid, mid, r.Ask, f.Price)
	return rv
}

// centsOrLess is a positive amount of money, or "less than $0.01" when it rounds to nothing.
func centsOrLess(amount decimal.Decimal) string {
	if amount.Round(2).IsZero() {
		return "less than $0.01"
	}
	return views.FormatMoney(amount)
}

// quoteAge says how long before the fill its quote was made.
func quoteAge(d time.Duration) string {
	switch {
	case d <= 0:
		return "at the moment of the fill"
	case d < time.Millisecond:
		return "under a millisecond before the fill"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms before the fill"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s before the fill"
	}
	return d.Round(time.Second).String() + " before the fill"
}

// priceScale places bid, mid, ask and the fill price on a line in percent of its width, with a
// margin either side so that a fill beyond the quote still shows.
func priceScale(bid, mid, ask, price decimal.Decimal) views.PriceScale {
	lo, hi := decimal.Min(bid, price), decimal.Max(ask, price)
	span := hi.Sub(lo)
	if !span.IsPositive() {
		span = decimal.Max(price.Abs().Shift(-3), decimal.New(1, -2)) // a locked quote: any small width
	}
	pad := span.Mul(decimal.New(2, -1))
	start, width := lo.Sub(pad), span.Add(pad.Add(pad))
	at := func(x decimal.Decimal) decimal.Decimal { return x.Sub(start).Shift(2).DivRound(width, 2) }
	fillX, midX, bidX, askX := at(price), at(mid), at(bid), at(ask)
	ps := views.PriceScale{BidX: bidX.String(), MidX: midX.String(), AskX: askX.String(), FillX: fillX.String(),
		SpreadWidth: askX.Sub(bidX).String(), Squeezed: askX.Sub(bidX).LessThan(decimal.NewFromInt(30)), FillAnchor: "middle",
		MidLabel: fillX.Sub(midX).Abs().GreaterThan(decimal.NewFromInt(16))}
	switch {
	case fillX.LessThan(decimal.NewFromInt(20)):
		ps.FillAnchor = "start"
	case fillX.GreaterThan(decimal.NewFromInt(80)):
		ps.FillAnchor = "end"
	}
	return ps
}
