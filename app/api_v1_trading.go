package app

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/order"
	"alpacawrapper/urls"
)

// Paper trading through the JSON API: what the trade, orders, positions and activity pages do,
// on an account named in the path (/api/v1/accounts/:id/…). Requests are read with the order
// ticket's own parser (parseTicket), so an amount is read the same way on the page and here, and
// every order goes through the trading service as the pages' do. Orders, positions, fills and
// activities are shown in the shapes of the Alpaca-compatible API (package alpacaapi), which bots
// already know; what differs is the envelope: lists are pages with a next_cursor, and errors are
// RFC 9457 problems.

// Page sizes of the growing lists.
const (
	apiDefaultPage = 50
	apiMaxPage     = 100
)

// orderRequestJSON is an order, as the ticket takes it. Amounts are decimal strings.
type orderRequestJSON struct {
	Symbol        string          `json:"symbol" doc:"A symbol of the catalogue; a crypto pair as BTC/USD or BTCUSD." example:"AAPL" maxLength:"24"`
	Side          string          `json:"side" enum:"buy,sell" example:"buy"`
	Type          string          `json:"type" enum:"market,limit,stop,stop_limit,trailing_stop" example:"limit"`
	TimeInForce   string          `json:"time_in_force" enum:"day,gtc,opg,cls,ioc,fok" example:"day"`
	Qty           string          `json:"qty,omitempty" format:"decimal" doc:"Shares (or coins); send qty or notional." example:"10" maxLength:"40"`
	Notional      string          `json:"notional,omitempty" format:"decimal" doc:"Dollars to spend, for a market order." example:"1500" maxLength:"40"`
	LimitPrice    string          `json:"limit_price,omitempty" format:"decimal" example:"187.50" maxLength:"40"`
	StopPrice     string          `json:"stop_price,omitempty" format:"decimal" example:"180" maxLength:"40"`
	TrailPrice    string          `json:"trail_price,omitempty" format:"decimal" example:"2.50" maxLength:"40"`
	TrailPercent  string          `json:"trail_percent,omitempty" format:"decimal" example:"1.5" maxLength:"40"`
	ExtendedHours bool            `json:"extended_hours,omitempty" example:"false"`
	ClientOrderID string          `json:"client_order_id,omitempty" example:"my-order-1" maxLength:"128"`
	OrderClass    string          `json:"order_class,omitempty" enum:"simple,bracket,oco,oto" example:"simple"`
	TakeProfit    *takeProfitJSON `json:"take_profit,omitempty"`
	StopLoss      *stopLossJSON   `json:"stop_loss,omitempty"`
}

// takeProfitJSON is a bracket's take-profit leg.
type takeProfitJSON struct {
	LimitPrice string `json:"limit_price" format:"decimal" example:"200" maxLength:"40"`
}

// stopLossJSON is a bracket's stop-loss leg.
type stopLossJSON struct {
	StopPrice  string `json:"stop_price" format:"decimal" example:"170" maxLength:"40"`
	LimitPrice string `json:"limit_price,omitempty" format:"decimal" example:"169.50" maxLength:"40"`
}

// ticket reads the request with the order ticket's parser.
func (in orderRequestJSON) ticket() ticketInput {
	v := map[string]string{
		"symbol": in.Symbol, "side": in.Side, "type": in.Type, "time_in_force": in.TimeInForce, "qty": in.Qty,
		"notional": in.Notional, "limit_price": in.LimitPrice, "stop_price": in.StopPrice, "trail_price": in.TrailPrice,
		"trail_percent": in.TrailPercent, "client_order_id": in.ClientOrderID, "order_class": in.OrderClass,
		"extended_hours": strconv.FormatBool(in.ExtendedHours),
	}
	if in.Qty == "" && in.Notional != "" {
		v["size_by"] = "notional"
	}
	if in.TakeProfit != nil {
		v["tp_limit_price"] = in.TakeProfit.LimitPrice
	}
	if in.StopLoss != nil {
		v["sl_stop_price"], v["sl_limit_price"] = in.StopLoss.StopPrice, in.StopLoss.LimitPrice
	}
	return parseTicket(func(name string) string { return v[name] })
}

