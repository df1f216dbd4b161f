package app

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestAPIRoutesMatchDocument reads the router and the served document: every JSON route under
// /api/v1 must be an operation of the document, and every operation must have a route. A route
// mounted beside apiV1Ops, or an operation declared without one, fails here.
func TestAPIRoutesMatchDocument(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	inDoc := map[string]bool{}
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			inDoc[method+" "+path] = true
		}
	}
	routed := map[string]bool{}
	for _, r := range a.srv.Handler().GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == http.MethodHead || r.Method == "USE" {
			continue
		}
		routed[r.Method+" "+openAPIPath(r.Path)] = true
	}
	var missing, unrouted []string
	for k := range routed {
		if !inDoc[k] {
			missing = append(missing, k)
		}
	}
	for k := range inDoc {
		if !routed[k] {
			unrouted = append(unrouted, k)
		}
	}
	slices.Sort(missing)
	slices.Sort(unrouted)
	if len(missing) > 0 {
		t.Errorf("routes missing from the OpenAPI document: %v", missing)
	}
	if len(unrouted) > 0 {
		t.Errorf("operations of the document without a route: %v", unrouted)
	}
	if len(routed) < 20 {
		t.Errorf("only %d JSON routes found: the router was not read", len(routed))
	}
	t.Logf("%d JSON routes, %d operations: all matched", len(routed), len(inDoc))

	t.Run("the document is served as JSON and YAML", func(t *testing.T) {
		for _, p := range []string{"/api/v1/openapi.json", "/api/v1/openapi.yaml"} {
			resp, body := a.do(newRequest(http.MethodGet, p))
			if resp.StatusCode != 200 || !strings.Contains(body, "Alpaca Wrapper API") || !strings.Contains(body, "/api/v1/watchlists/{id}") {
				t.Errorf("%s: %d %.200s", p, resp.StatusCode, body)
			}
		}
	})
}

func newRequest(method, path string) *http.Request { return httptest.NewRequest(method, path, nil) }
