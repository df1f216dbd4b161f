package app

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/urls"
	"alpacawrapper/watchlist"
)

// The watchlist endpoints of the JSON API. Each handler reads the request, makes one call to the
// watchlist service with the authenticated user, and renders the result; who may read or change
// which list is decided in the service alone.

// watchlistJSON is a list as the API shows it.
type watchlistJSON struct {
	ID         int64     `json:"id" example:"7"`
	Name       string    `json:"name" example:"Chips"`
	Global     bool      `json:"global" doc:"A list everyone sees, kept by administrators." example:"false"`
	Default    bool      `json:"default" doc:"The global list guests see." example:"false"`
	Position   int       `json:"position" example:"1"`
	AssetCount int       `json:"asset_count" example:"3"`
	Editable   bool      `json:"editable" doc:"Whether the caller may change it." example:"true"`
	CreatedAt  time.Time `json:"created_at" example:"2026-12-01T14:30:00Z"`
	UpdatedAt  time.Time `json:"updated_at" example:"2026-12-06T09:12:00Z"`
}

// watchlistAssetJSON is an asset on a list.
type watchlistAssetJSON struct {
	Symbol   string    `json:"symbol" example:"NVDA"`
	Name     string    `json:"name" example:"NVIDIA Corporation Common Stock"`
	Class    string    `json:"class" enum:"us_equity,crypto" example:"us_equity"`
	Exchange string    `json:"exchange" example:"NASDAQ"`
	Position int       `json:"position" doc:"1-based." example:"1"`
	AddedAt  time.Time `json:"added_at" example:"2026-12-01T14:31:00Z"`
}

// watchlistDetailJSON is a list with its assets in order.
type watchlistDetailJSON struct {
	watchlistJSON
	Assets []watchlistAssetJSON `json:"assets"`
}

// watchlistsJSON is the caller's lists, then the global ones.
type watchlistsJSON struct {
	Watchlists []watchlistJSON `json:"watchlists"`
}

// watchlistCreateJSON names a new list.
type watchlistCreateJSON struct {
	Name   string `json:"name" example:"Chips" maxLength:"60"`
	Global bool   `json:"global,omitempty" doc:"Make a list everyone sees (administrators only)." example:"false"`
}

// watchlistRenameJSON is a list's new name.
type watchlistRenameJSON struct {
	Name *string `json:"name" example:"Semiconductors" maxLength:"60"`
}

// watchlistAddJSON names the asset to add.
type watchlistAddJSON struct {
	Symbol string `json:"symbol" doc:"A symbol of the catalogue; a crypto pair as BTC/USD or BTCUSD." example:"AMD" maxLength:"24"`
}

// watchlistOrderJSON is a list's complete new order.
type watchlistOrderJSON struct {
	Symbols []string `json:"symbols" doc:"Every symbol on the list, exactly once, in the new order." example:"[\"AMD\",\"NVDA\",\"INTC\"]"`
}

func toWatchlistJSON(l watchlist.List) watchlistJSON {
	return watchlistJSON{
		ID: l.ID, Name: l.Name, Global: l.IsGlobal(), Default: l.IsDefault, Position: l.Position,
		AssetCount: l.AssetCount, Editable: l.Editable, CreatedAt: l.CreatedAt.UTC(), UpdatedAt: l.UpdatedAt.UTC(),
	}
}

func toWatchlistDetailJSON(d *watchlist.Detail) watchlistDetailJSON {
	out := watchlistDetailJSON{watchlistJSON: toWatchlistJSON(d.List), Assets: make([]watchlistAssetJSON, len(d.Items))}
	for i, it := range d.Items {
		out.Assets[i] = watchlistAssetJSON{Symbol: it.Symbol, Name: it.Name, Class: string(it.Class),
			Exchange: it.Exchange, Position: it.Position, AddedAt: it.AddedAt.UTC()}
	}
	return out
}

