package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// The JSON API's contract, checked on every exchange the tests make: each request to /api/v1
// that the harness sends (testApp.do, the fuzz run's client) is matched to its operation in the
// served document, and its response validated against it with kin-openapi's openapi3filter (the
// status must be documented, the body must match the schema). A request the document calls
// invalid must be refused with a 4xx, so the server is never laxer than its document says. A
// handler that drifts from its declaration therefore fails whichever test exercised it.

// apiContract is the served document, parsed and its paths compiled, shared by every test (the
// document never changes while the process runs).
type apiContract struct {
	doc    *openapi3.T
	routes []contractRoute
}

type contractRoute struct {
	template string
	re       *regexp.Regexp
	params   []string
	item     *openapi3.PathItem
}

// contractCounts are printed at the end of the package's run (writeAPIContractReport).
var contractCounts struct {
	exchanges, invalidRequests, operations sync.Map
	requests, responses, refused           atomic.Int64
}

var loadContract = sync.OnceValues(func() (*apiContract, error) {
	doc, err := (&Server{}).apiV1Document()
	if err != nil {
		return nil, err
	}
	raw, err := doc.JSON()
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, err
	}
	if err := t.Validate(loader.Context); err != nil {
		return nil, err
	}
	c := &apiContract{doc: t}
	for template, item := range t.Paths.Map() {
		r := contractRoute{template: template, item: item}
		pattern := regexp.QuoteMeta(template)
		for _, m := range regexp.MustCompile(`\\\{([a-z_]+)\\\}`).FindAllStringSubmatch(pattern, -1) {
			r.params = append(r.params, m[1])
			group := `([^/]+)`
			if m[1] == "symbol" {
				group = `(.+)` // the rest of the path: a crypto pair has a slash
			}
			pattern = strings.Replace(pattern, m[0], group, 1)
		}
		r.re = regexp.MustCompile("^" + pattern + "$")
		c.routes = append(c.routes, r)
	}
	// Most literal characters first, so /assets/{symbol}/candles wins over /assets/{symbol}.
	sort.Slice(c.routes, func(i, j int) bool {
		li, lj := len(literal(c.routes[i].template)), len(literal(c.routes[j].template))
		if li != lj {
			return li > lj
		}
		return c.routes[i].template < c.routes[j].template
	})
	return c, nil
})

func literal(template string) string {
	return regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(template, "")
}

// match finds the operation of a request: its route, path parameters and operation.
func (c *apiContract) match(method, escapedPath string) (*routers.Route, map[string]string) {
	for _, r := range c.routes {
		m := r.re.FindStringSubmatch(escapedPath)
		if m == nil {
			continue
		}
		op := r.item.GetOperation(method)
		if op == nil {
			continue
		}
		params := map[string]string{}
		for i, name := range r.params {
			v, err := url.PathUnescape(m[i+1])
			if err != nil {
				v = m[i+1]
			}
			params[name] = v
		}
		return &routers.Route{Spec: c.doc, Path: r.template, PathItem: r.item, Method: method, Operation: op}, params
	}
	return nil, nil
}

// presentCredentials is the document's security check: the credentials a scheme names are
// present and well formed (whether they are valid is the server's to say, with a 401).
func presentCredentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header
	switch s := in.SecurityScheme; s.Type {
	case "http":
		scheme, token, _ := strings.Cut(h.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return errors.New("no bearer token")
		}
	case "apiKey":
		if h.Get(s.Name) == "" {
			return fmt.Errorf("no %s header", s.Name)
		}
	}
	if h.Get("Authorization") != "" && (h.Get(headerAPIKeyID) != "" || h.Get(headerAPISecretKey) != "") {
		return errors.New("both a token and an API key")
	}
	return nil
}

// checkAPIExchange validates one exchange with the JSON API against the document, failing t
// when the response breaks it. Requests outside /api/v1 are not the document's business.
func checkAPIExchange(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, body []byte) {
	t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return
	}
	c, err := loadContract()
	if err != nil {
		t.Fatalf("API contract: %v", err)
	}
	route, params := c.match(req.Method, req.URL.EscapedPath())
	if route == nil {
		// No operation: the server must not know the path either.
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			t.Errorf("API contract: %s %s answered %d but the document has no such operation", req.Method, req.URL.Path, status)
		}
		return
	}
	key := req.Method + " " + route.Path
	countExchange(&contractCounts.exchanges, key)
	contractCounts.requests.Add(1)

	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	if vreq.Header.Get("Content-Type") == "" && len(reqBody) == 0 {
		vreq.Body = http.NoBody
	}
	opts := &openapi3filter.Options{AuthenticationFunc: presentCredentials, IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if reqErr := openapi3filter.ValidateRequest(context.Background(), in); reqErr != nil {
		countExchange(&contractCounts.invalidRequests, key)
		contractCounts.refused.Add(1)
		if status < 400 || status >= 500 {
			t.Errorf("API contract: %s %s is invalid by the document but was answered %d:\n%v", req.Method, req.URL.RequestURI(), status, reqErr)
		}
	}
	if strings.HasPrefix(header.Get("Content-Type"), "text/event-stream") {
		return // a stream's body is not a document; its status was checked above by the handler's tests
	}
	contractCounts.responses.Add(1)
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("API contract: the answer to %s %s (%d) breaks the document:\n%v\nbody: %.600s", req.Method, req.URL.RequestURI(), status, err, body)
	}
}

func countExchange(m *sync.Map, key string) {
	v, _ := m.LoadOrStore(key, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// writeAPIContractReport writes the counts of the run to API_CONTRACT_REPORT (make test prints
// them): go test shows nothing of a passing package, so a file carries them out.
func writeAPIContractReport() {
	path := os.Getenv("API_CONTRACT_REPORT")
	if path == "" {
		return
	}
	exercised := 0
	contractCounts.exchanges.Range(func(any, any) bool { exercised++; return true })
	total := 0
	if c, err := loadContract(); err == nil {
		for _, item := range c.doc.Paths.Map() {
			total += len(item.Operations())
		}
	}
	report := fmt.Sprintf("API contract: %d requests and %d responses validated against the OpenAPI document "+
		"(%d requests invalid by the document, all refused with a 4xx); %d of %d operations exercised\n",
		contractCounts.requests.Load(), contractCounts.responses.Load(), contractCounts.refused.Load(), exercised, total)
	if n := fuzzRequests.Load(); n > 0 {
		report += fmt.Sprintf("API fuzz: %d requests generated from the document's schemas (seed %s), none answered 5xx, all conforming\n",
			n, envOr("API_FUZZ_SEED", "1"))
	}
	_ = os.WriteFile(path, []byte(report), 0o644)
}
