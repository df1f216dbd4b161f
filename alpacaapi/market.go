package alpacaapi

import (
	"strings"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/models"
)

// Asset is Alpaca's asset object.
type Asset struct {
	ID                           string   `json:"id"`
	Class                        string   `json:"class"`
	Exchange                     string   `json:"exchange"`
	Symbol                       string   `json:"symbol"`
	Name                         string   `json:"name"`
	Status                       string   `json:"status"`
	Tradable                     bool     `json:"tradable"`
	Marginable                   bool     `json:"marginable"`
	MaintenanceMarginRequirement uint     `json:"maintenance_margin_requirement"`
	Shortable                    bool     `json:"shortable"`
	EasyToBorrow                 bool     `json:"easy_to_borrow"`
	Fractionable                 bool     `json:"fractionable"`
	Attributes                   []string `json:"attributes"`
	MinOrderSize                 *string  `json:"min_order_size,omitempty"`
	MinTradeIncrement            *string  `json:"min_trade_increment,omitempty"`
	PriceIncrement               *string  `json:"price_increment,omitempty"`
}

// EncodeAsset shows a catalogue entry as Alpaca does.
func EncodeAsset(a *models.Asset) Asset {
	status := "inactive"
	if a.Active {
		status = "active"
	}
	req := uint(100)
	if a.Marginable {
		req = 30
	}
	if a.MarginRequirement.Valid && a.MarginRequirement.Decimal.IsPositive() {
		req = uint(a.MarginRequirement.Decimal.IntPart())
	}
	return Asset{
		ID: AssetID(a.ID), Class: string(a.Class), Exchange: a.Exchange, Symbol: a.Symbol, Name: a.Name, Status: status,
		Tradable: a.Tradable, Marginable: a.Marginable, MaintenanceMarginRequirement: req, Shortable: a.Shortable,
		EasyToBorrow: a.EasyToBorrow, Fractionable: a.Fractionable, Attributes: []string{},
		MinOrderSize: nullString(a.MinOrderSize), MinTradeIncrement: nullString(a.MinTradeIncrement),
		PriceIncrement: nullString(a.PriceIncrement),
	}
}

// AssetsQuery reads GET /v2/assets's parameters.
func AssetsQuery(q *Query) (models.AssetFilter, error) {
	f := models.AssetFilter{
		Status:   q.Enum("status", "", "active", "inactive"),
		Class:    q.Enum("asset_class", "", "us_equity", "crypto", "us_option"),
		Exchange: strings.ToUpper(q.String("exchange")),
	}
	if attrs := q.String("attributes"); attrs != "" {
		q.fail("attributes filters are not supported: no asset here carries one")
	}
	return f, q.Err()
}

// cryptoQuotes are the quote currencies a crypto symbol may be written without its slash in
// ("BTCUSD" for "BTC/USD"), as the SDKs and Alpaca's own paths allow.
var cryptoQuotes = []string{"USDT", "USDC", "USD", "BTC"}

// SymbolCandidates lists the symbols a path may mean: itself, and for a crypto pair written
// without its slash, the pair with it.
func SymbolCandidates(s string) []string {
	s = strings.ToUpper(strings.TrimSpace(s))
	out := []string{s}
	if strings.Contains(s, "/") {
		return out
	}
	for _, q := range cryptoQuotes {
		if len(s) > len(q) && strings.HasSuffix(s, q) {
			out = append(out, s[:len(s)-len(q)]+"/"+q)
		}
	}
	return out
}

// Clock is Alpaca's market clock, its times in New York time with their offset.
type Clock struct {
	Timestamp time.Time `json:"timestamp"`
	IsOpen    bool      `json:"is_open"`
	NextOpen  time.Time `json:"next_open"`
	NextClose time.Time `json:"next_close"`
}

// EncodeClock shows the market clock's state.
func EncodeClock(st market.ClockState, ny *time.Location) Clock {
	return Clock{Timestamp: st.Time.In(ny), IsOpen: st.IsOpen, NextOpen: st.NextOpen.In(ny), NextClose: st.NextClose.In(ny)}
}

// CalendarDay is one trading day of Alpaca's calendar: wall-clock times in New York.
// settlement_date is the next trading day (T+1), which the JavaScript SDK's model requires.
type CalendarDay struct {
	Date           string `json:"date"`
	Open           string `json:"open"`
	Close          string `json:"close"`
	SessionOpen    string `json:"session_open"`
	SessionClose   string `json:"session_close"`
	SettlementDate string `json:"settlement_date"`
}

// EncodeCalendar shows the trading days of days that fall in [from, to], each settling on the
// next day of days (pass days reaching a little beyond to).
func EncodeCalendar(days []market.CalendarDay, from, to time.Time, ny *time.Location) []CalendarDay {
	out := []CalendarDay{}
	for i, d := range days {
		date := d.Date.In(ny)
		if date.Before(from) || date.After(to) {
			continue
		}
		c := CalendarDay{Date: date.Format(time.DateOnly), Open: d.Open.In(ny).Format("15:04"), Close: d.Close.In(ny).Format("15:04"),
			SessionOpen: d.SessionOpen.In(ny).Format("1504"), SessionClose: d.SessionClose.In(ny).Format("1504")}
		if d.SessionOpen.IsZero() {
			c.SessionOpen = "0400"
		}
		if d.SessionClose.IsZero() {
			c.SessionClose = "2000"
		}
		if i+1 < len(days) {
			c.SettlementDate = days[i+1].Date.In(ny).Format(time.DateOnly)
		} else {
			c.SettlementDate = nextWeekday(date).Format(time.DateOnly)
		}
		out = append(out, c)
	}
	return out
}

func nextWeekday(t time.Time) time.Time {
	t = t.AddDate(0, 0, 1)
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// CalendarQuery reads GET /v2/calendar's start and end: dates, or full timestamps as the
// JavaScript SDK sends them (their New York date counts). Absent, the range is the previous
// year through the next one.
func CalendarQuery(q *Query, now time.Time, ny *time.Location) (from, to time.Time, err error) {
	from, to = dayOf(q.Time("start", ny), ny), dayOf(q.Time("end", ny), ny)
	if err := q.Err(); err != nil {
		return from, to, err
	}
	y := now.In(ny).Year()
	if from.IsZero() {
		from = time.Date(y-1, 1, 1, 0, 0, 0, 0, ny)
	}
	if to.IsZero() {
		to = time.Date(y+1, 12, 31, 0, 0, 0, 0, ny)
	}
	if to.Before(from) {
		return from, to, BadRequest("end must not be before start")
	}
	if to.Sub(from) > 20*366*24*time.Hour {
		return from, to, BadRequest("ask for at most 20 years of calendar at once")
	}
	return from, to, nil
}

func dayOf(t time.Time, ny *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.In(ny).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, ny)
}
