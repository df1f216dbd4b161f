package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/watchlist"
)

// errWatchlistNotFound is Alpaca's answer for a watchlist that does not exist or is not the
// caller's.
var errWatchlistNotFound = alpacaapi.NotFound("watchlist not found")

// alpacaUser is the caller as a person, which the watchlist service decides by.
func (s *Server) alpacaUser(c *fiber.Ctx) (AlpacaCaller, *models.User, error) {
	caller, ok := AlpacaCallerOf(c)
	if !ok {
		return caller, nil, errNotAuthorized
	}
	u, err := models.UserByID(c.UserContext(), s.db, caller.UserID)
	return caller, u, err
}

// watchlistAction reads what a request on one watchlist starts with (by id, or by the name
// query parameter when byName): no other query parameter, the caller and the list's id.
func (s *Server) watchlistAction(c *fiber.Ctx, byName bool) (AlpacaCaller, *models.User, int64, error) {
	if err := alpacaQuery(c, "name").Err(); err != nil {
		return AlpacaCaller{}, nil, 0, err
	}
	caller, u, err := s.alpacaUser(c)
	if err != nil {
		return caller, nil, 0, err
	}
	id, err := s.watchlistID(c, u, byName)
	return caller, u, id, err
}

// watchlistID resolves the list a request names, by id in the path or by ?name= on the
// :by_name paths, among the caller's own lists (global lists are the app's, not a bot's).
func (s *Server) watchlistID(c *fiber.Ctx, u *models.User, byName bool) (int64, error) {
	if !byName {
		id, ok := alpacaapi.WatchlistIDOf(c.Params("id"))
		if !ok {
			return 0, errWatchlistNotFound
		}
		return id, nil
	}
	name := c.Query("name")
	if name == "" {
		return 0, alpacaapi.BadRequest("name is required")
	}
	lists, err := s.watchlists.List(c.UserContext(), u)
	if err != nil {
		return 0, err
	}
	for _, l := range lists {
		if l.OwnedBy(u.ID) && l.Name == name {
			return l.ID, nil
		}
	}
	return 0, errWatchlistNotFound
}

// sendWatchlist answers with one of the caller's lists and its assets.
func (s *Server) sendWatchlist(c *fiber.Ctx, caller AlpacaCaller, d *watchlist.Detail) error {
	if !d.OwnedBy(caller.UserID) {
		return errWatchlistNotFound
	}
	symbols := make([]string, len(d.Items))
	for i, it := range d.Items {
		symbols[i] = it.Symbol
	}
	bySymbol, err := models.AssetsBySymbols(c.UserContext(), s.db, symbols)
	if err != nil {
		return err
	}
	assets := make([]models.Asset, 0, len(symbols))
	for _, sym := range symbols {
		if a, ok := bySymbol[sym]; ok {
			assets = append(assets, a)
		}
	}
	w := alpacaapi.EncodeWatchlist(&d.Watchlist, caller.AccountID, assets)
	return c.JSON(w)
}

// watchlistError answers the service's refusals in Alpaca's words where it has them.
func watchlistError(err error) error {
	if rej, ok := apperr.As(err); ok && rej.Code == "watchlist_not_found" {
		return errWatchlistNotFound
	}
	return err
}

// alpacaWatchlists is GET /v2/watchlists: the caller's own lists, without their assets.
func (s *Server) alpacaWatchlists(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	caller, u, err := s.alpacaUser(c)
	if err != nil {
		return err
	}
	lists, err := s.watchlists.List(c.UserContext(), u)
	if err != nil {
		return err
	}
	out := []alpacaapi.Watchlist{}
	for _, l := range lists {
		if l.OwnedBy(u.ID) {
			out = append(out, alpacaapi.EncodeWatchlist(&l.Watchlist, caller.AccountID, nil))
		}
	}
	return c.JSON(out)
}

// alpacaCreateWatchlist is POST /v2/watchlists {name, symbols}.
func (s *Server) alpacaCreateWatchlist(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	caller, u, err := s.alpacaUser(c)
	if err != nil {
		return err
	}
	var in alpacaapi.WatchlistRequest
	if err := alpacaapi.Decode(c.Body(), &in); err != nil {
		return err
	}
	if len(in.Symbols) > alpacaapi.MaxWatchlistSymbols {
		return alpacaapi.Unprocessable("too many symbols")
	}
	ctx := c.UserContext()
	d, err := s.watchlists.Create(ctx, u, in.Name, false)
	if err != nil {
		return err
	}
	for _, sym := range in.Symbols {
		if d, _, err = s.watchlists.AddAsset(ctx, u, d.ID, sym); err != nil {
			return err
		}
	}
	return s.sendWatchlist(c, caller, d)
}

