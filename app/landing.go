package app

import (
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/views"
)

// landing is the home page. A signed-in person gets their dashboard (their watchlists, live); a
// visitor learns what the product does and sees it working: the default global watchlist, live.
func (s *Server) landing(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return s.marketsPage(c)
	}
	p := s.page(c, "Live markets and paper trading")
	p.Description = "Watch US stocks and crypto live and practise trading with simulated money, with realistic fills and an Alpaca-compatible API."
	var live *views.WatchlistView
	if s.watchlists != nil {
		// The same for every guest: kept for a moment (pagecache.go).
		// No list (or none readable just now) is kept too: the page simply shows none.
		live, _ = s.pages.landing.get("", func() (*views.WatchlistView, error) {
			d, err := s.watchlists.DefaultGlobal(c.UserContext())
			if err != nil {
				return nil, nil
			}
			w, err := s.watchlistView(c.UserContext(), d)
			if err != nil || len(w.Rows) == 0 {
				return nil, nil
			}
			return &w, nil
		})
	}
	return render(c, views.Landing(p, live))
}

// notFound ends the route list: whatever reached it does not exist.
func notFound(c *fiber.Ctx) error {
	return fiber.NewError(fiber.StatusNotFound, "There is nothing at "+c.Path()+". Check the address, or start from the home page.")
}
