package candles

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/market"
	"alpacawrapper/models"
)

// Daily is the source of a 1D candle stored from the provider's daily bar.
const Daily Source = models.CandleSourceDaily

// A symbol's history has two parts. The newer part is minute bars (HISTORY_DAYS of them), from
// which every candle, 1m to 1D, is built exactly as live candles are. The older part is the
// provider's daily bars, stored as 1D candles only: minutes for decades would cost too much.
//
// The rule where they meet: the boundary is the start of the minute span the backfill has loaded,
// which is always the start of a day (New York midnight for stocks, UTC midnight for crypto; see
// DayStart). A day whose 1D bucket starts at or after the boundary is built from its minutes; a
// day before it is its daily bar. Every day is one row (the key is the 1D bucket's start) written
// one way, so no day is counted twice and none is left out. When the minutes later reach further
// back, each day they cover is recomputed from them, replacing its daily bar, and the boundary
// moves back with them.
//
// Stamps: Alpaca stamps a stock's daily bar at 00:00 New York of its date and a crypto daily bar
// at 00:00 UTC; the app's 1D bucket of a stock's date starts at the regular open
// (market.BucketOf). A daily bar is therefore stored at the 1D bucket of its stamp's date:
// DailyBucketStart.

// DayStart is the start of t's day for an asset of class: New York midnight for stocks (a whole
// trading date, pre-market included), UTC midnight for crypto.
func (s *Store) DayStart(class market.AssetClass, t time.Time) time.Time {
	if class == market.Crypto {
		t = t.UTC()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return s.nyDate(t)
}

// DailyBucketStart is where a daily bar stamped at stamp is stored: the start of the 1D bucket of
// the stamp's date. For crypto that is the UTC midnight. For stocks it is the calendar's regular
// open of the stamp's New York date, and 09:30 New York when the calendar does not know the date
// (the app syncs the calendar only as far back as minutes go; the regular open has been 09:30
// since 1985). Both Alpaca's stamp (midnight) and the simulated market's (the open) fall on the
// date they describe, so either gives the same bucket.
func (s *Store) DailyBucketStart(class market.AssetClass, stamp time.Time) time.Time {
	if class == market.Crypto {
		return s.DayStart(class, stamp)
	}
	date := s.nyDate(stamp)
	if day, ok := s.cal.TradingDay(date.Add(12 * time.Hour)); ok {
		return day.Open.UTC()
	}
	ny := date.In(s.ny)
	return time.Date(ny.Year(), ny.Month(), ny.Day(), 9, 30, 0, 0, s.ny).UTC()
}

// UpsertDailyBarsTx stores daily bars of one asset as its 1D candles, in the caller's
// transaction, for the days before boundary only (the start of the minute span: later days are
// built from minutes). It returns how many days it stored. Writers of the asset are serialised
// as in UpsertMinuteBarsTx; storing the same bars again changes nothing.
func (s *Store) UpsertDailyBarsTx(ctx context.Context, tx *gorm.DB, assetID int64, class market.AssetClass, bars []market.Bar, boundary time.Time) (int, error) {
	rows := make([]models.Candle, 0, len(bars))
	for _, b := range bars {
		b.Start = s.DailyBucketStart(class, b.Start)
		if !b.Start.Before(boundary) {
			continue
		}
		rows = append(rows, toRow(assetID, market.Day1, b, Daily))
	}
	if len(rows) == 0 {
		return 0, nil
	}
	if err := models.LockAssetCandles(ctx, tx, assetID); err != nil {
		return 0, fmt.Errorf("candles: %w", err)
	}
	if err := models.UpsertCandles(ctx, tx, rows); err != nil {
		return 0, fmt.Errorf("candles: %w", err)
	}
	return len(rows), nil
}
