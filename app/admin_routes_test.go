package app

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// adminRouteParam matches a route's parameters: named (:id, :id?) and wildcards (*, +).
var adminRouteParam = regexp.MustCompile(`:[A-Za-z0-9_]+\??|[*+]`)

// adminRoutes lists every method and path the router serves under /admin, read from Fiber, with
// each parameter filled in: a number for a named one, and for a wildcard a path into the mounted
// app's JSON API (River's UI answers its API under api/), so a mount is walked there too.
func adminRoutes(a *testApp) [][2]string {
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, r := range a.srv.fiber.GetRoutes() {
		if r.Path != "/admin" && !strings.HasPrefix(r.Path, "/admin/") {
			continue
		}
		if r.Method == http.MethodHead || r.Method == http.MethodConnect || r.Method == http.MethodTrace || r.Method == http.MethodOptions {
			continue
		}
		path := adminRouteParam.ReplaceAllStringFunc(r.Path, func(p string) string {
			if p == "*" || p == "+" {
				return "api/jobs"
			}
			return "1"
		})
		k := [2]string{r.Method, path}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(x, y [2]string) int { return strings.Compare(x[1]+x[0], y[1]+y[0]) })
	return out
}

// TestEveryAdminRouteIsForAdministratorsOnly walks the router's own list of /admin routes, so a
// page added later (or a mounted app, such as River's UI at /admin/jobs) is covered without
// anyone remembering to list it here: a guest is sent to log in, a signed-in non-admin gets
// 404 with or without a CSRF token, and nothing about the page leaks.
func TestEveryAdminRouteIsForAdministratorsOnly(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	routes := adminRoutes(a)
	for _, want := range [][2]string{{"GET", "/admin"}, {"GET", "/admin/users"}, {"GET", "/admin/audit"}, {"POST", "/admin/users/1/disable"}} {
		if !slices.Contains(routes, want) {
			t.Fatalf("the walk did not find %v in %v", want, routes)
		}
	}
	t.Logf("%d admin routes", len(routes))

	a.createUser("mallory@example.com", goodPassword)
	mallory := a.browser()
	mallory.login("mallory@example.com", goodPassword)
	guest := a.browser()
	guest.get("/login") // a CSRF token, so a guest's post is refused for who they are, not for the token

	send := func(b *browser, method, path string, token string) *http.Response {
		t.Helper()
		form := url.Values{}
		if token != "" {
			form.Set("_csrf", token)
		}
		var req *http.Request
		if method == http.MethodGet {
			req = httptest.NewRequest(method, path, nil)
		} else {
			req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-CSRF-Token", token)
		}
		resp, _ := b.send(req)
		return resp
	}
	for _, r := range routes {
		method, path := r[0], r[1]
		t.Run(method+" "+path, func(t *testing.T) {
			resp := send(guest, method, path, guest.csrf)
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
				t.Errorf("guest: %d %q, want 303 to /login", resp.StatusCode, loc)
			}
			for _, token := range []string{mallory.csrf, ""} {
				if resp := send(mallory, method, path, token); resp.StatusCode != http.StatusNotFound {
					t.Errorf("signed-in non-admin (CSRF token %v): %d, want 404", token != "", resp.StatusCode)
				}
			}
		})
	}
}
