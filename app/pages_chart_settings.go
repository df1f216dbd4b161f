package app

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// maxChartIndicatorRaw bounds the ind= notation, in the URL and as saved: indicators.js reads at
// most as much (its MAX_RAW), which holds its 20 instances with colours, levels and names.
const maxChartIndicatorRaw = 4000

// chartSettingsJSON is the body of POST /settings/chart and its answer.
type chartSettingsJSON struct {
	Indicators string `json:"indicators"`
}

// saveChartSettings is POST /settings/chart: remember the signed-in person's chart indicators,
// so the next chart they open (without ind= in its URL) starts with them. chart.js sends it with
// the CSRF header each time the indicators change. The text is the chart's own notation; it is
// bounded and must be printable, and the browser's parser drops anything it does not know.
func (s *Server) saveChartSettings(c *fiber.Ctx) error {
	var in chartSettingsJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ind, err := validChartIndicators(in.Indicators)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if err := models.SaveChartIndicators(c.UserContext(), s.db, u.ID, ind, time.Now().UTC()); err != nil {
		return err
	}
	return c.JSON(chartSettingsJSON{Indicators: ind})
}

// validChartIndicators trims the notation and refuses what no chart could have written: too
// long, not UTF-8, or holding control characters.
func validChartIndicators(raw string) (string, error) {
	ind := strings.TrimSpace(raw)
	if len(ind) > maxChartIndicatorRaw {
		return "", apperr.Invalid(map[string]string{"indicators": "The indicators are too long to remember (at most 4000 characters)."})
	}
	if !utf8.ValidString(ind) || strings.IndexFunc(ind, unicode.IsControl) >= 0 {
		return "", apperr.Invalid(map[string]string{"indicators": "The indicators hold characters a chart never writes."})
	}
	return ind, nil
}
