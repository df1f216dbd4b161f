package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/models"
)

// alpacaActivities is GET /v2/account/activities and /v2/account/activities/{type}: fills and
// cash movements, newest first, paged by page_token (the last id of the previous page).
func (s *Server) alpacaActivities(c *fiber.Ctx) error {
	known := alpacaapi.ActivitiesParams
	pathType := c.Params("type")
	if pathType != "" {
		known = known[1:] // the type is the path's, not a parameter
	}
	caller, ok := AlpacaCallerOf(c)
	if !ok {
		return errNotAuthorized
	}
	ny, err := newYork()
	if err != nil {
		return err
	}
	q, err := alpacaapi.ActivitiesQuery(alpacaQuery(c, known...), caller.AccountID, pathType, ny)
	if err != nil {
		return err
	}
	acts, err := models.Activities(c.UserContext(), s.db, q)
	if err != nil {
		return err
	}
	return c.JSON(alpacaapi.EncodeActivities(acts, ny))
}

// alpacaPortfolioHistory is GET /v2/account/portfolio/history.
func (s *Server) alpacaPortfolioHistory(c *fiber.Ctx) error {
	_, a, err := s.alpacaAccount(c)
	if err != nil {
		return err
	}
	ny, err := newYork()
	if err != nil {
		return err
	}
	now := s.alpacaNow()
	h, err := alpacaapi.HistoryQuery(alpacaQuery(c, alpacaapi.HistoryParams...), now, ny)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	snaps, err := models.EquitySnapshotsOf(ctx, s.db, a.ID, a.Period, h.From)
	if err != nil {
		return err
	}
	v, err := s.trading.Value(ctx, s.db, a)
	if err != nil {
		return err
	}
	return c.JSON(alpacaapi.EncodeHistory(h, snaps, now, v.Equity, ny))
}

// alpacaOrderFills is GET /v2/orders/{id}/fills (beyond Alpaca): the order's fills with their
// receipts.
func (s *Server) alpacaOrderFills(c *fiber.Ctx) error {
	caller, id, err := orderAction(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if _, err := models.OrderOf(ctx, s.db, caller.AccountID, id); errors.Is(err, models.ErrNotFound) {
		return errOrderNotFound
	} else if err != nil {
		return err
	}
	fills, err := models.FillsOfOrder(ctx, s.db, id)
	if err != nil {
		return err
	}
	return c.JSON(alpacaapi.EncodeFills(fills))
}

// alpacaReset is POST /v2/account/reset (beyond Alpaca): the account starts over with its
// starting cash (or {"cash": "…"}), its history kept as a closed period. The key stays bound to
// the account and keeps working, unlike Alpaca's, which a reset invalidates.
func (s *Server) alpacaReset(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	caller, a, err := s.alpacaAccount(c)
	if err != nil {
		return err
	}
	cash := a.StartingCash
	if len(c.Body()) > 0 {
		var in alpacaapi.ResetRequest
		if err := alpacaapi.Decode(c.Body(), &in); err != nil {
			return err
		}
		d, err := in.Cash.Parse("cash")
		if err != nil {
			return err
		}
		if d.Valid {
			cash = d.Decimal
		}
	}
	a, err = s.trading.Reset(c.UserContext(), caller.UserID, a.ID, cash)
	if err != nil {
		return err
	}
	v, err := s.trading.Value(c.UserContext(), s.db, a)
	if err != nil {
		return err
	}
	return c.JSON(alpacaapi.EncodeAccount(a, v, s.alpacaNow()))
}
