package app

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/stats"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// The portfolio page (GET /portfolio) and its chart's data (GET /portfolio/history): the current
// account's equity curve over a range, the period's statistics, its largest positions and how its
// money is allocated. Everything is computed here with decimals from the equity snapshots, the
// closed trades and the live valuation; the page's script only draws what it is sent.

// historyLookback is how far before a range's start the history reads snapshots, to find the
// equity the range starts from: a week covers a long weekend of a stock-only account, which
// takes no intraday snapshots while the market is closed.
const historyLookback = 7 * 24 * time.Hour

// portfolioTopPositions is how many positions the page summarises.
const portfolioTopPositions = 6

// equityHistory is GET /portfolio/history's answer: the equity curve of one range, thinned to
// the range's resolution and ending with the live equity. Base is the equity at the range's
// start, the chart's baseline. Money is in decimal strings; times in Unix seconds.
type equityHistory struct {
	Range      string        `json:"range" enum:"1D,1W,1M,3M,1Y,all" example:"1M"`
	Base       string        `json:"base" format:"decimal" doc:"The equity at the range's start." example:"100000.00"`
	Points     []equityPoint `json:"points"`
	Change     string        `json:"change" format:"decimal" doc:"P&L over the range (deposits and withdrawals excluded)." example:"1234.56"`
	Return     string        `json:"return" format:"decimal" doc:"Time-weighted return over the range, a fraction." example:"0.0123"`
	ChangeText string        `json:"change_text" doc:"change, for people." example:"+$1,234.56"`
	ReturnText string        `json:"return_text" doc:"return, for people." example:"+1.23%"`
}

// equityPoint is one point of the chart.
type equityPoint struct {
	T      int64  `json:"t" doc:"Unix seconds." example:"1765137600"`
	Equity string `json:"equity" format:"decimal" example:"101234.56"`
}

// portfolioRange is the ?range= of the request, or the default.
func portfolioRange(c *fiber.Ctx) stats.Range {
	if r, ok := stats.ParseRange(c.Query("range")); ok {
		return r
	}
	return stats.DefaultRange
}

// tradingNow is the engine's present moment (the test clock in tests).
func (s *Server) tradingNow() time.Time { return s.trading.Clock().Now().Time.UTC() }

// snapshotCurve turns a period's equity snapshots into the statistics' points, from the period's
// start: a snapshot dated earlier (written before the engine refused them) would count the
// opening deposit as money added to a running account.
func snapshotCurve(snaps []models.EquitySnapshot, periodStart time.Time) []stats.Point {
	out := make([]stats.Point, 0, len(snaps))
	for _, sn := range snaps {
		if sn.At.Before(periodStart) {
			continue
		}
		out = append(out, stats.Point{At: sn.At, Equity: sn.Equity, NetFlow: sn.NetFlow})
	}
	return out
}

// withNow appends the live equity to a curve (in time order) unless a point is already at or
// after that moment.
func withNow(curve []stats.Point, now time.Time, equity decimal.Decimal) []stats.Point {
	if n := len(curve); n > 0 && !now.After(curve[n-1].At) {
		return curve
	}
	return append(slices.Clip(curve), stats.Point{At: now, Equity: equity})
}

// rangeCurve is the part of a curve (in time order) from since on, opened by a point at since
// holding the equity of the last point before it, so a range starts at its start even when
// nothing was recorded at that moment. A zero since keeps the whole curve.
func rangeCurve(curve []stats.Point, since time.Time) []stats.Point {
	if since.IsZero() {
		return curve
	}
	i := sort.Search(len(curve), func(i int) bool { return !curve[i].At.Before(since) })
	switch {
	case i == 0:
		return curve // nothing before the start
	case i < len(curve) && curve[i].At.Equal(since):
		return curve[i:] // a point exactly at the start needs no stand-in
	}
	out := make([]stats.Point, 0, len(curve)-i+1)
	out = append(out, stats.Point{At: since, Equity: curve[i-1].Equity})
	return append(out, curve[i:]...)
}

// buildEquityHistory thins a range's curve for drawing (keeping its first and last points, the
// range's start and now) and measures the change over it. The change is computed on the whole
// curve, before thinning.
func buildEquityHistory(r stats.Range, curve []stats.Point, ny *time.Location) equityHistory {
	h := equityHistory{Range: string(r), Points: []equityPoint{}}
	sum := stats.Summarize(curve, decimal.Zero, nil, ny)
	h.Change, h.Return = sum.TotalPL.StringFixed(2), sum.TotalReturn.String()
	h.ChangeText, h.ReturnText = views.FormatSignedMoney(sum.TotalPL), views.FormatPercent(sum.TotalReturn.Shift(2))
	if len(curve) == 0 {
		h.Base = "0.00"
		return h
	}
	h.Base = curve[0].Equity.StringFixed(2)
	drawn := curve
	if n := len(curve); n > 2 {
		drawn = append([]stats.Point{curve[0]}, stats.Downsample(curve[1:n-1], r.Resolution(), ny)...)
		drawn = append(drawn, curve[n-1])
	}
	for _, p := range drawn {
		t := p.At.Unix()
		// The chart needs strictly increasing times: two points in one second keep the later value.
		if k := len(h.Points) - 1; k >= 0 && t <= h.Points[k].T {
			h.Points[k].Equity = p.Equity.StringFixed(2)
			continue
		}
		h.Points = append(h.Points, equityPoint{T: t, Equity: p.Equity.StringFixed(2)})
	}
	return h
}

