package views

import (
	"alpacawrapper/urls"
	"net/url"
	"strconv"
	"time"
)

// AdminUserRow is one account in the operators' user list.
type AdminUserRow struct {
	ID        int64
	Name      string
	Email     string
	Initials  string
	AvatarURL string // "" when the user has no picture: show Initials
	IsAdmin   bool
	Active    bool
	Verified  bool
	CreatedAt time.Time  // in the viewer's time zone
	LastLogin *time.Time // in the viewer's time zone; nil if they never logged in
	Self      bool       // the administrator looking at the list, who cannot disable themselves
}

// AdminUsersData is one page of the user list, with the search that produced it.
type AdminUsersData struct {
	Rows    []AdminUserRow
	Query   string // the search as typed; "" lists everyone
	Filter  AdminUsersFilter
	Page    int // 1-based
	Pages   int // at least 1, even when nothing matches
	PerPage int
	Total   int64 // users matching Query, on every page
}

// AdminUsersURL is the address of one page of the user list for a search. Empty parts are left
// out, so the first page of everyone is plain /admin/users.
func AdminUsersURL(query string, page int) string {
	v := url.Values{}
	if query != "" {
		v.Set("q", query)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return urls.Path(urls.AdminUsers)
	}
	return urls.Path(urls.AdminUsers) + "?" + v.Encode()
}
