package alpacawire

import (
	"fmt"
	"time"
	_ "time/tzdata" // the exchange's time zone must load on machines without a zoneinfo database

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// Asset statuses.
const (
	AssetActive   = "active"
	AssetInactive = "inactive"
)

// Asset is an entry of GET /v2/assets. Trading-API decimals are strings; the SDK still reads the
// maintenance margin as a whole-number percentage, so the exact value also goes in
// margin_requirement_long/short as newer responses do. The crypto increments are set only for
// crypto.
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
	MarginRequirementLong        string   `json:"margin_requirement_long,omitempty"`
	MarginRequirementShort       string   `json:"margin_requirement_short,omitempty"`
	Shortable                    bool     `json:"shortable"`
	EasyToBorrow                 bool     `json:"easy_to_borrow"`
	Fractionable                 bool     `json:"fractionable"`
	Attributes                   []string `json:"attributes"`
	MinOrderSize                 string   `json:"min_order_size,omitempty"`
	MinTradeIncrement            string   `json:"min_trade_increment,omitempty"`
	PriceIncrement               string   `json:"price_increment,omitempty"`
}

// AssetID is the id an asset without a provider id is given: a UUID derived from its symbol, so it
// stays the same from one run to the next.
func AssetID(symbol string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("alpacawire:asset:"+symbol)).String()
}

// NewAsset is an asset as the trading API sends it.
func NewAsset(a market.Asset) Asset {
	id := a.ProviderID
	if id == "" {
		id = AssetID(a.Symbol)
	}
	status := AssetInactive
	if a.Active {
		status = AssetActive
	}
	out := Asset{
		ID: id, Class: string(a.Class), Exchange: a.Exchange, Symbol: a.Symbol, Name: a.Name, Status: status,
		Tradable: a.Tradable, Marginable: a.Marginable,
		MaintenanceMarginRequirement: uint(max(a.MarginRequirement.Round(0).IntPart(), 0)),
		Shortable:                    a.Shortable, EasyToBorrow: a.EasyToBorrow, Fractionable: a.Fractionable,
		Attributes: []string{},
	}
	if !a.MarginRequirement.IsZero() {
		out.MarginRequirementLong = a.MarginRequirement.String()
		out.MarginRequirementShort = a.MarginRequirement.String()
	}
	if a.Class == market.Crypto {
		out.MinOrderSize = a.MinOrderSize.String()
		out.MinTradeIncrement = a.MinTradeIncrement.String()
		out.PriceIncrement = a.PriceIncrement.String()
	}
	return out
}

// Market is the asset in the app's terms.
func (a Asset) Market() (market.Asset, error) {
	out := market.Asset{
		ProviderID: a.ID, Symbol: a.Symbol, Name: a.Name, Class: market.AssetClass(a.Class), Exchange: a.Exchange,
		Active: a.Status == AssetActive, Tradable: a.Tradable, Marginable: a.Marginable, Shortable: a.Shortable,
		EasyToBorrow: a.EasyToBorrow, Fractionable: a.Fractionable,
		MarginRequirement: decimal.NewFromUint64(uint64(a.MaintenanceMarginRequirement)),
	}
	var err error
	if a.MarginRequirementLong != "" {
		if out.MarginRequirement, err = decimal.NewFromString(a.MarginRequirementLong); err != nil {
			return market.Asset{}, fmt.Errorf("alpacawire: asset %s: margin_requirement_long: %w", a.Symbol, err)
		}
	}
	for _, f := range []struct {
		name string
		s    string
		dst  *decimal.Decimal
	}{
		{"min_order_size", a.MinOrderSize, &out.MinOrderSize},
		{"min_trade_increment", a.MinTradeIncrement, &out.MinTradeIncrement},
		{"price_increment", a.PriceIncrement, &out.PriceIncrement},
	} {
		if f.s == "" {
			continue
		}
		if *f.dst, err = decimal.NewFromString(f.s); err != nil {
			return market.Asset{}, fmt.Errorf("alpacawire: asset %s: %s: %w", a.Symbol, f.name, err)
		}
	}
	return out, nil
}

// NewYork is the exchange's time zone. Calendar and clock times are written in it.
func NewYork() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		// Unreachable: time/tzdata is linked in.
		panic(fmt.Sprintf("alpacawire: load America/New_York: %v", err))
	}
	return loc
}

// The calendar's layouts: dates, regular-session times ("09:30") and session times ("0400").
const (
	DateLayout          = "2006-01-02"
	CalendarTime        = "15:04"
	CalendarSessionTime = "1504"
)

