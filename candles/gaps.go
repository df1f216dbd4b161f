package candles

import (
	"context"
	"fmt"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/models"
)

// ExpectedMinutes lists the minutes in [from, to) for which a bar should exist: every minute for
// crypto, and for stocks the minutes of the regular session of each trading day, early closes
// respected. Extended hours are left out because thin pre- and after-market trading leaves
// minutes without bars, which would look like gaps forever.
func (s *Store) ExpectedMinutes(class market.AssetClass, from, to time.Time) []time.Time {
	from, to = ceilMinute(from), to.UTC()
	var out []time.Time
	if class == market.Crypto {
		for t := from; t.Before(to); t = t.Add(time.Minute) {
			out = append(out, t)
		}
		return out
	}
	for date := s.nyDate(from); date.Before(to); date = date.AddDate(0, 0, 1) {
		// Noon is safely inside the date whatever the clocks do that night.
		day, ok := s.cal.TradingDay(date.Add(12 * time.Hour))
		if !ok {
			continue
		}
		start, end := market.Latest(day.Open.UTC(), from), market.Earliest(day.Close.UTC(), to)
		for t := ceilMinute(start); t.Before(end); t = t.Add(time.Minute) {
			out = append(out, t)
		}
	}
	return out
}

// MissingMinutes lists the expected minutes in [from, to) (see ExpectedMinutes) that have no
// stored bar, oldest first.
func (s *Store) MissingMinutes(ctx context.Context, assetID int64, class market.AssetClass, from, to time.Time) ([]time.Time, error) {
	expected := s.ExpectedMinutes(class, from, to)
	if len(expected) == 0 {
		return nil, nil
	}
	have, err := models.MinuteStarts(ctx, s.db, assetID, expected[0], expected[len(expected)-1].Add(time.Minute))
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	stored := make(map[int64]bool, len(have))
	for _, t := range have {
		stored[t.Unix()] = true
	}
	var missing []time.Time
	for _, t := range expected {
		if !stored[t.Unix()] {
			missing = append(missing, t)
		}
	}
	return missing, nil
}

// ChunkBack returns where a backfill chunk that ends at end should start: tradingDays trading
// days earlier for stocks (whole New York dates, so a chunk never splits a session), the UTC
// midnight tradingDays days earlier for crypto (whole UTC days, so a chunk never splits a daily
// candle). It never returns an instant before floor.
func (s *Store) ChunkBack(class market.AssetClass, end time.Time, tradingDays int, floor time.Time) time.Time {
	end = end.UTC()
	start := s.DayStart(class, end.AddDate(0, 0, -tradingDays))
	if class != market.Crypto {
		start = s.nyDate(end.Add(-time.Nanosecond))
		for counted, steps := 0, 0; steps < 7*tradingDays+14; steps++ {
			if _, ok := s.cal.TradingDay(start.Add(12 * time.Hour)); ok {
				counted++
			}
			if counted == tradingDays || !start.After(floor) {
				break
			}
			start = s.nyDate(start.Add(-12 * time.Hour))
		}
	}
	return market.Latest(start, floor.UTC())
}

// ChunkForward returns where a backfill chunk that starts at start should end: after
// tradingDays trading days for stocks (at a New York midnight), as many 24-hour days for crypto.
// It never returns an instant after ceiling.
func (s *Store) ChunkForward(class market.AssetClass, start time.Time, tradingDays int, ceiling time.Time) time.Time {
	start = start.UTC()
	end := start.AddDate(0, 0, tradingDays)
	if class != market.Crypto {
		date := s.nyDate(start)
		for counted, steps := 0, 0; steps < 7*tradingDays+14 && date.Before(ceiling); steps++ {
			if _, ok := s.cal.TradingDay(date.Add(12 * time.Hour)); ok {
				counted++
			}
			date = s.nyDate(date.Add(36 * time.Hour)) // the next New York midnight
			if counted == tradingDays {
				break
			}
		}
		end = date
	}
	return market.Earliest(end, ceiling.UTC())
}

// nyDate is the New York midnight that starts t's New York date, as a UTC instant.
func (s *Store) nyDate(t time.Time) time.Time {
	ny := t.In(s.ny)
	return time.Date(ny.Year(), ny.Month(), ny.Day(), 0, 0, 0, 0, s.ny).UTC()
}

// ceilMinute rounds t up to a whole minute.
func ceilMinute(t time.Time) time.Time {
	t = t.UTC()
	cut := t.Truncate(time.Minute)
	if cut.Equal(t) {
		return t
	}
	return cut.Add(time.Minute)
}
