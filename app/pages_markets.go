package app

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
	"alpacawrapper/watchlist"
)

// The market pages: the dashboard (/markets), the instrument search (/instruments) and one
// instrument (/instruments/:symbol). They read only, so guests may see them; prices come from the
// market's last-known cache (never more than a short wait for the provider) and then live over
// /ws/quotes (views.LiveQuotes).

// priceFormat is how one instrument's prices are written: views.FormatPrice with the instrument's
// price increment (crypto pairs have one; stocks do not, so they get 2 places from $1 up and 4
// below). The /ws/quotes frames use the same functions, so a live update never changes a
// number's look.
type priceFormat struct {
	increment decimal.Decimal // zero for stocks and for pairs whose increment is unknown
}

// feedStaleAfter is how long the feed may be silent before its badge says it is down, for a
// provider that does not say (market.StreamStatus.SilenceTimeout): the Alpaca feed counts as
// stale exactly when it would reconnect for silence.
const feedStaleAfter = time.Minute

// priceFormatOf reads the format from the catalogue; a may be nil (an unknown symbol).
func priceFormatOf(a *models.Asset) priceFormat {
	if a != nil && a.Class == market.Crypto && a.PriceIncrement.Valid && a.PriceIncrement.Decimal.IsPositive() {
		return priceFormat{increment: a.PriceIncrement.Decimal}
	}
	return priceFormat{}
}

// price writes a price, or "—" when it is not positive (unknown).
func (f priceFormat) price(p decimal.Decimal) string {
	if !p.IsPositive() {
		return "—"
	}
	return views.FormatPrice(p, f.increment)
}

// quoteNumbers are the raw numbers a QuoteView is written from.
type quoteNumbers struct {
	Bid, Ask  decimal.Decimal // zero when unknown
	Last      decimal.Decimal // last print, else mid; zero when unknown
	PrevClose decimal.Decimal // zero when unknown
	Time      time.Time
}

// numbersOfSnapshot takes the numbers from a provider snapshot.
func numbersOfSnapshot(s market.Snapshot) quoteNumbers {
	var n quoteNumbers
	if q := s.LatestQuote; q != nil {
		n.Bid, n.Ask, n.Time = q.BidPrice, q.AskPrice, q.Time
	}
	if p, ok := lastPrice(s); ok {
		n.Last = p
	}
	if t := s.LatestTrade; t != nil && t.Time.After(n.Time) {
		n.Time = t.Time
	}
	if s.PrevDailyBar != nil {
		n.PrevClose = s.PrevDailyBar.Close
	}
	return n
}

// quoteView writes the numbers for display. prevLast, when positive, is the last price shown
// before, which sets Direction (the flash of a live update).
func quoteView(symbol string, f priceFormat, n quoteNumbers, prevLast decimal.Decimal) views.QuoteView {
	v := views.QuoteView{Symbol: symbol, DOMID: views.SymbolDOMID(symbol), Bid: f.price(n.Bid), Ask: f.price(n.Ask),
		Last: f.price(n.Last), Time: n.Time}
	if n.Last.IsPositive() && n.PrevClose.IsPositive() {
		ch := n.Last.Sub(n.PrevClose)
		v.Change = views.FormatChange(ch, n.Last, f.increment)
		v.ChangePct = views.FormatPercent(ch.Mul(decimal.NewFromInt(100)).Div(n.PrevClose))
	}
	if prevLast.IsPositive() && n.Last.IsPositive() {
		switch n.Last.Cmp(prevLast) {
		case 1:
			v.Direction = "up"
		case -1:
			v.Direction = "down"
		}
	}
	return v
}

// rowsFor builds instrument rows for assets in order, with one Snapshots call for all of them. A
// provider failure leaves the numbers empty ("—") and is reported in the returned note, so the
// page still renders: the catalogue part is ours.
func (s *Server) rowsFor(ctx context.Context, assets []models.Asset) ([]views.InstrumentRow, string) {
	symbols := make([]string, len(assets))
	for i := range assets {
		symbols[i] = assets[i].Symbol
	}
	snaps, note := s.snapshots(ctx, symbols)
	rows := make([]views.InstrumentRow, len(assets))
	for i := range assets {
		a := &assets[i]
		rows[i] = views.InstrumentRow{Symbol: a.Symbol, Name: a.Name, Class: string(a.Class), Exchange: a.Exchange,
			Tradable: a.Tradable, Quote: quoteView(a.Symbol, priceFormatOf(a), numbersOfSnapshot(snaps[a.Symbol]), decimal.Zero)}
	}
	return rows, note
}

