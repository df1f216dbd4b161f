package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
	"alpacawrapper/watchlist"
)

// The watchlist pages: the lists (/watchlists) and one list (/watchlists/:id) with its changes.
// Each handler makes one call to the watchlist service with the signed-in person, which alone
// decides who may read or change which list (another person's list is a 404, a global list is
// changed by administrators only). Every form works as a plain post (303 back to the page) and
// with htmx (the panel swapped in place); a refusal with field messages comes back as the form
// with its errors (422 for htmx).

// watchlistView builds the view of a list: its assets with their numbers, in order.
func (s *Server) watchlistView(ctx context.Context, d *watchlist.Detail) (views.WatchlistView, error) {
	w := views.WatchlistView{ID: d.ID, Name: d.Name, Description: d.Description, Global: d.IsGlobal(), Default: d.IsDefault, Editable: d.Editable}
	symbols := make([]string, len(d.Items))
	for i, it := range d.Items {
		symbols[i] = it.Symbol
	}
	byStored, err := models.AssetsBySymbols(ctx, s.db, symbols)
	if err != nil {
		return w, err
	}
	assets := make([]models.Asset, len(d.Items))
	for i, it := range d.Items {
		a, ok := byStored[it.Symbol]
		if !ok { // deleted from the catalogue meanwhile: show what the list knows
			a = models.Asset{Symbol: it.Symbol, Name: it.Name, Class: it.Class, Exchange: it.Exchange}
		}
		assets[i] = a
	}
	w.Rows, _ = s.rowsFor(ctx, assets)
	return w, nil
}

// watchlistsIndex lists what the viewer may read, split into their own and the global lists.
// q (GET /watchlists?q=) narrows them to those whose name or description contains it or that
// hold a symbol starting with it.
func (s *Server) watchlistsIndex(c *fiber.Ctx) (views.WatchlistsIndex, error) {
	u := currentUser(c)
	search := strings.TrimSpace(c.Query("q"))
	if r := []rune(search); len(r) > maxListSearchRunes {
		search = strings.TrimSpace(string(r[:maxListSearchRunes]))
	}
	lists, err := s.watchlists.Search(c.UserContext(), u, search)
	if err != nil {
		return views.WatchlistsIndex{}, err
	}
	ix := views.WatchlistsIndex{Search: search, SignedIn: u != nil, IsAdmin: u != nil && u.IsAdmin()}
	for _, l := range lists {
		if l.IsGlobal() {
			ix.Global = append(ix.Global, tabOf(l, false))
		} else {
			ix.Own = append(ix.Own, tabOf(l, false))
		}
	}
	return ix, nil
}

// maxListSearchRunes bounds the search over watchlists: longer text is cut to it.
const maxListSearchRunes = 100

// csrfOf is the request's CSRF token, for fragments (a whole page takes it from views.Page).
func csrfOf(c *fiber.Ctx) string {
	if sess := currentSession(c); sess != nil {
		return sess.CSRFToken
	}
	return ""
}

// watchlistsForm renders the lists page or, for htmx, its panel.
func (s *Server) watchlistsForm(c *fiber.Ctx, ix views.WatchlistsIndex) formView {
	return formView{
		page: func(f views.Form) templ.Component {
			return views.WatchlistsPage(s.page(c, "Watchlists"), ix, f)
		},
		fragment: func(f views.Form) templ.Component { return views.WatchlistsPanel(csrfOf(c), ix, f) },
	}
}

// watchlistsPage is GET /watchlists: the viewer's lists and the global ones. Guests see the global
// lists and an invitation to log in.
func (s *Server) watchlistsPage(c *fiber.Ctx) error {
	ix, err := s.watchlistsIndex(c)
	if err != nil {
		return err
	}
	return s.watchlistsForm(c, ix).show(c, fiber.StatusOK, views.Form{})
}

// createWatchlist is POST /watchlists (name, global): a new list. The answer is the lists panel
// with the new list in it (htmx) or the new list's page (plain post).
func (s *Server) createWatchlist(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	name, global := c.FormValue("name"), c.FormValue("global") == "true"
	d, err := s.watchlists.Create(ctx, u, name, global)
	if err != nil {
		ix, ixErr := s.watchlistsIndex(c)
		if ixErr != nil {
			return ixErr
		}
		return s.watchlistsForm(c, ix).refuse(c, err, formValues(c, "name", "global"))
	}
	if !isHTMX(c) {
		s.flash(c, "success", "Watchlist “"+d.Name+"” created.")
		return c.Redirect(watchlistPath(d.ID), fiber.StatusSeeOther)
	}
	ix, err := s.watchlistsIndex(c)
	if err != nil {
		return err
	}
	return s.watchlistsForm(c, ix).show(c, fiber.StatusOK, views.Form{})
}

