package openapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/shopspring/decimal"
)

// Schemas are read from the Go types the handlers decode and encode, with encoding/json's rules
// (field names, omitempty, embedded structs flattened), so what the document says is what the
// code sends. A few struct tags add what a type cannot say by itself:
//
//	doc:"…"        the field's description
//	example:"…"    an example value (JSON for arrays and objects, plain text otherwise)
//	enum:"a,b"     the values a string may take
//	format:"…"     a format (decimal strings say format:"decimal")
//	minimum, maximum, minLength, maxLength, pattern: bounds a request field is checked against
//	nullable:"true" a field that may be null though its type cannot say so (a nil slice)
//
// A field without omitempty is always present, so it is required; a pointer may be null.

var (
	timeType    = reflect.TypeFor[time.Time]()
	decimalType = reflect.TypeFor[decimal.Decimal]()
	rawJSONType = reflect.TypeFor[json.RawMessage]()
)

// schemas turns Go types into schemas, keeping every named struct as one component.
type schemas struct {
	components openapi3.Schemas
	owners     map[string]reflect.Type // component name → the type that took it
}

func newSchemas() *schemas {
	return &schemas{components: openapi3.Schemas{}, owners: map[string]reflect.Type{}}
}

// ref returns the schema of t: a reference for named structs (declared once in components), an
// inline schema otherwise.
func (s *schemas) ref(t reflect.Type) (*openapi3.SchemaRef, error) {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	if t.Kind() == reflect.Struct && t != timeType && t != decimalType && t.Name() != "" {
		name := ComponentName(t)
		if owner, taken := s.owners[name]; taken && owner != t {
			return nil, fmt.Errorf("openapi: %s and %s both want the schema name %q", owner, t, name)
		}
		if _, done := s.owners[name]; !done {
			s.owners[name] = t
			sch, err := s.object(t)
			if err != nil {
				return nil, err
			}
			s.components[name] = openapi3.NewSchemaRef("", sch)
		}
		ref := openapi3.NewSchemaRef("#/components/schemas/"+name, nil)
		if nullable {
			// OpenAPI 3.0 ignores siblings of $ref, so a nullable reference is an allOf of one (with
			// its type beside nullable, which 3.0 requires).
			return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"object"}, Nullable: true,
				AllOf: openapi3.SchemaRefs{ref}}), nil
		}
		return ref, nil
	}
	sch, err := s.inline(t)
	if err != nil {
		return nil, err
	}
	sch.Nullable = nullable
	return openapi3.NewSchemaRef("", sch), nil
}

// inline is the schema of a type that is not a named struct.
func (s *schemas) inline(t reflect.Type) (*openapi3.Schema, error) {
	switch {
	case t == timeType:
		return &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date-time"}, nil
	case t == decimalType:
		return &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "decimal"}, nil
	case t == rawJSONType:
		return &openapi3.Schema{}, nil
	}
	switch t.Kind() {
	case reflect.String:
		return openapi3.NewStringSchema(), nil
	case reflect.Bool:
		return openapi3.NewBoolSchema(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return openapi3.NewIntegerSchema(), nil
	case reflect.Int64, reflect.Uint, reflect.Uint64:
		return openapi3.NewInt64Schema(), nil
	case reflect.Float32, reflect.Float64:
		return openapi3.NewFloat64Schema(), nil
	case reflect.Interface:
		return &openapi3.Schema{}, nil
	case reflect.Slice, reflect.Array:
		items, err := s.ref(t.Elem())
		if err != nil {
			return nil, err
		}
		return &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: items}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("openapi: map key of %s is not a string", t)
		}
		values, err := s.ref(t.Elem())
		if err != nil {
			return nil, err
		}
		return &openapi3.Schema{Type: &openapi3.Types{"object"}, AdditionalProperties: openapi3.AdditionalProperties{Schema: values}}, nil
	case reflect.Struct:
		return s.object(t)
	}
	return nil, fmt.Errorf("openapi: no schema for %s", t)
}

// object is a struct's schema: its JSON fields, embedded structs' fields flattened into it as
// encoding/json does.
func (s *schemas) object(t reflect.Type) (*openapi3.Schema, error) {
	sch := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{}}
	if err := s.fields(t, sch); err != nil {
		return nil, err
	}
	return sch, nil
}

