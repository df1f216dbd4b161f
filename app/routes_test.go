package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/config"
	"alpacawrapper/urls"
)

// Every route routes.go registers is named in package urls (the Alpaca market-data routes aside,
// whose paths alpaca_data.go derives from the feeds), and every name is registered.
func TestEveryRouteIsNamedAndEveryNameRegistered(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, config.Development)

	data := fiber.New()
	s.alpacaDataRoutes(data)
	unnamedOK := map[string]bool{"/boom": true, "/panic": true, "/rejected": true} // setup's test routes
	for _, r := range data.GetRoutes(true) {
		unnamedOK[r.Path] = true
	}
	named := map[string]bool{}
	for _, n := range urls.All() {
		named[n.Pattern()] = true
	}

	registered := map[string]bool{}
	for _, r := range s.fiber.GetRoutes(true) {
		registered[r.Path] = true
		if !named[r.Path] && !unnamedOK[r.Path] {
			t.Errorf("%s %s is registered without a name in package urls", r.Method, r.Path)
		}
	}
	for _, n := range urls.All() {
		if !registered[n.Pattern()] {
			t.Errorf("the named route %s is not registered", n.Pattern())
		}
	}
}

// Every named route's built path reaches that route in the router: the same routes, in the same
// order, each answering with the pattern it matched.
func TestEveryBuiltPathReachesItsRoute(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, config.Development)

	echo := fiber.New()
	methods := map[string][]string{}
	for _, r := range s.fiber.GetRoutes(true) {
		if r.Method == fiber.MethodHead {
			continue // Fiber adds HEAD to every GET; its answer has no body to read the match from
		}
		echo.Add(r.Method, r.Path, func(c *fiber.Ctx) error { return c.SendString(c.Route().Path) })
		methods[r.Path] = append(methods[r.Path], r.Method)
	}
	for _, n := range urls.All() {
		pattern := n.Pattern()
		path := urls.Path(n, sampleParams(pattern)...)
		for _, method := range methods[pattern] {
			resp, err := echo.Test(httptest.NewRequest(method, path, nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			body := make([]byte, 256)
			k, _ := resp.Body.Read(body)
			if resp.StatusCode != http.StatusOK || string(body[:k]) != pattern {
				t.Errorf("%s %s: %d, matched %q, want %q", method, path, resp.StatusCode, body[:k], pattern)
			}
		}
	}
}

// sampleParams gives a pattern's parameters plausible values: an id, a symbol with a slash.
func sampleParams(pattern string) []any {
	var out []any
	for i, seg := range strings.Split(pattern, "/") {
		switch {
		case seg == "*":
			out = append(out, "BTC/USD")
		case strings.HasPrefix(seg, ":"):
			out = append(out, "42-"+string(rune('a'+i)))
		}
	}
	return out
}
