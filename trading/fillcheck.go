package trading

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
)

// longSaleOnly reports whether o may only close a position, never open one on the other side: an
// exit leg of a bracket, OTO or OCO closes the position its entry opened, and a notional or
// fractional sell is a long sale (Alpaca marks them so; there are no fractional shorts).
func longSaleOnly(o *models.Order, qty decimal.Decimal) bool {
	if isExit(o) {
		return true
	}
	return o.Side == string(fill.Sell) && (o.Notional.Valid || !qty.IsInteger() || (o.Qty.Valid && !o.Qty.Decimal.IsInteger()))
}

// closable is how much of a position an order on side can close: the long quantity for a sell,
// the short quantity for a buy.
func closable(pos models.Position, had bool, side string) decimal.Decimal {
	if !had {
		return decimal.Zero
	}
	if side == string(fill.Buy) {
		return decimal.Max(pos.Qty.Neg(), decimal.Zero)
	}
	return decimal.Max(pos.Qty, decimal.Zero)
}

// fillable re-checks at fill time what placement checked against a position that may since have
// changed, and returns how much of qty may fill. An order that may only close a position
// (longSaleOnly) fills at most what is held; a fill that would open or grow a short needs the
// shorting rules to allow it still (the account's settings may have changed, and an exit leg
// racing its sibling once sold shares the account no longer held). A zero result comes with the
// reason the order is canceled.
func (s *Service) fillable(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order, pos models.Position, had bool, qty decimal.Decimal) (decimal.Decimal, string, error) {
	held := closable(pos, had, o.Side)
	if longSaleOnly(o, qty) {
		if !held.IsPositive() {
			return decimal.Zero, "The position this order closes is no longer held.", nil
		}
		return decimal.Min(qty, held), "", nil
	}
	if o.Side == string(fill.Buy) || qty.LessThanOrEqual(held) {
		return qty, "", nil
	}
	// A sale beyond the long position opens or grows a short.
	why, err := s.shortRefusal(ctx, tx, a, o)
	if err != nil || why != "" {
		return decimal.Zero, why, err
	}
	return qty, "", nil
}

// shortRefusal is why a fill may not open or grow a short position now, or "".
func (s *Service) shortRefusal(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, o *models.Order) (string, error) {
	if !a.Margin || !a.ShortingEnabled {
		return "Short selling is not enabled on this account.", nil
	}
	asset, err := models.AssetByID(ctx, tx, o.AssetID)
	if err != nil {
		return "", fmt.Errorf("trading: asset at fill time: %w", err)
	}
	switch {
	case asset.Class == market.Crypto:
		return "Crypto cannot be sold short.", nil
	case !asset.Shortable:
		return fmt.Sprintf("%s is not shortable.", asset.Symbol), nil
	case !asset.EasyToBorrow:
		return fmt.Sprintf("%s is hard to borrow and cannot be sold short here.", asset.Symbol), nil
	}
	return "", nil
}

// heldQty is the account's long position in symbol, zero when it holds none or is short.
func heldQty(ctx context.Context, tx *gorm.DB, a *models.PaperAccount, symbol string) (decimal.Decimal, error) {
	pos, err := models.PositionOf(ctx, tx, a.ID, a.Period, symbol)
	if errors.Is(err, models.ErrNotFound) {
		return decimal.Zero, nil
	}
	if err != nil {
		return decimal.Zero, fmt.Errorf("trading: %w", err)
	}
	return decimal.Max(pos.Qty, decimal.Zero), nil
}
