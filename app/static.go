package app

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"alpacawrapper/static"
)

// staticFiles serves the embedded /static tree. A URL carrying the content hash (static.Path adds
// ?v=…) can be cached for a year because a changed file gets a new URL; a bare URL is cached
// briefly so a deploy is picked up within minutes.
func staticFiles() fiber.Handler {
	files := filesystem.New(filesystem.Config{Root: http.FS(static.FS())})
	return func(c *fiber.Ctx) error {
		if err := files(c); err != nil {
			return err
		}
		if c.Response().StatusCode() == fiber.StatusOK {
			if c.Query("v") != "" {
				c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
			} else {
				c.Set(fiber.HeaderCacheControl, "public, max-age=300")
			}
		}
		return nil
	}
}
