package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertest"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// weekdaysCalendar lists every weekday from first to last (New York dates) as a regular trading
// day, less the dates in closed.
func weekdaysCalendar(t *testing.T, first, last string, closed ...string) []market.CalendarDay {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	skip := map[string]bool{}
	for _, c := range closed {
		skip[c] = true
	}
	from, _ := time.ParseInLocation(time.DateOnly, first, ny)
	to, _ := time.ParseInLocation(time.DateOnly, last, ny)
	var days []market.CalendarDay
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday || skip[d.Format(time.DateOnly)] {
			continue
		}
		at := func(h, m int) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, ny) }
		days = append(days, market.CalendarDay{Date: d, Open: at(9, 30), Close: at(16, 0), SessionOpen: at(4, 0), SessionClose: at(20, 0)})
	}
	return days
}

func TestSyncCalendar(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	provider := &catalogueProvider{days: weekdaysCalendar(t, "2024-06-03", "2026-12-31", "2025-01-20")}
	w := NewSyncCalendarWorker(db.Gorm, provider)
	today := time.Date(2025, 1, 6, 15, 0, 0, 0, time.UTC)
	w.now = func() time.Time { return today }
	rw := rivertest.NewWorker(t, riverdatabasesql.New(db.SQL), &river.Config{}, w)
	work := func() (*rivertest.WorkResult, error) {
		tx, err := db.SQL.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback() }()
		return rw.Work(ctx, t, tx, SyncCalendarArgs{}, nil)
	}

	// A day from long before the window, stored by an earlier sync: history is kept.
	old := weekdaysCalendar(t, "2024-06-03", "2024-06-03")
	if _, err := models.UpsertMarketDays(ctx, db.Gorm, old, today); err != nil {
		t.Fatal(err)
	}

	res, err := work()
	if err != nil || res.EventKind != river.EventKindJobCompleted {
		t.Fatalf("sync: %+v, %v", res, err)
	}
	stored, err := models.MarketDaysBetween(ctx, db.Gorm, time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	first, last := stored[1].Date.Format(time.DateOnly), stored[len(stored)-1].Date.Format(time.DateOnly)
	if stored[0].Date.Format(time.DateOnly) != "2024-06-03" || first != "2024-12-09" || last != "2026-02-10" {
		// 30 days back from 6 January 2025 is 7 December (a Saturday); 400 ahead is 10 February 2026.
		t.Errorf("stored %s, then %s … %s", stored[0].Date.Format(time.DateOnly), first, last)
	}

	// The exchange declares a closure (9 January) after the last sync: the next sync drops it.
	provider.mu.Lock()
	provider.days = weekdaysCalendar(t, "2024-06-03", "2026-12-31", "2025-01-20", "2025-01-09")
	provider.mu.Unlock()
	if _, err := work(); err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	got, err := models.MarketDaysBetween(ctx, db.Gorm, time.Date(2025, 1, 8, 12, 0, 0, 0, ny), time.Date(2025, 1, 10, 12, 0, 0, 0, ny))
	if err != nil || len(got) != 2 || got[0].Date.Day() != 8 || got[1].Date.Day() != 10 {
		t.Errorf("around the closure: %+v, %v", got, err)
	}
	runs, err := models.RecentSyncRuns(ctx, db.Gorm, models.SyncCalendar, 10)
	if err != nil || len(runs) != 2 || !runs[0].Succeeded() || runs[0].Deactivated != 1 || runs[0].Upserted != len(stored)-2 {
		t.Errorf("runs %+v (%v); stored %d", runs, err, len(stored))
	}

	// A failing or empty provider changes nothing and is recorded.
	provider.mu.Lock()
	provider.days = nil
	provider.mu.Unlock()
	if _, err := work(); !errors.Is(err, errEmptyCalendar) {
		t.Errorf("empty calendar: %v", err)
	}
	provider.mu.Lock()
	provider.err = errors.New("alpaca: timeout")
	provider.mu.Unlock()
	if res, err := work(); err == nil || res.EventKind != river.EventKindJobFailed {
		t.Errorf("failing provider: %+v, %v", res, err)
	}
	runs, _ = models.RecentSyncRuns(ctx, db.Gorm, models.SyncCalendar, 10)
	if len(runs) != 4 || runs[0].Error == nil || runs[1].Error == nil {
		t.Errorf("failed runs not recorded: %+v", runs)
	}
	after, _ := models.MarketDaysBetween(ctx, db.Gorm, time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC))
	if len(after) != len(stored)-1 {
		t.Errorf("%d days after failed syncs, want %d", len(after), len(stored)-1)
	}
}