// orderPreviewJSON is what an order would do if placed now: the ticket's estimate.
type orderPreviewJSON struct {
	Symbol            string          `json:"symbol" example:"AAPL"`
	Side              string          `json:"side" enum:"buy,sell" example:"buy"`
	Qty               decimal.Decimal `json:"qty" doc:"Estimated for a notional order." example:"10"`
	QtyEstimated      bool            `json:"qty_estimated" example:"false"`
	Price             decimal.Decimal `json:"price" doc:"The estimated execution price." example:"187.42"`
	Value             decimal.Decimal `json:"value" example:"1874.20"`
	Commission        decimal.Decimal `json:"commission" example:"0"`
	RegulatoryFees    decimal.Decimal `json:"regulatory_fees" doc:"SEC and FINRA TAF fees." example:"0"`
	Fees              decimal.Decimal `json:"fees" example:"0"`
	Total             decimal.Decimal `json:"total" doc:"What a buy costs (value and fees) or a sell brings in (value less fees)." example:"1874.20"`
	Reserve           decimal.Decimal `json:"reserve" doc:"Buying power the order holds while it works." example:"1874.20"`
	BuyingPowerBefore decimal.Decimal `json:"buying_power_before" example:"200000"`
	BuyingPowerAfter  decimal.Decimal `json:"buying_power_after" example:"198125.80"`
	Outcome           string          `json:"outcome" enum:"fills_now,rests,queued" doc:"fills_now: marketable against the latest quote; rests: works until the market reaches it; queued: outside its session, works from the next open." example:"fills_now"`
	HasQuote          bool            `json:"has_quote" doc:"False when no quote is known yet: the price is then an estimate from the last close." example:"true"`
	Realism           string          `json:"realism" enum:"easy,realistic,harsh" example:"realistic"`
	Schedule          string          `json:"schedule" doc:"The commission schedule, in words." example:"Commission-free"`
}

// ordersPageJSON is a page of orders, newest first.
type ordersPageJSON struct {
	Orders     []alpacaapi.Order `json:"orders"`
	NextCursor *string           `json:"next_cursor" doc:"Pass as before for the next (older) page; null on the last page." example:"MjAyNi0xMi0wN1QxNDozMDowMFp8YjBmNQ"`
}

// orderReplaceJSON changes a working order; a field left out keeps its value.
type orderReplaceJSON struct {
	Qty         string `json:"qty,omitempty" format:"decimal" example:"5" maxLength:"40"`
	LimitPrice  string `json:"limit_price,omitempty" format:"decimal" example:"186" maxLength:"40"`
	StopPrice   string `json:"stop_price,omitempty" format:"decimal" example:"181" maxLength:"40"`
	Trail       string `json:"trail,omitempty" format:"decimal" doc:"A trailing stop's trail: dollars or percent, as the order was placed." example:"2" maxLength:"40"`
	TimeInForce string `json:"time_in_force,omitempty" enum:"day,gtc,opg,cls,ioc,fok" example:"gtc"`
}

// positionsJSON are the account's open positions.
type positionsJSON struct {
	Positions []alpacaapi.Position `json:"positions"`
}

// fillsJSON are an order's fills with their receipts, oldest first.
type fillsJSON struct {
	Fills []alpacaapi.Fill `json:"fills"`
}

// activitiesPageJSON is a page of fills and cash movements, newest first.
type activitiesPageJSON struct {
	Activities []alpacaapi.Activity `json:"activities"`
	NextCursor *string              `json:"next_cursor" doc:"Pass as before for the next (older) page; null when this page is not full (a full page may be followed by an empty one)." example:"20261207143000000000::8b0c7c1e-5a53-4ad4-9d1c-3c7f0e8f9a11"`
}

