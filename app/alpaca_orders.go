package app

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/models"
	"alpacawrapper/trading"
)

// errOrderNotFound is Alpaca's answer for an order that does not exist or is another account's.
var errOrderNotFound = alpacaapi.NotFound("order not found")

// orderAction reads what every /v2/orders/{id} request starts with: a query with only the
// allowed parameters, the order's id and the caller.
func orderAction(c *fiber.Ctx, allowed ...string) (AlpacaCaller, uuid.UUID, error) {
	if err := alpacaQuery(c, allowed...).Err(); err != nil {
		return AlpacaCaller{}, uuid.Nil, err
	}
	id, err := orderID(c)
	if err != nil {
		return AlpacaCaller{}, uuid.Nil, err
	}
	caller, ok := AlpacaCallerOf(c)
	if !ok {
		return caller, uuid.Nil, errNotAuthorized
	}
	return caller, id, nil
}

// orderID reads an order id from the path; anything that is not a UUID is not found.
func orderID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errOrderNotFound
	}
	return id, nil
}

// withLegs loads the legs of the given orders and nests them, as Alpaca shows a bracket, OCO or
// OTO order.
func (s *Server) withLegs(c *fiber.Ctx, orders []models.Order) error {
	ids := make([]uuid.UUID, 0, len(orders))
	for _, o := range orders {
		if o.OrderClass != "" && o.OrderClass != "simple" {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	legs, err := models.OrderLegs(c.UserContext(), s.db, ids)
	if err != nil {
		return err
	}
	for i := range orders {
		orders[i].Legs = legs[orders[i].ID]
	}
	return nil
}

// sendOrder answers with one order, its legs nested.
func (s *Server) sendOrder(c *fiber.Ctx, status int, o *models.Order) error {
	one := []models.Order{*o}
	if err := s.withLegs(c, one); err != nil {
		return err
	}
	return c.Status(status).JSON(alpacaapi.EncodeOrder(&one[0]))
}

// alpacaListOrders is GET /v2/orders.
func (s *Server) alpacaListOrders(c *fiber.Ctx) error {
	_, a, err := s.alpacaAccount(c)
	if err != nil {
		return err
	}
	oq, nested, err := alpacaapi.OrdersQuery(alpacaQuery(c, alpacaapi.OrdersQueryParams...), a)
	if err != nil {
		return err
	}
	orders, err := models.ListOrders(c.UserContext(), s.db, oq)
	if err != nil {
		return err
	}
	if nested {
		// Legs appear under their parent, not beside it.
		top := orders[:0]
		for _, o := range orders {
			if o.ParentID == nil {
				top = append(top, o)
			}
		}
		orders = top
		if err := s.withLegs(c, orders); err != nil {
			return err
		}
	}
	return c.JSON(alpacaapi.EncodeOrders(orders))
}

// alpacaGetOrder is GET /v2/orders/{id}.
func (s *Server) alpacaGetOrder(c *fiber.Ctx) error {
	caller, id, err := orderAction(c, "nested")
	if err != nil {
		return err
	}
	o, err := models.OrderOf(c.UserContext(), s.db, caller.AccountID, id)
	if errors.Is(err, models.ErrNotFound) {
		return errOrderNotFound
	}
	if err != nil {
		return err
	}
	return s.sendOrder(c, http.StatusOK, o)
}

// alpacaGetOrderByClientID is GET /v2/orders:by_client_order_id?client_order_id=….
func (s *Server) alpacaGetOrderByClientID(c *fiber.Ctx) error {
	q := alpacaQuery(c, "client_order_id")
	if err := q.Err(); err != nil {
		return err
	}
	if !q.Has("client_order_id") {
		return alpacaapi.BadRequest("client_order_id is required")
	}
	caller, ok := AlpacaCallerOf(c)
	if !ok {
		return errNotAuthorized
	}
	o, err := models.OrderByClientID(c.UserContext(), s.db, caller.AccountID, q.String("client_order_id"))
	if errors.Is(err, models.ErrNotFound) {
		return errOrderNotFound
	}
	if err != nil {
		return err
	}
	return s.sendOrder(c, http.StatusOK, o)
}

// alpacaPlaceOrder is POST /v2/orders.
func (s *Server) alpacaPlaceOrder(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	caller, ok := AlpacaCallerOf(c)
	if !ok {
		return errNotAuthorized
	}
	req, err := alpacaapi.DecodeOrder(c.Body())
	if err != nil {
		return err
	}
	o, err := s.trading.PlaceOrder(c.UserContext(), caller.UserID, caller.AccountID, req, trading.SourceAPI)
	if err != nil {
		return err
	}
	return s.sendOrder(c, http.StatusOK, o)
}

// alpacaReplaceOrder is PATCH /v2/orders/{id}: a new order replaces the old one.
func (s *Server) alpacaReplaceOrder(c *fiber.Ctx) error {
	caller, id, err := orderAction(c)
	if err != nil {
		return err
	}
	req, err := alpacaapi.DecodeReplace(c.Body())
	if err != nil {
		return err
	}
	o, err := s.trading.ReplaceOrder(c.UserContext(), caller.UserID, caller.AccountID, id, req, trading.SourceAPI)
	if err != nil {
		return err
	}
	return s.sendOrder(c, http.StatusOK, o)
}

// alpacaCancelOrder is DELETE /v2/orders/{id}: 204, or 422 for an order that has ended.
func (s *Server) alpacaCancelOrder(c *fiber.Ctx) error {
	caller, id, err := orderAction(c)
	if err != nil {
		return err
	}
	if _, err := s.trading.CancelOrder(c.UserContext(), caller.UserID, caller.AccountID, id); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

// alpacaCancelAll is DELETE /v2/orders: every open order, answered 207 with one entry per order.
func (s *Server) alpacaCancelAll(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	caller, ok := AlpacaCallerOf(c)
	if !ok {
		return errNotAuthorized
	}
	canceled, err := s.trading.CancelAll(c.UserContext(), caller.UserID, caller.AccountID)
	if err != nil {
		return err
	}
	return c.Status(http.StatusMultiStatus).JSON(alpacaapi.EncodeCanceled(canceled))
}
