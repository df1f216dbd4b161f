package app

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/views"
)

// The JSON API's document, served as JSON and YAML, and its reference page.

// apiDocBytes is the document, encoded once when the routes are built: it never changes while
// the process runs.
type apiDocBytes struct {
	json, yaml []byte
}

// buildAPIDoc describes the JSON API. The declarations are the program's own, so a failure is a
// programmer's mistake that every test run shows at once.
func (s *Server) buildAPIDoc() apiDocBytes {
	doc, err := s.apiV1Document()
	if err != nil {
		panic(fmt.Errorf("app: the API document: %w", err))
	}
	j, err := doc.JSON()
	if err != nil {
		panic(err)
	}
	y, err := doc.YAML()
	if err != nil {
		panic(err)
	}
	return apiDocBytes{json: j, yaml: y}
}

// apiOpenAPIJSON is GET /api/v1/openapi.json.
func (s *Server) apiOpenAPIJSON(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(s.apiDoc.json)
}

// apiOpenAPIYAML is GET /api/v1/openapi.yaml.
func (s *Server) apiOpenAPIYAML(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/yaml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(s.apiDoc.yaml)
}

// apiDocsPage is GET /api/docs: the reference page, drawn in the browser by the vendored viewer
// from /api/v1/openapi.json (no third-party origin, no inline script).
func (s *Server) apiDocsPage(c *fiber.Ctx) error {
	return render(c, views.APIDocsPage(s.page(c, "API reference")))
}