// pageLimit reads ?limit= (apiDefaultPage when absent).
func pageLimit(c *fiber.Ctx) (int, error) {
	raw := c.Query("limit")
	if raw == "" {
		return apiDefaultPage, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > apiMaxPage {
		return 0, apperr.Invalid(map[string]string{"limit": "Send a whole number from 1 to " + strconv.Itoa(apiMaxPage) + "."})
	}
	return n, nil
}

// orderCursor writes and reads the orders' cursor: the last order's creation time and id.
func orderCursor(o *models.Order) string {
	return base64.RawURLEncoding.EncodeToString([]byte(o.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + o.ID.String()))
}

func parseOrderCursor(s string) (*models.OrderCursor, error) {
	bad := apperr.Invalid(map[string]string{"before": "This is not a cursor of this list: pass a page's next_cursor as it came."})
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	at, id, ok := strings.Cut(string(raw), "|")
	t, terr := time.Parse(time.RFC3339Nano, at)
	u, uerr := uuid.Parse(id)
	if !ok || terr != nil || uerr != nil {
		return nil, bad
	}
	return &models.OrderCursor{At: t, ID: u}, nil
}

// fromAlpacaQuery turns the Alpaca translation's refusal of a parameter into the JSON API's.
func fromAlpacaQuery(err error, field string) error {
	var ae *alpacaapi.Error
	if errors.As(err, &ae) {
		return apperr.Invalid(map[string]string{field: ae.Message})
	}
	return err
}

// apiOrderID reads :order; anything that is not a UUID names no order.
func apiOrderID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("order"))
	if err != nil {
		return uuid.Nil, errAPIOrderNotFound
	}
	return id, nil
}

var errAPIOrderNotFound = apperr.New(apperr.KindNotFound, "order_not_found", "No such order in this account.")

// apiOrderRequest reads an order from the body as the ticket reads it (one set of field checks),
// its symbol spelled as the catalogue spells it; the preview and the placement both start here.
func (s *Server) apiOrderRequest(c *fiber.Ctx) (ticketInput, error) {
	var body orderRequestJSON
	if err := bindJSON(c, &body); err != nil {
		return ticketInput{}, err
	}
	in := body.ticket()
	if err := in.fields.Err(); err != nil {
		return ticketInput{}, err
	}
	in.req.Symbol = s.canonicalSymbol(c.UserContext(), in.req.Symbol)
	return in, nil
}

// apiPreviewOrder is POST /api/v1/accounts/:id/orders/preview: the ticket's estimate.
func (s *Server) apiPreviewOrder(c *fiber.Ctx) error {
	a, err := s.apiAccount(c)
	if err != nil {
		return err
	}
	in, err := s.apiOrderRequest(c)
	if err != nil {
		return err
	}
	pv, err := s.trading.Preview(c.UserContext(), a.UserID, a.ID, in.req)
	if err != nil {
		return err
	}
	outcome := "rests"
	switch {
	case pv.Queued:
		outcome = "queued"
	case pv.Marketable:
		outcome = "fills_now"
	}
	return c.JSON(orderPreviewJSON{
		Symbol: pv.Symbol, Side: string(pv.Side), Qty: pv.Qty, QtyEstimated: !in.req.Qty.Valid, Price: pv.Price, Value: pv.Value.Round(2),
		Commission: pv.Fees.Commission, RegulatoryFees: pv.Fees.SEC.Add(pv.Fees.TAF), Fees: pv.Fees.Total(), Total: pv.Total.Round(2),
		Reserve: pv.Reserve.Round(2), BuyingPowerBefore: pv.BuyingPowerBefore.Round(2), BuyingPowerAfter: pv.BuyingPowerAfter.Round(2),
		Outcome: outcome, HasQuote: pv.HasQuote, Realism: pv.Realism, Schedule: pv.Schedule,
	})
}

