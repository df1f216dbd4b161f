package alpacaapi

import (
	"encoding/json"
	"time"

	"alpacawrapper/models"
)

// Fill is one execution of an order with its receipt, beyond Alpaca: the quote it met, the
// realism rules that decided its price and size, and its fees. GET /v2/orders/{id}/fills lists
// them, so a program can check every price it was given.
type Fill struct {
	ID          string          `json:"id"`
	OrderID     string          `json:"order_id"`
	Symbol      string          `json:"symbol"`
	Side        string          `json:"side"`
	Qty         string          `json:"qty"`
	Price       string          `json:"price"`
	Commission  string          `json:"commission"`
	SECFee      string          `json:"sec_fee"`
	TAFFee      string          `json:"taf_fee"`
	RealizedPL  string          `json:"realized_pl"`
	Type        string          `json:"type"` // "fill" or "partial_fill", as the trade event
	CumQty      string          `json:"cum_qty"`
	LeavesQty   string          `json:"leaves_qty"`
	PositionQty string          `json:"position_qty"`
	ExecutedAt  time.Time       `json:"executed_at"`
	Receipt     json.RawMessage `json:"receipt"`
}

// EncodeFills shows an order's fills, oldest first.
func EncodeFills(fills []models.Fill) []Fill {
	out := make([]Fill, len(fills))
	for i, f := range fills {
		typ := "fill"
		if f.Partial {
			typ = "partial_fill"
		}
		receipt := f.Receipt
		if len(receipt) == 0 {
			receipt = json.RawMessage("{}")
		}
		out[i] = Fill{ID: f.ID.String(), OrderID: f.OrderID.String(), Symbol: f.Symbol, Side: f.Side, Qty: f.Qty.String(),
			Price: f.Price.String(), Commission: f.Commission.String(), SECFee: f.SECFee.String(), TAFFee: f.TAFFee.String(),
			RealizedPL: f.RealizedPL.String(), Type: typ, CumQty: f.CumQty.String(), LeavesQty: f.LeavesQty.String(),
			PositionQty: f.PositionQty.String(), ExecutedAt: f.ExecutedAt.UTC(), Receipt: receipt}
	}
	return out
}

// ResetRequest is the body of POST /v2/account/reset (beyond Alpaca): the cash to start again
// with, the account's current starting cash when absent. The body may be empty.
type ResetRequest struct {
	Cash Amount `json:"cash"`
}