// snapshots looks the symbols' snapshots up through the market's last-known cache (the stream's
// latest values, a short cache, and the provider within a short wait and the REST budget). When
// the provider did not answer and something is unknown, it logs and returns a note for the page.
func (s *Server) snapshots(ctx context.Context, symbols []string) (map[string]market.Snapshot, string) {
	if len(symbols) == 0 {
		return map[string]market.Snapshot{}, ""
	}
	snaps, err := s.market.Pages.Snapshots(ctx, symbols)
	if err != nil && len(snaps) < len(symbols) {
		s.log.WarnContext(ctx, "market snapshots unavailable for a page", slog.Int("symbols", len(symbols)), slog.Any("error", err))
		return snaps, "Live prices are unavailable right now; they will appear when the feed is back."
	}
	return snaps, ""
}

// ---- Header badges -------------------------------------------------------------------------

// headerBadges are the market and feed badges of every page; nil when the server has no market
// side (some tests).
func (s *Server) headerBadges() (*views.MarketStatusView, *views.FeedStatusView) {
	if s.market == nil || s.market.Clock == nil || s.market.Provider == nil {
		return nil, nil
	}
	if s.pages != nil {
		// The same on every page for a moment (pagecache.go).
		b, _ := s.pages.badges.get("", func() (headerBadgeViews, error) {
			m, f := s.computeHeaderBadges()
			return headerBadgeViews{m, f}, nil
		})
		return b.market, b.feed
	}
	return s.computeHeaderBadges()
}

// computeHeaderBadges reads the clock and the feed for the badges.
func (s *Server) computeHeaderBadges() (*views.MarketStatusView, *views.FeedStatusView) {
	st := s.market.Clock.Now()
	m := marketStatusView(st, s.market.Clock.AlwaysOpen())
	f := feedStatusView(s.market.Provider.Name(), s.market.Provider.Stream().Status(), st.Time)
	return &m, &f
}

// marketStatusView describes the stock market's session for the badge, with times in New York.
func marketStatusView(st market.ClockState, alwaysOpen bool) views.MarketStatusView {
	ny, err := newYork()
	if err != nil {
		ny = time.UTC
	}
	now := st.Time.In(ny)
	when := func(t time.Time) string {
		t = t.In(ny)
		s := strings.TrimPrefix(t.Format("15:04"), "0") + " ET"
		if y1, m1, d1 := t.Date(); y1 != now.Year() || m1 != now.Month() || d1 != now.Day() {
			s += " " + t.Format("Mon")
		}
		return s
	}
	switch {
	case alwaysOpen:
		return views.MarketStatusView{Session: "open", Label: "Market open", Detail: "Simulated market, open around the clock"}
	case st.Session == market.SessionRegular:
		return views.MarketStatusView{Session: "open", Label: "Market open", Detail: "Closes " + when(st.NextClose)}
	case st.Session == market.SessionPre:
		return views.MarketStatusView{Session: "pre", Label: "Pre-market", Detail: "Opens " + when(st.NextOpen)}
	case st.Session == market.SessionPost:
		return views.MarketStatusView{Session: "post", Label: "After hours", Detail: "Opens " + when(st.NextOpen)}
	}
	out := views.MarketStatusView{Session: "closed", Label: "Market closed"}
	if !st.NextOpen.IsZero() {
		out.Detail = "Opens " + when(st.NextOpen)
	}
	return out
}

