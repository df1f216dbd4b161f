package alpacaapi

import (
	"regexp"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/models"
)

// HistoryParams are the query parameters GET /v2/account/portfolio/history knows (the Go SDK
// sends the first four, the JavaScript and Python SDKs the others). intraday_reporting, pnl_reset
// and force_engine_version are read and checked but change nothing here: points are the
// account's equity snapshots, and profit is measured from the start of the range.
var HistoryParams = []string{"period", "timeframe", "date_end", "extended_hours", "date_start", "start", "end",
	"intraday_reporting", "pnl_reset", "force_engine_version", "cashflow_types"}

var periodPattern = regexp.MustCompile(`^([1-9][0-9]{0,3})([DWMA])$`)

// History is what a portfolio history request asks for.
type History struct {
	From, To  time.Time
	Timeframe string
	Step      time.Duration
}

// HistoryQuery reads the parameters: period (default 1M) ending at date_end (default now), or
// start and end; timeframe defaults to 1Min under 7 days, 15Min under 30, else 1D, as at Alpaca.
func HistoryQuery(q *Query, now time.Time, ny *time.Location) (History, error) {
	h := History{To: now}
	period := q.String("period")
	if period == "" {
		period = "1M"
	}
	if end := q.Time("date_end", ny); !end.IsZero() {
		h.To = dayOf(end, ny).AddDate(0, 0, 1) // through the end of that day
	}
	if end := q.Time("end", ny); !end.IsZero() {
		h.To = end
	}
	m := periodPattern.FindStringSubmatch(period)
	if m == nil {
		q.fail("invalid period %q: expected a number and D, W, M or A, such as 1M", period)
		return h, q.Err()
	}
	n, _ := strconv.Atoi(m[1])
	switch m[2] {
	case "D":
		h.From = h.To.AddDate(0, 0, -n)
	case "W":
		h.From = h.To.AddDate(0, 0, -7*n)
	case "M":
		h.From = h.To.AddDate(0, -n, 0)
	case "A":
		h.From = h.To.AddDate(-n, 0, 0)
	}
	for _, name := range []string{"date_start", "start"} {
		if start := q.Time(name, ny); !start.IsZero() {
			h.From = start
		}
	}
	span := h.To.Sub(h.From)
	def := "1D"
	switch {
	case span < 7*24*time.Hour:
		def = "1Min"
	case span < 30*24*time.Hour:
		def = "15Min"
	}
	h.Timeframe = q.Enum("timeframe", def, "1Min", "5Min", "15Min", "1H", "1D")
	h.Step = map[string]time.Duration{"1Min": time.Minute, "5Min": 5 * time.Minute, "15Min": 15 * time.Minute,
		"1H": time.Hour, "1D": 24 * time.Hour}[h.Timeframe]
	q.Bool("extended_hours", false)
	q.Enum("intraday_reporting", "", "market_hours", "extended_hours", "continuous")
	q.Enum("pnl_reset", "", "per_day", "no_reset")
	if !h.To.After(h.From) {
		q.fail("the range ends before it starts")
	}
	if h.Step < time.Hour && span > 31*24*time.Hour {
		q.fail("timeframe %s covers at most a month; use 1H or 1D for longer periods", h.Timeframe)
	}
	return h, q.Err()
}

// PortfolioHistory is Alpaca's answer: parallel arrays, one entry per point.
type PortfolioHistory struct {
	Timestamp     []int64  `json:"timestamp"`
	Equity        []string `json:"equity"`
	ProfitLoss    []string `json:"profit_loss"`
	ProfitLossPct []string `json:"profit_loss_pct"`
	BaseValue     string   `json:"base_value"`
	Timeframe     string   `json:"timeframe"`
}

// EncodeHistory buckets snapshots (oldest first) by the timeframe, keeping each bucket's last,
// and appends now's equity as the last point. Profit is measured from the first point (the base
// value) and leaves out cash added or taken by resets (net_flow), so a reset is not a gain.
func EncodeHistory(h History, snaps []models.EquitySnapshot, now time.Time, equity decimal.Decimal, ny *time.Location) PortfolioHistory {
	out := PortfolioHistory{Timeframe: h.Timeframe, Timestamp: []int64{}, Equity: []string{}, ProfitLoss: []string{}, ProfitLossPct: []string{}}
	bucket := func(t time.Time) int64 {
		if h.Step == 24*time.Hour {
			y, m, d := t.In(ny).Date()
			return time.Date(y, m, d, 0, 0, 0, 0, ny).Unix()
		}
		return t.Truncate(h.Step).Unix()
	}
	type point struct {
		at     int64
		equity decimal.Decimal
		flow   decimal.Decimal
	}
	var points []point
	add := func(at int64, eq, flow decimal.Decimal) {
		if n := len(points); n > 0 && points[n-1].at == at {
			points[n-1].equity = eq
			points[n-1].flow = points[n-1].flow.Add(flow)
			return
		}
		points = append(points, point{at: at, equity: eq, flow: flow})
	}
	for _, s := range snaps {
		if s.At.Before(h.From) || !s.At.Before(h.To) {
			continue
		}
		add(bucket(s.At), s.Equity, s.NetFlow)
	}
	if !now.Before(h.From) && now.Before(h.To) {
		add(bucket(now), equity, decimal.Zero)
	}
	if len(points) == 0 {
		out.BaseValue = "0"
		return out
	}
	base := points[0].equity
	out.BaseValue = money(base)
	flows := decimal.Zero
	for i, p := range points {
		if i > 0 {
			flows = flows.Add(p.flow)
		}
		pl := p.equity.Sub(base).Sub(flows)
		pct := decimal.Zero
		if base.IsPositive() {
			pct = pl.DivRound(base, 6)
		}
		out.Timestamp = append(out.Timestamp, p.at)
		out.Equity = append(out.Equity, money(p.equity))
		out.ProfitLoss = append(out.ProfitLoss, money(pl))
		out.ProfitLossPct = append(out.ProfitLossPct, pct.String())
	}
	return out
}
