package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func TestHTMXRequestIsReadFromItsHeaders(t *testing.T) {
	t.Parallel()
	var got htmxRequest
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error { got = htmxOf(c); return nil })

	req := httptest.NewRequest(http.MethodGet, "/", nil)
	for k, v := range map[string]string{
		hxRequest: "true", hxBoosted: "true", hxHistoryRestore: "true", hxTarget: "results",
		hxTrigger: "search", hxTriggerName: "q", hxCurrentURL: "http://example.test/instruments",
	} {
		req.Header.Set(k, v)
	}
	if _, err := app.Test(req, -1); err != nil {
		t.Fatal(err)
	}
	want := htmxRequest{Enabled: true, Boosted: true, HistoryRestore: true, Target: "results",
		Trigger: "search", TriggerName: "q", CurrentURL: "http://example.test/instruments"}
	if got != want {
		t.Errorf("read %+v, want %+v", got, want)
	}
}

func TestHTMXResponseSetsOnlyWhatItSays(t *testing.T) {
	t.Parallel()
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error {
		htmxResponse{Retarget: "#flashes", Reswap: "afterbegin"}.apply(c)
		return nil
	})
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get(hxRetarget) != "#flashes" || resp.Header.Get(hxReswap) != "afterbegin" {
		t.Errorf("retarget %q, reswap %q", resp.Header.Get(hxRetarget), resp.Header.Get(hxReswap))
	}
	for _, h := range []string{hxRedirect, hxRefresh, hxTrigger} {
		if _, set := resp.Header[http.CanonicalHeaderKey(h)]; set {
			t.Errorf("%s set though the response did not ask for it", h)
		}
	}
}

// Every page whose answer depends on HX-Request (a fragment for htmx, the page otherwise) says
// so in Vary, for both shapes, so no cache hands one to the other.
func TestPagesThatBranchOnHTMXVaryOnIt(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	_, admin := makeAdmin(t, a, "root@example.com")

	for _, path := range []string{
		"/instruments?q=a",
		"/admin/users?q=ada",
		"/orders?status=all&before=2026-01-02T15:04:05Z",
		"/activity",
		"/no/such/page", // the error handler answers htmx with a fragment
	} {
		for _, htmx := range []bool{false, true} {
			b := *admin
			b.htmx = htmx
			resp, _ := b.get(path)
			if !strings.Contains(resp.Header.Get(fiber.HeaderVary), hxRequest) {
				t.Errorf("GET %s (htmx %v): %d, Vary %q", path, htmx, resp.StatusCode, resp.Header.Get(fiber.HeaderVary))
			}
		}
	}
}