// alpacaGetWatchlist is GET /v2/watchlists/{id} (and :by_name).
func (s *Server) alpacaGetWatchlist(byName bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		caller, u, id, err := s.watchlistAction(c, byName)
		if err != nil {
			return err
		}
		d, err := s.watchlists.Get(c.UserContext(), u, id)
		if err != nil {
			return watchlistError(err)
		}
		return s.sendWatchlist(c, caller, d)
	}
}

// alpacaUpdateWatchlist is PUT /v2/watchlists/{id}: a new name and the whole list of symbols
// (absent keeps them).
func (s *Server) alpacaUpdateWatchlist(byName bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		caller, u, id, err := s.watchlistAction(c, byName)
		if err != nil {
			return err
		}
		var in alpacaapi.WatchlistRequest
		if err := alpacaapi.Decode(c.Body(), &in); err != nil {
			return err
		}
		if len(in.Symbols) > alpacaapi.MaxWatchlistSymbols {
			return alpacaapi.Unprocessable("too many symbols")
		}
		ctx := c.UserContext()
		d, err := s.watchlists.Get(ctx, u, id)
		if err != nil {
			return watchlistError(err)
		}
		if !d.OwnedBy(u.ID) {
			return errWatchlistNotFound
		}
		if in.Name != "" && in.Name != d.Name {
			if d, err = s.watchlists.Rename(ctx, u, id, in.Name); err != nil {
				return err
			}
		}
		if in.Symbols != nil {
			if d, err = s.setWatchlistSymbols(c, u, d, in.Symbols); err != nil {
				return err
			}
		}
		return s.sendWatchlist(c, caller, d)
	}
}

// setWatchlistSymbols makes a list hold exactly symbols, in that order.
func (s *Server) setWatchlistSymbols(c *fiber.Ctx, u *models.User, d *watchlist.Detail, symbols []string) (*watchlist.Detail, error) {
	ctx := c.UserContext()
	want := map[string]bool{}
	for i, sym := range symbols {
		symbols[i] = strings.ToUpper(strings.TrimSpace(sym))
		want[symbols[i]] = true
	}
	var err error
	for _, it := range d.Items {
		if !want[it.Symbol] {
			if d, err = s.watchlists.RemoveAsset(ctx, u, d.ID, it.Symbol); err != nil {
				return nil, err
			}
		}
	}
	for _, sym := range symbols {
		if d, _, err = s.watchlists.AddAsset(ctx, u, d.ID, sym); err != nil {
			return nil, err
		}
	}
	if len(symbols) > 1 {
		if d, err = s.watchlists.Reorder(ctx, u, d.ID, symbols); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// alpacaAddToWatchlist is POST /v2/watchlists/{id} {symbol}.
func (s *Server) alpacaAddToWatchlist(byName bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		caller, u, id, err := s.watchlistAction(c, byName)
		if err != nil {
			return err
		}
		var in alpacaapi.SymbolRequest
		if err := alpacaapi.Decode(c.Body(), &in); err != nil {
			return err
		}
		if in.Symbol == "" {
			return alpacaapi.BadRequest("symbol is required")
		}
		d, _, err := s.watchlists.AddAsset(c.UserContext(), u, id, in.Symbol)
		if err != nil {
			return watchlistError(err)
		}
		return s.sendWatchlist(c, caller, d)
	}
}

// alpacaRemoveFromWatchlist is DELETE /v2/watchlists/{id}/{symbol} (the symbol is the rest of
// the path: a crypto pair has a slash).
func (s *Server) alpacaRemoveFromWatchlist(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	caller, u, err := s.alpacaUser(c)
	if err != nil {
		return err
	}
	id, err := s.watchlistID(c, u, false)
	if err != nil {
		return err
	}
	d, err := s.watchlists.RemoveAsset(c.UserContext(), u, id, strings.ToUpper(c.Params("*")))
	if err != nil {
		return watchlistError(err)
	}
	return s.sendWatchlist(c, caller, d)
}

// alpacaDeleteWatchlist is DELETE /v2/watchlists/{id}: 204.
func (s *Server) alpacaDeleteWatchlist(byName bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, u, id, err := s.watchlistAction(c, byName)
		if err != nil {
			return err
		}
		d, err := s.watchlists.Get(c.UserContext(), u, id)
		if err != nil {
			return watchlistError(err)
		}
		if !d.OwnedBy(u.ID) {
			return errWatchlistNotFound
		}
		if err := s.watchlists.Delete(c.UserContext(), u, id); err != nil {
			return watchlistError(err)
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