// CalendarDay is an entry of GET /v2/calendar, in exchange wall-clock time. The Go SDK reads date,
// open and close; session_open and session_close are what newer responses add, and the JavaScript
// SDK's model requires settlement_date (see CalendarDays).
type CalendarDay struct {
	Date           string `json:"date"`
	Open           string `json:"open"`
	Close          string `json:"close"`
	SessionOpen    string `json:"session_open"`
	SessionClose   string `json:"session_close"`
	SettlementDate string `json:"settlement_date"`
}

// NewCalendarDay is a trading day as the trading API sends it.
func NewCalendarDay(d market.CalendarDay) CalendarDay {
	ny := NewYork()
	return CalendarDay{
		Date:         d.Date.In(ny).Format(DateLayout),
		Open:         d.Open.In(ny).Format(CalendarTime),
		Close:        d.Close.In(ny).Format(CalendarTime),
		SessionOpen:  d.SessionOpen.In(ny).Format(CalendarSessionTime),
		SessionClose: d.SessionClose.In(ny).Format(CalendarSessionTime),
		// The next weekday until CalendarDays, which knows the next trading day, says better.
		SettlementDate: nextWeekday(d.Date.In(ny).Format(DateLayout)),
	}
}

// Market is the trading day in the app's terms, times as UTC instants. Without session times the
// extended session is taken as 04:00–20:00, or to 17:00 after an early close.
func (c CalendarDay) Market() (market.CalendarDay, error) {
	ny := NewYork()
	date, err := time.ParseInLocation(DateLayout, c.Date, ny)
	if err != nil {
		return market.CalendarDay{}, fmt.Errorf("alpacawire: calendar date %q: %w", c.Date, err)
	}
	at := func(layout, clock string) (time.Time, error) {
		t, err := time.Parse(layout, clock)
		if err != nil {
			return time.Time{}, fmt.Errorf("alpacawire: calendar %s time %q: %w", c.Date, clock, err)
		}
		return time.Date(date.Year(), date.Month(), date.Day(), t.Hour(), t.Minute(), 0, 0, ny).UTC(), nil
	}
	out := market.CalendarDay{Date: date}
	if out.Open, err = at(CalendarTime, c.Open); err != nil {
		return market.CalendarDay{}, err
	}
	if out.Close, err = at(CalendarTime, c.Close); err != nil {
		return market.CalendarDay{}, err
	}
	sessionOpen, sessionClose := c.SessionOpen, c.SessionClose
	if sessionOpen == "" {
		sessionOpen = "0400"
	}
	if sessionClose == "" {
		sessionClose = "2000"
		if out.Close.In(ny).Hour() < 16 {
			sessionClose = "1700"
		}
	}
	if out.SessionOpen, err = at(CalendarSessionTime, sessionOpen); err != nil {
		return market.CalendarDay{}, err
	}
	if out.SessionClose, err = at(CalendarSessionTime, sessionClose); err != nil {
		return market.CalendarDay{}, err
	}
	return out, nil
}

// Clock is GET /v2/clock. Times are written with the exchange's offset ("…-04:00"), as Alpaca does.
type Clock struct {
	Timestamp time.Time `json:"timestamp"`
	IsOpen    bool      `json:"is_open"`
	NextOpen  time.Time `json:"next_open"`
	NextClose time.Time `json:"next_close"`
}

// ClockAt is the clock at now from the calendar's trading days, which must reach past now to the
// next open and the next close. The market is open from a day's Open to its Close; next_open is
// the first open after now (tomorrow's while the market is open) and next_close the first close
// after now.
func ClockAt(now time.Time, days []market.CalendarDay) (Clock, error) {
	ny := NewYork()
	c := Clock{Timestamp: now.In(ny)}
	var haveOpen, haveClose bool
	for _, d := range days {
		if !now.Before(d.Open) && now.Before(d.Close) {
			c.IsOpen = true
		}
		if d.Open.After(now) && (!haveOpen || d.Open.Before(c.NextOpen)) {
			c.NextOpen, haveOpen = d.Open.In(ny), true
		}
		if d.Close.After(now) && (!haveClose || d.Close.Before(c.NextClose)) {
			c.NextClose, haveClose = d.Close.In(ny), true
		}
	}
	if !haveOpen || !haveClose {
		return Clock{}, fmt.Errorf("alpacawire: calendar has no trading day after %s", now.Format(time.RFC3339))
	}
	return c, nil
}

// The codes of REST error bodies.
const (
	ErrCodeInvalidRequest = 40010001
	ErrCodeUnauthorized   = 40110000
	ErrCodeForbidden      = 40310000
	ErrCodeNotFound       = 40410000
	ErrCodeUnprocessable  = 42210000
	ErrCodeRateLimited    = 42910000
	ErrCodeInternal       = 50010000
)

// APIError is the body of every REST error: {"code":40110000,"message":"…"}. The SDK turns it into
// an *alpaca.APIError with the HTTP status.
type APIError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}
