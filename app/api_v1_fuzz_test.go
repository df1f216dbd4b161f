package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// fuzzRequests counts the fuzz run's requests for the closing report.
var fuzzRequests atomic.Int64

// TestAPIFuzz is a bounded, seeded fuzz run of the JSON API from its document: for every
// operation it sends requests made from the parameter and body schemas (mostly valid values,
// some out of bounds or of the wrong type, with and without credentials) to the app serving on a
// real port, and checks that nothing answers 5xx and every answer conforms to the document
// (checkAPIExchange). API_FUZZ_SEED (default 1) and API_FUZZ_N (requests per operation, default
// 30) reproduce or widen a run.
func TestAPIFuzz(t *testing.T) {
	t.Parallel()
	seed, _ := strconv.ParseUint(envOr("API_FUZZ_SEED", "1"), 10, 64)
	perOp, _ := strconv.Atoi(envOr("API_FUZZ_N", "30"))
	a := newTestApp(t, map[string]string{"RATE_LIMIT_PUBLIC": "100000/1m", "RATE_LIMIT_AUTH": "100000/1m"})
	seedSimAssets(t, a)
	a.createUser("fuzz@example.com", goodPassword)
	access, _ := a.tokens("fuzz@example.com", goodPassword)
	_, list := a.api(http.MethodPost, "/api/v1/watchlists", map[string]any{"name": "Fuzzed"}, "Authorization", "Bearer "+access)
	listID := fmt.Sprint(list["id"])
	// A paper account, an order resting in it and an API key of the fuzzed person, so the
	// operations on them are reached with ids that exist, not only refused as unknown.
	_, accts := a.api(http.MethodGet, "/api/v1/accounts", nil, "Authorization", "Bearer "+access)
	accountID := fmt.Sprint(accts["accounts"].([]any)[0].(map[string]any)["id"])
	_, resting := a.api(http.MethodPost, "/api/v1/accounts/"+accountID+"/orders", map[string]any{"symbol": "BTC/USD", "side": "buy",
		"type": "limit", "time_in_force": "gtc", "qty": "0.01", "limit_price": "1000"}, "Authorization", "Bearer "+access)
	orderID := fmt.Sprint(resting["id"])
	_, key := a.api(http.MethodPost, "/api/v1/api-keys", map[string]any{"label": "Fuzzed"}, "Authorization", "Bearer "+access)
	keyID := fmt.Sprint(key["id"])

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.srv.Shutdown(ctx)
	})
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 30 * time.Second}

	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	g := &fuzzGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), listID: listID,
		accountID: accountID, orderID: orderID, keyID: keyID}
	paths := make([]string, 0, len(c.doc.Paths.Map()))
	for p := range c.doc.Paths.Map() {
		paths = append(paths, p)
	}
	sort.Strings(paths) // a fixed order, so a seed always makes the same run
	sent, statuses := 0, map[int]int{}
	for _, path := range paths {
		item := c.doc.Paths.Value(path)
		methods := make([]string, 0, 4)
		for m := range item.Operations() {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, method := range methods {
			op := item.GetOperation(method)
			if op.OperationID == "streamMarketData" || op.OperationID == "syncAssets" {
				continue // an endless event stream; a job that syncs the whole catalogue
			}
			for range perOp {
				req, body := g.request(method, base, path, op, access)
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s %s: %v", method, req.URL, err)
				}
				respBody, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				sent++
				statuses[resp.StatusCode]++
				if resp.StatusCode >= 500 {
					t.Errorf("%s %s %s answered %d: %s", method, req.URL.RequestURI(), body, resp.StatusCode, respBody)
				}
				req.Body = io.NopCloser(bytes.NewReader(body))
				checkAPIExchange(t, req, body, resp.StatusCode, resp.Header, respBody)
			}
		}
	}
	fuzzRequests.Add(int64(sent))
	t.Logf("API fuzz (seed %d): %d requests, statuses %v", seed, sent, statuses)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// fuzzGen makes requests from schemas.
type fuzzGen struct {
	r                                 *rand.Rand
	listID, accountID, orderID, keyID string
}

