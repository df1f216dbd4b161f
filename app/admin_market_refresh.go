package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/audit"
	"alpacawrapper/jobs"
	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// maxRefreshSymbolsInput bounds the symbols field before it is split: fifty of the longest
// symbols with separators fit well within it.
const maxRefreshSymbolsInput = 2000

// adminStartRefresh is POST /admin/market/refreshes: a data refresh of the typed symbols or of a
// watchlist, over the last days. It is recorded, its jobs queued and its audit entry written in
// one transaction, then the operator is taken to its page to watch it.
func (s *Server) adminStartRefresh(c *fiber.Ctx) error {
	ctx, admin := c.UserContext(), currentUser(c)
	values := map[string]string{"symbols": c.FormValue("symbols"), "watchlist": c.FormValue("watchlist"), "days": c.FormValue("days")}
	refused := func(err error) error {
		return s.adminMarketRefused(c, err, values, func(d *views.AdminMarketData, f views.Form) { d.RefreshForm = f })
	}
	assets, scope, listID, err := s.refreshAssets(ctx, admin, values["symbols"], values["watchlist"])
	if err != nil {
		return refused(err)
	}
	days, err := strconv.Atoi(strings.TrimSpace(values["days"]))
	if err != nil {
		return refused(apperr.Invalid(map[string]string{"days": fmt.Sprintf("Days must be a whole number from 1 to %d.", jobs.MaxRefreshDays)}))
	}
	var refresh *models.DataRefresh
	err = s.audited(c, func(tx *gorm.DB) (audit.Entry, error) {
		var items []models.DataRefreshItem
		var err error
		refresh, items, err = s.refreshes.Start(ctx, tx, jobs.RefreshRequest{Assets: assets, WatchlistID: listID, Scope: scope,
			Days: days, RequestedBy: admin.ID, RequestedEmail: admin.Email, Now: time.Now()})
		if err != nil {
			return audit.Entry{}, err
		}
		symbols := make([]string, len(items))
		for i, it := range items {
			symbols[i] = it.Symbol
		}
		return audit.Entry{Action: "market.refresh_start", TargetType: "data_refresh", TargetID: strconv.FormatInt(refresh.ID, 10),
			After: map[string]any{"scope": scope, "days": days, "symbols": symbols}}, nil
	})
	if err != nil {
		return refused(err)
	}
	s.flash(c, "success", fmt.Sprintf("Refresh #%d started: %s, %d days.", refresh.ID, scope, days))
	return redirectAfterPost(c, urls.Path(urls.AdminRefresh, refresh.ID))
}