// rangeHistory loads and builds the current period's history over r, ending with the live equity.
func (s *Server) rangeHistory(c *fiber.Ctx, a *models.PaperAccount, v trading.Valuation, r stats.Range, now time.Time, ny *time.Location) (equityHistory, error) {
	since := r.Since(now)
	from := since
	if !from.IsZero() {
		from = from.Add(-historyLookback)
	}
	snaps, err := models.EquitySnapshotsOf(c.UserContext(), s.db, a.ID, a.Period, from)
	if err != nil {
		return equityHistory{}, err
	}
	curve := rangeCurve(withNow(snapshotCurve(snaps, a.PeriodStartedAt), now, v.Equity), since)
	return buildEquityHistory(r, curve, ny), nil
}

// portfolioHistory is GET /portfolio/history?range=: the chart's data as JSON.
func (s *Server) portfolioHistory(c *fiber.Ctx) error {
	a, v, err := s.accountAndValue(c)
	if err != nil {
		return err
	}
	ny, err := newYork()
	if err != nil {
		return err
	}
	h, err := s.rangeHistory(c, a, v, portfolioRange(c), s.tradingNow(), ny)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(h)
}

// portfolioPage is GET /portfolio[?range=].
func (s *Server) portfolioPage(c *fiber.Ctx) error {
	a, v, err := s.accountAndValue(c)
	if err != nil {
		return err
	}
	h, err := s.tradingHeader(c, a, v)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	ny, err := newYork()
	if err != nil {
		return err
	}
	loc := userLocation(currentUser(c))
	now, r := s.tradingNow(), portfolioRange(c)

	// The whole period: the statistics are the period's, the chart shows a range of it.
	snaps, err := models.EquitySnapshotsOf(ctx, s.db, a.ID, a.Period, time.Time{})
	if err != nil {
		return err
	}
	curve := withNow(snapshotCurve(snaps, a.PeriodStartedAt), now, v.Equity)
	closed, err := models.ClosedTradePL(ctx, s.db, a.ID, a.Period)
	if err != nil {
		return err
	}
	fills, err := models.FillsOf(ctx, s.db, a.ID, a.Period, models.FillCursor{}, 1)
	if err != nil {
		return err
	}
	hist := buildEquityHistory(r, rangeCurve(curve, r.Since(now)), ny)
	raw, err := json.Marshal(hist)
	if err != nil {
		return fmt.Errorf("app: portfolio history: %w", err)
	}
	sum := stats.Summarize(curve, previousClose(a), closed, ny)

	pv := views.PortfolioView{
		Empty:        len(fills) == 0 && len(v.Positions) == 0,
		StartingCash: views.FormatMoney(a.StartingCash),
		Range:        string(r), Ranges: rangeLinks(r),
		HistoryURL: urls.Path(urls.PortfolioHistory), HistoryJSON: string(raw), TimeZone: loc.String(),
		RangeChange: hist.ChangeText, RangeReturn: hist.ReturnText,
		Stats:      portfolioStats(a, sum, loc),
		Allocation: allocationOf(v),
	}
	change := decimal.RequireFromString(hist.Change)
	pv.RangeUp, pv.RangeDown = change.IsPositive(), change.IsNegative()
	pv.Positions, pv.MorePositions = topPositions(v.Positions, portfolioTopPositions)
	return render(c, views.PortfolioPage(s.page(c, "Portfolio"), h, pv))
}

// previousClose is the account's equity at the previous close, when it has been recorded in this
// period. A new period's last_equity is only its starting cash, so it is not passed: the
// statistics then treat the opening deposit as a flow rather than a day's gain.
func previousClose(a *models.PaperAccount) decimal.Decimal {
	if a.LastEquityAt != nil && a.LastEquityAt.After(a.PeriodStartedAt) {
		return a.LastEquity
	}
	return decimal.Zero
}

// rangeLinks are the range buttons, as links that work without JavaScript.
func rangeLinks(current stats.Range) []views.RangeLink {
	titles := map[stats.Range]string{
		stats.Range1D: "One day", stats.Range1W: "One week", stats.Range1M: "One month",
		stats.Range3M: "Three months", stats.Range1Y: "One year", stats.RangeAll: "Since the period began",
	}
	var out []views.RangeLink
	for _, r := range stats.Ranges() {
		label := string(r)
		if r == stats.RangeAll {
			label = "All"
		}
		out = append(out, views.RangeLink{Value: string(r), Label: label, Title: titles[r],
			Href: urls.Query(urls.Path(urls.Portfolio), "range", string(r)), Current: r == current})
	}
	return out
}

