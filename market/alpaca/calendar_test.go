package alpaca

import (
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
)

func TestCalendarDayFromSDK(t *testing.T) {
	t.Parallel()
	ny, err := newYork()
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time { return mustTime(t, s) }
	tests := []struct {
		name     string
		in       alpaca.CalendarDay
		open     time.Time
		closeAt  time.Time
		sessOpen time.Time
		sessEnd  time.Time
	}{
		{
			name:     "summer day (EDT, UTC-4)",
			in:       alpaca.CalendarDay{Date: "2024-07-01", Open: "09:30", Close: "16:00"},
			open:     utc("2024-07-01T13:30:00Z"),
			closeAt:  utc("2024-07-01T20:00:00Z"),
			sessOpen: utc("2024-07-01T08:00:00Z"),
			sessEnd:  utc("2024-07-02T00:00:00Z"),
		},
		{
			name:     "winter day (EST, UTC-5)",
			in:       alpaca.CalendarDay{Date: "2024-01-02", Open: "09:30", Close: "16:00"},
			open:     utc("2024-01-02T14:30:00Z"),
			closeAt:  utc("2024-01-02T21:00:00Z"),
			sessOpen: utc("2024-01-02T09:00:00Z"),
			sessEnd:  utc("2024-01-03T01:00:00Z"),
		},
		{
			name:     "early close after Thanksgiving",
			in:       alpaca.CalendarDay{Date: "2024-11-29", Open: "09:30", Close: "13:00"},
			open:     utc("2024-11-29T14:30:00Z"),
			closeAt:  utc("2024-11-29T18:00:00Z"),
			sessOpen: utc("2024-11-29T09:00:00Z"),
			sessEnd:  utc("2024-11-29T22:00:00Z"),
		},
		{
			name:     "first trading day after the spring change, compact times",
			in:       alpaca.CalendarDay{Date: "2024-03-11", Open: "0930", Close: "1600"},
			open:     utc("2024-03-11T13:30:00Z"),
			closeAt:  utc("2024-03-11T20:00:00Z"),
			sessOpen: utc("2024-03-11T08:00:00Z"),
			sessEnd:  utc("2024-03-12T00:00:00Z"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := calendarDayFromSDK(tt.in, ny)
			if err != nil {
				t.Fatal(err)
			}
			if got.Date.Format(time.DateOnly) != tt.in.Date || got.Date.Hour() != 0 || got.Date.Location() != ny {
				t.Errorf("Date = %v, want midnight of %s in New York", got.Date, tt.in.Date)
			}
			for _, c := range []struct {
				field     string
				got, want time.Time
			}{
				{"Open", got.Open, tt.open}, {"Close", got.Close, tt.closeAt},
				{"SessionOpen", got.SessionOpen, tt.sessOpen}, {"SessionClose", got.SessionClose, tt.sessEnd},
			} {
				if !c.got.Equal(c.want) || c.got.Location() != time.UTC {
					t.Errorf("%s = %v, want %v (UTC)", c.field, c.got, c.want)
				}
			}
		})
	}
}

func TestCalendarDayFromSDKRejectsGarbage(t *testing.T) {
	t.Parallel()
	ny, err := newYork()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []alpaca.CalendarDay{
		{Date: "01/07/2024", Open: "09:30", Close: "16:00"},
		{Date: "2024-07-01", Open: "half past nine", Close: "16:00"},
		{Date: "2024-07-01", Open: "09:30", Close: ""},
	} {
		if _, err := calendarDayFromSDK(in, ny); err == nil {
			t.Errorf("%+v: no error", in)
		}
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
