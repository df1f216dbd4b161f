package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/audit"
	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
	"alpacawrapper/watchlist"
)

// The global watchlists' admin pages. Every change goes through the watchlist service running
// inside the transaction that writes its audit entry (watchlist.Service.In), so the service's
// rules (names, limits, the guests' default) hold here exactly as in the public API.

// globalWatchlists lists the global lists in the order everyone sees them.
func (s *Server) globalWatchlists(ctx context.Context, viewer *models.User) ([]views.AdminWatchlistRow, error) {
	lists, err := s.watchlists.List(ctx, viewer)
	if err != nil {
		return nil, err
	}
	var out []views.AdminWatchlistRow
	for _, l := range lists {
		if l.IsGlobal() {
			out = append(out, views.AdminWatchlistRow{ID: l.ID, Name: l.Name, Assets: l.AssetCount, Default: l.IsDefault})
		}
	}
	for i := range out {
		out[i].First, out[i].Last = i == 0, i == len(out)-1
	}
	return out, nil
}

// globalWatchlist is global list id through svc; an administrator's own list is not one, and is
// NotFound here like a list that does not exist.
func (s *Server) globalWatchlist(ctx context.Context, svc *watchlist.Service, admin *models.User, id int64) (*watchlist.Detail, error) {
	d, err := svc.Get(ctx, admin, id)
	if err != nil {
		return nil, err
	}
	if !d.IsGlobal() {
		return nil, watchlistNotFound()
	}
	return d, nil
}

func watchlistNotFound() error {
	return apperr.New(apperr.KindNotFound, "watchlist_not_found", "There is no such global watchlist.")
}

// adminWatchlistPage is GET /admin/market/watchlists/:id.
func (s *Server) adminWatchlistPage(c *fiber.Ctx) error {
	return s.showAdminWatchlist(c, nil)
}

// showAdminWatchlist renders the list's page; set, when not nil, puts a refused form in place.
func (s *Server) showAdminWatchlist(c *fiber.Ctx, set func(*views.AdminWatchlistDetail)) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	w, err := s.globalWatchlist(c.UserContext(), s.watchlists, currentUser(c), id)
	if err != nil {
		return err
	}
	lists, err := s.globalWatchlists(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	d := views.AdminWatchlistDetail{AdminWatchlistRow: views.AdminWatchlistRow{ID: w.ID, Name: w.Name, Assets: len(w.Items), Default: w.IsDefault}}
	for _, l := range lists {
		if l.ID == w.ID {
			d.First, d.Last = l.First, l.Last
		}
	}
	for i, it := range w.Items {
		d.Items = append(d.Items, views.AdminWatchlistItem{Symbol: it.Symbol, Name: it.Name, Class: string(it.Class), Exchange: it.Exchange,
			First: i == 0, Last: i == len(w.Items)-1})
	}
	if set != nil {
		set(&d)
	}
	return render(c, views.AdminWatchlistPage(s.page(c, w.Name), d))
}

// watchlistRefused shows the list's page again with a refused form's message, keeping what was
// typed (422, or the refusal's own status), or hands anything else to the central error handler.
func (s *Server) watchlistRefused(c *fiber.Ctx, err error, values map[string]string, set func(*views.AdminWatchlistDetail, views.Form)) error {
	rej, ok := apperr.As(err)
	if !ok || rej.Kind == apperr.KindUnavailable || rej.Code == "watchlist_not_found" {
		return err
	}
	f := views.Form{Values: values, Errors: rej.Fields}
	if len(rej.Fields) == 0 {
		f.Error = rej.Message
	}
	c.Status(statusOf(rej.Kind))
	return s.showAdminWatchlist(c, func(d *views.AdminWatchlistDetail) { set(d, f) })
}

// watchlistChange runs change on global list id, through the watchlist service inside the
// transaction that records the audit entry change returns.
func (s *Server) watchlistChange(c *fiber.Ctx, id int64, change func(svc *watchlist.Service, before *watchlist.Detail) (audit.Entry, error)) error {
	admin := currentUser(c)
	return s.audited(c, func(tx *gorm.DB) (audit.Entry, error) {
		svc := s.watchlists.In(tx)
		before, err := s.globalWatchlist(c.UserContext(), svc, admin, id)
		if err != nil {
			return audit.Entry{}, err
		}
		e, err := change(svc, before)
		e.TargetType, e.TargetID = "watchlist", strconv.FormatInt(id, 10)
		return e, err
	})
}

