package app

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// The activity page (GET /activity) and a fill's receipt (GET /fills/:id). Activity lists the
// current account's fills and cash movements newest first, merged, one page at a time
// (trading.Service.Activity keeps a cursor per source).

// activityPageSize is how many rows a page of activity shows.
const activityPageSize = 50

// activityTypes are the filter tabs, in order.
var activityTypes = []struct{ value, label string }{
	{trading.ActivityAll, "All"}, {trading.ActivityFills, "Fills"}, {trading.ActivityCash, "Cash"},
}

// maxActivitySearchRunes bounds the journal search: longer text is cut to it.
const maxActivitySearchRunes = 100

// activityQuery is the URL of a page of activity; search narrows it to the fills it finds.
func activityQuery(typ, search string, period, current int, fc models.FillCursor, ec int64) string {
	q := url.Values{}
	if search != "" {
		q.Set("q", search)
	}
	if typ != "all" {
		q.Set("type", typ)
	}
	if period != current {
		q.Set("period", strconv.Itoa(period))
	}
	if !fc.IsZero() {
		q.Set("fills_before", fc.String())
	}
	if ec > 0 {
		q.Set("cash_before", strconv.FormatInt(ec, 10))
	}
	if len(q) == 0 {
		return urls.Path(urls.Activity)
	}
	return urls.Path(urls.Activity) + "?" + q.Encode()
}

