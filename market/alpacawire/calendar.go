package alpacawire

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"alpacawrapper/market"
)

// SettlementLookahead is how far past the last date asked for the calendar must reach so that
// the last day's settlement date (the next trading day, T+1) is known.
const SettlementLookahead = 10 * 24 * time.Hour

// ParseCalendarRange reads start and end of GET /v2/calendar, both inclusive exchange dates. Each
// may be a date or a full timestamp (the JavaScript SDK sends timestamps), whose New York date is
// taken. Alpaca's defaults span 1970–2029; here a missing start is today and a missing end a year
// after the start, so a simulated market is not asked for sixty years.
func ParseCalendarRange(q url.Values, now time.Time) (start, end time.Time, apiErr *APIError) {
	ny := NewYork()
	start = midnight(now.In(ny))
	if v := q.Get("start"); v != "" {
		t, err := ParseTime(v, ny)
		if err != nil {
			return time.Time{}, time.Time{}, &APIError{Code: ErrCodeInvalidRequest, Message: "invalid start"}
		}
		start = midnight(t.In(ny))
	}
	end = start.AddDate(1, 0, 0)
	if v := q.Get("end"); v != "" {
		t, err := ParseTime(v, ny)
		if err != nil {
			return time.Time{}, time.Time{}, &APIError{Code: ErrCodeInvalidRequest, Message: "invalid end"}
		}
		end = midnight(t.In(ny))
	}
	return start, end, nil
}

// CalendarDays are the trading days dated from start to end (inclusive, New York dates) as the
// trading API sends them, in date order. days should reach SettlementLookahead past end: each
// day's settlement_date is the next trading day in days (T+1), or the next weekday when days stop
// short.
func CalendarDays(days []market.CalendarDay, start, end time.Time) []CalendarDay {
	ny := NewYork()
	all := make([]CalendarDay, 0, len(days))
	for _, d := range days {
		all = append(all, NewCalendarDay(d))
	}
	slices.SortFunc(all, func(a, b CalendarDay) int { return strings.Compare(a.Date, b.Date) })
	first, last := start.In(ny).Format(DateLayout), end.In(ny).Format(DateLayout)
	out := []CalendarDay{}
	for i, d := range all {
		if d.Date < first || d.Date > last {
			continue
		}
		if i+1 < len(all) {
			d.SettlementDate = all[i+1].Date
		}
		out = append(out, d)
	}
	return out
}

// nextWeekday is the weekday after the date (YYYY-MM-DD), as a date.
func nextWeekday(date string) string {
	t, err := time.Parse(DateLayout, date)
	if err != nil {
		return ""
	}
	for t = t.AddDate(0, 0, 1); t.Weekday() == time.Saturday || t.Weekday() == time.Sunday; t = t.AddDate(0, 0, 1) {
	}
	return t.Format(DateLayout)
}
