package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// adminUsersFilterOf reads the list's filters and order from the URL; an unknown value is "any"
// (or the default order), as if it had not been given.
func adminUsersFilterOf(c *fiber.Ctx) views.AdminUsersFilter {
	pick := func(v string, allowed ...string) string {
		for _, a := range allowed {
			if v == a {
				return v
			}
		}
		return ""
	}
	f := views.AdminUsersFilter{
		Role:   pick(c.Query("role"), "admin", "user"),
		Status: pick(c.Query("status"), "active", "disabled"),
		Email:  pick(c.Query("email"), "verified", "unverified"),
	}
	if _, ok := models.UserSorts[c.Query("sort")]; ok {
		f.Sort = c.Query("sort")
	}
	return f
}

// adminUsersQuery is the database query for a search and filters, one page long.
func adminUsersQuery(search string, f views.AdminUsersFilter) models.UserListQuery {
	q := models.UserListQuery{Search: search, Role: models.Role(f.Role), Sort: f.Sort, Limit: adminUsersPerPage}
	if f.Status != "" {
		active := f.Status == "active"
		q.Active = &active
	}
	if f.Email != "" {
		verified := f.Email == "verified"
		q.Verified = &verified
	}
	return q
}

// adminUsersBack is where an action sends the operator back to: the list as they left it (the
// form's "back", if it is an address of the admin pages) or the search and page it carried.
func adminUsersBack(c *fiber.Ctx) string {
	if back := c.FormValue("back"); isAdminPath(back) {
		return back
	}
	return views.AdminUsersURL(cleanAdminQuery(c.FormValue("q")), adminPageParam(c.FormValue("page")))
}

// isAdminPath reports whether back is an address of the admin pages, safe to redirect to.
func isAdminPath(back string) bool {
	admin := urls.Path(urls.Admin)
	return (back == admin || strings.HasPrefix(back, admin+"/") || strings.HasPrefix(back, admin+"?")) &&
		!strings.ContainsAny(back, "\\\r\n")
}
