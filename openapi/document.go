// Package openapi builds the OpenAPI 3 document of the app's JSON API from Go. Each operation is
// declared once, beside the route that serves it (app/api_v1_ops.go), and its schemas are read by
// reflection from the very types the handler decodes and encodes; the router is built from the
// same declarations. So the document is never a file kept by hand beside the code, and a test
// that compares the router with the document (app) catches a route added any other way.
//
// The package knows nothing of HTTP servers: it turns declarations into an *openapi3.T
// (kin-openapi), which the app serves as JSON and YAML and the tests validate traffic against.
package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// Auth says which credentials an operation takes.
type Auth int

const (
	// Public operations take no credentials.
	Public Auth = iota
	// User operations take an access token or an API key.
	User
)

// Param is a path, query or header parameter.
type Param struct {
	Name        string
	In          string // "path", "query" or "header"
	Description string
	Required    bool
	// Schema is the parameter's schema; Example its example value (required: every parameter
	// shows one).
	Schema  *openapi3.Schema
	Example any
}

// Response is one documented answer. Body is a value of the Go type the handler encodes (nil
// for no body); ContentType defaults to application/json.
type Response struct {
	Status      int
	Description string
	Body        any
	ContentType string
	// AlsoAs lists other content types the same answer may take, as text (a CSV export).
	AlsoAs  []string
	Headers map[string]string // header name → description
}

// Operation is one method on one path.
type Operation struct {
	Method      string
	Path        string // OpenAPI form: /api/v1/watchlists/{id}
	ID          string
	Summary     string
	Description string
	Tag         string
	Auth        Auth
	Params      []Param
	// Body is a value of the request body's Go type; nil when the operation takes none.
	Body any
	// Responses are the successful answers; Errors the statuses of the problem answers it may
	// give (401 is added for User operations, 429 and 503 for all).
	Responses []Response
	Errors    []int
}

// Info heads the document.
type Info struct {
	Title, Version, Description string
	Tags                        []openapi3.Tag
}

// Document collects operations into an OpenAPI 3.0 document.
type Document struct {
	t       *openapi3.T
	schemas *schemas
	problem reflect.Type
}

// ProblemMediaType is the content type of every error answer (RFC 9457).
const ProblemMediaType = "application/problem+json"

// Security scheme names.
const (
	schemeBearer    = "bearerAuth"
	schemeKeyID     = "apiKeyID"
	schemeKeySecret = "apiKeySecret"
)

// New starts a document. problem is a value of the type every error answer carries.
func New(info Info, problem any) (*Document, error) {
	d := &Document{schemas: newSchemas(), problem: reflect.TypeOf(problem)}
	d.t = &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{Title: info.Title, Version: info.Version, Description: info.Description,
			License: &openapi3.License{Name: "Proprietary", URL: "https://example.com/terms"}},
		Servers: openapi3.Servers{{URL: "/", Description: "This server"}},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas:   d.schemas.components,
			Responses: openapi3.ResponseBodies{},
			SecuritySchemes: openapi3.SecuritySchemes{
				schemeBearer: {Value: &openapi3.SecurityScheme{Type: "http", Scheme: "bearer", BearerFormat: "JWT",
					Description: "An access token from POST /api/v1/auth/token (15 minutes; renew with /api/v1/auth/refresh)."}},
				schemeKeyID: {Value: &openapi3.SecurityScheme{Type: "apiKey", In: "header", Name: "APCA-API-KEY-ID",
					Description: "An API key's id (Settings → API keys); send with APCA-API-SECRET-KEY."}},
				schemeKeySecret: {Value: &openapi3.SecurityScheme{Type: "apiKey", In: "header", Name: "APCA-API-SECRET-KEY",
					Description: "The API key's secret, shown once when the key was created."}},
			},
		},
	}
	for i := range info.Tags {
		d.t.Tags = append(d.t.Tags, &info.Tags[i])
	}
	if _, err := d.schemas.ref(d.problem); err != nil {
		return nil, err
	}
	return d, nil
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// Add declares an operation.
func (d *Document) Add(op Operation) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("openapi: %s %s: %s", op.Method, op.Path, fmt.Sprintf(format, args...))
	}
	if op.ID == "" || op.Summary == "" || op.Tag == "" || len(op.Responses) == 0 {
		return fail("an operation needs an id, a summary, a tag and a response")
	}
	o := &openapi3.Operation{OperationID: op.ID, Summary: op.Summary, Description: op.Description,
		Tags: []string{op.Tag}, Responses: openapi3.NewResponses()}
	o.Responses.Delete("default")
	inPath := map[string]bool{}
	for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
		inPath[m[1]] = false
	}
	for _, p := range op.Params {
		if p.Schema == nil || p.Example == nil || p.Description == "" {
			return fail("parameter %s needs a schema, an example and a description", p.Name)
		}
		if p.In == "path" {
			if _, ok := inPath[p.Name]; !ok {
				return fail("path parameter %s is not in the path", p.Name)
			}
			inPath[p.Name], p.Required = true, true
		}
		// The server reads an empty optional query parameter (?limit=) as one left out, and the
		// document says so, or a client's empty form field would be "invalid" yet accepted.
		emptyAllowed := p.In == "query" && !p.Required
		o.Parameters = append(o.Parameters, &openapi3.ParameterRef{Value: &openapi3.Parameter{
			Name: p.Name, In: p.In, Description: p.Description, Required: p.Required, AllowEmptyValue: emptyAllowed,
			Schema: openapi3.NewSchemaRef("", p.Schema), Example: p.Example}})
	}
	for name, declared := range inPath {
		if !declared {
			return fail("path parameter %s is not declared", name)
		}
	}
	if op.Body != nil {
		ref, err := d.schemas.ref(reflect.TypeOf(op.Body))
		if err != nil {
			return fail("%v", err)
		}
		o.RequestBody = &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{Required: true,
			Content: openapi3.NewContentWithJSONSchemaRef(ref)}}
	}
	for _, r := range op.Responses {
		resp := &openapi3.Response{Description: &r.Description}
		if r.Body != nil {
			ref, err := d.schemas.ref(reflect.TypeOf(r.Body))
			if err != nil {
				return fail("%v", err)
			}
			ct := r.ContentType
			if ct == "" {
				ct = "application/json"
			}
			resp.Content = openapi3.Content{ct: &openapi3.MediaType{Schema: ref}}
			for _, other := range r.AlsoAs {
				resp.Content[other] = &openapi3.MediaType{Schema: openapi3.NewSchemaRef("", openapi3.NewStringSchema())}
			}
		}
		for _, name := range sortedKeys(r.Headers) {
			if resp.Headers == nil {
				resp.Headers = openapi3.Headers{}
			}
			resp.Headers[name] = &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
				Description: r.Headers[name], Schema: openapi3.NewSchemaRef("", openapi3.NewStringSchema())}}}
		}
		o.Responses.Set(strconv.Itoa(r.Status), &openapi3.ResponseRef{Value: resp})
	}
	errs := slices.Clone(op.Errors)
	if op.Auth == User {
		errs = append(errs, http.StatusUnauthorized)
		o.Security = &openapi3.SecurityRequirements{{schemeBearer: {}}, {schemeKeyID: {}, schemeKeySecret: {}}}
	} else {
		o.Security = &openapi3.SecurityRequirements{}
	}
	errs = append(errs, http.StatusTooManyRequests, http.StatusServiceUnavailable)
	if op.Body != nil {
		// Every body is bounded before it is parsed (the server's body limit answers 413).
		errs = append(errs, http.StatusRequestEntityTooLarge)
	}
	slices.Sort(errs)
	for _, status := range slices.Compact(errs) {
		o.Responses.Set(strconv.Itoa(status), &openapi3.ResponseRef{Ref: "#/components/responses/" + d.problemResponse(status)})
	}
	d.t.AddOperation(op.Path, op.Method, o)
	return nil
}