// apiPlaceOrder is POST /api/v1/accounts/:id/orders.
func (s *Server) apiPlaceOrder(c *fiber.Ctx) error {
	a, err := s.apiAccount(c)
	if err != nil {
		return err
	}
	in, err := s.apiOrderRequest(c)
	if err != nil {
		return err
	}
	o, err := s.trading.PlaceOrder(c.UserContext(), a.UserID, a.ID, in.req, trading.SourceAPI)
	if err != nil {
		return err
	}
	c.Location(urls.Path(urls.APIAccountOrder, a.ID, o.ID.String()))
	return s.sendOrder(c, fiber.StatusCreated, o)
}

// apiListOrders is GET /api/v1/accounts/:id/orders?status=&limit=&before=.
func (s *Server) apiListOrders(c *fiber.Ctx) error {
	status := c.Query("status", "all")
	if status != "all" && status != "open" && status != "closed" {
		return apperr.Invalid(map[string]string{"status": "Choose open, closed or all."})
	}
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	q := models.OrderQuery{Status: status, Limit: limit + 1}
	if raw := c.Query("before"); raw != "" {
		if q.Before, err = parseOrderCursor(raw); err != nil {
			return err
		}
	}
	a, err := s.apiAccount(c)
	if err != nil {
		return err
	}
	q.AccountID, q.Period = a.ID, a.Period
	orders, err := models.ListOrders(c.UserContext(), s.db, q)
	if err != nil {
		return err
	}
	out := ordersPageJSON{}
	if len(orders) > limit {
		orders = orders[:limit]
		next := orderCursor(&orders[limit-1])
		out.NextCursor = &next
	}
	if err := s.withLegs(c, orders); err != nil {
		return err
	}
	out.Orders = alpacaapi.EncodeOrders(orders)
	return c.JSON(out)
}

// apiOwnedOrder is the order :order of the account :id, when both are the caller's.
func (s *Server) apiOwnedOrder(c *fiber.Ctx) (*models.PaperAccount, *models.Order, error) {
	a, err := s.apiAccount(c)
	if err != nil {
		return nil, nil, err
	}
	id, err := apiOrderID(c)
	if err != nil {
		return nil, nil, err
	}
	o, err := models.OrderOf(c.UserContext(), s.db, a.ID, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, errAPIOrderNotFound
	}
	return a, o, err
}

// apiGetOrder is GET /api/v1/accounts/:id/orders/:order.
func (s *Server) apiGetOrder(c *fiber.Ctx) error {
	_, o, err := s.apiOwnedOrder(c)
	if err != nil {
		return err
	}
	return s.sendOrder(c, fiber.StatusOK, o)
}

// apiReplaceOrder is PATCH /api/v1/accounts/:id/orders/:order: the orders page's replace form.
// The answer is the new order (the old one ends as replaced).
func (s *Server) apiReplaceOrder(c *fiber.Ctx) error {
	a, o, err := s.apiOwnedOrder(c)
	if err != nil {
		return err
	}
	var body orderReplaceJSON
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	v := map[string]string{"qty": body.Qty, "limit_price": body.LimitPrice, "stop_price": body.StopPrice,
		"trail": body.Trail, "time_in_force": body.TimeInForce}
	in := parseReplace(func(name string) string { return v[name] })
	if err := in.fields.Err(); err != nil {
		return err
	}
	next, err := s.trading.ReplaceOrder(c.UserContext(), a.UserID, a.ID, o.ID, in.req, trading.SourceAPI)
	if err != nil {
		return err
	}
	return s.sendOrder(c, fiber.StatusOK, next)
}

// apiCancelOrder is DELETE /api/v1/accounts/:id/orders/:order: the order, canceled.
func (s *Server) apiCancelOrder(c *fiber.Ctx) error {
	a, o, err := s.apiOwnedOrder(c)
	if err != nil {
		return err
	}
	done, err := s.trading.CancelOrder(c.UserContext(), a.UserID, a.ID, o.ID)
	if err != nil {
		return err
	}
	return s.sendOrder(c, fiber.StatusOK, done)
}

