package sim

import (
	"math"
	"sync"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// instrument is one asset of the catalogue together with the parameters of its price model.
// The model works in float64 (log prices, volatilities); everything handed out is first rounded
// to an integer number of ticks and only then made a decimal, so no float ever reaches a price.
type instrument struct {
	asset  market.Asset
	crypto bool
	key    uint64 // the symbol's hash, part of every random key

	ref      float64 // reference price the path wanders around
	dailyVol float64 // typical daily log move
	adv      float64 // average daily volume, shares or coins

	// Price grid: prices are counted in units of 10^priceExp dollars, in steps of priceStep
	// (stocks: 10^-4 units, with a one-cent step from $1 up).
	priceExp  int32
	priceStep int64
	priceUnit float64 // 10^-priceExp: units per dollar
	vwapExp   int32
	vwapUnit  float64
	sizeExp   int32 // decimals of sizes and volumes
	sizeUnit  float64

	quoteSize float64 // crypto: typical quote size in coins
	spreadBps float64 // typical quoted spread
	quoteRate float64 // quotes per second while the market is open
	avgTrade  float64 // typical print size, which turns volume into a trade count

	mu      sync.Mutex
	anchors anchorSeries
}

// init derives the model parameters the listing does not spell out.
func (in *instrument) init() {
	in.key = hashString(in.asset.Symbol)
	in.crypto = in.asset.Class == market.Crypto
	if in.crypto {
		in.vwapExp = in.priceExp - 2
		in.quoteRate = 3
		in.avgTrade = in.quoteSize / 8
	} else {
		in.priceExp, in.priceStep, in.vwapExp, in.sizeExp = -4, 1, -4, 0
		// Spreads narrow and quotes quicken with dollar volume: SPY trades a penny wide several
		// times a second; BRK.A is quoted dollars wide and seldom.
		dollars := math.Max(in.adv*in.ref, 1)
		in.spreadBps = math.Min(math.Max(0.8*math.Sqrt(1e9/dollars), 0.1), 30)
		liquidity := math.Min(math.Max((math.Log10(dollars)-7)/3, 0), 1)
		in.quoteRate = 1 + 3*liquidity
		in.avgTrade = 0.9 * float64(roundLot(in.ref))
	}
	in.priceUnit = math.Pow(10, float64(-in.priceExp))
	in.vwapUnit = math.Pow(10, float64(-in.vwapExp))
	in.sizeUnit = math.Pow(10, float64(-in.sizeExp))
}

// hasData reports whether the simulator makes prices for the asset: delisted symbols stay in the
// catalogue but trade no more.
func (in *instrument) hasData() bool { return in.asset.Active && in.ref > 0 }

// roundLot is the SEC's round lot for a stock at price p (Regulation NMS, as amended in 2024):
// 100 shares up to $250, 40 up to $1,000, 10 up to $10,000, then 1.
func roundLot(p float64) int64 {
	switch {
	case p <= 250:
		return 100
	case p <= 1000:
		return 40
	case p <= 10000:
		return 10
	default:
		return 1
	}
}

// tick is the price step at price p, in price units: a cent from $1 up and $0.0001 below for
// stocks, the pair's increment for crypto.
func (in *instrument) tick(p float64) int64 {
	if in.crypto {
		return in.priceStep
	}
	if p >= 0.99995 {
		return 100
	}
	return 1
}

// roundPrice puts a model price on the grid, never below one tick. Rounding is monotonic, so a
// bar's rounded high is still its highest price and its rounded low its lowest.
func (in *instrument) roundPrice(p float64) int64 {
	step := in.tick(p)
	n := int64(math.Round(p*in.priceUnit/float64(step))) * step
	if n < step {
		n = step
	}
	return n
}

// price turns price units into a decimal, written with two places for whole cents.
func (in *instrument) price(units int64) decimal.Decimal {
	if !in.crypto && units%100 == 0 {
		return decimal.New(units/100, -2)
	}
	return decimal.New(units, in.priceExp)
}

// dollars is the model price of a number of price units.
func (in *instrument) dollars(units int64) float64 { return float64(units) / in.priceUnit }

// size turns size units into a decimal.
func (in *instrument) size(units int64) decimal.Decimal { return decimal.New(units, in.sizeExp) }

// sizeUnits puts a model size on the size grid, never below one unit.
func (in *instrument) sizeUnits(q float64) int64 {
	return max(int64(math.Round(q*in.sizeUnit)), 1)
}

// vwap turns VWAP units into a decimal. Stocks keep VWAPs on the price units (four places).
func (in *instrument) vwap(units int64) decimal.Decimal {
	if !in.crypto {
		return in.price(units)
	}
	return decimal.New(units, in.vwapExp)
}