func watchlistPath(id int64) string { return urls.Path(urls.Watchlist, id) }

// watchlistForm renders a list's page or, for htmx, its panel.
func (s *Server) watchlistForm(c *fiber.Ctx, w views.WatchlistView) formView {
	return formView{
		page:     func(f views.Form) templ.Component { return views.WatchlistPage(s.page(c, w.Name), w, f) },
		fragment: func(f views.Form) templ.Component { return views.WatchlistPanel(csrfOf(c), w, f) },
	}
}

// loadWatchlist reads list :id as the viewer sees it.
func (s *Server) loadWatchlist(c *fiber.Ctx) (views.WatchlistView, error) {
	id, err := watchlistID(c)
	if err != nil {
		return views.WatchlistView{}, err
	}
	d, err := s.watchlists.Get(c.UserContext(), currentUser(c), id)
	if err != nil {
		return views.WatchlistView{}, err
	}
	return s.watchlistView(c.UserContext(), d)
}

// watchlistPage is GET /watchlists/:id.
func (s *Server) watchlistPage(c *fiber.Ctx) error {
	w, err := s.loadWatchlist(c)
	if err != nil {
		return err
	}
	return s.watchlistForm(c, w).show(c, fiber.StatusOK, views.Form{})
}

// changeWatchlist runs one change of list :id and answers: the panel (htmx) or a redirect back
// to the list (plain post); a refusal comes back as the panel with its message, under the field
// it names when it names one.
func (s *Server) changeWatchlist(c *fiber.Ctx, values map[string]string, change func(id int64) (*watchlist.Detail, error)) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	d, changeErr := change(id)
	if changeErr != nil {
		if _, refused := apperr.As(changeErr); !refused {
			return changeErr
		}
		// The form comes back only where the person could have sent it: a list they may change.
		w, err := s.loadWatchlist(c)
		if err != nil || !w.Editable {
			return changeErr
		}
		return s.watchlistForm(c, w).refuse(c, changeErr, values)
	}
	if !isHTMX(c) {
		return c.Redirect(watchlistPath(id), fiber.StatusSeeOther)
	}
	w, err := s.watchlistView(c.UserContext(), d)
	if err != nil {
		return err
	}
	return s.watchlistForm(c, w).show(c, fiber.StatusOK, views.Form{})
}

// renameWatchlist is POST /watchlists/:id/rename (name, and description when the form has it):
// the page's form saves both at once; a form without description only renames.
func (s *Server) renameWatchlist(c *fiber.Ctx) error {
	name := c.FormValue("name")
	if c.Request().PostArgs().Has("description") {
		description := c.FormValue("description")
		return s.changeWatchlist(c, map[string]string{"name": name, "description": description}, func(id int64) (*watchlist.Detail, error) {
			return s.watchlists.Edit(c.UserContext(), currentUser(c), id, name, description)
		})
	}
	return s.changeWatchlist(c, map[string]string{"name": name}, func(id int64) (*watchlist.Detail, error) {
		return s.watchlists.Rename(c.UserContext(), currentUser(c), id, name)
	})
}

// addToWatchlist is POST /watchlists/:id/assets (symbol).
func (s *Server) addToWatchlist(c *fiber.Ctx) error {
	symbol := strings.TrimSpace(c.FormValue("symbol"))
	return s.changeWatchlist(c, map[string]string{"symbol": symbol}, func(id int64) (*watchlist.Detail, error) {
		if symbol == "" {
			return nil, apperr.Invalid(map[string]string{"symbol": "Type a symbol, such as AAPL or BTC/USD."})
		}
		d, added, err := s.watchlists.AddAsset(c.UserContext(), currentUser(c), id, symbol)
		if err == nil && !added {
			return nil, alreadyOnList(symbol, d.Name, "symbol")
		}
		return d, symbolFieldError(err, symbol)
	})
}

// alreadyOnList refuses adding a symbol that a list holds already: the add itself would change
// nothing, and saying nothing leaves the person wondering whether it worked.
func alreadyOnList(symbol, list, field string) error {
	return apperr.Invalid(map[string]string{field: strings.ToUpper(symbol) + " is already on “" + list + "”."})
}

// symbolFieldError puts a refusal about the symbol under the symbol field.
func symbolFieldError(err error, symbol string) error {
	rej, ok := apperr.As(err)
	if !ok || len(rej.Fields) > 0 {
		return err
	}
	if rej.Code == "asset_not_found" || rej.Kind == apperr.KindNotFound && rej.Code != "watchlist_not_found" {
		return apperr.Invalid(map[string]string{"symbol": "There is no instrument " + strings.ToUpper(symbol) + ". Check the symbol, or search the instruments."})
	}
	return err
}

