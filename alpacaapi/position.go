package alpacaapi

import (
	"encoding/json"
	"strings"

	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
)

// Position is Alpaca's position object: every number a decimal string, fractions (plpc,
// change_today) as fractions, not percentages.
type Position struct {
	AssetID                string `json:"asset_id"`
	Symbol                 string `json:"symbol"`
	Exchange               string `json:"exchange"`
	AssetClass             string `json:"asset_class"`
	AssetMarginable        bool   `json:"asset_marginable"`
	Qty                    string `json:"qty"`
	QtyAvailable           string `json:"qty_available"`
	AvgEntryPrice          string `json:"avg_entry_price"`
	Side                   string `json:"side"`
	MarketValue            string `json:"market_value"`
	CostBasis              string `json:"cost_basis"`
	UnrealizedPL           string `json:"unrealized_pl"`
	UnrealizedPLPC         string `json:"unrealized_plpc"`
	UnrealizedIntradayPL   string `json:"unrealized_intraday_pl"`
	UnrealizedIntradayPLPC string `json:"unrealized_intraday_plpc"`
	CurrentPrice           string `json:"current_price"`
	LastdayPrice           string `json:"lastday_price"`
	ChangeToday            string `json:"change_today"`
}

// EncodePosition shows a valued position; asset is its catalogue entry (nil when unknown).
func EncodePosition(p trading.PositionValue, asset *models.Asset) Position {
	out := Position{
		AssetID: AssetID(p.AssetID), Symbol: p.Symbol, AssetClass: p.AssetClass,
		Qty: p.Qty.String(), QtyAvailable: p.QtyAvailable.String(), AvgEntryPrice: p.AvgEntryPrice.String(),
		Side: p.Side, MarketValue: money(p.MarketValue), CostBasis: money(p.CostBasis),
		UnrealizedPL: money(p.UnrealizedPL), UnrealizedPLPC: p.UnrealizedPLPC.String(),
		UnrealizedIntradayPL: money(p.UnrealizedIntradayPL), UnrealizedIntradayPLPC: p.UnrealizedIntradayPLPC.String(),
		CurrentPrice: p.CurrentPrice.String(), LastdayPrice: p.LastdayPrice.String(), ChangeToday: p.ChangeToday.String(),
	}
	if asset != nil {
		out.Exchange, out.AssetMarginable = asset.Exchange, asset.Marginable
	}
	return out
}

// FindPosition picks the position a path names: its symbol (a crypto pair with or without its
// slash, as the SDKs send either) or its asset id.
func FindPosition(positions []trading.PositionValue, name string) (trading.PositionValue, bool) {
	name = strings.ToUpper(strings.TrimSpace(name))
	for _, p := range positions {
		if p.Symbol == name || strings.ReplaceAll(p.Symbol, "/", "") == name || strings.EqualFold(AssetID(p.AssetID), name) {
			return p, true
		}
	}
	return trading.PositionValue{}, false
}

// ClosePositionQuery reads DELETE /v2/positions/{symbol}'s qty or percentage (not both).
func ClosePositionQuery(q *Query) (qty, percentage decimal.NullDecimal, err error) {
	qty, percentage = q.Amount("qty"), q.Amount("percentage")
	if err := q.Err(); err != nil {
		return qty, percentage, err
	}
	if qty.Valid && percentage.Valid {
		return qty, percentage, BadRequest("send qty or percentage, not both")
	}
	if qty.Valid && !qty.Decimal.IsPositive() {
		return qty, percentage, BadRequest("qty must be > 0")
	}
	return qty, percentage, nil
}

// Closed is one entry of DELETE /v2/positions's 207 answer: the closing order, or the error
// that stopped it.
type Closed struct {
	Symbol string          `json:"symbol"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// EncodeClosed shows one position's outcome of close-all.
func EncodeClosed(symbol string, o *models.Order, err error) Closed {
	if err != nil {
		e, internal := FromError(err)
		if internal {
			e = Error{Status: 500, Code: CodeInternal, Message: "internal server error"}
		}
		body, _ := json.Marshal(e)
		return Closed{Symbol: symbol, Status: e.Status, Body: body}
	}
	body, _ := json.Marshal(EncodeOrder(o))
	return Closed{Symbol: symbol, Status: 200, Body: body}
}
