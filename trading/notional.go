package trading

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
)

// notionalQty is the quantity a notional amount buys or sells at price: rounded down to the
// asset's trade increment (crypto) or to 9 decimals (stocks, Alpaca's precision), and refused
// ("" quantity, with the reason) below the asset's minimum order size. A notional order obeys
// the same size rules as a quantity order; without them a $0.004 crypto order once bought
// 0.000000039 BTC for nothing.
func notionalQty(notional, price decimal.Decimal, asset market.Asset) (decimal.Decimal, string) {
	qty := notional.Div(price).RoundDown(9)
	if inc := asset.MinTradeIncrement; asset.Class == market.Crypto && inc.IsPositive() {
		qty = qty.Div(inc).Floor().Mul(inc)
	}
	switch {
	case !qty.IsPositive():
		return decimal.Zero, "The notional amount buys less than the smallest fraction the asset trades in."
	case asset.Class == market.Crypto && asset.MinOrderSize.IsPositive() && qty.LessThan(asset.MinOrderSize):
		return decimal.Zero, fmt.Sprintf("The notional amount buys %s, less than the minimum order size of %s.", qty, asset.MinOrderSize)
	}
	return qty, ""
}

// sizeNotional is the quantity an open notional order fills at the quote: the notional at the side
// of the quote it fills against, within the asset's size rules, and for a sale at most the shares
// held (a notional sell is a long sale; sized at a lower bid than at placement it would sell
// more than is held). A zero quantity with no reason means the quote has no side to size
// against yet; with a reason, the order cannot fill.
func (s *Service) sizeNotional(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, q market.Quote) (decimal.Decimal, string, error) {
	sell := o.Side == string(fill.Sell)
	price := q.AskPrice
	if sell {
		price = q.BidPrice
	}
	if !price.IsPositive() {
		return decimal.Zero, "", nil
	}
	asset, err := models.AssetByID(ctx, tx, o.AssetID)
	if err != nil {
		return decimal.Zero, "", fmt.Errorf("trading: notional order's asset: %w", err)
	}
	qty, why := notionalQty(o.Notional.Decimal, price, asset.MarketAsset())
	if why != "" || !sell {
		return qty, why, nil
	}
	held, err := heldQty(ctx, tx, a, o.Symbol)
	if err != nil {
		return decimal.Zero, "", err
	}
	if !held.IsPositive() {
		return decimal.Zero, "The position this order sells is no longer held.", nil
	}
	return decimal.Min(qty, held), "", nil
}