// feedStatusView describes the market-data feed for the badge: healthy while connected and
// delivering messages.
func feedStatusView(provider string, st market.StreamStatus, now time.Time) views.FeedStatusView {
	name := provider
	switch provider {
	case "simulated", "sim":
		name = "Simulated"
	case "alpaca":
		name = "Alpaca"
	}
	out := views.FeedStatusView{Provider: name}
	switch {
	case !st.Connected && st.LastError != "":
		out.Detail = "Disconnected: " + st.LastError
	case !st.Connected:
		out.Detail = "Not connected"
	case st.Symbols == 0:
		// Nothing is subscribed, so no message is expected: silence is not an outage
		// (issue 14, figure 5).
		out.Healthy = true
		out.Detail = "Connected, idle: no symbol followed"
	case st.LastMessageAt.IsZero():
		out.Healthy = true
		out.Detail = "Connected, waiting for data"
	default:
		age := now.Sub(st.LastMessageAt)
		out.Healthy = age < cmp.Or(st.SilenceTimeout, feedStaleAfter)
		out.Detail = "Last message " + ageText(age)
	}
	return out
}

// ageText is a short "how long ago".
func ageText(d time.Duration) string {
	switch {
	case d < 2*time.Second:
		return "just now"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m ago"
	}
	return strconv.Itoa(int(d/time.Hour)) + "h ago"
}

// ---- /markets ------------------------------------------------------------------------------

// marketsPage is GET /markets[?list=id]: the lists the viewer may read as tabs, one of them (the
// one asked for, else the viewer's first, else the guests' default) as a live table.
func (s *Server) marketsPage(c *fiber.Ctx) error {
	u := currentUser(c)
	var d views.MarketsDashboard
	var err error
	if u == nil {
		// Every guest sees the same dashboard: kept for a moment (pagecache.go).
		d, err = s.pages.markets.get(c.Query("list"), func() (views.MarketsDashboard, error) { return s.marketsDashboard(c, nil) })
	} else {
		d, err = s.marketsDashboard(c, u)
	}
	if err != nil {
		return err
	}
	return render(c, views.MarketsPage(s.page(c, "Markets"), d))
}

// marketsDashboard gathers the dashboard for u (nil: a guest).
func (s *Server) marketsDashboard(c *fiber.Ctx, u *models.User) (views.MarketsDashboard, error) {
	ctx := c.UserContext()
	lists, err := s.watchlists.List(ctx, u)
	if err != nil {
		return views.MarketsDashboard{}, err
	}
	d := views.MarketsDashboard{SignedIn: u != nil}
	var activeID int64
	if raw := c.Query("list"); raw != "" {
		activeID, _ = strconv.ParseInt(raw, 10, 64)
	}
	if activeID == 0 && len(lists) > 0 {
		activeID = lists[0].ID
		if u == nil {
			for _, l := range lists {
				if l.IsDefault {
					activeID = l.ID
				}
			}
		}
	}
	for _, l := range lists {
		d.Tabs = append(d.Tabs, tabOf(l, l.ID == activeID))
	}
	if activeID != 0 {
		detail, err := s.watchlists.Get(ctx, u, activeID)
		if err != nil {
			return d, err // another person's list, or none: 404
		}
		w, err := s.watchlistView(ctx, detail)
		if err != nil {
			return d, err
		}
		d.Active = &w
	}
	return d, nil
}

func tabOf(l watchlist.List, active bool) views.WatchlistTab {
	return views.WatchlistTab{ID: l.ID, Name: l.Name, Description: l.Description, Global: l.IsGlobal(), Default: l.IsDefault, Count: l.AssetCount,
		Editable: l.Editable, Active: active}
}

// ---- /instruments --------------------------------------------------------------------------

// instrumentsPerPage is the page size of the instrument search.
const instrumentsPerPage = 25

