package app

import (
	"alpacawrapper/apperr"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Reading requests: JSON bodies, typed query parameters and form fields, each turning what is
// wrong with the input into a refusal the client can act on (miniflux's http/request is the
// model). The htmx request headers are read in htmx.go.

const (
	// maxJSONBody bounds what an API handler decodes. Credentials and orders are a few hundred
	// bytes; anything near this is not a real client.
	maxJSONBody = 64 << 10
)

// bindJSON decodes the request's JSON body into dst. Whatever is wrong with the body becomes a
// refusal the client can act on (422 naming the field, 413, 415), never a 500. Unknown fields are
// ignored, as most JSON APIs do, so clients that send extra fields keep working.
//
// The JSON content type is required: a cross-site HTML form can only send form encodings or
// text/plain, so this also keeps browsers from posting to the API on another site's behalf.
func bindJSON(c *fiber.Ctx, dst any) error {
	mediaType, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || (mediaType != fiber.MIMEApplicationJSON && !strings.HasSuffix(mediaType, "+json")) {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "Send the request body as JSON, with Content-Type: application/json.")
	}
	body := c.Body()
	if len(body) > maxJSONBody {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is larger than %d KiB.", maxJSONBody>>10))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return jsonRefusal(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.Invalid(map[string]string{"body": "The request body must hold one JSON object and nothing after it."})
	}
	return nil
}

// jsonRefusal explains a decoding error in words, naming the field when the decoder knows it.
func jsonRefusal(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return apperr.Invalid(map[string]string{"body": "The request body is empty. Send a JSON object."})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalid(map[string]string{"body": "The request body is not valid JSON: it ends too early."})
	case errors.As(err, &syntax):
		return apperr.Invalid(map[string]string{"body": fmt.Sprintf("The request body is not valid JSON (error at byte %d).", syntax.Offset)})
	case errors.As(err, &typ) && typ.Field == "":
		return apperr.Invalid(map[string]string{"body": "The request body must be a JSON object."})
	case errors.As(err, &typ):
		// The field is named in the message too: an API client sees it as the problem's detail.
		return apperr.Invalid(map[string]string{typ.Field: fmt.Sprintf("%q must be %s (got %s).", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)})
	}
	return apperr.Invalid(map[string]string{"body": "The request body could not be read as JSON."})
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(goKind string) string {
	switch {
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "true or false"
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "slice", goKind == "array":
		return "an array"
	}
	return "an object"
}

// required refuses the request unless every named value is non-empty.
func required(fields map[string]string) error {
	f := apperr.Fields{}
	for name, value := range fields {
		if strings.TrimSpace(value) == "" {
			f.Add(name, "This field is required.")
		}
	}
	return f.Err()
}

// queryParams reads typed query parameters, collecting every bad one so that one 422 names them
// all.
type queryParams struct {
	c   *fiber.Ctx
	bad apperr.Fields
}

func newQueryParams(c *fiber.Ctx) *queryParams { return &queryParams{c: c, bad: apperr.Fields{}} }

func (q *queryParams) str(name string) string { return strings.TrimSpace(q.c.Query(name)) }

// flag reads an optional boolean: nil when absent.
func (q *queryParams) flag(name string) *bool {
	raw := q.str(name)
	if raw == "" {
		return nil
	}
	v, err := strconv.ParseBool(raw)
	if err != nil {
		q.bad.Add(name, fmt.Sprintf("%q must be true or false (got %q).", name, raw))
		return nil
	}
	return &v
}

// integer reads an optional whole number in [lo, hi], def when absent.
func (q *queryParams) integer(name string, def, lo, hi int) int {
	raw := q.str(name)
	if raw == "" {
		return def
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < lo || v > hi {
		q.bad.Add(name, fmt.Sprintf("%q must be a whole number from %d to %d (got %q).", name, lo, hi, raw))
		return def
	}
	return v
}

// oneOf reads an optional value from a fixed set (compared in lower case), "" when absent.
func (q *queryParams) oneOf(name string, allowed ...string) string {
	raw := strings.ToLower(q.str(name))
	if raw == "" {
		return ""
	}
	for _, a := range allowed {
		if raw == a {
			return raw
		}
	}
	q.bad.Add(name, fmt.Sprintf("%q must be one of %s (got %q).", name, strings.Join(allowed, ", "), raw))
	return ""
}

// date reads an optional YYYY-MM-DD as midnight of that day in New York.
func (q *queryParams) date(name string, ny *time.Location) (time.Time, bool) {
	raw := q.str(name)
	if raw == "" {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation(time.DateOnly, raw, ny)
	if err != nil {
		q.bad.Add(name, fmt.Sprintf("%q must be a date written YYYY-MM-DD (got %q).", name, raw))
		return time.Time{}, false
	}
	return d, true
}

func (q *queryParams) err() error { return q.bad.Err() }

// formOf reads the request's form fields one by one.
func formOf(c *fiber.Ctx) func(string) string {
	return func(name string) string { return c.FormValue(name) }
}

// formValues keeps the named fields of the submission, to show them again (never passwords).
func formValues(c *fiber.Ctx, names ...string) map[string]string {
	v := make(map[string]string, len(names))
	for _, n := range names {
		v[n] = c.FormValue(n)
	}
	return v
}