// watchlistID reads the :id parameter. Anything but a positive integer names no list, so it is a
// 404 like any other missing list.
func watchlistID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.KindNotFound, "watchlist_not_found", "There is no such watchlist.")
	}
	return id, nil
}

// apiWatchlists is GET /api/v1/watchlists: the caller's own lists, then the global ones.
func (s *Server) apiWatchlists(c *fiber.Ctx) error {
	lists, err := s.watchlists.List(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	out := make([]watchlistJSON, len(lists))
	for i, l := range lists {
		out[i] = toWatchlistJSON(l)
	}
	return c.JSON(watchlistsJSON{Watchlists: out})
}

// apiCreateWatchlist is POST /api/v1/watchlists {name, global?}: a new, empty list. Only
// administrators may make a global one.
func (s *Server) apiCreateWatchlist(c *fiber.Ctx) error {
	var in watchlistCreateJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	d, err := s.watchlists.Create(c.UserContext(), currentUser(c), in.Name, in.Global)
	if err != nil {
		return err
	}
	c.Location(urls.Path(urls.APIWatchlist, d.ID))
	return c.Status(fiber.StatusCreated).JSON(toWatchlistDetailJSON(d))
}

// apiWatchlist is GET /api/v1/watchlists/:id: one list with its assets.
func (s *Server) apiWatchlist(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	d, err := s.watchlists.Get(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toWatchlistDetailJSON(d))
}

// apiRenameWatchlist is PATCH /api/v1/watchlists/:id {name}.
func (s *Server) apiRenameWatchlist(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	var in watchlistRenameJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return apperr.Invalid(map[string]string{"name": "Send the new name, as \"name\"."})
	}
	d, err := s.watchlists.Rename(c.UserContext(), currentUser(c), id, *in.Name)
	if err != nil {
		return err
	}
	return c.JSON(toWatchlistDetailJSON(d))
}

// apiDeleteWatchlist is DELETE /api/v1/watchlists/:id.
func (s *Server) apiDeleteWatchlist(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	if err := s.watchlists.Delete(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiSetDefaultWatchlist is PUT /api/v1/watchlists/:id/default: makes a global list the one guests
// see (administrators only).
func (s *Server) apiSetDefaultWatchlist(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	d, err := s.watchlists.SetDefault(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toWatchlistDetailJSON(d))
}

// apiAddWatchlistAsset is POST /api/v1/watchlists/:id/assets {symbol}: 201 with the list when the
// asset was added, 200 when it was already there.
func (s *Server) apiAddWatchlistAsset(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	var in watchlistAddJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	d, added, err := s.watchlists.AddAsset(c.UserContext(), currentUser(c), id, in.Symbol)
	if err != nil {
		return err
	}
	if added {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(toWatchlistDetailJSON(d))
}

// apiRemoveWatchlistAsset is DELETE /api/v1/watchlists/:id/assets/:symbol, answering with the
// list. The symbol is the rest of the path, so a crypto pair may be sent as BTC/USD, BTC%2FUSD or
// BTCUSD.
func (s *Server) apiRemoveWatchlistAsset(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	symbol, err := url.PathUnescape(c.Params("*"))
	if err != nil {
		return apperr.Invalid(map[string]string{"symbol": "The symbol in the path is not validly escaped."})
	}
	d, err := s.watchlists.RemoveAsset(c.UserContext(), currentUser(c), id, symbol)
	if err != nil {
		return err
	}
	return c.JSON(toWatchlistDetailJSON(d))
}

// apiReorderWatchlist is PUT /api/v1/watchlists/:id/order {symbols: [...]}: the complete new
// order, every asset on the list exactly once.
func (s *Server) apiReorderWatchlist(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	var in watchlistOrderJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Symbols == nil {
		return apperr.Invalid(map[string]string{"symbols": "Send the new order as \"symbols\": an array listing every symbol on the watchlist."})
	}
	d, err := s.watchlists.Reorder(c.UserContext(), currentUser(c), id, in.Symbols)
	if err != nil {
		return err
	}
	return c.JSON(toWatchlistDetailJSON(d))
}