// activityPage is GET /activity[?type=all|fills|cash&q=&period=&fills_before=&cash_before=]. q
// searches the journal: fills by symbol, or by their order's note or tags. For htmx ("Load more")
// it answers only the next rows and the next "Load more".
func (s *Server) activityPage(c *fiber.Ctx) error {
	a, v, err := s.accountAndValue(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	loc := userLocation(currentUser(c))
	typ := c.Query("type", trading.ActivityAll)
	if typ != trading.ActivityFills && typ != trading.ActivityCash {
		typ = trading.ActivityAll
	}
	period := a.Period
	if p, err := strconv.Atoi(c.Query("period")); err == nil && p >= 1 && p <= a.Period {
		period = p
	}
	fc := models.ParseFillCursor(c.Query("fills_before"))
	ec, _ := strconv.ParseInt(c.Query("cash_before"), 10, 64)
	ec = max(ec, 0)
	search := strings.TrimSpace(c.Query("q")) // checkText has refused bytes that are not text
	if r := []rune(search); len(r) > maxActivitySearchRunes {
		search = strings.TrimSpace(string(r[:maxActivitySearchRunes]))
	}
	if search != "" {
		typ = trading.ActivityFills // a search finds fills: say so on the tabs
	}

	page, err := s.trading.Activity(ctx, trading.ActivityQuery{AccountID: a.ID, Period: period, Kind: typ,
		FillsBefore: fc, CashBefore: ec, Limit: activityPageSize, Search: search})
	if err != nil {
		return err
	}
	av := views.ActivityView{Type: typ, Period: period, CurrentPeriod: a.Period, TimeZone: loc.String(),
		Search: search, SearchMax: maxActivitySearchRunes}
	var orderIDs []uuid.UUID
	for _, it := range page.Items {
		if it.Fill != nil {
			orderIDs = append(orderIDs, it.Fill.OrderID)
		}
	}
	notes, err := s.trading.OrderNotes(ctx, a.ID, orderIDs)
	if err != nil {
		return err
	}
	for _, it := range page.Items {
		r := activityRow(it, loc)
		if it.Fill != nil {
			withNote(&r, notes[it.Fill.OrderID], it.Fill.OrderID)
		}
		av.Rows = append(av.Rows, r)
	}
	if page.More {
		av.MoreHref = activityQuery(typ, search, period, a.Period, page.NextFills, page.NextCash)
	}
	if isHTMX(c) && (!fc.IsZero() || ec > 0) {
		return render(c, views.ActivityMore(av))
	}

	for _, t := range activityTypes {
		av.Tabs = append(av.Tabs, views.ActivityTab{Value: t.value, Label: t.label,
			Href: activityQuery(t.value, "", period, a.Period, models.FillCursor{}, 0), Current: t.value == typ && search == ""})
	}
	periods, err := models.PaperAccountPeriodsOf(ctx, s.db, a.ID)
	if err != nil {
		return err
	}
	for _, p := range periods {
		row := views.PeriodRow{Period: p.Period, StartedAt: p.StartedAt.In(loc), EndedAt: p.EndedAt.In(loc),
			StartingCash: views.FormatMoney(p.StartingCash), EndingEquity: views.FormatMoney(p.EndingEquity),
			Href: activityQuery(trading.ActivityAll, "", p.Period, a.Period, models.FillCursor{}, 0)}
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

// withNote adds an order's journal note and tags to its fill's row, with the links to change the
// note and to find the other fills carrying each tag.
func withNote(r *views.ActivityRow, n models.OrderNote, orderID uuid.UUID) {
	r.Note, r.Tags = n.Note, n.Tags
	r.NoteHref = urls.Path(urls.OrderNote, orderID.String())
	for _, t := range n.Tags {
		r.TagHrefs = append(r.TagHrefs, activityQuery(trading.ActivityFills, t, 0, 0, models.FillCursor{}, 0))
	}
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
func activityRow(it trading.ActivityItem, loc *time.Location) views.ActivityRow {
	if f := it.Fill; f != nil {
		r := views.ActivityRow{Fill: true, At: f.ExecutedAt.In(loc), ReceiptHref: urls.Path(urls.Fill, f.ID.String()),
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
	e := it.Entry
	r := views.ActivityRow{At: e.CreatedAt.In(loc), Kind: e.Kind, KindLabel: ledgerKindLabel(e.Kind), Description: e.Description,
		Amount: views.FormatSignedMoney(e.Amount), AmountUp: e.Amount.Round(2).IsPositive(), AmountDown: e.Amount.Round(2).IsNegative(),
		Balance: views.FormatMoney(e.BalanceAfter)}
	if e.FillID != nil {
		r.ReceiptHref = urls.Path(urls.Fill, e.FillID.String())
	}
	return r
}

// fillReceiptPage is GET /fills/:id: one fill and the receipt that explains its price. The fill
// must belong to one of the viewer's accounts (any period); anything else is a 404.
func (s *Server) fillReceiptPage(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return trading.ErrFillNotFound
	}
	cur, v, err := s.accountAndValue(c)
	if err != nil {
		return err
	}
	f, err := s.trading.FillOf(c.UserContext(), cur.UserID, id)
	if err != nil {
		return err
	}
	h, err := s.tradingHeader(c, cur, v)
	if err != nil {
		return err
	}
	rv := receiptView(f, userLocation(currentUser(c)))
	if f.AccountID == cur.ID { // the note page serves the current account's orders
		n, err := s.trading.OrderNote(c.UserContext(), cur.ID, f.OrderID)
		if err != nil {
			return err
		}
		var row views.ActivityRow
		withNote(&row, n, f.OrderID)
		rv.Note, rv.Tags, rv.TagHrefs = row.Note, row.Tags, row.TagHrefs
		rv.NoteHref = urls.Query(row.NoteHref, "next", urls.Path(urls.Fill, f.ID.String()))
	}
	return render(c, views.ReceiptPage(s.page(c, "Fill receipt"), h, rv))
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
func receiptView(f *models.OwnedFill, loc *time.Location) views.ReceiptView {
	value := f.Qty.Mul(f.Price).Round(2)
	fees := f.Fees()
	net := value.Neg().Sub(fees)
	if f.Side == string(fill.Sell) {
		net = value.Sub(fees)
	}
	rv := views.ReceiptView{
		FillID: f.ID.String(), AccountName: f.AccountName, OrderID: f.OrderID.String(), OrderHref: urls.Query(urls.Path(urls.Orders), "status", "all") + "#order-" + f.OrderID.String(),
		Symbol: f.Symbol, Side: f.Side, Qty: views.FormatQty(f.Qty), Price: views.FormatPrice(f.Price, decimal.Zero),
		Value: views.FormatMoney(value), Commission: views.FormatMoney(f.Commission), SECFee: views.FormatMoney(f.SECFee),
		TAFFee: views.FormatMoney(f.TAFFee), TotalFees: views.FormatMoney(fees), NetCash: views.FormatSignedMoney(net),
		Partial: f.Partial, CumQty: views.FormatQty(f.CumQty), LeavesQty: views.FormatQty(f.LeavesQty),
		PositionQty: views.FormatQty(f.PositionQty), ExecutedAt: f.ExecutedAt.In(loc), TimeZone: loc.String(),
		Period: f.Period, OldPeriod: f.Period != f.AccountPeriod,
	}
	if !f.RealizedPL.IsZero() {
		rv.RealizedPL = views.FormatSignedMoney(f.RealizedPL)
		rv.PLUp, rv.PLDown = f.RealizedPL.Round(2).IsPositive(), f.RealizedPL.Round(2).IsNegative()
	}
	r, err := f.DecodedReceipt()
	if err != nil {
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
	rv.Scale = views.ScaleOf(r.Bid, mid, r.Ask, f.Price)
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
