// Package candles stores and serves OHLCV candles. Minute bars are the source of truth: live ones
// (through the Aggregator) and historical ones (through the backfill and gap-fill jobs) are
// written by the same UpsertMinuteBars, which also recomputes every coarser candle those minutes
// belong to from the stored minutes of the bucket. Nothing is ever added to a stored candle, so a
// replayed, duplicated or late minute cannot count twice, and both paths give the same candles.
package candles

import (
	"fmt"
	"time"
	_ "time/tzdata" // market time must not depend on the machine's zoneinfo

	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
)

// Source says which path wrote a candle; it is recorded on the row for operators.
type Source string

// The sources.
const (
	Live     Source = models.CandleSourceLive
	Backfill Source = models.CandleSourceBackfill
)

// Store reads and writes candles.
type Store struct {
	db      *gorm.DB
	buckets *market.Bucketer
	cal     market.TradingCalendar
	ny      *time.Location
}

// NewStore returns a store on db that aligns stock candles to the sessions of cal (the app
// passes market.Clock).
func NewStore(db *gorm.DB, cal market.TradingCalendar) *Store {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		// time/tzdata is linked in, so this is a build defect rather than a runtime condition.
		panic(fmt.Sprintf("candles: load America/New_York: %v", err))
	}
	return &Store{db: db, buckets: market.NewBucketer(cal), cal: cal, ny: ny}
}

// Bucketer is the bucket definition the store aggregates with.
func (s *Store) Bucketer() *market.Bucketer { return s.buckets }

// toBar turns a stored row into a market bar.
func toBar(c models.Candle, symbol string) market.Bar {
	return market.Bar{
		Symbol:     symbol,
		Start:      c.BucketStart.UTC(),
		Open:       c.Open,
		High:       c.High,
		Low:        c.Low,
		Close:      c.Close,
		Volume:     c.Volume,
		TradeCount: c.TradeCount,
		VWAP:       c.VWAP,
	}
}

// toRow turns a bar into a row of timeframe tf.
func toRow(assetID int64, tf market.Timeframe, b market.Bar, source Source) models.Candle {
	return models.Candle{
		AssetID:     assetID,
		Timeframe:   string(tf),
		BucketStart: b.Start.UTC(),
		Open:        b.Open,
		High:        b.High,
		Low:         b.Low,
		Close:       b.Close,
		Volume:      b.Volume,
		TradeCount:  b.TradeCount,
		VWAP:        b.VWAP,
		Source:      string(source),
	}
}
