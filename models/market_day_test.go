package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// marketDayOn is a trading day in New York wall-clock hours, closing at closeHour (16 or 13).
func marketDayOn(t *testing.T, date string, closeHour int) market.CalendarDay {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	d, err := time.ParseInLocation(time.DateOnly, date, ny)
	if err != nil {
		t.Fatal(err)
	}
	at := func(h, m int) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, ny) }
	return market.CalendarDay{Date: d, Open: at(9, 30), Close: at(closeHour, 0), SessionOpen: at(4, 0),
		SessionClose: at(closeHour+4, 0)}
}

func marketDates(days []market.CalendarDay) []string {
	out := make([]string, len(days))
	for i, d := range days {
		out[i] = d.Date.Format(time.DateOnly)
	}
	return out
}

func TestMarketDays(t *testing.T) {
	t.Parallel()
	ctx, tx := context.Background(), dbtest.Tx(t)
	synced := time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)
	days := []market.CalendarDay{
		marketDayOn(t, "2025-01-14", 16), marketDayOn(t, "2025-01-15", 16), marketDayOn(t, "2025-01-16", 16),
		marketDayOn(t, "2025-01-17", 16), marketDayOn(t, "2025-01-21", 16), // MLK day (20th) is a holiday
	}
	// A provider that writes the date as midnight UTC must land on the same day.
	days[1].Date = time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)
	if n, err := models.UpsertMarketDays(ctx, tx, days, synced); err != nil || n != 5 {
		t.Fatalf("upserted %d, %v", n, err)
	}

	// 03:00 UTC on the 15th is still the 14th in New York.
	got, err := models.MarketDaysBetween(ctx, tx, time.Date(2025, 1, 15, 3, 0, 0, 0, time.UTC),
		time.Date(2025, 1, 21, 23, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if want := "[2025-01-14 2025-01-15 2025-01-16 2025-01-17 2025-01-21]"; fmt.Sprint(marketDates(got)) != want {
		t.Fatalf("days %v, want %s", marketDates(got), want)
	}
	first := got[0]
	if first.Date.Location().String() != "America/New_York" || first.Date.Hour() != 0 ||
		!first.Open.Equal(time.Date(2025, 1, 14, 14, 30, 0, 0, time.UTC)) ||
		!first.SessionClose.Equal(time.Date(2025, 1, 15, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("first day %+v", first)
	}

	// The next sync: the 17th becomes an early close and the 16th is withdrawn.
	next := []market.CalendarDay{days[0], days[1], marketDayOn(t, "2025-01-17", 13), days[4]}
	if _, err := models.UpsertMarketDays(ctx, tx, next, synced.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	removed, err := models.RemoveMarketDaysMissing(ctx, tx, next[0].Open, next[len(next)-1].Open, next)
	if err != nil || removed != 1 {
		t.Fatalf("removed %d, %v; want the 16th", removed, err)
	}
	got, err = models.MarketDaysBetween(ctx, tx, days[0].Date, days[4].Date)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[2025-01-14 2025-01-15 2025-01-17 2025-01-21]"; fmt.Sprint(marketDates(got)) != want {
		t.Fatalf("after withdrawal: %v, want %s", marketDates(got), want)
	}
	if early := got[2]; !early.Close.Equal(time.Date(2025, 1, 17, 18, 0, 0, 0, time.UTC)) ||
		!early.SessionClose.Equal(time.Date(2025, 1, 17, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("early close not stored: %+v", early)
	}
}
