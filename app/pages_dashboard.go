package app

import (
	"context"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/views"
	"alpacawrapper/watchlist"
)

// The home dashboard (GET / when signed in; issue 14, item 8): built from what the other pages
// already compute: the account's valuation and positions (kept live by /ws/trading, as on the
// trade page), a watchlist and the day's movers as live quote rows (/ws/quotes), and the
// latest fills from the activity query.

const (
	// dashboardMovers is how many of the day's largest moves the dashboard lists.
	dashboardMovers = 6
	// dashboardFills is how many recent fills it lists.
	dashboardFills = 5
)

// dashboardPage is GET / for a signed-in person.
func (s *Server) dashboardPage(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	a, v, err := s.accountAndValue(c)
	if err != nil {
		return err
	}
	env := tradeEnvOf(c)
	sec := tradeSections{figures: true, positions: true}
	d := views.DashboardView{
		Greeting: "Welcome back", AccountName: a.Name,
		Figures: figuresOf(v), Positions: positionsView(env, sec, v), Sections: sec.String(),
	}
	if u.Name != "" {
		d.Greeting += ", " + u.Name
	}

	lists, err := s.watchlists.List(ctx, u)
	if err != nil {
		return err
	}
	if l := dashboardList(lists); l != nil {
		detail, err := s.watchlists.Get(ctx, u, l.ID)
		if err != nil {
			return err
		}
		w, err := s.watchlistView(ctx, detail)
		if err != nil {
			return err
		}
		d.Watchlist = &w
	}
	var shown []string
	if d.Watchlist != nil {
		shown = d.Watchlist.Symbols()
	}
	d.Movers, d.PriceNote, err = s.dayMovers(ctx, lists, shown)
	if err != nil {
		return err
	}
	switch {
	case len(d.Movers) == 0:
		d.MoversNote = "No moves to show yet: prices since the previous close appear once the market data has them."
	case len(shown) > 0:
		d.MoversNote = "From the starter lists, beside the instruments of your watchlist."
	}

	fills, err := models.FillsOf(ctx, s.db, a.ID, a.Period, models.FillCursor{}, dashboardFills)
	if err != nil {
		return err
	}
	loc := userLocation(u)
	for i := range fills {
		d.Fills = append(d.Fills, activityRow(trading.ActivityItem{Fill: &fills[i]}, loc))
	}
	return render(c, views.DashboardPage(s.page(c, "Home"), d))
}

// dashboardList is the watchlist the dashboard shows: the person's own first list, else the
// default global list, else the first they may read; nil when there is none.
func dashboardList(lists []watchlist.List) *watchlist.List {
	for i := range lists {
		if !lists[i].IsGlobal() {
			return &lists[i]
		}
	}
	for i := range lists {
		if lists[i].IsDefault {
			return &lists[i]
		}
	}
	if len(lists) > 0 {
		return &lists[0]
	}
	return nil
}

// dayMovers are the instruments of the global lists, less those already shown, with the day's
// largest moves (in percent, either way). Each symbol appears once on a page: its live cells
// are found by id.
func (s *Server) dayMovers(ctx context.Context, lists []watchlist.List, shown []string) ([]views.MoverRow, string, error) {
	var symbols []string
	for _, l := range lists {
		if !l.IsGlobal() {
			continue
		}
		detail, err := s.watchlists.Get(ctx, nil, l.ID)
		if err != nil {
			return nil, "", err
		}
		for _, it := range detail.Items {
			if !slices.Contains(shown, it.Symbol) && !slices.Contains(symbols, it.Symbol) {
				symbols = append(symbols, it.Symbol)
			}
		}
	}
	if len(symbols) == 0 {
		return nil, "", nil
	}
	byStored, err := models.AssetsBySymbols(ctx, s.db, symbols)
	if err != nil {
		return nil, "", err
	}
	snaps, note := s.snapshots(ctx, symbols)
	var moves []mover
	for _, sym := range symbols {
		a, ok := byStored[sym]
		if !ok {
			continue
		}
		moves = append(moves, mover{asset: a, numbers: numbersOfSnapshot(snaps[sym])})
	}
	return topMovers(moves, dashboardMovers), note, nil
}

// mover is an instrument with its prices, a candidate for the movers list.
type mover struct {
	asset   models.Asset
	numbers quoteNumbers
}

// change is the move since the previous close, as a fraction; ok is false when either price is
// unknown.
func (m mover) change() (decimal.Decimal, bool) {
	n := m.numbers
	if !n.Last.IsPositive() || !n.PrevClose.IsPositive() {
		return decimal.Zero, false
	}
	return n.Last.Sub(n.PrevClose).Div(n.PrevClose), true
}

// topMovers keeps the n largest moves either way, largest first (ties by symbol, so the order is
// stable between renders); instruments without both prices are left out.
func topMovers(moves []mover, n int) []views.MoverRow {
	type ranked struct {
		m   mover
		chg decimal.Decimal
	}
	var rs []ranked
	for _, m := range moves {
		if chg, ok := m.change(); ok {
			rs = append(rs, ranked{m, chg})
		}
	}
	slices.SortFunc(rs, func(a, b ranked) int {
		if c := b.chg.Abs().Cmp(a.chg.Abs()); c != 0 {
			return c
		}
		switch {
		case a.m.asset.Symbol < b.m.asset.Symbol:
			return -1
		case a.m.asset.Symbol > b.m.asset.Symbol:
			return 1
		}
		return 0
	})
	if len(rs) > n {
		rs = rs[:n]
	}
	out := make([]views.MoverRow, len(rs))
	for i, r := range rs {
		a := r.m.asset
		out[i] = views.MoverRow{Up: r.chg.IsPositive(), InstrumentRow: views.InstrumentRow{
			Symbol: a.Symbol, Name: a.Name, Class: string(a.Class), Exchange: a.Exchange, Tradable: a.Tradable,
			Quote: quoteView(a.Symbol, priceFormatOf(&a), r.m.numbers, decimal.Zero),
		}}
	}
	return out
}