// removeFromWatchlist is POST /watchlists/:id/assets/remove (symbol).
func (s *Server) removeFromWatchlist(c *fiber.Ctx) error {
	symbol := c.FormValue("symbol")
	return s.changeWatchlist(c, nil, func(id int64) (*watchlist.Detail, error) {
		return s.watchlists.RemoveAsset(c.UserContext(), currentUser(c), id, symbol)
	})
}

// reorderWatchlist is POST /watchlists/:id/order: either the complete new order (symbols,
// repeated) or one step of one symbol (symbol with move=up|down), which the server turns into the
// new order. Either way the service checks it is exactly a reordering of the list.
func (s *Server) reorderWatchlist(c *fiber.Ctx) error {
	var order []string
	for _, v := range c.Request().PostArgs().PeekMulti("symbols") {
		order = append(order, string(v))
	}
	symbol, move := c.FormValue("symbol"), c.FormValue("move")
	return s.changeWatchlist(c, nil, func(id int64) (*watchlist.Detail, error) {
		ctx, u := c.UserContext(), currentUser(c)
		if order == nil {
			d, err := s.watchlists.Get(ctx, u, id)
			if err != nil {
				return nil, err
			}
			if order, err = movedOrder(d.Items, symbol, move); err != nil {
				return nil, err
			}
		}
		return s.watchlists.Reorder(ctx, u, id, order)
	})
}

// movedOrder is items' order with symbol moved one place up or down (a no-op at either end).
func movedOrder(items []models.WatchlistItem, symbol, move string) ([]string, error) {
	order := make([]string, len(items))
	at := -1
	for i, it := range items {
		order[i] = it.Symbol
		if strings.EqualFold(it.Symbol, symbol) {
			at = i
		}
	}
	if at < 0 {
		return nil, apperr.New(apperr.KindNotFound, "asset_not_on_watchlist", symbol+" is not on this watchlist.")
	}
	to := at
	switch move {
	case "up":
		to = at - 1
	case "down":
		to = at + 1
	default:
		return nil, apperr.Invalid(map[string]string{"move": "Move a symbol up or down."})
	}
	if to >= 0 && to < len(order) {
		order[at], order[to] = order[to], order[at]
	}
	return order, nil
}

// deleteWatchlist is POST /watchlists/:id/delete: back to the lists, with a flash.
func (s *Server) deleteWatchlist(c *fiber.Ctx) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	d, err := s.watchlists.Get(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	if err := s.watchlists.Delete(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	s.flash(c, "success", "Watchlist “"+d.Name+"” deleted.")
	return redirectAfterPost(c, urls.Path(urls.Watchlists))
}

// addFromInstrument is POST /watchlists/add (symbol, watchlist = a list id or "new", name): the
// instrument page's "add to watchlist", onto one of the person's lists or a new one made for it.
// The answer is the instrument page's panel (htmx) or the instrument page (plain post).
func (s *Server) addFromInstrument(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	a, err := models.WatchableAssetBySymbol(ctx, s.db, strings.TrimSpace(c.FormValue("symbol")))
	if err != nil {
		return apperr.New(apperr.KindNotFound, "asset_not_found", "There is no such asset.")
	}
	values := formValues(c, "watchlist", "name")
	var d *watchlist.Detail
	if target := values["watchlist"]; target == "new" || target == "" {
		d, err = s.watchlists.Create(ctx, u, values["name"], false)
	} else {
		id, perr := strconv.ParseInt(target, 10, 64)
		if perr != nil || id <= 0 {
			err = apperr.Invalid(map[string]string{"watchlist": "Choose one of your watchlists."})
		} else {
			d, err = s.watchlists.Get(ctx, u, id)
		}
	}
	if err == nil {
		var added bool
		if d, added, err = s.watchlists.AddAsset(ctx, u, d.ID, a.Symbol); err == nil && !added {
			err = alreadyOnList(a.Symbol, d.Name, "watchlist")
		}
	}
	detail, derr := s.instrumentDetail(c, a)
	if derr != nil {
		return derr
	}
	if err != nil {
		fv := formView{
			page:     func(f views.Form) templ.Component { return views.InstrumentPage(s.page(c, a.Symbol), detail, f) },
			fragment: func(f views.Form) templ.Component { return views.WatchPanel(csrfOf(c), detail, f) },
		}
		return fv.refuse(c, err, values)
	}
	if !isHTMX(c) {
		s.flash(c, "success", a.Symbol+" added to “"+d.Name+"”.")
		return c.Redirect(views.InstrumentHref(a.Symbol), fiber.StatusSeeOther)
	}
	detail.Added, detail.AddedID = d.Name, d.ID
	return render(c, views.WatchPanel(csrfOf(c), detail, views.Form{}))
}