// instrumentsPage is GET /instruments?q=&class=&exchange=&tradable=&marginable=&shortable=
// &fractionable=&page=: the search with its facets. Values that make no sense are ignored rather
// than refused: this is a page a person types into. An htmx request gets the results only (the
// form stays as it is, keeping focus); the URL carries the whole state, so links and reloads work.
func (s *Server) instrumentsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	search, q := readInstrumentSearch(c)
	// The same for everyone: kept for a while (pagecache.go). Prices are added per request, from
	// memory.
	res, err := s.pages.search.get(fmt.Sprintf("%+v", searchKey(q)), func() (models.AssetSearchPage, error) {
		return models.SearchAssetsWithFacets(ctx, s.db, q)
	})
	if err != nil {
		return err
	}
	search.Total = res.Total
	search.Pages = max(1, int((res.Total+instrumentsPerPage-1)/instrumentsPerPage))
	search.Rows, search.Error = s.rowsFor(ctx, res.Assets)
	search.Classes = facets(res.ByClass, search.ChosenClasses, views.ClassLabel)
	search.Exchanges = facets(res.ByExchange, search.ChosenExchanges, func(v string) string { return v })
	search.SortLinks = search.sortLinks()
	if search.Page > 1 {
		search.PrevURL = search.url(search.Page - 1)
	}
	if search.Page < search.Pages {
		search.NextURL = search.url(search.Page + 1)
	}
	if wantsFragment(c) { // adds Vary: HX-Request: one address, two shapes of answer
		return render(c, views.InstrumentResults(search.InstrumentSearch))
	}
	return render(c, views.InstrumentsPage(s.page(c, "Instruments"), search.InstrumentSearch))
}

// searchKey is a query as a comparable value, its optional flags dereferenced, for the cache key.
func searchKey(q models.AssetQuery) any {
	flag := func(b *bool) string {
		if b == nil {
			return "-"
		}
		return strconv.FormatBool(*b)
	}
	return [...]string{q.Text, q.Class, q.Exchange, strings.Join(q.Classes, ","), strings.Join(q.Exchanges, ","), q.Sort,
		flag(q.Tradable), flag(q.Marginable), flag(q.Shortable),
		flag(q.Fractionable), strconv.FormatBool(q.IncludeInactive), strconv.Itoa(q.Limit), strconv.Itoa(q.Offset)}
}

// instrumentSearch is the view's search with the URL building the handler needs.
type instrumentSearch struct{ views.InstrumentSearch }

// url is the search's address at page n: only the filters that are set, so URLs stay short.
func (s instrumentSearch) url(n int) string { return s.urlSorted(n, s.Sort) }

// urlSorted is the search's address at page n, sorted by sort.
func (s instrumentSearch) urlSorted(n int, sort string) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", s.Q)
	for _, c := range s.ChosenClasses {
		v.Add("class", c)
	}
	for _, e := range s.ChosenExchanges {
		v.Add("exchange", e)
	}
	set("sort", sort)
	set("tradable", s.Tradable)
	set("marginable", s.Marginable)
	set("shortable", s.Shortable)
	set("fractionable", s.Fractionable)
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return urls.Path(urls.Instruments)
	}
	return urls.Path(urls.Instruments) + "?" + v.Encode()
}

// readInstrumentSearch reads the filters, keeping only sensible values.
func readInstrumentSearch(c *fiber.Ctx) (instrumentSearch, models.AssetQuery) {
	str := func(k string) string { return strings.TrimSpace(c.Query(k)) }
	flag := func(k string) (string, *bool) {
		switch v, err := strconv.ParseBool(str(k)); {
		case err != nil:
			return "", nil
		case v:
			return "true", &v
		default:
			return "false", &v
		}
	}
	var s instrumentSearch
	s.Q = str("q")
	if len([]rune(s.Q)) > 100 {
		s.Q = string([]rune(s.Q)[:100])
	}
	// class and exchange may each be given several times (the filters are multiple choices).
	seen := map[string]bool{}
	for _, raw := range c.Context().QueryArgs().PeekMulti("class") {
		cl := strings.ToLower(strings.TrimSpace(string(raw)))
		if (cl == string(market.USEquity) || cl == string(market.Crypto)) && !seen["c"+cl] {
			seen["c"+cl] = true
			s.ChosenClasses = append(s.ChosenClasses, cl)
		}
	}
	for _, raw := range c.Context().QueryArgs().PeekMulti("exchange") {
		ex := strings.ToUpper(strings.TrimSpace(string(raw)))
		if plausibleSymbol(ex) && !seen["e"+ex] && len(s.ChosenExchanges) < maxExchangeChoices {
			seen["e"+ex] = true
			s.ChosenExchanges = append(s.ChosenExchanges, ex)
		}
	}
	if len(s.ChosenClasses) == 1 {
		s.Class = s.ChosenClasses[0]
	}
	if len(s.ChosenExchanges) == 1 {
		s.Exchange = s.ChosenExchanges[0]
	}
	if sort := str("sort"); models.AssetSortable(sort) {
		s.Sort = sort
	}
	q := models.AssetQuery{Text: s.Q, Classes: s.ChosenClasses, Exchanges: s.ChosenExchanges, Sort: s.Sort, Limit: instrumentsPerPage}
	s.Tradable, q.Tradable = flag("tradable")
	s.Marginable, q.Marginable = flag("marginable")
	s.Shortable, q.Shortable = flag("shortable")
	s.Fractionable, q.Fractionable = flag("fractionable")
	s.Page = 1
	if n, err := strconv.Atoi(str("page")); err == nil && n > 1 && n <= 100_000 {
		s.Page = n
	}
	q.Offset = (s.Page - 1) * instrumentsPerPage
	return s, q
}