func (s *schemas) fields(t reflect.Type, sch *openapi3.Schema) error {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			continue
		}
		if f.Anonymous && !hasTag {
			embedded := f.Type
			for embedded.Kind() == reflect.Pointer {
				embedded = embedded.Elem()
			}
			if embedded.Kind() == reflect.Struct {
				if err := s.fields(embedded, sch); err != nil {
					return err
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		prop, err := s.ref(f.Type)
		if err != nil {
			return fmt.Errorf("openapi: %s.%s: %w", t, f.Name, err)
		}
		if strings.Contains(","+opts+",", ",string,") {
			prop = openapi3.NewSchemaRef("", openapi3.NewStringSchema())
		}
		if err := annotate(prop, f); err != nil {
			return fmt.Errorf("openapi: %s.%s: %w", t, f.Name, err)
		}
		sch.Properties[name] = prop
		if !strings.Contains(","+opts+",", ",omitempty,") && !strings.Contains(","+opts+",", ",omitzero,") {
			sch.Required = append(sch.Required, name)
		}
	}
	return nil
}

// annotate adds the field's tags to its schema. A reference cannot carry siblings in OpenAPI
// 3.0, so an annotated reference becomes an allOf of one.
func annotate(prop *openapi3.SchemaRef, f reflect.StructField) error {
	doc, hasDoc := f.Tag.Lookup("doc")
	example, hasExample := f.Tag.Lookup("example")
	if !hasDoc && !hasExample && f.Tag.Get("enum") == "" && f.Tag.Get("format") == "" &&
		f.Tag.Get("minimum") == "" && f.Tag.Get("maximum") == "" && f.Tag.Get("minLength") == "" &&
		f.Tag.Get("maxLength") == "" && f.Tag.Get("pattern") == "" && f.Tag.Get("nullable") == "" {
		return nil
	}
	if prop.Ref != "" {
		*prop = *openapi3.NewSchemaRef("", &openapi3.Schema{AllOf: openapi3.SchemaRefs{openapi3.NewSchemaRef(prop.Ref, nil)}})
	}
	sch := prop.Value
	sch.Description = doc
	if f.Tag.Get("nullable") == "true" {
		sch.Nullable = true // a list encoded as null when empty (Alpaca's legs)
	}
	if v := f.Tag.Get("format"); v != "" {
		sch.Format = v
	}
	if v := f.Tag.Get("pattern"); v != "" {
		sch.Pattern = v
	}
	if v := f.Tag.Get("enum"); v != "" {
		for _, e := range strings.Split(v, ",") {
			sch.Enum = append(sch.Enum, e)
		}
	}
	for tagName, dst := range map[string]**float64{"minimum": &sch.Min, "maximum": &sch.Max} {
		if v := f.Tag.Get(tagName); v != "" {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("%s tag: %w", tagName, err)
			}
			*dst = &n
		}
	}
	if v := f.Tag.Get("minLength"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("minLength tag: %w", err)
		}
		sch.MinLength = n
	}
	if v := f.Tag.Get("maxLength"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("maxLength tag: %w", err)
		}
		sch.MaxLength = &n
	}
	if hasExample {
		v, err := exampleValue(sch, example)
		if err != nil {
			return err
		}
		sch.Example = v
	}
	return nil
}

// exampleValue reads an example tag as a value of the schema's type.
func exampleValue(sch *openapi3.Schema, raw string) (any, error) {
	switch {
	case sch.Type.Is("string"):
		return raw, nil
	case sch.Type.Is("integer"):
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("example %q: %w", raw, err)
		}
		return n, nil
	case sch.Type.Is("number"):
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("example %q: %w", raw, err)
		}
		return n, nil
	case sch.Type.Is("boolean"):
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fmt.Errorf("example %q: %w", raw, err)
		}
		return b, nil
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, fmt.Errorf("example %q is not JSON: %w", raw, err)
	}
	return v, nil
}

// ComponentName is the schema name of a Go struct type: its name without a "JSON" suffix, with
// a capital first letter (watchlistJSON → Watchlist).
func ComponentName(t reflect.Type) string {
	name := strings.TrimSuffix(t.Name(), "JSON")
	r := []rune(name)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
