package alpacaapi

import (
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// OrderRequest is the body of POST /v2/orders as the SDKs send it (alpaca.md §1.1): every field
// present, unset ones null or "". Legs (multi-leg options orders) are read only to refuse them.
type OrderRequest struct {
	Symbol        string         `json:"symbol"`
	Qty           Amount         `json:"qty"`
	Notional      Amount         `json:"notional"`
	Side          string         `json:"side"`
	Type          string         `json:"type"`
	TimeInForce   string         `json:"time_in_force"`
	LimitPrice    Amount         `json:"limit_price"`
	StopPrice     Amount         `json:"stop_price"`
	TrailPrice    Amount         `json:"trail_price"`
	TrailPercent  Amount         `json:"trail_percent"`
	ExtendedHours bool           `json:"extended_hours"`
	ClientOrderID string         `json:"client_order_id"`
	OrderClass    string         `json:"order_class"`
	TakeProfit    *TakeProfitLeg `json:"take_profit"`
	StopLoss      *StopLossLeg   `json:"stop_loss"`
	Legs          []any          `json:"legs"`
}

// TakeProfitLeg is an order's take_profit object.
type TakeProfitLeg struct {
	LimitPrice Amount `json:"limit_price"`
}

// StopLossLeg is an order's stop_loss object.
type StopLossLeg struct {
	StopPrice  Amount `json:"stop_price"`
	LimitPrice Amount `json:"limit_price"`
}

// DecodeOrder reads a POST /v2/orders body into the engine's request. Validation of the order
// itself (which fields go together) is trading/order's, with Alpaca's codes.
func DecodeOrder(body []byte) (order.Request, error) {
	var in OrderRequest
	if err := Decode(body, &in); err != nil {
		return order.Request{}, err
	}
	if len(in.Legs) > 0 || in.OrderClass == "mleg" {
		return order.Request{}, Unprocessable("multi-leg (mleg) orders are for options, which this app does not trade")
	}
	r := order.Request{
		Symbol: in.Symbol, Side: fill.Side(in.Side), Type: fill.OrderType(in.Type), TimeInForce: fill.TimeInForce(in.TimeInForce),
		ExtendedHours: in.ExtendedHours, ClientOrderID: in.ClientOrderID, OrderClass: order.Class(in.OrderClass),
	}
	p := parser{}
	r.Qty = p.amount("qty", in.Qty)
	r.Notional = p.amount("notional", in.Notional)
	r.LimitPrice = p.amount("limit_price", in.LimitPrice)
	r.StopPrice = p.amount("stop_price", in.StopPrice)
	r.TrailPrice = p.amount("trail_price", in.TrailPrice)
	r.TrailPercent = p.amount("trail_percent", in.TrailPercent)
	if in.TakeProfit != nil {
		r.TakeProfit = &order.TakeProfit{LimitPrice: p.amount("take_profit.limit_price", in.TakeProfit.LimitPrice)}
	}
	if in.StopLoss != nil {
		r.StopLoss = &order.StopLoss{
			StopPrice:  p.amount("stop_loss.stop_price", in.StopLoss.StopPrice),
			LimitPrice: p.amount("stop_loss.limit_price", in.StopLoss.LimitPrice),
		}
	}
	return r, p.err
}

// ReplaceRequest is the body of PATCH /v2/orders/{id}.
type ReplaceRequest struct {
	Qty           Amount `json:"qty"`
	TimeInForce   string `json:"time_in_force"`
	LimitPrice    Amount `json:"limit_price"`
	StopPrice     Amount `json:"stop_price"`
	Trail         Amount `json:"trail"`
	ClientOrderID string `json:"client_order_id"`
}

// DecodeReplace reads a PATCH /v2/orders/{id} body; absent fields keep the old order's values.
func DecodeReplace(body []byte) (trading.ReplaceRequest, error) {
	var in ReplaceRequest
	if err := Decode(body, &in); err != nil {
		return trading.ReplaceRequest{}, err
	}
	p := parser{}
	r := trading.ReplaceRequest{
		Qty: p.amount("qty", in.Qty), TimeInForce: fill.TimeInForce(in.TimeInForce),
		LimitPrice: p.amount("limit_price", in.LimitPrice), StopPrice: p.amount("stop_price", in.StopPrice),
		Trail: p.amount("trail", in.Trail), ClientOrderID: in.ClientOrderID,
	}
	return r, p.err
}

// parser reads amounts and keeps the first refusal.
type parser struct{ err error }

func (p *parser) amount(field string, a Amount) decimal.NullDecimal {
	d, err := a.Parse(field)
	if err != nil && p.err == nil {
		p.err = err
	}
	return d
}

// Order is Alpaca's order object. Decimals are strings, absent ones null; times are RFC 3339 in
// UTC; ids are UUIDs. Legs are set when the order is shown nested.
type Order struct {
	ID             string     `json:"id"`
	ClientOrderID  string     `json:"client_order_id"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	SubmittedAt    time.Time  `json:"submitted_at"`
	FilledAt       *time.Time `json:"filled_at"`
	ExpiredAt      *time.Time `json:"expired_at"`
	CanceledAt     *time.Time `json:"canceled_at"`
	FailedAt       *time.Time `json:"failed_at"`
	ReplacedAt     *time.Time `json:"replaced_at"`
	ReplacedBy     *string    `json:"replaced_by"`
	Replaces       *string    `json:"replaces"`
	AssetID        string     `json:"asset_id"`
	Symbol         string     `json:"symbol"`
	AssetClass     string     `json:"asset_class"`
	Notional       *string    `json:"notional"`
	Qty            *string    `json:"qty"`
	FilledQty      string     `json:"filled_qty"`
	FilledAvgPrice *string    `json:"filled_avg_price"`
	OrderClass     string     `json:"order_class"`
	OrderType      string     `json:"order_type"`
	Type           string     `json:"type"`
	Side           string     `json:"side"`
	PositionIntent string     `json:"position_intent,omitempty"`
	TimeInForce    string     `json:"time_in_force"`
	LimitPrice     *string    `json:"limit_price"`
	StopPrice      *string    `json:"stop_price"`
	Status         string     `json:"status"`
	ExtendedHours  bool       `json:"extended_hours"`
	Legs           []Order    `json:"legs" nullable:"true"` // null for a simple order, as Alpaca's`
	TrailPercent   *string    `json:"trail_percent"`
	TrailPrice     *string    `json:"trail_price"`
	HWM            *string    `json:"hwm"`
	ExpiresAt      *time.Time `json:"expires_at"`
	Source         *string    `json:"source"`
	// Beyond Alpaca (the SDKs ignore unknown fields): why the order was rejected, canceled or
	// expired, in words, and where its fills' receipts are.
	StatusReason string `json:"status_reason,omitempty"`
	FillsURL     string `json:"fills_url,omitempty"`
}

// EncodeOrder shows an order as Alpaca does, with its legs (o.Legs) nested under it.
func EncodeOrder(o *models.Order) Order {
	out := Order{
		ID: o.ID.String(), ClientOrderID: o.ClientOrderID,
		CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC(), SubmittedAt: o.SubmittedAt.UTC(),
		FilledAt: utc(o.FilledAt), ExpiredAt: utc(o.ExpiredAt), CanceledAt: utc(o.CanceledAt),
		FailedAt: utc(o.FailedAt), ReplacedAt: utc(o.ReplacedAt), ExpiresAt: utc(o.ExpiresAt),
		AssetID: AssetID(o.AssetID), Symbol: o.Symbol, AssetClass: o.AssetClass,
		Notional: nullString(o.Notional), Qty: nullString(o.Qty), FilledQty: o.FilledQty.String(),
		FilledAvgPrice: nullString(o.FilledAvgPrice), OrderClass: o.OrderClass, OrderType: o.Type, Type: o.Type,
		Side: o.Side, TimeInForce: o.TimeInForce, LimitPrice: nullString(o.LimitPrice), StopPrice: nullString(o.StopPrice),
		Status: o.Status, ExtendedHours: o.ExtendedHours, TrailPercent: nullString(o.TrailPercent),
		TrailPrice: nullString(o.TrailPrice), HWM: nullString(o.HWM), StatusReason: o.Reason,
	}
	if o.ReplacedBy != nil {
		s := o.ReplacedBy.String()
		out.ReplacedBy = &s
	}
	if o.Replaces != nil {
		s := o.Replaces.String()
		out.Replaces = &s
	}
	if o.FilledQty.IsPositive() {
		out.FillsURL = "/v2/orders/" + out.ID + "/fills"
	}
	if len(o.Legs) > 0 {
		out.Legs = make([]Order, len(o.Legs))
		for i := range o.Legs {
			out.Legs[i] = EncodeOrder(&o.Legs[i])
		}
	}
	return out
}

// EncodeOrders shows a list of orders.
func EncodeOrders(orders []models.Order) []Order {
	out := make([]Order, len(orders))
	for i := range orders {
		out[i] = EncodeOrder(&orders[i])
	}
	return out
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func nullString(d decimal.NullDecimal) *string {
	if !d.Valid {
		return nil
	}
	s := d.Decimal.String()
	return &s
}
