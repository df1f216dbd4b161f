package app

import (
	"alpacawrapper/candles"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"bytes"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// The asset catalogue, latest quotes and candles of the JSON API, and the operators' catalogue sync.

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
	return c.JSON(quotesJSON{Quotes: out})
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

// apiSyncAssets is POST /api/v1/admin/sync/assets (administrators): refresh the catalogue now.
// A sync already queued or running absorbs the request, which is still accepted. Like the admin
// page's button, it leaves an audit entry in the same transaction.
func (s *Server) apiSyncAssets(c *fiber.Ctx) error {
	if _, err := s.syncAssetsAudited(c); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(jobQueuedJSON{Status: "queued"})
}
