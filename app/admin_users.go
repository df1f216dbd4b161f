package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

const (
	// adminUsersPerPage is how many accounts one page of the admin list shows.
	adminUsersPerPage = 25
	// maxAdminPage bounds the page number taken from the URL, so the offset computed from it cannot
	// overflow; any page past the end shows the last one anyway.
	maxAdminPage = 1 << 20
	// maxAdminQuery is the longest search kept: no e-mail address (254) or name (100) is longer,
	// so a longer one could match nothing.
	maxAdminQuery = 254
)

// adminUsersPage is GET /admin/users?q=&page=: one page of accounts, optionally searched. htmx
// searches and page changes get only the results region, except when htmx restores a page from
// history (it keeps no snapshot of this one), which needs the whole document.
func (s *Server) adminUsersPage(c *fiber.Ctx) error {
	viewer := currentUser(c)
	d, err := s.adminUserList(c.UserContext(), viewer, c.Query("q"), adminUsersFilterOf(c), adminPageParam(c.Query("page")))
	if err != nil {
		return err
	}
	// One address, two shapes of answer (wantsFragment adds Vary: HX-Request for caches).
	if wantsFragment(c) {
		return render(c, views.AdminUsersResults(currentSession(c).CSRFToken, d))
	}
	return render(c, views.AdminUsersPage(s.page(c, "Users"), d))
}

// disableUser is POST /admin/users/:id/disable: the account is signed out everywhere at once.
func (s *Server) disableUser(c *fiber.Ctx) error { return s.setUserActive(c, false) }

// enableUser is POST /admin/users/:id/enable: the person can log in again (old sessions stay ended).
func (s *Server) enableUser(c *fiber.Ctx) error { return s.setUserActive(c, true) }

// setUserActive disables or enables the account in the URL, with its audit entry, then sends the
// operator back to the page they were on with a flash.
func (s *Server) setUserActive(c *fiber.Ctx, active bool) error {
	admin := currentUser(c)
	target, err := s.changeUser(c, map[bool]string{true: "user.enable", false: "user.disable"}[active],
		setActive(admin.ID, active, c.FormValue("confirm_self") == "yes"))
	if err != nil {
		return err
	}
	who := fmt.Sprintf("%s (%s)", target.Name, target.Email)
	if active {
		s.flash(c, "success", who+" is enabled and can log in again.")
	} else {
		s.live.endUser(target.ID, "account disabled")
		s.flash(c, "success", who+" is disabled and has been signed out everywhere.")
	}
	return redirectAfterPost(c, adminUsersBack(c))
}

func adminUserNotFound() error {
	return apperr.New(apperr.KindNotFound, "user_not_found", "There is no such user.")
}

// adminUserList loads one page of the list for viewer, with dates in the viewer's time zone. A page
// past the end (the list shrank, or the URL was edited) shows the last page instead of nothing.
func (s *Server) adminUserList(ctx context.Context, viewer *models.User, query string, f views.AdminUsersFilter, page int) (views.AdminUsersData, error) {
	query = cleanAdminQuery(query)
	lq := adminUsersQuery(query, f)
	lq.Offset = (page - 1) * adminUsersPerPage
	users, total, err := models.ListUsersBy(ctx, s.db, lq)
	if err != nil {
		return views.AdminUsersData{}, err
	}
	pages := max(1, int((total+adminUsersPerPage-1)/adminUsersPerPage))
	if page > pages {
		page = pages
		lq.Offset = (page - 1) * adminUsersPerPage
		if users, total, err = models.ListUsersBy(ctx, s.db, lq); err != nil {
			return views.AdminUsersData{}, err
		}
	}
	loc := userLocation(viewer)
	rows := make([]views.AdminUserRow, 0, len(users))
	for i := range users {
		rows = append(rows, adminUserRow(&users[i], viewer, loc))
	}
	return views.AdminUsersData{Rows: rows, Query: query, Filter: f, Page: page, Pages: pages, PerPage: adminUsersPerPage, Total: total}, nil
}

// adminUserRow is what the list shows of u: never its password hash or other secrets.
func adminUserRow(u *models.User, viewer *models.User, loc *time.Location) views.AdminUserRow {
	r := views.AdminUserRow{ID: u.ID, Name: u.Name, Email: u.Email, Initials: u.Initials(), IsAdmin: u.IsAdmin(),
		Active: u.Active, Verified: u.EmailVerified(), CreatedAt: u.CreatedAt.In(loc), Self: u.ID == viewer.ID}
	if u.AvatarFile != nil {
		r.AvatarURL = urls.Path(urls.Avatar, *u.AvatarFile)
	}
	if u.LastLoginAt != nil {
		t := u.LastLoginAt.In(loc)
		r.LastLogin = &t
	}
	return r
}

// cleanAdminQuery trims a search and cuts it to a length that could still match something.
func cleanAdminQuery(q string) string {
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > maxAdminQuery {
		q = string([]rune(q)[:maxAdminQuery])
	}
	return q
}

// adminPageParam reads a 1-based page number; anything that is not one is the first page. A number
// too large for an int is still "far past the end", which shows the last page.
func adminPageParam(s string) int {
	n, err := strconv.Atoi(s) // out of range: the largest int, with ErrRange
	if (err != nil && !errors.Is(err, strconv.ErrRange)) || n < 1 {
		return 1
	}
	return min(n, maxAdminPage)
}
