package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/candles"
	"alpacawrapper/jobs"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/ratelimit"
)

// The market-data endpoints of the JSON API: the asset catalogue, snapshots, latest quotes,
// candles, the market clock and calendar, and the feed's health (the live stream is in
// api_market_stream.go).
//
// Market data is public: guests may read it without credentials, as they may see prices on the
// pages. What protects the service is a per-IP rate limit instead (limitPublic).
//
// Prices, sizes, volumes and percentages are JSON strings holding the exact decimal ("187.42"),
// as Alpaca's trading API writes them: a JSON number is a float to most clients, and money must
// never pass through one. Times are RFC 3339 in UTC.

// Bounds of the market-data endpoints.
const (
	maxQuoteSymbols  = 100 // per /quotes request: a large watchlist in one call, and one bounded provider call
	maxCalendarDays  = 400 // span of one /market/calendar request: a year and some
	defaultCalendar  = 30  // days listed when no end is given
	maxSymbolRunes   = 24  // longer than any Alpaca symbol (options aside)
	percentPrecision = 2   // decimal places of change_percent
)

// limitPublic counts the request against the client's IP for the public endpoints, in this
// process's memory (RATE_LIMIT_PUBLIC): no database write per request, and quotes held in memory
// keep answering while the database is away. A limiter that cannot decide lets the request
// through: the limit only stops runaway scripts, and refusing everyone would be worse.
func (s *Server) limitPublic(c *fiber.Ctx) error {
	err := s.publicLimiter.Allow(s.publicRule, ratelimit.IPKey("market", clientIPOf(c)))
	if _, refused := apperr.As(err); refused {
		return err
	}
	if err != nil {
		s.log.WarnContext(c.UserContext(), "public rate limit not applied", slog.String("request_id", requestID(c)), slog.Any("error", err))
	}
	return c.Next()
}

// queryParams reads typed query parameters, collecting every bad one so that one 422 names them
// all.
type queryParams struct {
	c   *fiber.Ctx
	bad apperr.Fields
}

func newQueryParams(c *fiber.Ctx) *queryParams { return &queryParams{c: c, bad: apperr.Fields{}} }

func (q *queryParams) str(name string) string { return strings.TrimSpace(q.c.Query(name)) }

// flag reads an optional boolean: nil when absent.
func (q *queryParams) flag(name string) *bool {
	raw := q.str(name)
	if raw == "" {
		return nil
	}
	v, err := strconv.ParseBool(raw)
	if err != nil {
		q.bad.Add(name, fmt.Sprintf("%q must be true or false (got %q).", name, raw))
		return nil
	}
	return &v
}

