package trading

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
)

// Margin parameters (Reg T and the intraday 4x of alpaca.md §4). Intraday buying power is four
// times the equity above a 25% intraday requirement, so a margin account can hold exactly four
// times its equity during the session; overnight (Reg T) the initial requirement is 50%, i.e. two
// times. Crypto is not marginable: it needs the full value in cash.
var (
	regTInitial       = decimal.RequireFromString("0.5")
	intradayMargin    = decimal.RequireFromString("0.25")
	marketBuffer      = decimal.RequireFromString("1.03") // a market order's price for reserving buying power
	maintenanceLong   = decimal.RequireFromString("0.3")
	maintenanceShort  = decimal.RequireFromString("0.3")
	lowPricedLong     = decimal.RequireFromString("2.5")
	lowPricedShort    = decimal.NewFromInt(5)
	lowShortPerShare  = decimal.RequireFromString("2.5")
	highShortPerShare = decimal.NewFromInt(5)
	two               = decimal.NewFromInt(2)
	four              = decimal.NewFromInt(4)
	hundred           = decimal.NewFromInt(100)
)

// PositionValue is a position with Alpaca's valuation fields.
type PositionValue struct {
	models.Position
	Side           string // "long" or "short"
	CurrentPrice   decimal.Decimal
	MarketValue    decimal.Decimal // negative for a short
	CostBasis      decimal.Decimal // the cash the open quantity cost (models.Position); negative for a short
	UnrealizedPL   decimal.Decimal
	UnrealizedPLPC decimal.Decimal // a fraction
	QtyAvailable   decimal.Decimal // qty not held by open closing orders
	Priced         bool            // false when no quote was found: values use the entry price

	// Today's change, set by Service.AddDayChange (zero until then, or without a previous close).
	LastdayPrice           decimal.Decimal
	ChangeToday            decimal.Decimal // a fraction
	UnrealizedIntradayPL   decimal.Decimal
	UnrealizedIntradayPLPC decimal.Decimal // a fraction
}

// Valuation is an account's state with Alpaca's account fields.
type Valuation struct {
	Cash                     decimal.Decimal
	LongMarketValue          decimal.Decimal
	ShortMarketValue         decimal.Decimal // negative
	Equity                   decimal.Decimal
	LastEquity               decimal.Decimal
	InitialMargin            decimal.Decimal
	MaintenanceMargin        decimal.Decimal
	Reserved                 decimal.Decimal // buying power held by open orders
	Multiplier               int
	RegTBuyingPower          decimal.Decimal
	DayTradingBuyingPower    decimal.Decimal
	NonMarginableBuyingPower decimal.Decimal
	BuyingPower              decimal.Decimal
	Positions                []PositionValue
}

// InMarginCall reports whether equity has fallen below the maintenance requirement (a margin
// call at a broker). Buying power is then zero, so only closing orders go through.
func (v Valuation) InMarginCall() bool {
	return v.MaintenanceMargin.IsPositive() && v.Equity.LessThan(v.MaintenanceMargin)
}

// DayPL is the change in equity since the previous close.
func (v Valuation) DayPL() decimal.Decimal { return v.Equity.Sub(v.LastEquity) }

// Value computes an account's valuation from its positions, open orders and the latest quotes.
func (s *Service) Value(ctx context.Context, db *gorm.DB, a *models.PaperAccount) (Valuation, error) {
	h, err := models.HoldingsOf(ctx, db, a.ID, a.Period)
	if err != nil {
		return Valuation{}, fmt.Errorf("trading: valuation: %w", err)
	}
	return s.valueOfHoldings(ctx, a, h), nil
}

// valueOfHoldings values what HoldingsOf or PlacementReadOf read.
func (s *Service) valueOfHoldings(ctx context.Context, a *models.PaperAccount, h models.Holdings) Valuation {
	reserved, closing := decimal.Zero, make(map[string]decimal.Decimal, len(h.Holds))
	for _, o := range h.Holds {
		reserved = reserved.Add(o.Reserved)
		closing[o.Symbol+"/"+o.Side] = o.Leaves
	}
	return s.valueOf(ctx, a, h.Positions, reserved, closing)
}

