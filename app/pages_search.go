package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// Symbol search from anywhere a symbol is typed (views/symbol_search.templ): the suggestions of
// the autocomplete, and the header's Enter, which opens an exact symbol's instrument at once.

// suggestLimit is how many suggestions the autocomplete shows: a screenful on a phone.
const suggestLimit = 8

// suggestQuery reads q, bounded like the instruments page's search.
func suggestQuery(c *fiber.Ctx) string {
	q := strings.TrimSpace(c.Query("q"))
	if r := []rune(q); len(r) > 100 {
		q = strings.TrimSpace(string(r[:100]))
	}
	return q
}

// suggestions are the first assets for q, ranked as on the instruments page (models.SearchAssets),
// kept briefly for everyone as searches are (pagecache.go).
func (s *Server) suggestions(c *fiber.Ctx, q string) ([]views.SymbolSuggestion, error) {
	if q == "" {
		return nil, nil
	}
	ctx := c.UserContext()
	assets, err := s.pages.suggest.get(q, func() ([]models.Asset, error) {
		found, _, err := models.SearchAssets(ctx, s.db, models.AssetQuery{Text: q, Limit: suggestLimit})
		return found, err
	})
	if err != nil {
		return nil, err
	}
	out := make([]views.SymbolSuggestion, len(assets))
	for i, a := range assets {
		out[i] = views.SymbolSuggestion{Symbol: a.Symbol, Name: a.Name, Class: string(a.Class), Exact: sameSymbol(a.Symbol, q)}
	}
	return out, nil
}

// sameSymbol says whether typed text names symbol: in any case, and a crypto pair with or
// without its slash ("btcusd" is BTC/USD).
func sameSymbol(symbol, typed string) bool {
	typed = strings.TrimSpace(typed)
	return strings.EqualFold(symbol, typed) ||
		strings.Contains(symbol, "/") && strings.EqualFold(strings.ReplaceAll(symbol, "/", ""), strings.ReplaceAll(typed, "/", ""))
}

// symbolSuggest is GET /search/suggest?q=: the options of a suggestion list (an HTML fragment,
// empty when nothing matches).
func (s *Server) symbolSuggest(c *fiber.Ctx) error {
	items, err := s.suggestions(c, suggestQuery(c))
	if err != nil {
		return err
	}
	return render(c, views.SymbolSuggestions(items))
}

// symbolSearch is GET /search?q=, where the header's search goes on Enter: an exact symbol opens
// its instrument, anything else the instruments page's results.
func (s *Server) symbolSearch(c *fiber.Ctx) error {
	q := suggestQuery(c)
	items, err := s.suggestions(c, q)
	if err != nil {
		return err
	}
	if len(items) > 0 && items[0].Exact {
		return c.Redirect(urls.Path(urls.Instrument, items[0].Symbol), fiber.StatusSeeOther)
	}
	if q == "" {
		return c.Redirect(urls.Path(urls.Instruments), fiber.StatusSeeOther)
	}
	return c.Redirect(urls.Query(urls.Path(urls.Instruments), "q", q), fiber.StatusSeeOther)
}
