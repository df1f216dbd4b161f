package candles

import (
	"context"
	"sync"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
)

// NewSymbolResolver returns a Resolver that reads the assets table and remembers what it found
// (an asset's id and class never change). Symbols it does not find are asked about again next
// time, so an asset the catalogue adds later is picked up.
func NewSymbolResolver(db *gorm.DB) Resolver {
	var known sync.Map // symbol → models.CandleAsset
	return func(symbol string) (int64, market.AssetClass, bool) {
		if a, ok := known.Load(symbol); ok {
			asset := a.(models.CandleAsset)
			return asset.ID, market.AssetClass(asset.Class), true
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		asset, err := models.CandleAssetBySymbol(ctx, db, symbol)
		if err != nil {
			return 0, "", false
		}
		known.Store(symbol, *asset)
		return asset.ID, market.AssetClass(asset.Class), true
	}
}

// EventSource is a feed of hub events; the hub's *market.Subscription satisfies it.
type EventSource interface {
	Wait(ctx context.Context, dst []market.Event) ([]market.Event, error)
}

// Consume hands every bar event of src to OnBar until ctx ends (returning nil) or src fails or
// closes (returning why). Subscribe src to bars only, with the wildcard, so that the aggregator
// follows whatever the feed carries without asking for symbols upstream.
func (a *Aggregator) Consume(ctx context.Context, src EventSource) error {
	var events []market.Event
	for {
		var err error
		events, err = src.Wait(ctx, events[:0])
		for i := range events {
			if events[i].Kind == market.EventBar {
				a.OnBar(events[i].Bar)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}
