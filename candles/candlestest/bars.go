package candlestest

import (
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// RandomMinutes returns up to n minute bars of symbol at distinct minutes in [from, to), in
// random order, with believable prices (High ≥ Open, Close ≥ Low) and volumes of up to three
// decimals, as crypto has.
func RandomMinutes(rng *rand.Rand, symbol string, from, to time.Time, n int) []market.Bar {
	span := int64(to.Sub(from) / time.Minute)
	seen := map[int64]bool{}
	var out []market.Bar
	for len(out) < n && int64(len(seen)) < span {
		k := rng.Int64N(span)
		if seen[k] {
			continue
		}
		seen[k] = true
		base := decimal.New(10000+rng.Int64N(5000), -2)
		spread := decimal.New(rng.Int64N(300), -2)
		o := base.Add(decimal.New(rng.Int64N(100), -2))
		c := base.Add(decimal.New(rng.Int64N(100), -2))
		out = append(out, market.Bar{
			Symbol:     symbol,
			Start:      from.Add(time.Duration(k) * time.Minute),
			Open:       o,
			Close:      c,
			High:       decimal.Max(o, c).Add(spread),
			Low:        decimal.Min(o, c).Sub(spread),
			Volume:     decimal.New(rng.Int64N(100000), -int32(rng.IntN(4))),
			TradeCount: rng.Int64N(50),
			VWAP:       base.Add(decimal.New(rng.Int64N(10000), -4)),
		})
	}
	return out
}
