package views

import (
	"net/url"
	"strconv"
	"time"

	"alpacawrapper/urls"
)

// AdminUsersFilter is the list's filters and order as the URL carries them; "" is "any" (or the
// default order, newest first).
type AdminUsersFilter struct {
	Role   string // "admin" or "user"
	Status string // "active" or "disabled"
	Email  string // "verified" or "unverified"
	Sort   string // "oldest", "name", "email" or "last_login"
}

// AdminUserSorts are the orders the list offers, as the sort menu shows them.
var AdminUserSorts = [][2]string{{"", "Newest first"}, {"oldest", "Oldest first"}, {"name", "Name"}, {"email", "E-mail"}, {"last_login", "Last login"}}

// URL is the address of one page of the list with the same search, filters and order.
func (d AdminUsersData) URL(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"q": d.Query, "role": d.Filter.Role, "status": d.Filter.Status,
		"email": d.Filter.Email, "sort": d.Filter.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return urls.Path(urls.AdminUsers)
	}
	return urls.Path(urls.AdminUsers) + "?" + v.Encode()
}

// Filtered reports whether a search or filter narrows the list.
func (d AdminUsersData) Filtered() bool {
	return d.Query != "" || d.Filter.Role != "" || d.Filter.Status != "" || d.Filter.Email != ""
}

// AdminUserURL is the address of one user's page.
func AdminUserURL(id int64) string { return urls.Path(urls.AdminUser, id) }

// AdminUserDetail is one person's page for operators: profile, paper accounts, signed-in
// sessions, API keys and recent orders, with what may be done to each.
type AdminUserDetail struct {
	User     AdminUserRow
	TimeZone string
	Accounts []AdminUserAccount
	Sessions []AdminUserSession
	Keys     []AdminUserKey
	Orders   []AdminUserOrder
	Back     string // the list as the operator left it
}

// AdminUserAccount is one of the person's paper accounts.
type AdminUserAccount struct {
	ID      int64
	Name    string
	Number  string
	Cash    string
	Primary bool
	Frozen  bool
}

// AdminUserSession is one signed-in browser, named by its public handle.
type AdminUserSession struct {
	Handle    string
	UserAgent string
	IP        string
	CreatedAt time.Time
	LastSeen  time.Time
}

// AdminUserKey is one API key (never its secret).
type AdminUserKey struct {
	ID        int64
	KeyID     string
	Label     string
	Account   string // the account it acts on, "" for the primary one
	CreatedAt time.Time
	LastUsed  *time.Time
}

// AdminUserOrder is one recent order of any of the person's accounts.
type AdminUserOrder struct {
	Account   string
	Symbol    string
	Side      string
	Qty       string
	Type      string
	Status    string
	CreatedAt time.Time
}

// AdminUserActionURL is the path of an action on user id: "role", "verify", "password-reset",
// "disable" or "enable".
func AdminUserActionURL(id int64, action string) string {
	switch action {
	case "role":
		return urls.Path(urls.AdminUserRole, id)
	case "verify":
		return urls.Path(urls.AdminUserVerify, id)
	case "password-reset":
		return urls.Path(urls.AdminUserReset, id)
	}
	return adminUserActionURL(id, action)
}