// valueOf values an account from what Value or AccountValue read: its positions, the buying
// power its working orders hold, and what they still have to fill by symbol and side
// ("AAPL/sell"), with the latest quotes.
func (s *Service) valueOf(ctx context.Context, a *models.PaperAccount, positions []models.Position, reserved decimal.Decimal, closing map[string]decimal.Decimal) Valuation {
	symbols := make([]string, len(positions))
	for i, p := range positions {
		symbols[i] = p.Symbol
	}
	quotes, _ := s.quotes.Latest(ctx, symbols) // unpriced positions fall back to their entry price
	v := Valuation{Cash: a.Cash, LastEquity: a.LastEquity, Multiplier: 1, Reserved: reserved}
	var grossMarginable, nonMarginable decimal.Decimal
	for _, p := range positions {
		pv := valuePosition(p, quotes)
		if pv.Side == "long" {
			pv.QtyAvailable = decimal.Max(p.Qty.Sub(closing[p.Symbol+"/sell"]), decimal.Zero)
			v.LongMarketValue = v.LongMarketValue.Add(pv.MarketValue)
		} else {
			pv.QtyAvailable = decimal.Min(p.Qty.Add(closing[p.Symbol+"/buy"]), decimal.Zero)
			v.ShortMarketValue = v.ShortMarketValue.Add(pv.MarketValue)
		}
		abs := pv.MarketValue.Abs()
		if p.AssetClass == string(market.Crypto) {
			nonMarginable = nonMarginable.Add(abs)
		} else {
			grossMarginable = grossMarginable.Add(abs)
		}
		v.MaintenanceMargin = v.MaintenanceMargin.Add(maintenance(pv))
		v.Positions = append(v.Positions, pv)
	}
	v.Equity = v.Cash.Add(v.LongMarketValue).Add(v.ShortMarketValue)
	v.InitialMargin = grossMarginable.Mul(regTInitial).Add(nonMarginable)
	v.NonMarginableBuyingPower = decimal.Max(v.Cash.Sub(v.Reserved), decimal.Zero)
	if !a.Margin {
		v.RegTBuyingPower = v.NonMarginableBuyingPower
		v.BuyingPower = v.NonMarginableBuyingPower
		return v
	}
	v.Multiplier = 2
	v.RegTBuyingPower = decimal.Max(v.Equity.Sub(v.InitialMargin).Mul(two).Sub(v.Reserved), decimal.Zero)
	v.DayTradingBuyingPower = decimal.Max(v.Equity.Sub(grossMarginable.Mul(intradayMargin)).Sub(nonMarginable).Mul(four).Sub(v.Reserved), decimal.Zero)
	if v.InMarginCall() { // until equity is back above maintenance, only closing orders
		v.RegTBuyingPower, v.DayTradingBuyingPower = decimal.Zero, decimal.Zero
	}
	v.BuyingPower = v.RegTBuyingPower
	if s.clock.Now().IsOpen {
		v.Multiplier = 4
		v.BuyingPower = v.DayTradingBuyingPower
	}
	v.NonMarginableBuyingPower = decimal.Min(v.NonMarginableBuyingPower, v.BuyingPower)
	return v
}

// valuePosition marks a position at its latest quote.
func valuePosition(p models.Position, quotes map[string]market.Quote) PositionValue {
	pv := PositionValue{Position: p, Side: "long"}
	if p.Qty.IsNegative() {
		pv.Side = "short"
	}
	pv.CurrentPrice = p.AvgEntryPrice
	if q, ok := quotes[p.Symbol]; ok {
		if m := Mark(q); m.IsPositive() {
			pv.CurrentPrice, pv.Priced = m, true
		}
	}
	pv.MarketValue = p.Qty.Mul(pv.CurrentPrice)
	pv.CostBasis = p.CostBasis
	pv.UnrealizedPL = pv.MarketValue.Sub(pv.CostBasis)
	if !pv.CostBasis.IsZero() {
		pv.UnrealizedPLPC = pv.UnrealizedPL.DivRound(pv.CostBasis.Abs(), 6)
	}
	return pv
}

// maintenance is a position's maintenance requirement (alpaca.md §4): longs 30%, or 100% below
// $2.50; shorts the greater of 30% and $5 a share, or of 100% and $2.50 a share below $5.
func maintenance(pv PositionValue) decimal.Decimal {
	abs := pv.MarketValue.Abs()
	qty := pv.Qty.Abs()
	if pv.Side == "long" {
		if pv.CurrentPrice.LessThan(lowPricedLong) || pv.AssetClass == string(market.Crypto) {
			return abs
		}
		return abs.Mul(maintenanceLong)
	}
	if pv.CurrentPrice.LessThan(lowPricedShort) {
		return decimal.Max(abs, qty.Mul(lowShortPerShare))
	}
	return decimal.Max(abs.Mul(maintenanceShort), qty.Mul(highShortPerShare))
}