// problemResponse declares (once) the shared problem answer for a status and returns its name.
func (d *Document) problemResponse(status int) string {
	name := "Problem" + strconv.Itoa(status)
	if _, ok := d.t.Components.Responses[name]; !ok {
		desc := http.StatusText(status) + ": an RFC 9457 problem; code names the reason for programs, detail explains it to people."
		example := map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status,
			"detail": problemDetail(status), "request_id": "01JEXAMPLE0REQUEST0ID00000"}
		if status == http.StatusUnprocessableEntity {
			example["errors"] = map[string]string{"name": "This field is required."}
		}
		mt := &openapi3.MediaType{Schema: openapi3.NewSchemaRef("#/components/schemas/"+ComponentName(d.problem), nil), Example: example}
		resp := &openapi3.Response{Description: &desc, Content: openapi3.Content{ProblemMediaType: mt}}
		if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
			resp.Headers = openapi3.Headers{"Retry-After": {Value: &openapi3.Header{Parameter: openapi3.Parameter{
				Description: "Seconds to wait before trying again.", Schema: openapi3.NewSchemaRef("", openapi3.NewIntegerSchema())}}}}
		}
		d.t.Components.Responses[name] = &openapi3.ResponseRef{Value: resp}
	}
	return name
}

func problemDetail(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "Send an access token (Authorization: Bearer …) or an API key."
	case http.StatusNotFound:
		return "No such object: another person's account, order, key or watchlist is not found either."
	case http.StatusUnprocessableEntity:
		return "Some fields need attention."
	case http.StatusRequestEntityTooLarge:
		return "The request body is larger than the API accepts (64 KiB of JSON)."
	case http.StatusTooManyRequests:
		return "Too many requests; try again in a minute."
	case http.StatusServiceUnavailable:
		return "The service is unavailable right now; please try again shortly."
	}
	return http.StatusText(status)
}

// T is the document, validated.
func (d *Document) T() *openapi3.T { return d.t }

// Validate checks the document against the OpenAPI rules, examples included.
func (d *Document) Validate() error {
	loader := openapi3.NewLoader()
	raw, err := d.JSON()
	if err != nil {
		return err
	}
	t, err := loader.LoadFromData(raw)
	if err != nil {
		return fmt.Errorf("openapi: reload: %w", err)
	}
	if err := t.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		return fmt.Errorf("openapi: invalid document: %w", err)
	}
	return nil
}

// JSON is the document as indented JSON.
func (d *Document) JSON() ([]byte, error) {
	raw, err := json.MarshalIndent(d.t, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return raw, nil
}

// YAML is the document as YAML (the same content as JSON).
func (d *Document) YAML() ([]byte, error) {
	raw, err := d.JSON()
	if err != nil {
		return nil, err
	}
	var node yaml.Node
	// JSON is YAML: decoding it as YAML keeps the key order, and re-encoding writes block style.
	if err := yaml.Unmarshal(raw, &node); err != nil {
		return nil, fmt.Errorf("openapi: yaml: %w", err)
	}
	unstyle(&node)
	out, err := yaml.Marshal(&node)
	if err != nil {
		return nil, fmt.Errorf("openapi: yaml: %w", err)
	}
	return out, nil
}

// unstyle drops the flow style a JSON source gives every node, so the YAML is written in blocks.
func unstyle(n *yaml.Node) {
	n.Style &^= yaml.FlowStyle
	for _, c := range n.Content {
		unstyle(c)
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