// integer reads an optional whole number in [lo, hi], def when absent.
func (q *queryParams) integer(name string, def, lo, hi int) int {
	raw := q.str(name)
	if raw == "" {
		return def
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < lo || v > hi {
		q.bad.Add(name, fmt.Sprintf("%q must be a whole number from %d to %d (got %q).", name, lo, hi, raw))
		return def
	}
	return v
}

// oneOf reads an optional value from a fixed set (compared in lower case), "" when absent.
func (q *queryParams) oneOf(name string, allowed ...string) string {
	raw := strings.ToLower(q.str(name))
	if raw == "" {
		return ""
	}
	for _, a := range allowed {
		if raw == a {
			return raw
		}
	}
	q.bad.Add(name, fmt.Sprintf("%q must be one of %s (got %q).", name, strings.Join(allowed, ", "), raw))
	return ""
}

// date reads an optional YYYY-MM-DD as midnight of that day in New York.
func (q *queryParams) date(name string, ny *time.Location) (time.Time, bool) {
	raw := q.str(name)
	if raw == "" {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation(time.DateOnly, raw, ny)
	if err != nil {
		q.bad.Add(name, fmt.Sprintf("%q must be a date written YYYY-MM-DD (got %q).", name, raw))
		return time.Time{}, false
	}
	return d, true
}

func (q *queryParams) err() error { return q.bad.Err() }

// decimalString renders a decimal exactly.
func decimalString(d decimal.Decimal) string { return d.String() }

// nullDecimalString renders an optional decimal: null when unknown.
func nullDecimalString(d decimal.NullDecimal) *string {
	if !d.Valid {
		return nil
	}
	s := d.Decimal.String()
	return &s
}

// optionalTime renders a zero time as null.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// assetJSON is an asset of the catalogue. margin_requirement is the maintenance margin in
// percent; it and the crypto increments are null when unknown or not applicable.
type assetJSON struct {
	Symbol            string    `json:"symbol"`
	Name              string    `json:"name"`
	Class             string    `json:"class"`
	Exchange          string    `json:"exchange"`
	Active            bool      `json:"active"`
	Tradable          bool      `json:"tradable"`
	Marginable        bool      `json:"marginable"`
	Shortable         bool      `json:"shortable"`
	EasyToBorrow      bool      `json:"easy_to_borrow"`
	Fractionable      bool      `json:"fractionable"`
	MarginRequirement *string   `json:"margin_requirement"`
	MinOrderSize      *string   `json:"min_order_size"`
	MinTradeIncrement *string   `json:"min_trade_increment"`
	PriceIncrement    *string   `json:"price_increment"`
	SyncedAt          time.Time `json:"synced_at"`
}

func toAssetJSON(a *models.Asset) assetJSON {
	return assetJSON{
		Symbol: a.Symbol, Name: a.Name, Class: string(a.Class), Exchange: a.Exchange, Active: a.Active,
		Tradable: a.Tradable, Marginable: a.Marginable, Shortable: a.Shortable, EasyToBorrow: a.EasyToBorrow,
		Fractionable: a.Fractionable, MarginRequirement: nullDecimalString(a.MarginRequirement),
		MinOrderSize: nullDecimalString(a.MinOrderSize), MinTradeIncrement: nullDecimalString(a.MinTradeIncrement),
		PriceIncrement: nullDecimalString(a.PriceIncrement), SyncedAt: a.SyncedAt.UTC(),
	}
}

// quoteJSON is the best bid and offer at a moment.
type quoteJSON struct {
	Symbol      string    `json:"symbol"`
	BidPrice    string    `json:"bid_price"`
	BidSize     string    `json:"bid_size"`
	AskPrice    string    `json:"ask_price"`
	AskSize     string    `json:"ask_size"`
	BidExchange string    `json:"bid_exchange,omitempty"`
	AskExchange string    `json:"ask_exchange,omitempty"`
	Time        time.Time `json:"time"`
}

func toQuoteJSON(q market.Quote) quoteJSON {
	return quoteJSON{
		Symbol: q.Symbol, BidPrice: decimalString(q.BidPrice), BidSize: decimalString(q.BidSize),
		AskPrice: decimalString(q.AskPrice), AskSize: decimalString(q.AskSize),
		BidExchange: q.BidExchange, AskExchange: q.AskExchange, Time: q.Time.UTC(),
	}
}

// tradeJSON is one print.
type tradeJSON struct {
	Symbol   string    `json:"symbol"`
	ID       int64     `json:"id"`
	Price    string    `json:"price"`
	Size     string    `json:"size"`
	Exchange string    `json:"exchange,omitempty"`
	Time     time.Time `json:"time"`
}

func toTradeJSON(t market.Trade) tradeJSON {
	return tradeJSON{Symbol: t.Symbol, ID: t.ID, Price: decimalString(t.Price), Size: decimalString(t.Size),
		Exchange: t.Exchange, Time: t.Time.UTC()}
}

// barJSON is a candle; time is the start of its interval. symbol is left out where the answer
// already names it (a page of candles).
type barJSON struct {
	Symbol     string    `json:"symbol,omitempty"`
	Time       time.Time `json:"time"`
	Open       string    `json:"open"`
	High       string    `json:"high"`
	Low        string    `json:"low"`
	Close      string    `json:"close"`
	Volume     string    `json:"volume"`
	TradeCount int64     `json:"trade_count"`
	VWAP       string    `json:"vwap"`
}

func toBarJSON(b market.Bar, withSymbol bool) barJSON {
	out := barJSON{Time: b.Start.UTC(), Open: decimalString(b.Open), High: decimalString(b.High),
		Low: decimalString(b.Low), Close: decimalString(b.Close), Volume: decimalString(b.Volume),
		TradeCount: b.TradeCount, VWAP: decimalString(b.VWAP)}
	if withSymbol {
		out.Symbol = b.Symbol
	}
	return out
}

func optionalBar(b *market.Bar) *barJSON {
	if b == nil {
		return nil
	}
	j := toBarJSON(*b, false)
	return &j
}

// snapshotJSON is everything known about a symbol now. price is the latest print (or, without
// one, the daily close or the quote's midpoint); change and change_percent compare it with the
// previous day's close, and are null when either is unknown.
type snapshotJSON struct {
	LatestQuote   *quoteJSON `json:"latest_quote"`
	LatestTrade   *tradeJSON `json:"latest_trade"`
	MinuteBar     *barJSON   `json:"minute_bar"`
	DailyBar      *barJSON   `json:"daily_bar"`
	PrevDailyBar  *barJSON   `json:"prev_daily_bar"`
	Price         *string    `json:"price"`
	PrevClose     *string    `json:"prev_close"`
	Change        *string    `json:"change"`
	ChangePercent *string    `json:"change_percent"`
}

func toSnapshotJSON(s market.Snapshot) snapshotJSON {
	out := snapshotJSON{MinuteBar: optionalBar(s.MinuteBar), DailyBar: optionalBar(s.DailyBar),
		PrevDailyBar: optionalBar(s.PrevDailyBar)}
	if s.LatestQuote != nil {
		q := toQuoteJSON(*s.LatestQuote)
		out.LatestQuote = &q
	}
	if s.LatestTrade != nil {
		t := toTradeJSON(*s.LatestTrade)
		out.LatestTrade = &t
	}
	price, ok := lastPrice(s)
	if !ok {
		return out
	}
	str := func(d decimal.Decimal) *string { v := d.String(); return &v }
	out.Price = str(price)
	if s.PrevDailyBar != nil && s.PrevDailyBar.Close.IsPositive() {
		prev := s.PrevDailyBar.Close
		change := price.Sub(prev)
		pct := change.Mul(decimal.NewFromInt(100)).Div(prev).StringFixed(percentPrecision)
		out.PrevClose, out.Change, out.ChangePercent = str(prev), str(change), &pct
	}
	return out
}

// lastPrice is the best idea of "the price now" a snapshot gives.
func lastPrice(s market.Snapshot) (decimal.Decimal, bool) {
	switch {
	case s.LatestTrade != nil && s.LatestTrade.Price.IsPositive():
		return s.LatestTrade.Price, true
	case s.DailyBar != nil && s.DailyBar.Close.IsPositive():
		return s.DailyBar.Close, true
	case s.LatestQuote != nil && s.LatestQuote.Valid():
		return s.LatestQuote.Mid(), true
	}
	return decimal.Decimal{}, false
}

// assetFromPath finds the asset the rest of the path names. A crypto pair may be written BTC/USD,
// BTC%2FUSD or BTCUSD, in any case, as on the watchlist API.
func (s *Server) assetFromPath(c *fiber.Ctx) (*models.Asset, error) {
	notFound := apperr.New(apperr.KindNotFound, "asset_not_found", "There is no such asset.")
	symbol, err := url.PathUnescape(c.Params("*"))
	if err != nil {
		return nil, apperr.Invalid(map[string]string{"symbol": "The symbol in the path is not validly escaped."})
	}
	symbol = strings.TrimSpace(symbol)
	if !plausibleSymbol(symbol) {
		return nil, notFound
	}
	a, err := models.WatchableAssetBySymbol(c.UserContext(), s.db, symbol)
	if errors.Is(err, models.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	return a, nil
}

// plausibleSymbol rejects what cannot be a symbol before it reaches the database.
func plausibleSymbol(s string) bool {
	n := len([]rune(s))
	return n > 0 && n <= maxSymbolRunes && strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) < 0
}

// resolveSymbols turns a comma-separated list into catalogue symbols, in the order given without
// repeats: any case, and crypto pairs with or without their slash. Anything empty, too long or
// unknown is refused, naming the parameter. The in-memory catalogue answers (no query, so a list
// of unknown symbols costs nothing and public quotes keep answering while the database is away);
// only when it has never loaded does the database answer instead.
func (s *Server) resolveSymbols(ctx context.Context, param, raw string, limit int) ([]string, error) {
	typed, err := typedSymbols(param, raw, limit)
	if err != nil {
		return nil, err
	}
	if s.live != nil {
		if found, ok := s.live.catalog.Lookup(ctx, typed); ok {
			return resolvedFrom(param, typed, func(sym string) (string, bool) {
				e, ok := found[sym]
				return e.Symbol, ok
			})
		}
	}
	return s.resolveSymbolsInDB(ctx, param, typed)
}

// typedSymbols splits, upper-cases and checks a comma-separated list, without repeats.
func typedSymbols(param, raw string, limit int) ([]string, error) {
	var typed []string
	seen := map[string]bool{}
	for _, part := range strings.Split(raw, ",") {
		sym := strings.ToUpper(strings.TrimSpace(part))
		if sym == "" || seen[sym] {
			continue
		}
		if !plausibleSymbol(sym) {
			return nil, apperr.Invalid(map[string]string{param: fmt.Sprintf("%q is not a symbol. Symbols look like AAPL, BRK.B or BTC/USD.", sym)})
		}
		seen[sym] = true
		typed = append(typed, sym)
	}
	switch {
	case len(typed) == 0:
		return nil, apperr.Invalid(map[string]string{param: fmt.Sprintf("Name at least one symbol, as %s=AAPL,BTC/USD.", param)})
	case len(typed) > limit:
		return nil, apperr.Invalid(map[string]string{param: fmt.Sprintf("Ask for at most %d symbols at once (got %d).", limit, len(typed))})
	}
	return typed, nil
}

// resolvedFrom maps typed symbols to their stored spelling with lookup, refusing the unknown ones
// all together.
func resolvedFrom(param string, typed []string, lookup func(string) (string, bool)) ([]string, error) {
	out := make([]string, 0, len(typed))
	var unknown []string
	added := map[string]bool{}
	for _, sym := range typed {
		stored, ok := lookup(sym)
		if !ok {
			unknown = append(unknown, sym)
			continue
		}
		if !added[stored] {
			added[stored] = true
			out = append(out, stored)
		}
	}
	if len(unknown) > 0 {
		return nil, apperr.Invalid(map[string]string{param: "Unknown symbols: " + strings.Join(unknown, ", ") + "."})
	}
	return out, nil
}

// resolveSymbolsInDB is resolveSymbols from the database, for a process whose catalogue has not
// loaded yet.
func (s *Server) resolveSymbolsInDB(ctx context.Context, param string, typed []string) ([]string, error) {
	found, err := models.AssetsBySymbols(ctx, s.db, typed)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	byUpper := make(map[string]string, len(found))
	for stored := range found {
		byUpper[strings.ToUpper(stored)] = stored
	}
	var dbErr error
	out, err := resolvedFrom(param, typed, func(sym string) (string, bool) {
		if stored, ok := byUpper[sym]; ok || strings.Contains(sym, "/") || dbErr != nil {
			return stored, ok
		}
		// Rare (a pair typed without its slash), so one more lookup each is fine here.
		a, err := models.WatchableAssetBySymbol(ctx, s.db, sym)
		if err != nil {
			if !errors.Is(err, models.ErrNotFound) {
				dbErr = err
			}
			return "", false
		}
		return a.Symbol, true
	})
	if dbErr != nil {
		return nil, fmt.Errorf("app: %w", dbErr)
	}
	return out, err
}

// assetListJSON is a page of search results with the counts beside them.
type assetListJSON struct {
	Assets []assetJSON     `json:"assets"`
	Total  int64           `json:"total"`
	Limit  int             `json:"limit"`
	Offset int             `json:"offset"`
	Facets assetFacetsJSON `json:"facets"`
}

// assetFacetsJSON counts the matches by class and by exchange, each ignoring its own filter so
// the other choices show what picking them would give.
type assetFacetsJSON struct {
	Class    map[string]int64 `json:"class"`
	Exchange map[string]int64 `json:"exchange"`
}

// apiAssets is GET /api/v1/assets: search the catalogue. q matches symbols and names (best
// first); class, exchange and the flags filter; include_inactive lists delisted assets too.
func (s *Server) apiAssets(c *fiber.Ctx) error {
	p := newQueryParams(c)
	q := models.AssetQuery{
		Text:         p.str("q"),
		Class:        p.oneOf("class", string(market.USEquity), string(market.Crypto)),
		Exchange:     strings.ToUpper(p.str("exchange")),
		Tradable:     p.flag("tradable"),
		Marginable:   p.flag("marginable"),
		Shortable:    p.flag("shortable"),
		Fractionable: p.flag("fractionable"),
		Limit:        p.integer("limit", models.DefaultAssetLimit, 1, models.MaxAssetLimit),
		Offset:       p.integer("offset", 0, 0, 1_000_000),
	}
	if inactive := p.flag("include_inactive"); inactive != nil {
		q.IncludeInactive = *inactive
	}
	if err := p.err(); err != nil {
		return err
	}
	res, err := models.SearchAssetsWithFacets(c.UserContext(), s.db, q)
	if err != nil {
		return err
	}
	out := assetListJSON{Assets: make([]assetJSON, len(res.Assets)), Total: res.Total, Limit: q.Limit, Offset: q.Offset,
		Facets: assetFacetsJSON{Class: res.ByClass, Exchange: res.ByExchange}}
	for i := range res.Assets {
		out.Assets[i] = toAssetJSON(&res.Assets[i])
	}
	return c.JSON(out)
}

// assetDetailJSON is an asset with its market snapshot. snapshot is null when the provider has no
// data for it (a delisted asset) or could not be reached; snapshot_error then says which.
type assetDetailJSON struct {
	assetJSON
	Snapshot      *snapshotJSON `json:"snapshot"`
	SnapshotError string        `json:"snapshot_error,omitempty"`
}

// apiAsset is GET /api/v1/assets/:symbol: the asset and its latest quote, print and bars, with
// the day's change. The catalogue answer stands even when the provider fails, since it comes from
// our own database; the failure is logged and noted in snapshot_error.
func (s *Server) apiAsset(c *fiber.Ctx) error {
	a, err := s.assetFromPath(c)
	if err != nil {
		return err
	}
	out := assetDetailJSON{assetJSON: toAssetJSON(a)}
	snaps, err := s.market.Pages.Snapshots(c.UserContext(), []string{a.Symbol})
	switch snap, ok := snaps[a.Symbol]; {
	case ok:
		j := toSnapshotJSON(snap)
		out.Snapshot = &j
	case err != nil:
		s.log.WarnContext(c.UserContext(), "market snapshot unavailable", slog.String("symbol", a.Symbol),
			slog.String("request_id", requestID(c)), slog.Any("error", err))
		out.SnapshotError = "Live market data is unavailable right now; try again shortly."
	}
	return c.JSON(out)
}

// apiQuotes is GET /api/v1/quotes?symbols=A,B: the latest quote of each, keyed by symbol, at most
// maxQuoteSymbols at once. A symbol nothing is known of is absent. Quotes come from the stream
// and a short cache first (market.LastKnown), so polling costs the provider nothing, and a slow or
// failing provider only leaves out what was never known.
func (s *Server) apiQuotes(c *fiber.Ctx) error {
	symbols, err := s.resolveSymbols(c.UserContext(), "symbols", c.Query("symbols"), maxQuoteSymbols)
	if err != nil {
		return err
	}
	quotes, err := s.market.Pages.LatestQuotes(c.UserContext(), symbols)
	if err != nil && len(quotes) == 0 {
		return s.marketUnavailable(c, "latest quotes", err)
	}
	out := make(map[string]quoteJSON, len(quotes))
	for sym, q := range quotes {
		if q.Symbol == "" {
			q.Symbol = sym
		}
		out[sym] = toQuoteJSON(q)
	}
	return c.JSON(fiber.Map{"quotes": out})
}

// candlePageJSON is one page of candles, oldest first. next_cursor (pass it as before) loads
// older candles and is null at the beginning of history; prev_cursor (as after) loads newer ones.
type candlePageJSON struct {
	Symbol     string    `json:"symbol"`
	Timeframe  string    `json:"timeframe"`
	Candles    []barJSON `json:"candles"`
	NextCursor *string   `json:"next_cursor"`
	PrevCursor *string   `json:"prev_cursor"`
}

// apiCandles is GET /api/v1/assets/:symbol/candles?timeframe=&before=&after=&limit=: one page of
// candles (timeframe 1D unless given). With format=csv, or Accept: text/csv, the same page comes
// as a CSV download, which is how a chart exports what it shows.
func (s *Server) apiCandles(c *fiber.Ctx) error {
	p := newQueryParams(c)
	tf := p.str("timeframe")
	if tf == "" {
		tf = string(market.Day1)
	}
	limit := p.integer("limit", candles.DefaultLimit, 1, candles.MaxLimit)
	format := p.oneOf("format", "json", "csv")
	if err := p.err(); err != nil {
		return err
	}
	a, err := s.assetFromPath(c)
	if err != nil {
		return err
	}
	page, err := s.market.Candles.Query(c.UserContext(), candles.CandleQuery{
		AssetID: a.ID, Timeframe: market.Timeframe(tf), Before: p.str("before"), After: p.str("after"), Limit: limit,
	})
	if err != nil {
		return err
	}
	c.Vary(fiber.HeaderAccept)
	if format == "csv" || (format == "" && c.Accepts(fiber.MIMEApplicationJSON, "text/csv") == "text/csv") {
		var buf bytes.Buffer
		if err := candles.WriteCSV(&buf, page.Candles); err != nil {
			return err
		}
		// Symbols hold letters, digits, dots and the pair's slash; only the slash needs replacing.
		name := strings.ReplaceAll(page.Symbol, "/", "-") + "-" + string(page.Timeframe) + ".csv"
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
		return c.Send(buf.Bytes())
	}
	out := candlePageJSON{Symbol: page.Symbol, Timeframe: string(page.Timeframe), Candles: make([]barJSON, len(page.Candles))}
	for i, b := range page.Candles {
		out.Candles[i] = toBarJSON(b, false)
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	if page.PrevCursor != "" {
		out.PrevCursor = &page.PrevCursor
	}
	return c.JSON(out)
}

// tradingDayJSON is one trading day: the regular session and the extended one around it.
type tradingDayJSON struct {
	Date         string    `json:"date"` // YYYY-MM-DD in New York
	Open         time.Time `json:"open"`
	Close        time.Time `json:"close"`
	SessionOpen  time.Time `json:"session_open"`
	SessionClose time.Time `json:"session_close"`
}

// toTradingDayJSON names the day by its open's date in New York, whatever zone the provider gave
// Date in.
func toTradingDayJSON(d market.CalendarDay, ny *time.Location) tradingDayJSON {
	return tradingDayJSON{Date: d.Open.In(ny).Format(time.DateOnly), Open: d.Open.UTC(),
		Close: d.Close.UTC(), SessionOpen: d.SessionOpen.UTC(), SessionClose: d.SessionClose.UTC()}
}

// apiMarketClock is GET /api/v1/market/clock: the stock market's session now, when it next opens
// and closes, and today's hours (null on weekends and holidays). Crypto trades around the clock.
func (s *Server) apiMarketClock(c *fiber.Ctx) error {
	ny, err := newYork()
	if err != nil {
		return err
	}
	st := s.market.Clock.Now()
	var today *tradingDayJSON
	if st.Day != nil {
		d := toTradingDayJSON(*st.Day, ny)
		today = &d
	}
	return c.JSON(fiber.Map{
		"timestamp": st.Time.UTC(), "session": st.Session, "is_open": st.IsOpen,
		"next_open": optionalTime(st.NextOpen), "next_close": optionalTime(st.NextClose), "today": today,
		"always_open": s.market.Clock.AlwaysOpen(),
	})
}

// apiMarketCalendar is GET /api/v1/market/calendar?start=&end=: the trading days from start
// (default today) to end (default a month on), dates in New York, at most maxCalendarDays apart.
func (s *Server) apiMarketCalendar(c *fiber.Ctx) error {
	ny, err := newYork()
	if err != nil {
		return err
	}
	p := newQueryParams(c)
	start, hasStart := p.date("start", ny)
	end, hasEnd := p.date("end", ny)
	if err := p.err(); err != nil {
		return err
	}
	if !hasStart {
		y, m, d := s.market.Clock.Now().Time.In(ny).Date()
		start = time.Date(y, m, d, 0, 0, 0, 0, ny)
	}
	if !hasEnd {
		end = start.AddDate(0, 0, defaultCalendar)
	}
	switch {
	case end.Before(start):
		return apperr.Invalid(map[string]string{"end": "\"end\" must not be before \"start\"."})
	case end.After(start.AddDate(0, 0, maxCalendarDays)):
		return apperr.Invalid(map[string]string{"end": fmt.Sprintf("Ask for at most %d days at once.", maxCalendarDays)})
	}
	days, err := s.calendarDays(c.UserContext(), start, end)
	if err != nil {
		return s.marketUnavailable(c, "calendar", err)
	}
	out := make([]tradingDayJSON, len(days))
	for i, d := range days {
		out[i] = toTradingDayJSON(d, ny)
	}
	return c.JSON(fiber.Map{"start": start.Format(time.DateOnly), "end": end.Format(time.DateOnly), "days": out})
}

// marketUnavailable logs why the provider (or the database behind it) failed and tells the client
// to try again: a 503, since nothing is wrong with the request and retrying later may well work.
func (s *Server) marketUnavailable(c *fiber.Ctx, what string, err error) error {
	s.log.ErrorContext(c.UserContext(), "market data unavailable", slog.String("what", what),
		slog.String("provider", s.market.Provider.Name()), slog.String("request_id", requestID(c)), slog.Any("error", err))
	return fiber.NewError(fiber.StatusServiceUnavailable, "Market data is unavailable right now; please try again shortly.")
}

// newYork is the exchange's time zone (the market package embeds the zone database).
func newYork() (*time.Location, error) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, fmt.Errorf("app: time zone: %w", err)
	}
	return ny, nil
}

// calendarDays reads the synced calendar and, where it holds nothing for the range (a new
// install, or dates beyond the synced window), asks the provider: the same rule the clock follows.
func (s *Server) calendarDays(ctx context.Context, from, to time.Time) ([]market.CalendarDay, error) {
	days, err := models.MarketDaysBetween(ctx, s.db, from, to)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	if len(days) > 0 {
		return days, nil
	}
	if days, err = s.market.Provider.Calendar(ctx, from, to); err != nil {
		return nil, fmt.Errorf("app: calendar from %s: %w", s.market.Provider.Name(), err)
	}
	return days, nil
}

// apiMarketStatus is GET /api/v1/market/status: where market data comes from and how its feed
// and hub are doing, for operators and the feed badge.
func (s *Server) apiMarketStatus(c *fiber.Ctx) error {
	m := s.market
	stream := m.Provider.Stream()
	st := stream.Status()
	hub := m.Hub.Stats()
	cal := m.Clock.Status()
	return c.JSON(fiber.Map{
		"provider": m.Provider.Name(),
		"stream": fiber.Map{
			"connected": st.Connected, "symbols": st.Symbols, "symbol_limit": stream.SymbolLimit(),
			"last_message_at": optionalTime(st.LastMessageAt), "reconnects": st.Reconnects, "last_error": st.LastError,
		},
		"hub": fiber.Map{
			"published": hub.Published, "coalesced": hub.Coalesced, "dropped": hub.Dropped, "unrouted": hub.Unrouted,
			"subscriptions": hub.Subscriptions, "symbols": hub.Symbols, "wanted": len(m.Hub.Wanted(0)),
		},
		"calendar": fiber.Map{
			"loaded_at": optionalTime(cal.LoadedAt), "days": cal.Days, "last_error": cal.LastError,
		},
	})
}

// apiSyncAssets is POST /api/v1/admin/sync/assets (administrators): refresh the catalogue now.
// A sync already queued or running absorbs the request, which is still accepted.
func (s *Server) apiSyncAssets(c *fiber.Ctx) error {
	if err := jobs.EnqueueSyncAssets(c.UserContext(), s.river); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "queued"})
}