// apiOrderFills is GET /api/v1/accounts/:id/orders/:order/fills: the receipts of its fills.
func (s *Server) apiOrderFills(c *fiber.Ctx) error {
	_, o, err := s.apiOwnedOrder(c)
	if err != nil {
		return err
	}
	fills, err := models.FillsOfOrder(c.UserContext(), s.db, o.ID)
	if err != nil {
		return err
	}
	return c.JSON(fillsJSON{Fills: alpacaapi.EncodeFills(fills)})
}

// apiPositions is GET /api/v1/accounts/:id/positions (a position per symbol held, so the list
// is bounded by what is held and has no pages).
func (s *Server) apiPositions(c *fiber.Ctx) error {
	a, err := s.apiAccount(c)
	if err != nil {
		return err
	}
	positions, assets, err := s.positionValues(c, a)
	if err != nil {
		return err
	}
	out := positionsJSON{Positions: make([]alpacaapi.Position, len(positions))}
	for i, p := range positions {
		out.Positions[i] = encodePosition(p, assets)
	}
	return c.JSON(out)
}

// positionValues values an account's positions with today's change and their assets.
func (s *Server) positionValues(c *fiber.Ctx, a *models.PaperAccount) ([]trading.PositionValue, map[string]models.Asset, error) {
	ctx := c.UserContext()
	v, err := s.trading.Value(ctx, s.db, a)
	if err != nil {
		return nil, nil, err
	}
	s.trading.AddDayChange(ctx, &v)
	symbols := make([]string, len(v.Positions))
	for i, p := range v.Positions {
		symbols[i] = p.Symbol
	}
	assets, err := models.AssetsBySymbols(ctx, s.db, symbols)
	return v.Positions, assets, err
}

// apiClosePosition is DELETE /api/v1/accounts/:id/positions/{symbol}?qty=: a market order that
// closes the position (or qty of it), as the positions table's button does.
func (s *Server) apiClosePosition(c *fiber.Ctx) error {
	a, err := s.apiAccount(c)
	if err != nil {
		return err
	}
	qty, msg := typedAmount("qty", c.Query("qty"), order.Quantity)
	if msg != "" {
		return apperr.Invalid(map[string]string{"qty": msg})
	}
	positions, _, err := s.positionValues(c, a)
	if err != nil {
		return err
	}
	name, _ := url.PathUnescape(c.Params("*"))
	p, ok := alpacaapi.FindPosition(positions, name)
	if !ok {
		return apperr.New(apperr.KindNotFound, "position_not_found", "This account holds no position in that symbol.")
	}
	o, err := s.trading.ClosePosition(c.UserContext(), a.UserID, a.ID, p.Symbol, qty, decimal.NullDecimal{}, trading.SourceAPI)
	if err != nil {
		return err
	}
	return s.sendOrder(c, fiber.StatusOK, o)
}

// apiActivities is GET /api/v1/accounts/:id/activities?kind=&limit=&before=: fills and cash
// movements, newest first, as the activity page lists them.
func (s *Server) apiActivities(c *fiber.Ctx) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	v := url.Values{"page_size": {strconv.Itoa(limit)}}
	switch c.Query("kind", "all") {
	case "all":
	case "fills":
		v.Set("category", "trade_activity")
	case "cash":
		v.Set("category", "non_trade_activity")
	default:
		return apperr.Invalid(map[string]string{"kind": "Choose all, fills or cash."})
	}
	if raw := c.Query("before"); raw != "" {
		v.Set("page_token", raw)
	}
	a, err := s.apiAccount(c)
	if err != nil {
		return err
	}
	ny, err := newYork()
	if err != nil {
		return err
	}
	q, err := alpacaapi.ActivitiesQuery(alpacaapi.NewQuery(v, alpacaapi.ActivitiesParams...), a.ID, "", ny)
	if err != nil {
		return fromAlpacaQuery(err, "before")
	}
	acts, err := models.Activities(c.UserContext(), s.db, q)
	if err != nil {
		return err
	}
	out := activitiesPageJSON{Activities: alpacaapi.EncodeActivities(acts, ny)}
	if len(out.Activities) == limit {
		next := out.Activities[limit-1].ID
		out.NextCursor = &next
	}
	return c.JSON(out)
}