func (g *fuzzGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *fuzzGen) request(method, base, path string, op *openapi3.Operation, access string) (*http.Request, []byte) {
	q := url.Values{}
	for _, pr := range op.Parameters {
		p := pr.Value
		switch p.In {
		case "path":
			path = strings.Replace(path, "{"+p.Name+"}", g.pathValue(path, p), 1)
		case "query":
			if p.Required || g.chance(0.5) {
				q.Set(p.Name, g.text(p.Schema.Value, p.Example))
			}
		}
	}
	var body []byte
	if op.RequestBody != nil {
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil {
			body, _ = json.Marshal(g.value(mt.Schema.Value, 0))
			if g.chance(0.05) {
				body = []byte(`{"unterminated": `)
			}
		}
	}
	u := base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case g.chance(0.8):
		req.Header.Set("Authorization", "Bearer "+access)
	case g.chance(0.5):
		req.Header.Set("Authorization", "Bearer not-a-token")
	}
	return req, body
}

func (g *fuzzGen) pathValue(path string, p *openapi3.Parameter) string {
	real := g.listID
	switch {
	case p.Name == "symbol":
		return url.PathEscape(g.pick("AAPL", "BTC/USD", "NVDA", "ZZZZ", "btcusd", "A.B", "%", "Ω"))
	case p.Name == "order":
		return g.pick(g.orderID, g.orderID, g.orderID, "01a250ec-8fef-719a-a8d4-db030254bdc4", "abc", "0")
	case strings.HasPrefix(path, "/api/v1/accounts/"):
		real = g.accountID
	case strings.HasPrefix(path, "/api/v1/api-keys/"):
		real = g.keyID
	}
	return g.pick(real, real, "7", "0", "-1", "abc", "99999999999999999999")
}

func (g *fuzzGen) pick(options ...string) string { return options[g.r.IntN(len(options))] }

// text is a query parameter's value: usually one the schema allows, sometimes not.
func (g *fuzzGen) text(s *openapi3.Schema, example any) string {
	if g.chance(0.15) {
		return g.pick("", "x", "-5", "true", "1e99", strings.Repeat("z", 300), "AAPL,,BTC/USD", "%00")
	}
	v := g.value(s, 0)
	if g.chance(0.3) && example != nil {
		v = example
	}
	return fmt.Sprint(v)
}

// value is a value of the schema's type (JSON-shaped), occasionally of another.
func (g *fuzzGen) value(s *openapi3.Schema, depth int) any {
	if s == nil {
		return nil
	}
	if len(s.AllOf) == 1 && s.AllOf[0].Value != nil {
		return g.value(s.AllOf[0].Value, depth)
	}
	if g.chance(0.05) {
		return g.pick("wrong", "") // the wrong type for most fields
	}
	switch {
	case len(s.Enum) > 0:
		return s.Enum[g.r.IntN(len(s.Enum))]
	case s.Type.Is("boolean"):
		return g.chance(0.5)
	case s.Type.Is("integer"), s.Type.Is("number"):
		lo, hi := -10.0, 1000.0
		if s.Min != nil {
			lo = *s.Min - 2
		}
		if s.Max != nil {
			hi = *s.Max + 2
		}
		return int64(lo) + g.r.Int64N(int64(hi-lo)+1)
	case s.Type.Is("array"):
		out := []any{}
		for range g.r.IntN(4) {
			if s.Items != nil && depth < 3 {
				out = append(out, g.value(s.Items.Value, depth+1))
			}
		}
		return out
	case s.Type.Is("object"):
		out := map[string]any{}
		for name, prop := range s.Properties {
			required := false
			for _, r := range s.Required {
				required = required || r == name
			}
			if (required && g.chance(0.95)) || g.chance(0.4) {
				if depth < 3 {
					out[name] = g.value(prop.Value, depth+1)
				}
			}
		}
		return out
	case s.Format == "date":
		return g.pick("2026-12-07", "2026-01-01", "2027-02-30", "1999-12-31")
	}
	if s.Example != nil && g.chance(0.5) {
		return s.Example
	}
	return g.pick("AAPL", "Chips", "ada@example.com", "", " ", "a name that goes on and on and on and on and on and on and on and on", "ÆØÅ 😀", "<script>")
}
