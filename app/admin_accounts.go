package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/stats"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// The operators' paper-account pages: the list across users (GET /admin/accounts), one account
// (GET /admin/accounts/:id) and one of its fills' receipt. The account page shows what its owner
// sees, built by the owner's own pieces (positionsView, ordersView, activityRow, receiptView and
// the trading service's valuation and activity), read-only; the actions are in
// admin_accounts_actions.go.

// adminAccountsPerPage is how many accounts one page of the list shows.
const adminAccountsPerPage = 25

// adminAccountActivity is how many of the period's latest fills and cash lines the page lists.
const adminAccountActivity = 50

// adminAccountsPage is GET /admin/accounts?q=&frozen=yes|no&page=.
func (s *Server) adminAccountsPage(c *fiber.Ctx) error {
	ctx, viewer := c.UserContext(), currentUser(c)
	d := views.AdminAccountsData{Query: cleanAdminQuery(c.Query("q")), PerPage: adminAccountsPerPage, Page: adminPageParam(c.Query("page"))}
	q := models.AccountListQuery{Search: d.Query, Limit: adminAccountsPerPage}
	switch c.Query("frozen") {
	case "yes":
		d.Frozen, q.Frozen = "yes", ptr(true)
	case "no":
		d.Frozen, q.Frozen = "no", ptr(false)
	}
	q.Offset = (d.Page - 1) * adminAccountsPerPage
	rows, total, err := models.ListAccountsBy(ctx, s.db, q)
	if err != nil {
		return err
	}
	d.Pages = max(1, int((total+adminAccountsPerPage-1)/adminAccountsPerPage))
	if d.Page > d.Pages { // past the end (the list shrank, or the URL was edited): the last page
		d.Page = d.Pages
		q.Offset = (d.Page - 1) * adminAccountsPerPage
		if rows, total, err = models.ListAccountsBy(ctx, s.db, q); err != nil {
			return err
		}
	}
	d.Total = total
	loc := userLocation(viewer)
	for _, r := range rows {
		d.Rows = append(d.Rows, views.AdminAccountRow{ID: r.ID, Name: r.Name, Number: r.Number, Cash: views.FormatMoney(r.Cash),
			Period: r.Period, Primary: r.IsPrimary, Frozen: r.TradingFrozenAt != nil, OpenOrders: r.OpenOrders,
			CreatedAt: r.CreatedAt.In(loc), OwnerID: r.UserID, OwnerName: r.OwnerName, OwnerEmail: r.OwnerEmail})
	}
	return render(c, views.AdminAccountsPage(s.page(c, "Paper accounts"), d))
}

func ptr[T any](v T) *T { return &v }

// adminAccountNotFound answers an account id that names no account.
func adminAccountNotFound() error {
	return apperr.New(apperr.KindNotFound, "account_not_found", "There is no such paper account.")
}

// adminAccountOf loads the account named by :id, whoever owns it.
func (s *Server) adminAccountOf(c *fiber.Ctx) (*models.PaperAccount, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, adminAccountNotFound()
	}
	a, err := models.PaperAccountByID(c.UserContext(), s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, adminAccountNotFound()
	}
	return a, err
}

// adminAccountPage is GET /admin/accounts/:id.
func (s *Server) adminAccountPage(c *fiber.Ctx) error {
	a, err := s.adminAccountOf(c)
	if err != nil {
		return err
	}
	d, err := s.adminAccountData(c, a)
	if err != nil {
		return err
	}
	return render(c, views.AdminAccountPage(s.page(c, a.Name), d))
}

