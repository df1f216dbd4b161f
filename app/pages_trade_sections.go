package app

import (
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/urls"
	"alpacawrapper/views"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// The trade pages' live sections (account figures, positions, open orders, the orders table):
// which ones a page shows, and their out-of-band rendering after an action or a live update.

// tradeSections are the live parts of the page a request or a connection came from. Only these
// are rendered as out-of-band swaps: htmx logs an error for a swap whose target is missing.
type tradeSections struct {
	figures, positions, openOrders bool
	orders                         string // the orders page's tab ("open", "closed", "all"); "" when not shown
}

// parseTradeSections reads a comma-separated list of views.Section* names; unknown names are
// ignored.
func parseTradeSections(raw string) tradeSections {
	var t tradeSections
	for _, p := range strings.Split(raw, ",") {
		p = strings.TrimSpace(p)
		switch {
		case p == views.SectionFigures:
			t.figures = true
		case p == views.SectionPositions:
			t.positions = true
		case p == views.SectionOpenOrders:
			t.openOrders = true
		case strings.HasPrefix(p, views.SectionOrders) && validOrderStatus(strings.TrimPrefix(p, views.SectionOrders)):
			t.orders = strings.TrimPrefix(p, views.SectionOrders)
		}
	}
	return t
}

// String is the list again, for the forms and the live connection of the page.
func (t tradeSections) String() string {
	var out []string
	if t.figures {
		out = append(out, views.SectionFigures)
	}
	if t.positions {
		out = append(out, views.SectionPositions)
	}
	if t.openOrders {
		out = append(out, views.SectionOpenOrders)
	}
	if t.orders != "" {
		out = append(out, views.SectionOrders+t.orders)
	}
	return strings.Join(out, ",")
}

// any reports whether the page has a live section at all.
func (t tradeSections) any() bool { return t.figures || t.positions || t.openOrders || t.orders != "" }

// hasOrdersTable reports whether an orders table is among the sections (it then carries every
// change to an order row).
func (t tradeSections) hasOrdersTable() bool { return t.openOrders || t.orders != "" }

// page is where a plain (no JavaScript) post from these sections goes back to.
func (t tradeSections) page() string {
	switch {
	case t.orders != "":
		return urls.Query(urls.Path(urls.Orders), "status", t.orders)
	case t.openOrders:
		return urls.Path(urls.Trade)
	case t.positions:
		return urls.Path(urls.Portfolio)
	}
	return urls.Path(urls.Trade)
}

// tradeEnv is what rendering the sections needs from the request or the live connection: forms
// carry the session's CSRF token, and times are shown in the person's zone.
type tradeEnv struct {
	userID int64
	csrf   string
	loc    *time.Location
}

// tradeEnvOf is the request's tradeEnv.
func tradeEnvOf(c *fiber.Ctx) tradeEnv {
	u := currentUser(c)
	return tradeEnv{userID: u.ID, csrf: csrfOf(c), loc: userLocation(u)}
}

// writeTradeSections renders the sections as out-of-band swaps from one valuation of the account.
// It returns the valuation (zero when no section needed it).
func (s *Server) writeTradeSections(ctx context.Context, w io.Writer, env tradeEnv, a *models.PaperAccount, sec tradeSections) (trading.Valuation, error) {
	var v trading.Valuation
	if sec.figures || sec.positions {
		var err error
		if v, err = s.pageValue(ctx, a); err != nil {
			return v, err
		}
	}
	if sec.figures {
		if err := views.AccountFiguresOOB(figuresOf(v)).Render(ctx, w); err != nil {
			return v, err
		}
	}
	if sec.positions {
		if err := views.PositionsPanel(positionsView(env, sec, v), true).Render(ctx, w); err != nil {
			return v, err
		}
	}
	if sec.openOrders {
		o, err := s.ordersView(ctx, env, a, ordersQuery{status: "open", panel: views.SectionOpenOrders, sec: sec})
		if err != nil {
			return v, err
		}
		if err := views.OrdersPanel(o, true).Render(ctx, w); err != nil {
			return v, err
		}
	}
	if sec.orders != "" {
		o, err := s.ordersView(ctx, env, a, ordersQuery{status: sec.orders, panel: views.SectionOrders + sec.orders, sec: sec})
		if err != nil {
			return v, err
		}
		if err := views.OrdersPanel(o, true).Render(ctx, w); err != nil {
			return v, err
		}
	}
	return v, nil
}

// figuresOf is the account strip's numbers.
func figuresOf(v trading.Valuation) views.AccountFigures {
	day := v.DayPL()
	return views.AccountFigures{
		Equity: views.FormatMoney(v.Equity), BuyingPower: views.FormatMoney(v.BuyingPower), Cash: views.FormatMoney(v.Cash),
		DayPL: views.FormatSignedMoney(day), DayUp: day.Round(2).IsPositive(), DayDown: day.Round(2).IsNegative(),
	}
}

var hundredPct = decimal.NewFromInt(100)

// positionsView is the positions table of a valuation, with totals.
func positionsView(env tradeEnv, sec tradeSections, v trading.Valuation) views.TradePositions {
	out := views.TradePositions{CSRF: env.csrf, Sections: sec.String(), Next: sec.page()}
	var value, basis, pl, today decimal.Decimal
	for _, p := range v.Positions {
		qty := p.Qty.Abs()
		row := views.TradePositionRow{
			Symbol: p.Symbol, Side: p.Side, Qty: views.FormatQty(qty),
			AvgEntry: views.FormatPrice(p.AvgEntryPrice, decimal.Zero), Price: views.FormatPrice(p.CurrentPrice, decimal.Zero),
			Priced: p.Priced, MarketValue: views.FormatMoney(p.MarketValue), CostBasis: views.FormatMoney(p.CostBasis),
			UnrealizedPL: views.FormatSignedMoney(p.UnrealizedPL), PLPC: views.FormatPercent(p.UnrealizedPLPC.Mul(hundredPct)),
			Up: p.UnrealizedPL.Round(2).IsPositive(), Down: p.UnrealizedPL.Round(2).IsNegative(),
			CloseConfirm: closeQuestion(p),
		}
		if p.LastdayPrice.IsPositive() {
			// The position's own change today, in dollars and percent (the stock's day change would
			// disagree with the dollars for a position opened today).
			row.Today, row.TodayPct = views.FormatSignedMoney(p.UnrealizedIntradayPL), views.FormatPercent(p.UnrealizedIntradayPLPC.Mul(hundredPct))
			row.TodayUp, row.TodayDown = p.UnrealizedIntradayPL.Round(2).IsPositive(), p.UnrealizedIntradayPL.Round(2).IsNegative()
			today = today.Add(p.UnrealizedIntradayPL)
		}
		out.Rows = append(out.Rows, row)
		value, basis, pl = value.Add(p.MarketValue), basis.Add(p.CostBasis), pl.Add(p.UnrealizedPL)
	}
	out.Today = views.FormatSignedMoney(today)
	out.TodayUp, out.TodayDown = today.Round(2).IsPositive(), today.Round(2).IsNegative()
	out.MarketValue, out.CostBasis, out.UnrealizedPL = views.FormatMoney(value), views.FormatMoney(basis), views.FormatSignedMoney(pl)
	pct := decimal.Zero
	if !basis.IsZero() {
		pct = pl.Div(basis.Abs()).Mul(hundredPct)
	}
	out.UnrealizedPLPC = views.FormatPercent(pct)
	out.Up, out.Down = pl.Round(2).IsPositive(), pl.Round(2).IsNegative()
	return out
}

// closeQuestion is what the Close button asks before closing a position at market.
func closeQuestion(p trading.PositionValue) string {
	if p.Side == "short" {
		return fmt.Sprintf("Buy back %s %s at market to close the short position?", views.FormatQty(p.Qty.Abs()), p.Symbol)
	}
	return fmt.Sprintf("Sell %s %s at market to close the position?", views.FormatQty(p.Qty), p.Symbol)
}

// sectionsAnswer answers a successful htmx action of the trade pages: the page's sections, the
// extra fragments (rows the sections do not cover) and a flash. A page that named no sections
// is reloaded instead.
func (s *Server) sectionsAnswer(c *fiber.Ctx, a *models.PaperAccount, sec tradeSections, flash views.Flash, extra func(w io.Writer) error) error {
	if !sec.any() && extra == nil {
		htmxResponse{Refresh: true}.apply(c)
		return c.SendStatus(fiber.StatusNoContent)
	}
	ctx := c.UserContext()
	var buf bytes.Buffer
	if _, err := s.writeTradeSections(ctx, &buf, tradeEnvOf(c), a, sec); err != nil {
		return err
	}
	if extra != nil {
		if err := extra(&buf); err != nil {
			return err
		}
	}
	if err := views.FlashOOB([]views.Flash{flash}).Render(ctx, &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}
