package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/trading/fill"
	"alpacawrapper/views"
)

// howFillsPage is GET /how-orders-fill: the rules orders fill by, for anyone, signed in or not.
func (s *Server) howFillsPage(c *fiber.Ctx) error {
	return render(c, views.HowFillsPage(s.page(c, "How orders fill"), howFillsView()))
}

// howFillsView reads the realism presets from the fill model, so that the page's table always
// says what the engine does.
func howFillsView() views.HowFillsView {
	var v views.HowFillsView
	for _, name := range []string{"easy", "realistic", "harsh"} {
		r, _ := fill.Preset(name)
		row := views.FillPresetRow{
			Name:        strings.ToUpper(name[:1]) + name[1:],
			Limits:      "When the quote touches the limit",
			Size:        "Ignored: the whole order fills",
			MaxQuoteAge: presetQuoteAge(r.MaxQuoteAge),
		}
		if r.Limits == fill.LimitThrough {
			row.Limits = "Only when the quote goes through the limit"
		}
		if r.PartialByDisplayedSize {
			row.Size = "Fills capped at the displayed size"
		}
		v.Presets = append(v.Presets, row)
	}
	return v
}

// presetQuoteAge says a preset's quote-age limit in words.
func presetQuoteAge(d time.Duration) string {
	switch {
	case d == 0:
		d = fill.DefaultMaxQuoteAge
	case d < 0:
		return "Any age"
	}
	if d == time.Minute {
		return "1 minute"
	}
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + " minutes"
	}
	return strconv.Itoa(int(d/time.Second)) + " seconds"
}
