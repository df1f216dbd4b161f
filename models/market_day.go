package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/market"
)

// MarketDay is one trading day of the US equity market, as last synced from the provider.
// Weekends and holidays have no row.
type MarketDay struct {
	Date         time.Time // the day's date (midnight UTC as read back; use CalendarDay for New York midnight)
	Open         time.Time
	Close        time.Time
	SessionOpen  time.Time
	SessionClose time.Time
	SyncedAt     time.Time
}

// CalendarDay converts the row into the market type, whose Date is midnight in New York.
func (d *MarketDay) CalendarDay() (market.CalendarDay, error) {
	ny, err := marketZone()
	if err != nil {
		return market.CalendarDay{}, err
	}
	return d.calendarDay(ny), nil
}

func (d *MarketDay) calendarDay(ny *time.Location) market.CalendarDay {
	y, m, dd := d.Date.Date()
	return market.CalendarDay{
		Date: time.Date(y, m, dd, 0, 0, 0, 0, ny), Open: d.Open.UTC(), Close: d.Close.UTC(),
		SessionOpen: d.SessionOpen.UTC(), SessionClose: d.SessionClose.UTC(),
	}
}

// marketZone is the exchange's time zone (the market package embeds the zone database).
func marketZone() (*time.Location, error) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, fmt.Errorf("models: time zone: %w", err)
	}
	return loc, nil
}

// marketDate is instant t's calendar date in New York, as YYYY-MM-DD.
func marketDate(t time.Time, ny *time.Location) string { return t.In(ny).Format(time.DateOnly) }

// UpsertMarketDays writes the given trading days, replacing what was stored for those dates, and
// returns how many rows it wrote. All days go in one statement (a year is about 250 rows).
func UpsertMarketDays(ctx context.Context, tx *gorm.DB, days []market.CalendarDay, now time.Time) (int, error) {
	if len(days) == 0 {
		return 0, nil
	}
	ny, err := marketZone()
	if err != nil {
		return 0, err
	}
	byDate := make(map[string]market.CalendarDay, len(days)) // a repeated date keeps the last
	order := make([]string, 0, len(days))
	for _, d := range days {
		key := marketDate(d.Open, ny) // the open names the day unambiguously, whatever zone Date was given in
		if _, seen := byDate[key]; !seen {
			order = append(order, key)
		}
		byDate[key] = d
	}
	var sql strings.Builder
	sql.WriteString("INSERT INTO market_days (date, open, close, session_open, session_close, synced_at) VALUES ")
	args := make([]any, 0, len(order)*6)
	for i, key := range order {
		d := byDate[key]
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(?::date, ?, ?, ?, ?, ?)")
		args = append(args, key, d.Open.UTC(), d.Close.UTC(), d.SessionOpen.UTC(), d.SessionClose.UTC(), now.UTC())
	}
	sql.WriteString(` ON CONFLICT (date) DO UPDATE SET open = EXCLUDED.open, close = EXCLUDED.close,
		session_open = EXCLUDED.session_open, session_close = EXCLUDED.session_close, synced_at = EXCLUDED.synced_at`)
	res := tx.WithContext(ctx).Exec(sql.String(), args...)
	if res.Error != nil {
		return 0, fmt.Errorf("models: upsert market days: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// RemoveMarketDaysMissing deletes the stored trading days from from to to (New York dates,
// inclusive) that are not among keep: the exchange withdrew them, as it does when it declares an
// unscheduled closure. It returns how many it deleted.
func RemoveMarketDaysMissing(ctx context.Context, tx *gorm.DB, from, to time.Time, keep []market.CalendarDay) (int, error) {
	ny, err := marketZone()
	if err != nil {
		return 0, err
	}
	dates := make([]string, len(keep))
	for i, d := range keep {
		dates[i] = marketDate(d.Open, ny)
	}
	res := tx.WithContext(ctx).Exec(`DELETE FROM market_days
		WHERE date BETWEEN ?::date AND ?::date AND NOT (date = ANY(?::date[]))`,
		marketDate(from, ny), marketDate(to, ny), textArray(dates))
	if res.Error != nil {
		return 0, fmt.Errorf("models: remove withdrawn market days: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// MarketDaysBetween lists the stored trading days whose New York date is from from's to to's
// (inclusive), oldest first. It fits market.CalendarLoader through market.CalendarFunc.
func MarketDaysBetween(ctx context.Context, db *gorm.DB, from, to time.Time) ([]market.CalendarDay, error) {
	ny, err := marketZone()
	if err != nil {
		return nil, err
	}
	var rows []MarketDay
	err = db.WithContext(ctx).Where("date BETWEEN ?::date AND ?::date", marketDate(from, ny), marketDate(to, ny)).
		Order("date").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: market days: %w", err)
	}
	days := make([]market.CalendarDay, len(rows))
	for i := range rows {
		days[i] = rows[i].calendarDay(ny)
	}
	return days, nil
}