// adminCreateWatchlist is POST /admin/market/watchlists: a new, empty global list at the end.
func (s *Server) adminCreateWatchlist(c *fiber.Ctx) error {
	ctx, admin := c.UserContext(), currentUser(c)
	name := c.FormValue("name")
	var created *watchlist.Detail
	err := s.audited(c, func(tx *gorm.DB) (audit.Entry, error) {
		var err error
		if created, err = s.watchlists.In(tx).Create(ctx, admin, name, true); err != nil {
			return audit.Entry{}, err
		}
		return audit.Entry{Action: "watchlist.create", TargetType: "watchlist", TargetID: strconv.FormatInt(created.ID, 10),
			After: map[string]any{"name": created.Name, "default": created.IsDefault}}, nil
	})
	if err != nil {
		return s.adminMarketRefused(c, err, map[string]string{"name": name}, func(d *views.AdminMarketData, f views.Form) { d.CreateForm = f })
	}
	s.flash(c, "success", fmt.Sprintf("The global list %s is created; add its assets here.", created.Name))
	return redirectAfterPost(c, urls.Path(urls.AdminWatchlist, created.ID))
}

// adminRenameWatchlist is POST /admin/market/watchlists/:id/rename.
func (s *Server) adminRenameWatchlist(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	name := c.FormValue("name")
	var after *watchlist.Detail
	err = s.watchlistChange(c, id, func(svc *watchlist.Service, before *watchlist.Detail) (audit.Entry, error) {
		var err error
		if after, err = svc.Rename(c.UserContext(), currentUser(c), id, name); err != nil {
			return audit.Entry{}, err
		}
		if after.Name == before.Name {
			return audit.Entry{}, apperr.Invalid(map[string]string{"name": "That is already the list's name; nothing was changed."})
		}
		return audit.Entry{Action: "watchlist.rename", Before: map[string]any{"name": before.Name}, After: map[string]any{"name": after.Name}}, nil
	})
	if err != nil {
		return s.watchlistRefused(c, err, map[string]string{"name": name}, func(d *views.AdminWatchlistDetail, f views.Form) { d.RenameForm = f })
	}
	s.flash(c, "success", "The list is renamed "+after.Name+".")
	return redirectAfterPost(c, urls.Path(urls.AdminWatchlist, id))
}

