package app

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/views"
)

// landing is the home page. A signed-in person gets their dashboard (pages_dashboard.go); a
// visitor learns what the product does and sees it working: the default global watchlist, live.
func (s *Server) landing(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return s.dashboardPage(c)
	}
	p := s.page(c, "Live markets and paper trading")
	p.Description = "Watch US stocks and crypto live and practise trading with simulated money, with realistic fills and an Alpaca-compatible API."
	// Everything below the header is the same for every guest: rendered once for a moment
	// (pagecache.go), with the default list's prices, which /ws/quotes moves on at once.
	main, err := s.pages.landing.get("", func() (string, error) {
		var b strings.Builder
		err := views.LandingMain(p, s.landingList(c.UserContext())).Render(c.UserContext(), &b)
		return b.String(), err
	})
	if err != nil {
		return err
	}
	return render(c, views.LandingFrom(p, main))
}

// landingList is the default global watchlist as guests see it, or nil when there is none (or
// none readable just now): the page then simply shows no list.
func (s *Server) landingList(ctx context.Context) *views.WatchlistView {
	if s.watchlists == nil {
		return nil
	}
	d, err := s.watchlists.DefaultGlobal(ctx)
	if err != nil {
		return nil
	}
	w, err := s.watchlistView(ctx, d)
	if err != nil || len(w.Rows) == 0 {
		return nil
	}
	return &w
}

// notFound ends the route list: whatever reached it does not exist.
func notFound(c *fiber.Ctx) error {
	return fiber.NewError(fiber.StatusNotFound, "There is nothing at "+c.Path()+". Check the address, or start from the home page.")
}
