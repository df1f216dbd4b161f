package app

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// The chart page's defaults: an hour per candle shows a few weeks of backfilled history at once,
// and candlesticks are what most people expect of a price chart.
const (
	defaultChartTimeframe = market.Hour1
	defaultChartType      = "candles"
)

// chartPage is GET /chart/{symbol}: the interactive chart of one instrument. It is public, like
// the candles API it reads from. The page state (timeframe, series type, indicators) lives in the
// URL (?tf=1h&type=candles&ind=sma20,rsi), so a chart can be bookmarked and shared; invalid values
// fall back to the defaults rather than failing, since they only choose how to draw.
func (s *Server) chartPage(c *fiber.Ctx) error {
	a, err := s.assetFromPath(c)
	if err != nil {
		return err
	}
	v := chartViewOf(a)
	if tf, ok := market.ParseTimeframe(strings.TrimSpace(c.Query("tf"))); ok {
		v.Timeframe = string(tf)
	}
	if t := strings.ToLower(strings.TrimSpace(c.Query("type"))); validChartType(t) {
		v.Type = t
	}
	v.NoVolume = c.Query("vol") == "0"
	if c.Context().QueryArgs().Has("ind") {
		if ind, err := validChartIndicators(c.Query("ind")); err == nil {
			v.Indicators = ind
		}
	} else if u := currentUser(c); u != nil {
		// Without ind= in the URL, a signed-in person's chart starts with the indicators they
		// last set up (pages_chart_settings.go); a shared link's ind= still shows what it names.
		saved, err := models.ChartIndicatorsOf(c.UserContext(), s.db, u.ID)
		if err != nil {
			return err
		}
		v.Indicators = saved
	}
	if u := currentUser(c); u != nil {
		v.SaveURL = urls.Path(urls.SettingsChart)
	}
	p := s.page(c, a.Symbol+" chart")
	p.Description = "Live " + a.Symbol + " price chart with candlesticks, volume and 22 configurable indicators: moving averages, Bollinger bands, VWAP, RSI, MACD and more."
	return render(c, views.ChartPage(p, v))
}

// chartViewOf describes an asset for the chart page, with the default settings.
func chartViewOf(a *models.Asset) views.ChartView {
	v := views.ChartView{
		Symbol: a.Symbol, Name: a.Name, Crypto: a.Class == market.Crypto, Exchange: a.Exchange,
		Timeframe: string(defaultChartTimeframe), Type: defaultChartType, Precision: a.PricePrecision(),
		// The symbol is escaped as one path segment; the API takes a pair's slash escaped too.
		CandlesURL: "/api/v1/assets/" + url.PathEscape(a.Symbol) + "/candles",
		DetailURL:  views.InstrumentHref(a.Symbol),
	}
	return v
}

func validChartType(t string) bool {
	for _, o := range views.ChartTypes() {
		if o.Value == t {
			return true
		}
	}
	return false
}
