package order

import (
	"alpacawrapper/market"

	"github.com/shopspring/decimal"
)

// AssetInfo is what Validate needs to know about the asset an order is for.
type AssetInfo struct {
	Class        market.AssetClass
	Tradable     bool
	Fractionable bool
	// Shortable and EasyToBorrow are not used by Validate (a short needs the position, see the
	// package doc); they travel here so the engine's short check reads the same value.
	Shortable    bool
	EasyToBorrow bool
	// MinOrderSize, MinTradeIncrement and PriceIncrement are crypto's size and price steps;
	// zero means no constraint (stocks).
	MinOrderSize      decimal.Decimal
	MinTradeIncrement decimal.Decimal
	PriceIncrement    decimal.Decimal
}

// AssetInfoFrom takes the fields Validate needs from a catalogue asset. An inactive asset is
// not tradable.
func AssetInfoFrom(a market.Asset) AssetInfo {
	return AssetInfo{
		Class:             a.Class,
		Tradable:          a.Tradable && a.Active,
		Fractionable:      a.Fractionable,
		Shortable:         a.Shortable,
		EasyToBorrow:      a.EasyToBorrow,
		MinOrderSize:      a.MinOrderSize,
		MinTradeIncrement: a.MinTradeIncrement,
		PriceIncrement:    a.PriceIncrement,
	}
}

func (a AssetInfo) crypto() bool { return a.Class == market.Crypto }
