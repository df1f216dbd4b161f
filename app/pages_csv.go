package app

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"alpacawrapper/models"
	"alpacawrapper/trading"
)

// CSV exports of the current account's orders (GET /orders.csv?status=) and activity
// (GET /activity.csv?type=&period=), for a spreadsheet or a tax tool. Figures are written as the
// database holds them (exact decimals, no currency signs or thousands separators) and times in
// UTC (RFC 3339), so a program reads them back unchanged. A text cell that a spreadsheet would
// run as a formula (=, +, -, @, tab, return first) is prefixed with an apostrophe: a symbol or
// client order id typed by someone else must not become a formula on the reader's machine.

// csvMaxRows bounds one export; an account with more rows exports its newest ones.
const csvMaxRows = 20000

// csvCell makes a text cell safe for spreadsheets. Numbers are left as they are: "-12.50" is a
// number, not a formula.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	if _, err := decimal.NewFromString(s); err == nil {
		return s
	}
	if strings.ContainsAny(s[:1], "=+-@\t\r") {
		return "'" + s
	}
	return s
}

// csvDecimal is an optional decimal's cell: empty when not set.
func csvDecimal(d decimal.NullDecimal) string {
	if !d.Valid {
		return ""
	}
	return d.Decimal.String()
}

// csvTime is a time's cell, in UTC; empty for nil.
func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// sendCSV answers rows as a CSV attachment named "<name>-<date>.csv" (the date in the person's
// time zone), every text cell made safe.
func sendCSV(c *fiber.Ctx, name string, header []string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		for i := range r {
			r[i] = csvCell(r[i])
		}
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	date := time.Now().In(userLocation(currentUser(c))).Format("2006-01-02")
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+"-"+date+`.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// ordersCSV is GET /orders.csv?status=open|closed|all (default all): the current period's
// orders, newest first, legs included as rows of their own that name their parent.
func (s *Server) ordersCSV(c *fiber.Ctx) error {
	a, err := s.currentAccount(c)
	if err != nil {
		return err
	}
	status := c.Query("status", "all")
	if !validOrderStatus(status) {
		status = "all"
	}
	ctx := c.UserContext()
	seen := map[uuid.UUID]bool{}
	var orders []models.Order
	var until time.Time
	for len(orders) < csvMaxRows {
		page, err := models.ListOrders(ctx, s.db, models.OrderQuery{AccountID: a.ID, Period: a.Period, Status: status, Until: until, Limit: 500})
		if err != nil {
			return err
		}
		added := 0
		for _, o := range page {
			if !seen[o.ID] {
				seen[o.ID] = true
				orders = append(orders, o)
				added++
			}
		}
		if len(page) < 500 || added == 0 {
			break
		}
		// Strictly before, one microsecond past the oldest: rows sharing the oldest instant (a
		// bracket's legs) come again and are skipped rather than lost.
		until = page[len(page)-1].CreatedAt.Add(time.Microsecond)
	}
	header := []string{"submitted_at", "id", "client_order_id", "parent_id", "leg", "symbol", "side", "type", "order_class",
		"time_in_force", "qty", "notional", "limit_price", "stop_price", "trail_price", "trail_percent", "status",
		"filled_qty", "filled_avg_price", "filled_at", "canceled_at", "expired_at", "reason", "source"}
	rows := make([][]string, 0, len(orders))
	for _, o := range orders {
		parent, leg := "", ""
		if o.ParentID != nil {
			parent = o.ParentID.String()
		}
		if o.Leg != nil {
			leg = *o.Leg
		}
		submitted := o.SubmittedAt
		rows = append(rows, []string{csvTime(&submitted), o.ID.String(), o.ClientOrderID, parent, leg, o.Symbol, o.Side, o.Type,
			o.OrderClass, o.TimeInForce, csvDecimal(o.Qty), csvDecimal(o.Notional), csvDecimal(o.LimitPrice), csvDecimal(o.StopPrice),
			csvDecimal(o.TrailPrice), csvDecimal(o.TrailPercent), o.Status, o.FilledQty.String(), csvDecimal(o.FilledAvgPrice),
			csvTime(o.FilledAt), csvTime(o.CanceledAt), csvTime(o.ExpiredAt), o.Reason, o.Source})
	}
	return sendCSV(c, "orders", header, rows)
}

// activityCSV is GET /activity.csv?type=all|fills|cash&period=: the period's activity as the
// page lists it, newest first: each fill with its fees, and the cash movements.
func (s *Server) activityCSV(c *fiber.Ctx) error {
	a, err := s.currentAccount(c)
	if err != nil {
		return err
	}
	typ := c.Query("type", trading.ActivityAll)
	if typ != trading.ActivityFills && typ != trading.ActivityCash {
		typ = trading.ActivityAll
	}
	period := a.Period
	if p, err := strconv.Atoi(c.Query("period")); err == nil && p >= 1 && p <= a.Period {
		period = p
	}
	header := []string{"time", "kind", "symbol", "side", "qty", "price", "amount", "commission", "sec_fee", "taf_fee",
		"realized_pl", "balance_after", "description", "order_id", "fill_id"}
	var rows [][]string
	q := trading.ActivityQuery{AccountID: a.ID, Period: period, Kind: typ, Limit: 500}
	for len(rows) < csvMaxRows {
		page, err := s.trading.Activity(c.UserContext(), q)
		if err != nil {
			return err
		}
		for _, it := range page.Items {
			rows = append(rows, activityCSVRow(it))
		}
		if !page.More {
			break
		}
		q.FillsBefore, q.CashBefore = page.NextFills, page.NextCash
	}
	return sendCSV(c, "activity", header, rows)
}

// activityCSVRow is one row of the activity export. A fill's amount is the cash it moved before
// fees (negative for a buy).
func activityCSVRow(it trading.ActivityItem) []string {
	if f := it.Fill; f != nil {
		amount := f.Qty.Mul(f.Price)
		if f.Side == "buy" {
			amount = amount.Neg()
		}
		at := f.ExecutedAt
		return []string{csvTime(&at), "fill", f.Symbol, f.Side, f.Qty.String(), f.Price.String(), amount.String(),
			f.Commission.String(), f.SECFee.String(), f.TAFFee.String(), f.RealizedPL.String(), "", "", f.OrderID.String(), f.ID.String()}
	}
	e := it.Entry
	order, fillID := "", ""
	if e.OrderID != nil {
		order = e.OrderID.String()
	}
	if e.FillID != nil {
		fillID = e.FillID.String()
	}
	at := e.CreatedAt
	return []string{csvTime(&at), e.Kind, "", "", "", "", e.Amount.String(), "", "", "", "", e.BalanceAfter.String(),
		e.Description, order, fillID}
}
