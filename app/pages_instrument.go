package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/candles"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// The instrument page's market summary and the viewer's own stake in it (issue 14, item 10): a
// sparkline and the 52-week range from the daily candles, the quote's sizes, the day's range and
// volume, and for a signed-in person their position and open orders in the symbol.

const (
	// sparkDays is how many daily closes the sparkline draws.
	sparkDays = 60
	// yearCandles asks for a year of daily candles and then some (crypto trades every day).
	yearCandles = 400
	// sparkWidth and sparkHeight are the sparkline's drawing box (the SVG scales to its card).
	sparkWidth, sparkHeight = 300, 64
)

// instrumentHistory fills the sparkline and the 52-week range from the daily candles. No
// candles (a symbol nobody has charted yet) leaves both out; the page says so.
func (s *Server) instrumentHistory(ctx context.Context, a *models.Asset, f priceFormat, now time.Time, d *views.InstrumentDetail) error {
	if s.market == nil || s.market.Candles == nil {
		return nil
	}
	page, err := s.market.Candles.Query(ctx, candles.CandleQuery{AssetID: a.ID, Timeframe: market.Day1, Limit: yearCandles})
	if err != nil {
		return err
	}
	yearAgo := now.AddDate(-1, 0, 0)
	var year []market.Bar
	for _, b := range page.Candles {
		if !b.Start.Before(yearAgo) {
			year = append(year, b)
		}
	}
	if len(year) == 0 {
		d.HistoryNote = "No daily history yet: the sparkline and the 52-week range appear once there is some."
		return nil
	}
	low, high := year[0].Low, year[0].High
	for _, b := range year[1:] {
		low, high = decimal.Min(low, b.Low), decimal.Max(high, b.High)
	}
	d.YearRange = f.price(low) + " – " + f.price(high)
	// Shorter than a year: the oldest candle kept is well inside the year and nothing is older.
	if page.NextCursor == "" && year[0].Start.After(yearAgo.AddDate(0, 0, 7)) {
		d.YearRangeNote = "From " + plural(len(year), "day") + " of history, less than a year."
	}

	spark := year
	if len(spark) > sparkDays {
		spark = spark[len(spark)-sparkDays:]
	}
	closes := make([]decimal.Decimal, len(spark))
	for i, b := range spark {
		closes[i] = b.Close
	}
	if pts := sparkPoints(closes, sparkWidth, sparkHeight); pts != "" {
		first, last := closes[0], closes[len(closes)-1]
		d.Spark = &views.Sparkline{Points: pts, Width: sparkWidth, Height: sparkHeight,
			Up: last.GreaterThanOrEqual(first), Days: len(closes),
			Label: a.Symbol + " daily closes over " + plural(len(closes), "day") + ", from " + f.price(first) + " to " + f.price(last)}
	}
	return nil
}

// sparkPoints maps values onto an SVG polyline's points in a w×h box, the oldest at the left and
// the highest at the top, leaving a pixel at the top and bottom for the stroke. Fewer than two
// values draw nothing ("").
func sparkPoints(values []decimal.Decimal, w, h int) string {
	if len(values) < 2 {
		return ""
	}
	lo, hi := values[0], values[0]
	for _, v := range values[1:] {
		lo, hi = decimal.Min(lo, v), decimal.Max(hi, v)
	}
	span := hi.Sub(lo)
	usable := decimal.NewFromInt(int64(h - 2))
	var b strings.Builder
	for i, v := range values {
		x := decimal.NewFromInt(int64(w * i)).Div(decimal.NewFromInt(int64(len(values) - 1)))
		y := decimal.NewFromInt(int64(h) / 2)
		if span.IsPositive() {
			y = decimal.NewFromInt(1).Add(hi.Sub(v).Div(span).Mul(usable))
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x.StringFixed(1) + "," + y.StringFixed(1))
	}
	return b.String()
}

// plural writes a count with its noun: "1 day", "34 days".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// instrumentStake fills the viewer's position in the symbol and their open orders for it, in
// their current account.
func (s *Server) instrumentStake(ctx context.Context, a *models.PaperAccount, symbol string, d *views.InstrumentDetail) error {
	v, err := s.pageValue(ctx, a)
	if err != nil {
		return err
	}
	for _, p := range v.Positions {
		if p.Symbol != symbol {
			continue
		}
		d.Position = &views.InstrumentPosition{
			Side: p.Side, Qty: views.FormatQty(p.Qty.Abs()), AvgEntry: views.FormatPrice(p.AvgEntryPrice, decimal.Zero),
			MarketValue: views.FormatMoney(p.MarketValue), UnrealizedPL: views.FormatSignedMoney(p.UnrealizedPL),
			UnrealizedPLPC: views.FormatPercent(p.UnrealizedPLPC.Mul(hundredPct)),
			Up:             p.UnrealizedPL.Round(2).IsPositive(), Down: p.UnrealizedPL.Round(2).IsNegative(),
		}
	}
	orders, err := models.ListOrders(ctx, s.db, models.OrderQuery{AccountID: a.ID, Period: a.Period, Status: "open",
		Symbols: []string{symbol}, Limit: 20})
	if err != nil {
		return err
	}
	for i := range orders {
		o := &orders[i]
		d.OpenOrders = append(d.OpenOrders, views.InstrumentOrder{
			Text: describeOrder(o), Status: strings.ReplaceAll(o.Status, "_", " "), TIF: o.TimeInForce,
			Href: urls.Query(urls.Path(urls.Orders), "status", "open") + "#order-" + o.ID.String(),
		})
	}
	d.AccountName = a.Name
	return nil
}