// refreshAssets resolves the form's choice to assets: the typed symbols, or the watchlist's
// assets; exactly one of the two. Unknown symbols are named, all of them at once.
func (s *Server) refreshAssets(ctx context.Context, admin *models.User, rawSymbols, rawList string) ([]models.CandleAsset, string, *int64, error) {
	rawSymbols, rawList = strings.TrimSpace(rawSymbols), strings.TrimSpace(rawList)
	switch {
	case len(rawSymbols) > maxRefreshSymbolsInput:
		return nil, "", nil, apperr.Invalid(map[string]string{"symbols": "That is too long for a list of symbols."})
	case rawSymbols != "" && rawList != "":
		return nil, "", nil, apperr.Invalid(map[string]string{"symbols": "Type symbols or choose a watchlist, not both."})
	case rawSymbols == "" && rawList == "":
		return nil, "", nil, apperr.Invalid(map[string]string{"symbols": "Type at least one symbol, or choose a watchlist."})
	}
	if rawList != "" {
		id, err := strconv.ParseInt(rawList, 10, 64)
		if err != nil || id <= 0 {
			return nil, "", nil, apperr.Invalid(map[string]string{"watchlist": "Choose a watchlist from the list."})
		}
		d, err := s.globalWatchlist(ctx, s.watchlists, admin, id)
		if rej, ok := apperr.As(err); ok && rej.Kind == apperr.KindNotFound {
			return nil, "", nil, apperr.Invalid(map[string]string{"watchlist": "That watchlist no longer exists. Reload the page and choose another."})
		}
		if err != nil {
			return nil, "", nil, err
		}
		if len(d.Items) == 0 {
			return nil, "", nil, apperr.Invalid(map[string]string{"watchlist": d.Name + " has no assets to refresh."})
		}
		assets := make([]models.CandleAsset, len(d.Items))
		for i, it := range d.Items {
			assets[i] = models.CandleAsset{ID: it.AssetID, Symbol: it.Symbol, Class: string(it.Class)}
		}
		return assets, "watchlist " + d.Name, &d.ID, nil
	}
	fields := strings.FieldsFunc(rawSymbols, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
	if len(fields) > jobs.MaxRefreshAssets {
		return nil, "", nil, apperr.Invalid(map[string]string{"symbols": fmt.Sprintf(
			"A refresh covers at most %d assets; this names %d. Refresh them in parts.", jobs.MaxRefreshAssets, len(fields))})
	}
	var assets []models.CandleAsset
	var unknown []string
	seen := map[int64]bool{}
	for _, f := range fields {
		a, err := models.WatchableAssetBySymbol(ctx, s.db, f)
		if errors.Is(err, models.ErrNotFound) {
			unknown = append(unknown, strings.ToUpper(f))
			continue
		}
		if err != nil {
			return nil, "", nil, err
		}
		if !seen[a.ID] {
			seen[a.ID] = true
			assets = append(assets, models.CandleAsset{ID: a.ID, Symbol: a.Symbol, Class: string(a.Class)})
		}
	}
	if len(unknown) > 0 {
		return nil, "", nil, apperr.Invalid(map[string]string{"symbols": "No asset has the symbol " + strings.Join(unknown, ", ") +
			". Check the spelling; nothing was started."})
	}
	symbols := make([]string, len(assets))
	for i, a := range assets {
		symbols[i] = a.Symbol
	}
	return assets, strings.Join(symbols, ", "), nil, nil
}

// adminRefreshPage is GET /admin/market/refreshes/:id; htmx's polls get the live part only.
func (s *Server) adminRefreshPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return refreshNotFound()
	}
	sum, err := models.DataRefreshSummaryOf(ctx, s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return refreshNotFound()
	}
	if err != nil {
		return err
	}
	items, err := models.DataRefreshItems(ctx, s.db, id)
	if err != nil {
		return err
	}
	loc := userLocation(currentUser(c))
	d := views.AdminRefreshDetail{AdminRefreshRow: adminRefreshRow(sum, loc), TimeZone: loc.String()}
	for i := range items {
		it := &items[i]
		v := views.AdminRefreshItem{Symbol: it.Symbol, Status: string(it.Status), ChunksDone: it.ChunksDone, ChunksTotal: it.ChunksTotal,
			Fetched: it.Fetched, Built: it.Built, Percent: it.Percent()}
		if it.Error != nil {
			v.Error = *it.Error
		}
		d.Items = append(d.Items, v)
	}
	if wantsFragment(c) {
		return render(c, views.AdminRefreshLive(currentSession(c).CSRFToken, d))
	}
	return render(c, views.AdminRefreshPage(s.page(c, fmt.Sprintf("Refresh #%d", id)), d))
}

// adminCancelRefresh is POST /admin/market/refreshes/:id/cancel.
func (s *Server) adminCancelRefresh(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return refreshNotFound()
	}
	err = s.audited(c, func(tx *gorm.DB) (audit.Entry, error) {
		before, err := s.refreshes.Cancel(ctx, tx, id, time.Now())
		if err != nil {
			return audit.Entry{}, err
		}
		return audit.Entry{Action: "market.refresh_cancel", TargetType: "data_refresh", TargetID: strconv.FormatInt(id, 10),
			Before: map[string]any{"status": before.Status}, After: map[string]any{"status": models.RefreshCancelled}}, nil
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Refresh #%d is cancelled; what it had rebuilt stays.", id))
	return redirectAfterPost(c, urls.Path(urls.AdminRefresh, id))
}

func refreshNotFound() error {
	return apperr.New(apperr.KindNotFound, "refresh_not_found", "There is no such data refresh.")
}

// adminRefreshRow is a refresh's summary as the pages show it, times in loc.
func adminRefreshRow(r *models.DataRefreshSummary, loc *time.Location) views.AdminRefreshRow {
	v := views.AdminRefreshRow{ID: r.ID, Scope: r.Scope, Days: r.Days, Status: string(r.Status), By: r.RequestedEmail,
		CreatedAt: r.CreatedAt.In(loc), Assets: r.Assets, AssetsDone: r.AssetsDone, Failed: r.AssetsFailed,
		Fetched: r.Fetched, Built: r.Built, Percent: r.Percent(), ChunksDone: r.ChunksDone, ChunksTotal: r.ChunksTotal}
	if r.FinishedAt != nil {
		t := r.FinishedAt.In(loc)
		v.FinishedAt = &t
	}
	return v
}
