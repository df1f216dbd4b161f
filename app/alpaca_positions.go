package app

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/models"
	"alpacawrapper/trading"
)

// errPositionNotFound is Alpaca's answer for a symbol the account holds no position in.
var errPositionNotFound = alpacaapi.NotFound("position does not exist")

// alpacaPositionValues values the caller's account with today's change on each position.
func (s *Server) alpacaPositionValues(c *fiber.Ctx) (*models.PaperAccount, []trading.PositionValue, map[string]models.Asset, error) {
	_, a, err := s.alpacaAccount(c)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx := c.UserContext()
	v, err := s.trading.Value(ctx, s.db, a)
	if err != nil {
		return nil, nil, nil, err
	}
	s.trading.AddDayChange(ctx, &v)
	symbols := make([]string, len(v.Positions))
	for i, p := range v.Positions {
		symbols[i] = p.Symbol
	}
	assets, err := models.AssetsBySymbols(ctx, s.db, symbols)
	if err != nil {
		return nil, nil, nil, err
	}
	return a, v.Positions, assets, nil
}

func encodePosition(p trading.PositionValue, assets map[string]models.Asset) alpacaapi.Position {
	var asset *models.Asset
	if x, ok := assets[p.Symbol]; ok {
		asset = &x
	}
	return alpacaapi.EncodePosition(p, asset)
}

// alpacaListPositions is GET /v2/positions.
func (s *Server) alpacaListPositions(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	_, positions, assets, err := s.alpacaPositionValues(c)
	if err != nil {
		return err
	}
	out := make([]alpacaapi.Position, len(positions))
	for i, p := range positions {
		out[i] = encodePosition(p, assets)
	}
	return c.JSON(out)
}

// alpacaGetPosition is GET /v2/positions/{symbol or asset id} (the Go SDK repeats the symbol as
// ?symbol=).
func (s *Server) alpacaGetPosition(c *fiber.Ctx) error {
	if err := alpacaQuery(c, "symbol").Err(); err != nil {
		return err
	}
	_, positions, assets, err := s.alpacaPositionValues(c)
	if err != nil {
		return err
	}
	p, ok := alpacaapi.FindPosition(positions, c.Params("*"))
	if !ok {
		return errPositionNotFound
	}
	return c.JSON(encodePosition(p, assets))
}

// alpacaClosePosition is DELETE /v2/positions/{symbol}?qty=|percentage=: a market order that
// closes all or part of it.
func (s *Server) alpacaClosePosition(c *fiber.Ctx) error {
	qty, pct, err := alpacaapi.ClosePositionQuery(alpacaQuery(c, "qty", "percentage"))
	if err != nil {
		return err
	}
	caller, _ := AlpacaCallerOf(c)
	_, positions, _, err := s.alpacaPositionValues(c)
	if err != nil {
		return err
	}
	p, ok := alpacaapi.FindPosition(positions, c.Params("*"))
	if !ok {
		return errPositionNotFound
	}
	o, err := s.trading.ClosePosition(c.UserContext(), caller.UserID, caller.AccountID, p.Symbol, qty, pct, trading.SourceAPI)
	if err != nil {
		return err
	}
	return s.sendOrder(c, http.StatusOK, o)
}

// alpacaCloseAll is DELETE /v2/positions?cancel_orders=: every position closed by a market order,
// answered 207 with one entry per symbol (the order, or what refused it). cancel_orders cancels
// the open orders first, which would otherwise hold the shares.
func (s *Server) alpacaCloseAll(c *fiber.Ctx) error {
	q := alpacaQuery(c, "cancel_orders")
	cancel := q.Bool("cancel_orders", false)
	if err := q.Err(); err != nil {
		return err
	}
	caller, ok := AlpacaCallerOf(c)
	if !ok {
		return errNotAuthorized
	}
	ctx := c.UserContext()
	if cancel {
		if _, err := s.trading.CancelAll(ctx, caller.UserID, caller.AccountID); err != nil {
			return err
		}
	}
	a, err := s.trading.Account(ctx, caller.UserID, caller.AccountID)
	if err != nil {
		return err
	}
	positions, err := models.PositionsOf(ctx, s.db, a.ID, a.Period)
	if err != nil {
		return err
	}
	out := make([]alpacaapi.Closed, 0, len(positions))
	for _, p := range positions {
		o, err := s.trading.ClosePosition(ctx, caller.UserID, caller.AccountID, p.Symbol, decimal.NullDecimal{}, decimal.NullDecimal{}, trading.SourceAPI)
		if _, internal := alpacaapi.FromError(err); err != nil && internal {
			return err // an internal error: the whole request fails, as any other would
		}
		out = append(out, alpacaapi.EncodeClosed(p.Symbol, o, err))
	}
	return c.Status(http.StatusMultiStatus).JSON(out)
}
