package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/models"
)

// errAssetNotFound is Alpaca's answer for an unknown symbol or asset id.
var errAssetNotFound = alpacaapi.NotFound("asset not found")

// alpacaClock is GET /v2/clock.
func (s *Server) alpacaClock(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	ny, err := newYork()
	if err != nil {
		return err
	}
	return c.JSON(alpacaapi.EncodeClock(s.market.Clock.Now(), ny))
}

// alpacaCalendar is GET /v2/calendar?start=&end=.
func (s *Server) alpacaCalendar(c *fiber.Ctx) error {
	ny, err := newYork()
	if err != nil {
		return err
	}
	from, to, err := alpacaapi.CalendarQuery(alpacaQuery(c, "start", "end", "date_type"), s.market.Clock.Now().Time, ny)
	if err != nil {
		return err
	}
	// A week beyond the end, so the last day's settlement date is the real next trading day.
	days, err := s.calendarDays(c.UserContext(), from, to.AddDate(0, 0, 7))
	if err != nil {
		return s.marketUnavailable(c, "calendar", err)
	}
	return c.JSON(alpacaapi.EncodeCalendar(days, from, to, ny))
}

// alpacaAssets is GET /v2/assets?status=&asset_class=&exchange=: the whole matching catalogue,
// unpaged, as Alpaca lists it.
func (s *Server) alpacaAssets(c *fiber.Ctx) error {
	f, err := alpacaapi.AssetsQuery(alpacaQuery(c, "status", "asset_class", "exchange", "attributes"))
	if err != nil {
		return err
	}
	assets, err := models.FilterAssets(c.UserContext(), s.db, f)
	if err != nil {
		return err
	}
	out := make([]alpacaapi.Asset, len(assets))
	for i := range assets {
		out[i] = alpacaapi.EncodeAsset(&assets[i])
	}
	return c.JSON(out)
}

// alpacaAssetByName finds the asset a path names: a symbol (a crypto pair with or without its
// slash) or an asset id.
func (s *Server) alpacaAssetByName(c *fiber.Ctx, name string) (*models.Asset, error) {
	ctx := c.UserContext()
	if id, ok := alpacaapi.AssetIDOf(name); ok {
		a, err := models.AssetByID(ctx, s.db, id)
		if errors.Is(err, models.ErrNotFound) {
			return nil, errAssetNotFound
		}
		return a, err
	}
	for _, sym := range alpacaapi.SymbolCandidates(name) {
		a, err := models.AssetBySymbol(ctx, s.db, sym)
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
	}
	return nil, errAssetNotFound
}

// alpacaAsset is GET /v2/assets/{symbol or id}.
func (s *Server) alpacaAsset(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	a, err := s.alpacaAssetByName(c, c.Params("*"))
	if err != nil {
		return err
	}
	return c.JSON(alpacaapi.EncodeAsset(a))
}
