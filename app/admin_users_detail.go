package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/auth"
	"alpacawrapper/models"
	"alpacawrapper/views"
)

// adminUserRecentOrders is how many of a person's latest orders their page shows.
const adminUserRecentOrders = 20

// adminUserPage is GET /admin/users/:id.
func (s *Server) adminUserPage(c *fiber.Ctx) error {
	ctx, viewer := c.UserContext(), currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return adminUserNotFound()
	}
	u, err := models.UserByID(ctx, s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return adminUserNotFound()
	}
	if err != nil {
		return err
	}
	d, err := s.adminUserDetail(ctx, u, viewer)
	if err != nil {
		return err
	}
	d.Back = adminUsersBackFrom(c.Query("back"))
	return render(c, views.AdminUserPage(s.page(c, u.Name), d))
}

// adminUserDetail gathers what the page shows of u, dates in the viewer's time zone.
func (s *Server) adminUserDetail(ctx context.Context, u, viewer *models.User) (views.AdminUserDetail, error) {
	loc := userLocation(viewer)
	d := views.AdminUserDetail{User: adminUserRow(u, viewer, loc), TimeZone: loc.String()}
	accounts, err := models.PaperAccountsOf(ctx, s.db, u.ID)
	if err != nil {
		return d, err
	}
	names := map[int64]string{}
	ids := make([]int64, 0, len(accounts))
	for _, a := range accounts {
		names[a.ID] = a.Name
		ids = append(ids, a.ID)
		d.Accounts = append(d.Accounts, views.AdminUserAccount{ID: a.ID, Name: a.Name, Number: a.Number,
			Cash: views.FormatMoney(a.Cash), Primary: a.IsPrimary, Frozen: a.TradingFrozenAt != nil})
	}
	sessions, err := s.sessions.List(ctx, u.ID)
	if err != nil {
		return d, err
	}
	for i := range sessions {
		ss := &sessions[i]
		d.Sessions = append(d.Sessions, views.AdminUserSession{Handle: auth.Handle(ss), UserAgent: ss.UserAgent, IP: ss.IP,
			CreatedAt: ss.CreatedAt.In(loc), LastSeen: ss.LastSeenAt.In(loc)})
	}
	keys, err := s.apiKeys.List(ctx, u.ID)
	if err != nil {
		return d, err
	}
	for _, k := range keys {
		row := views.AdminUserKey{ID: k.ID, KeyID: k.KeyID, Label: k.Label, CreatedAt: k.CreatedAt.In(loc)}
		if k.AccountID != nil {
			row.Account = names[*k.AccountID]
		}
		if k.LastUsedAt != nil {
			t := k.LastUsedAt.In(loc)
			row.LastUsed = &t
		}
		d.Keys = append(d.Keys, row)
	}
	if len(ids) > 0 {
		var orders []models.Order
		err := s.db.WithContext(ctx).Where("account_id IN ?", ids).Order("created_at DESC, id").Limit(adminUserRecentOrders).Find(&orders).Error
		if err != nil {
			return d, fmt.Errorf("app: recent orders: %w", err)
		}
		for _, o := range orders {
			qty := o.Qty.Decimal.String()
			if !o.Qty.Valid && o.Notional.Valid {
				qty = "$" + o.Notional.Decimal.String()
			}
			d.Orders = append(d.Orders, views.AdminUserOrder{Account: names[o.AccountID], Symbol: o.Symbol, Side: o.Side,
				Qty: qty, Type: o.Type, Status: o.Status, CreatedAt: o.CreatedAt.In(loc)})
		}
	}
	return d, nil
}

// adminUsersBackFrom keeps a "back" address only if it is one of the admin pages.
func adminUsersBackFrom(back string) string {
	if isAdminPath(back) {
		return back
	}
	return views.AdminUsersURL("", 1)
}

// changeRole is POST /admin/users/:id/role (role=admin|user).
func (s *Server) changeRole(c *fiber.Ctx) error {
	role := models.Role(c.FormValue("role"))
	if role != models.RoleAdmin && role != models.RoleUser {
		return apperr.New(apperr.KindInvalid, "bad_role", "Choose a role: administrator or user.")
	}
	admin := currentUser(c)
	u, err := s.changeUser(c, "user.role", setRole(admin.ID, role, c.FormValue("confirm_self") == "yes"))
	if err != nil {
		return err
	}
	s.live.endUser(u.ID, "role changed")
	what := "a plain user"
	if role == models.RoleAdmin {
		what = "an administrator"
	}
	s.flash(c, "success", fmt.Sprintf("%s (%s) is now %s and has been signed out everywhere.", u.Name, u.Email, what))
	return redirectAfterPost(c, adminUsersBack(c))
}

// verifyUser is POST /admin/users/:id/verify.
func (s *Server) verifyUser(c *fiber.Ctx) error {
	u, err := s.changeUser(c, "user.verify", markVerified)
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("The address %s is marked verified.", u.Email))
	return redirectAfterPost(c, adminUsersBack(c))
}

// sendPasswordReset is POST /admin/users/:id/password-reset.
func (s *Server) sendPasswordReset(c *fiber.Ctx) error {
	u, err := s.changeUser(c, "user.password_reset", s.sendReset)
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("A password-reset link is on its way to %s.", u.Email))
	return redirectAfterPost(c, adminUsersBack(c))
}

// adminRevokeSession is POST /admin/users/:id/sessions/:handle/revoke.
func (s *Server) adminRevokeSession(c *fiber.Ctx) error {
	handle := c.Params("handle")
	u, err := s.changeUser(c, "session.revoke", revokeSession(handle))
	if err != nil {
		return err
	}
	s.live.endSession(u.ID, handle)
	s.flash(c, "success", fmt.Sprintf("That browser of %s is signed out.", u.Name))
	return redirectAfterPost(c, adminUsersBack(c))
}

// adminRevokeKey is POST /admin/users/:id/keys/:key/revoke.
func (s *Server) adminRevokeKey(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("key"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.New(apperr.KindNotFound, "key_not_found", "There is no such API key.")
	}
	var keyID string
	u, err := s.changeUser(c, "api_key.revoke", revokeKey(id, &keyID))
	if err != nil {
		return err
	}
	if s.live != nil {
		s.live.streams.revoked(id) // its open trade-event streams end now
	}
	s.flash(c, "success", fmt.Sprintf("The API key %s of %s is revoked.", keyID, u.Name))
	return redirectAfterPost(c, adminUsersBack(c))
}
