package app

import (
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/views"
)

// landing tells a visitor what the product does.
func (s *Server) landing(c *fiber.Ctx) error {
	p := s.page(c, "Live markets and paper trading")
	p.Description = "Watch US stocks and crypto live and practise trading with simulated money, with realistic fills and an Alpaca-compatible API."
	return render(c, views.Landing(p))
}

// notFound ends the route list: whatever reached it does not exist.
func notFound(c *fiber.Ctx) error {
	return fiber.NewError(fiber.StatusNotFound, "There is nothing at "+c.Path()+". Check the address, or start from the home page.")
}