// maxExchangeChoices bounds how many exchanges one search may pick.
const maxExchangeChoices = 20

// sortLinks are the results table's sortable column headers: each links to the search sorted by
// that column, ascending, or descending when it is already sorted ascending by it.
func (s instrumentSearch) sortLinks() []views.SortLink {
	var out []views.SortLink
	for _, col := range []struct{ key, label string }{{"symbol", "Symbol"}, {"name", "Name"}, {"exchange", "Exchange"}} {
		l := views.SortLink{Key: col.key, Label: col.label, Href: s.urlSorted(1, col.key)}
		switch s.Sort {
		case col.key:
			l.Direction, l.Href = "ascending", s.urlSorted(1, "-"+col.key)
		case "-" + col.key:
			l.Direction = "descending"
		}
		out = append(out, l)
	}
	return out
}

// facets turns counts into choices, biggest first, marking the chosen ones and keeping them even
// when nothing matches them now (so the filter still shows what is selected).
func facets(counts map[string]int64, chosen []string, label func(string) string) []views.Facet {
	out := make([]views.Facet, 0, len(counts)+len(chosen))
	picked := map[string]bool{}
	for _, c := range chosen {
		picked[c] = true
	}
	for v, n := range counts {
		out = append(out, views.Facet{Value: v, Label: label(v), Count: n, Chosen: picked[v]})
	}
	for _, c := range chosen {
		if _, ok := counts[c]; !ok {
			out = append(out, views.Facet{Value: c, Label: label(c), Chosen: true})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// ---- /instruments/:symbol ------------------------------------------------------------------

// instrumentPage is GET /instruments/:symbol (BTC/USD, BTC%2FUSD or BTCUSD): the live quote, the
// day's change, key facts, the chart link and "add to watchlist". A symbol typed in another form
// is sent to its canonical address, so each instrument has one URL.
func (s *Server) instrumentPage(c *fiber.Ctx) error {
	a, err := s.assetFromPath(c)
	if err != nil {
		return err
	}
	if typed, _ := url.PathUnescape(c.Params("*")); typed != a.Symbol {
		return c.Redirect(views.InstrumentHref(a.Symbol), fiber.StatusMovedPermanently)
	}
	d, err := s.instrumentDetail(c, a)
	if err != nil {
		return err
	}
	return render(c, views.InstrumentPage(s.page(c, a.Symbol), d, views.Form{}))
}

// instrumentDetail gathers what the instrument page shows.
func (s *Server) instrumentDetail(c *fiber.Ctx, a *models.Asset) (views.InstrumentDetail, error) {
	ctx := c.UserContext()
	snaps, note := s.snapshots(ctx, []string{a.Symbol})
	snap := snaps[a.Symbol]
	f := priceFormatOf(a)
	n := numbersOfSnapshot(snap)
	d := views.InstrumentDetail{
		Row: views.InstrumentRow{Symbol: a.Symbol, Name: a.Name, Class: string(a.Class), Exchange: a.Exchange,
			Tradable: a.Tradable, Quote: quoteView(a.Symbol, f, n, decimal.Zero)},
		QuoteNote: note,
		SignedIn:  currentUser(c) != nil,
	}
	if n.PrevClose.IsPositive() {
		d.PrevClose = f.price(n.PrevClose)
	}
	d.Facts = instrumentFacts(a, f, snap)
	if q := snap.LatestQuote; q != nil {
		d.BidSize, d.AskSize = views.FormatVolume(q.BidSize), views.FormatVolume(q.AskSize)
	}
	if b := snap.DailyBar; b != nil {
		d.DayRange, d.Volume = f.price(b.Low)+" – "+f.price(b.High), views.FormatVolume(b.Volume)
	}
	now := time.Now()
	if s.trading != nil {
		now = s.tradingNow()
	}
	if err := s.instrumentHistory(ctx, a, f, now, &d); err != nil {
		return d, err
	}
	for _, fl := range []struct {
		on   bool
		name string
	}{{a.Tradable, "Tradable"}, {a.Fractionable, "Fractionable"}, {a.Marginable, "Marginable"},
		{a.Shortable, "Shortable"}, {a.EasyToBorrow, "Easy to borrow"}} {
		if fl.on {
			d.Flags = append(d.Flags, fl.name)
		}
	}
	if u := currentUser(c); u != nil {
		opts, err := s.watchOptions(ctx, c, a.Symbol)
		if err != nil {
			return d, err
		}
		d.Lists = opts
		if s.trading != nil {
			acct, err := s.currentAccount(c)
			if err != nil {
				return d, err
			}
			if err := s.instrumentStake(ctx, acct, a.Symbol, &d); err != nil {
				return d, err
			}
		}
	}
	return d, nil
}

// instrumentFacts are the key facts of the page, in reading order.
func instrumentFacts(a *models.Asset, f priceFormat, snap market.Snapshot) []views.Fact {
	status := "Active"
	if !a.Active {
		status = "No longer listed"
	}
	facts := []views.Fact{
		{Label: "Name", Value: a.Name, TestID: "fact-name"},
		{Label: "Exchange", Value: a.Exchange, TestID: "fact-exchange"},
		{Label: "Class", Value: views.ClassLabel(string(a.Class)), TestID: "fact-class"},
		{Label: "Status", Value: status, TestID: "fact-status"},
	}
	if a.MarginRequirement.Valid {
		facts = append(facts, views.Fact{Label: "Margin requirement", Value: a.MarginRequirement.Decimal.String() + "%", TestID: "fact-margin"})
	}
	if a.Class == market.Crypto {
		for _, x := range []struct {
			label, id string
			v         decimal.NullDecimal
		}{{"Price increment", "fact-price-increment", a.PriceIncrement}, {"Minimum order", "fact-min-order", a.MinOrderSize},
			{"Quantity increment", "fact-qty-increment", a.MinTradeIncrement}} {
			if x.v.Valid {
				facts = append(facts, views.Fact{Label: x.label, Value: x.v.Decimal.String(), TestID: x.id})
			}
		}
	}
	if b := snap.DailyBar; b != nil {
		// The day's range and volume are in the quote card, beside the 52-week range.
		facts = append(facts, views.Fact{Label: "Day’s open", Value: f.price(b.Open), TestID: "fact-open"})
	}
	return facts
}

// watchOptions are the lists the viewer may add symbol to, marking those that already hold it.
func (s *Server) watchOptions(ctx context.Context, c *fiber.Ctx, symbol string) ([]views.WatchOption, error) {
	lists, err := s.watchlists.List(ctx, currentUser(c))
	if err != nil {
		return nil, err
	}
	var out []views.WatchOption
	for _, l := range lists {
		if !l.Editable {
			continue
		}
		has, err := s.listHas(ctx, c, l.ID, symbol)
		if err != nil {
			return nil, err
		}
		out = append(out, views.WatchOption{ID: l.ID, Name: l.Name, Global: l.IsGlobal(), Has: has})
	}
	return out, nil
}

// listHas reports whether list id holds symbol.
func (s *Server) listHas(ctx context.Context, c *fiber.Ctx, id int64, symbol string) (bool, error) {
	d, err := s.watchlists.Get(ctx, currentUser(c), id)
	if err != nil {
		if _, refused := apperr.As(err); refused {
			return false, nil
		}
		return false, fmt.Errorf("app: %w", err)
	}
	for _, it := range d.Items {
		if it.Symbol == symbol {
			return true, nil
		}
	}
	return false, nil
}
