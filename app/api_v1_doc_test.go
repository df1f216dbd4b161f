package app

import (
	"os"
	"testing"
)

// TestAPIDocumentIsValid checks the document against the OpenAPI 3 rules with kin-openapi, every
// example validated against its schema.
func TestAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	doc, err := (&Server{}).apiV1Document()
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(); err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("OPENAPI_OUT"); out != "" {
		raw, _ := doc.JSON()
		_ = os.WriteFile(out, raw, 0o644)
	}
}