// adminAccountData gathers the account page, with times in the operator's zone.
func (s *Server) adminAccountData(c *fiber.Ctx, a *models.PaperAccount) (views.AdminAccountData, error) {
	ctx := c.UserContext()
	viewer := currentUser(c)
	loc := userLocation(viewer)
	owner, err := models.UserByID(ctx, s.db, a.UserID)
	if err != nil {
		return views.AdminAccountData{}, err
	}
	v, err := s.pageValue(ctx, a)
	if err != nil {
		return views.AdminAccountData{}, err
	}
	d := views.AdminAccountData{ID: a.ID, Name: a.Name, Number: a.Number, Period: a.Period, PeriodStart: a.PeriodStartedAt.In(loc),
		StartingCash: a.StartingCash.StringFixed(2), Frozen: a.TradingFrozenAt != nil, OwnerID: owner.ID, OwnerName: owner.Name,
		OwnerEmail: owner.Email, TimeZone: loc.String(), Figures: figuresOf(v), Forms: map[string]views.Form{}}
	if a.TradingFrozenAt != nil {
		d.FrozenAt = a.TradingFrozenAt.In(loc)
	}
	if d.Curve, err = s.adminEquityCurve(ctx, a, v, loc); err != nil {
		return d, err
	}
	env := tradeEnv{userID: a.UserID, loc: loc}
	d.Positions = positionsView(env, tradeSections{}, v)
	d.Positions.ReadOnly = true
	if d.Orders, err = s.ordersView(ctx, env, a, ordersQuery{status: "all", panel: views.SectionOrders + "all"}); err != nil {
		return d, err
	}
	d.Orders.ReadOnly, d.Orders.More = true, "" // "Load more" is the owner's orders page
	for gi := range d.Orders.Groups {
		g := &d.Orders.Groups[gi]
		adminFillLinks(a.ID, &g.Order)
		for li := range g.Legs {
			adminFillLinks(a.ID, &g.Legs[li])
		}
	}
	open, err := models.ListOrders(ctx, s.db, models.OrderQuery{AccountID: a.ID, Period: a.Period, Status: "open", Limit: 501})
	if err != nil {
		return d, err
	}
	d.OpenOrders = len(open)
	page, err := s.trading.Activity(ctx, trading.ActivityQuery{AccountID: a.ID, Period: a.Period, Kind: trading.ActivityAll, Limit: adminAccountActivity})
	if err != nil {
		return d, err
	}
	for _, it := range page.Items {
		r := activityRow(it, loc)
		if r.ReceiptHref != "" {
			id := ""
			if it.Fill != nil {
				id = it.Fill.ID.String()
			} else if it.Entry != nil && it.Entry.FillID != nil {
				id = it.Entry.FillID.String()
			}
			r.ReceiptHref = urls.Path(urls.AdminAccountFill, a.ID, id)
		}
		d.Activity = append(d.Activity, r)
	}
	return d, nil
}

// adminFillLinks points an order row's receipts at the operators' receipt page, and drops the
// link to the owner's journal note (the owner's page, not the operator's).
func adminFillLinks(accountID int64, r *views.TradeOrderRow) {
	r.NoteHref = ""
	for i := range r.Fills {
		r.Fills[i].Href = urls.Path(urls.AdminAccountFill, accountID, r.Fills[i].ID)
	}
}

// adminEquityCurve is the current period's equity, from its snapshots to the live valuation,
// thinned as the owner's chart is for its whole-period range.
func (s *Server) adminEquityCurve(ctx context.Context, a *models.PaperAccount, v trading.Valuation, loc *time.Location) (views.AdminChart, error) {
	snaps, err := models.EquitySnapshotsOf(ctx, s.db, a.ID, a.Period, time.Time{})
	if err != nil {
		return views.AdminChart{}, err
	}
	ny, err := newYork()
	if err != nil {
		return views.AdminChart{}, err
	}
	now := s.tradingNow()
	h := buildEquityHistory(stats.RangeAll, withNow(snapshotCurve(snaps, a.PeriodStartedAt), now, v.Equity), ny)
	var times []int64
	var values []decimal.Decimal
	for _, p := range h.Points {
		e, err := decimal.NewFromString(p.Equity)
		if err != nil {
			return views.AdminChart{}, fmt.Errorf("app: equity point: %w", err)
		}
		times = append(times, p.T)
		values = append(values, e)
	}
	first, last := "", ""
	if len(times) > 0 {
		first = time.Unix(times[0], 0).In(loc).Format("Jan 2 15:04")
		last = time.Unix(times[len(times)-1], 0).In(loc).Format("Jan 2 15:04")
	}
	summary := "Equity " + views.FormatMoney(v.Equity) + " now; " + h.ChangeText + " (" + h.ReturnText + ") over the period, deposits and adjustments excluded."
	return views.NewLineChart("Equity over period "+strconv.Itoa(a.Period), times, values, views.FormatMoney, first, last, summary), nil
}

// adminAccountFillPage is GET /admin/accounts/:id/fills/:fill: the owner's receipt of one of the
// account's fills (any period). A fill of another account is not found.
func (s *Server) adminAccountFillPage(c *fiber.Ctx) error {
	a, err := s.adminAccountOf(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Params("fill"))
	if err != nil {
		return trading.ErrFillNotFound
	}
	f, err := s.trading.FillOf(c.UserContext(), a.UserID, id)
	if err != nil {
		return err
	}
	if f.AccountID != a.ID {
		return trading.ErrFillNotFound
	}
	d := views.AdminAccountFillData{AccountID: a.ID, AccountName: a.Name, Receipt: receiptView(f, userLocation(currentUser(c)))}
	return render(c, views.AdminAccountFillPage(s.page(c, "Fill receipt"), d))
}