// adminDefaultWatchlist is POST /admin/market/watchlists/:id/default: the list guests see.
func (s *Server) adminDefaultWatchlist(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	err = s.watchlistChange(c, id, func(svc *watchlist.Service, before *watchlist.Detail) (audit.Entry, error) {
		if before.IsDefault {
			return audit.Entry{}, apperr.New(apperr.KindConflict, "already_changed",
				before.Name+" is already the list guests see; nothing was changed.")
		}
		var was any
		if prev, err := svc.DefaultGlobal(c.UserContext()); err == nil && prev.IsDefault {
			was = prev.ID
		}
		if _, err := svc.SetDefault(c.UserContext(), currentUser(c), id); err != nil {
			return audit.Entry{}, err
		}
		return audit.Entry{Action: "watchlist.set_default", Before: map[string]any{"default_watchlist": was},
			After: map[string]any{"default_watchlist": id}}, nil
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", "Guests now see this list.")
	return redirectAfterPost(c, urls.Path(urls.AdminWatchlist, id))
}

// adminMoveWatchlist is POST /admin/market/watchlists/:id/move (direction up or down).
func (s *Server) adminMoveWatchlist(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	by, err := moveDirection(c.FormValue("direction"))
	if err != nil {
		return err
	}
	err = s.watchlistChange(c, id, func(svc *watchlist.Service, before *watchlist.Detail) (audit.Entry, error) {
		after, err := svc.Move(c.UserContext(), currentUser(c), id, by)
		if err != nil {
			return audit.Entry{}, err
		}
		return audit.Entry{Action: "watchlist.move", Before: map[string]any{"position": before.Position},
			After: map[string]any{"position": after.Position}}, nil
	})
	if err != nil {
		return err
	}
	return redirectAfterPost(c, urls.Path(urls.AdminMarket))
}

// adminDeleteWatchlist is POST /admin/market/watchlists/:id/delete.
func (s *Server) adminDeleteWatchlist(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	var name string
	err = s.watchlistChange(c, id, func(svc *watchlist.Service, before *watchlist.Detail) (audit.Entry, error) {
		name = before.Name
		if err := svc.Delete(c.UserContext(), currentUser(c), id); err != nil {
			return audit.Entry{}, err
		}
		return audit.Entry{Action: "watchlist.delete", Before: map[string]any{"name": before.Name, "symbols": itemSymbols(before), "default": before.IsDefault}}, nil
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", "The global list "+name+" is deleted.")
	return redirectAfterPost(c, urls.Path(urls.AdminMarket))
}

// adminAddWatchlistAsset is POST /admin/market/watchlists/:id/assets: an asset at the end of the
// list (its candle backfill is queued in the same transaction, as for any addition).
func (s *Server) adminAddWatchlistAsset(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	symbol := c.FormValue("symbol")
	var added string
	err = s.watchlistChange(c, id, func(svc *watchlist.Service, before *watchlist.Detail) (audit.Entry, error) {
		after, isNew, err := svc.AddAsset(c.UserContext(), currentUser(c), id, symbol)
		if err != nil {
			return audit.Entry{}, err
		}
		if !isNew {
			return audit.Entry{}, apperr.Invalid(map[string]string{"symbol": "That asset is already on this list; nothing was changed."})
		}
		added = after.Items[len(after.Items)-1].Symbol
		return audit.Entry{Action: "watchlist.add_asset", Before: map[string]any{"symbols": itemSymbols(before)},
			After: map[string]any{"symbols": itemSymbols(after)}}, nil
	})
	if err != nil {
		return s.watchlistRefused(c, err, map[string]string{"symbol": symbol}, func(d *views.AdminWatchlistDetail, f views.Form) { d.AddForm = f })
	}
	s.flash(c, "success", added+" is added to the list.")
	return redirectAfterPost(c, urls.Path(urls.AdminWatchlist, id))
}

// adminRemoveWatchlistAsset is POST /admin/market/watchlists/:id/assets/remove (symbol).
func (s *Server) adminRemoveWatchlistAsset(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	symbol := c.FormValue("symbol")
	err = s.watchlistChange(c, id, func(svc *watchlist.Service, before *watchlist.Detail) (audit.Entry, error) {
		after, err := svc.RemoveAsset(c.UserContext(), currentUser(c), id, symbol)
		if err != nil {
			return audit.Entry{}, err
		}
		return audit.Entry{Action: "watchlist.remove_asset", Before: map[string]any{"symbols": itemSymbols(before)},
			After: map[string]any{"symbols": itemSymbols(after)}}, nil
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", symbol+" is removed from the list.")
	return redirectAfterPost(c, urls.Path(urls.AdminWatchlist, id))
}

// adminMoveWatchlistAsset is POST /admin/market/watchlists/:id/assets/move (symbol, direction).
func (s *Server) adminMoveWatchlistAsset(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	by, err := moveDirection(c.FormValue("direction"))
	if err != nil {
		return err
	}
	symbol := c.FormValue("symbol")
	err = s.watchlistChange(c, id, func(svc *watchlist.Service, before *watchlist.Detail) (audit.Entry, error) {
		order := itemSymbols(before)
		i := slices.Index(order, symbol)
		switch {
		case i < 0:
			return audit.Entry{}, apperr.New(apperr.KindNotFound, "asset_not_on_watchlist", symbol+" is not on this list; nothing was changed.")
		case i+by < 0 || i+by >= len(order):
			return audit.Entry{}, apperr.New(apperr.KindConflict, "already_changed",
				fmt.Sprintf("%s is already the %s on the list; nothing was changed.", symbol, map[int]string{-1: "first", 1: "last"}[by]))
		}
		moved := slices.Clone(order)
		moved[i], moved[i+by] = moved[i+by], moved[i]
		after, err := svc.Reorder(c.UserContext(), currentUser(c), id, moved)
		if err != nil {
			return audit.Entry{}, err
		}
		return audit.Entry{Action: "watchlist.reorder", Before: map[string]any{"symbols": order}, After: map[string]any{"symbols": itemSymbols(after)}}, nil
	})
	if err != nil {
		return err
	}
	return redirectAfterPost(c, urls.Path(urls.AdminWatchlist, id))
}

// moveDirection reads "up" as -1 and "down" as +1.
func moveDirection(v string) (int, error) {
	switch v {
	case "up":
		return -1, nil
	case "down":
		return 1, nil
	}
	return 0, apperr.Invalid(map[string]string{"direction": "Move up or down."})
}

func itemSymbols(d *watchlist.Detail) []string {
	out := make([]string, len(d.Items))
	for i, it := range d.Items {
		out[i] = it.Symbol
	}
	return out
}