// portfolioStats formats the period's statistics.
func portfolioStats(a *models.PaperAccount, sum stats.Summary, loc *time.Location) views.PortfolioStats {
	st := views.PortfolioStats{
		Period: a.Period, PeriodStarted: a.PeriodStartedAt.In(loc),
		TotalPL: views.FormatSignedMoney(sum.TotalPL), TotalReturn: views.FormatPercent(sum.TotalReturn.Shift(2)),
		TotalUp: sum.TotalPL.Round(2).IsPositive(), TotalDown: sum.TotalPL.Round(2).IsNegative(),
		DayPL: views.FormatSignedMoney(sum.DayPL), DayReturn: views.FormatPercent(sum.DayReturn.Shift(2)),
		DayUp: sum.DayPL.Round(2).IsPositive(), DayDown: sum.DayPL.Round(2).IsNegative(),
		MaxDrawdown: sum.MaxDrawdown.Shift(2).StringFixed(2) + "%",
		Sharpe:      sum.Sharpe.StringFixed(2), SharpeReady: sum.SharpeDays >= 2, SharpeDays: sum.SharpeDays,
		WinRate: "—", Wins: sum.Wins, Losses: sum.Losses,
	}
	if sum.MaxDrawdown.IsPositive() {
		st.DrawdownFrom, st.DrawdownTo = sum.MaxDrawdownFrom.In(loc), sum.MaxDrawdownTo.In(loc)
	}
	if sum.Wins+sum.Losses > 0 {
		st.WinRate = sum.WinRate.Shift(2).StringFixed(1) + "%"
	}
	return st
}

// topPositions summarises the largest positions by market value, and counts the rest.
func topPositions(positions []trading.PositionValue, n int) ([]views.PositionSummary, int) {
	sorted := slices.Clone(positions)
	slices.SortStableFunc(sorted, func(x, y trading.PositionValue) int {
		return y.MarketValue.Abs().Cmp(x.MarketValue.Abs())
	})
	gross := decimal.Zero
	for _, p := range sorted {
		gross = gross.Add(p.MarketValue.Abs())
	}
	more := 0
	if len(sorted) > n {
		more, sorted = len(sorted)-n, sorted[:n]
	}
	out := make([]views.PositionSummary, 0, len(sorted))
	for _, p := range sorted {
		ps := views.PositionSummary{
			Symbol: p.Symbol, Side: p.Side, Qty: views.FormatQty(p.Qty), Price: views.FormatPrice(p.CurrentPrice, decimal.Zero),
			MarketValue: views.FormatMoney(p.MarketValue), UnrealizedPL: views.FormatSignedMoney(p.UnrealizedPL),
			UnrealizedPC: views.FormatPercent(p.UnrealizedPLPC.Shift(2)),
			Up:           p.UnrealizedPL.Round(2).IsPositive(), Down: p.UnrealizedPL.Round(2).IsNegative(),
			Weight:    percentOf(p.MarketValue.Abs(), gross),
			TradeHref: urls.Query(urls.Path(urls.Trade), "symbol", p.Symbol),
		}
		out = append(out, ps)
	}
	return out, more
}

// percentOf is part / whole in percent with one decimal ("37.5"), "0" when whole is not positive.
func percentOf(part, whole decimal.Decimal) string {
	if !whole.IsPositive() {
		return "0"
	}
	return part.Shift(2).DivRound(whole, 1).String()
}

// allocationOf splits the account's gross value between cash, long and short positions, for the
// allocation bar. Borrowed cash (a margin debit) is not a slice: it is said in words.
func allocationOf(v trading.Valuation) views.Allocation {
	parts := []struct {
		key, label string
		amount     decimal.Decimal
	}{
		{"long", "Long", v.LongMarketValue},
		{"short", "Short", v.ShortMarketValue.Abs()},
		{"cash", "Cash", decimal.Max(v.Cash, decimal.Zero)},
	}
	total := decimal.Zero
	for _, p := range parts {
		total = total.Add(p.amount)
	}
	var out views.Allocation
	if v.Cash.Round(2).IsNegative() {
		out.Borrowed = views.FormatMoney(v.Cash.Neg())
	}
	x := decimal.Zero
	for _, p := range parts {
		if !p.amount.Round(2).IsPositive() || !total.IsPositive() {
			continue
		}
		w := p.amount.Shift(2).DivRound(total, 1)
		out.Slices = append(out.Slices, views.AllocationSlice{Key: p.key, Label: p.label, Amount: views.FormatMoney(p.amount),
			Percent: w.String() + "%", X: x.String(), Width: w.String()})
		x = x.Add(w)
	}
	return out
}
