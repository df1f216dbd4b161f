package app

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/audit"
	"alpacawrapper/jobs"
	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// How much history the market page shows.
const (
	adminSyncRunsShown  = 10
	adminRefreshesShown = 15
)

// adminMarketPage is GET /admin/market. htmx's polls of the refresh history get that fragment only.
func (s *Server) adminMarketPage(c *fiber.Ctx) error {
	d, err := s.adminMarketData(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	if wantsFragment(c) {
		return render(c, views.AdminRefreshHistory(d))
	}
	return render(c, views.AdminMarketPage(s.page(c, "Market data"), d))
}

// adminMarketRefused shows the market page again with a refused form's message under its field
// (422, or 409 for a conflict), keeping what was typed; set puts the form in its place. Anything but a refusal goes to
// the central error handler.
func (s *Server) adminMarketRefused(c *fiber.Ctx, err error, values map[string]string, set func(*views.AdminMarketData, views.Form)) error {
	rej, ok := apperr.As(err)
	if !ok || rej.Kind == apperr.KindUnavailable {
		return err
	}
	d, derr := s.adminMarketData(c.UserContext(), currentUser(c))
	if derr != nil {
		return derr
	}
	f := views.Form{Values: values, Errors: rej.Fields}
	if len(rej.Fields) == 0 {
		f.Error = rej.Message
	}
	set(&d, f)
	c.Status(statusOf(rej.Kind))
	return render(c, views.AdminMarketPage(s.page(c, "Market data"), d))
}

// adminMarketData gathers the page: sync state and runs, the latest refreshes, the global lists.
func (s *Server) adminMarketData(ctx context.Context, viewer *models.User) (views.AdminMarketData, error) {
	loc := userLocation(viewer)
	d := views.AdminMarketData{MaxRefreshAssets: jobs.MaxRefreshAssets, MaxRefreshDays: jobs.MaxRefreshDays, TimeZone: loc.String()}
	active, err := models.ActiveJobsOfKind(ctx, s.db, jobs.SyncAssetsArgs{}.Kind())
	if err != nil {
		return d, err
	}
	d.Sync.Pending = len(active) > 0
	runs, err := models.RecentSyncRuns(ctx, s.db, "", adminSyncRunsShown)
	if err != nil {
		return d, err
	}
	for _, r := range runs {
		v := views.AdminSyncRun{ID: r.ID, Kind: string(r.Kind), StartedAt: r.StartedAt.In(loc), Upserted: r.Upserted, Deactivated: r.Deactivated}
		if r.FinishedAt != nil {
			t := r.FinishedAt.In(loc)
			v.FinishedAt = &t
		}
		if r.Error != nil {
			v.Error = *r.Error
		}
		if r.Kind == models.SyncAssets && d.Sync.Last == nil {
			last := v
			d.Sync.Last = &last
		}
		d.SyncRuns = append(d.SyncRuns, v)
	}
	last, err := models.LastSuccessfulSyncRun(ctx, s.db, models.SyncAssets)
	switch {
	case err == nil && last.FinishedAt != nil:
		t := last.FinishedAt.In(loc)
		d.Sync.LastSuccess = &t
	case err != nil && !errors.Is(err, models.ErrNotFound):
		return d, err
	}
	refreshes, err := models.RecentDataRefreshes(ctx, s.db, adminRefreshesShown)
	if err != nil {
		return d, err
	}
	for i := range refreshes {
		d.Refreshes = append(d.Refreshes, adminRefreshRow(&refreshes[i], loc))
	}
	lists, err := s.globalWatchlists(ctx, viewer)
	if err != nil {
		return d, err
	}
	d.Watchlists = lists
	return d, nil
}

// adminSyncAssets is POST /admin/market/sync: a catalogue sync now. A sync already queued or
// running absorbs the request; that is said, and recorded, as such.
func (s *Server) adminSyncAssets(c *fiber.Ctx) error {
	queued, err := s.syncAssetsAudited(c)
	if err != nil {
		return err
	}
	if queued {
		s.flash(c, "success", "A catalogue sync is queued; its run appears below when it starts.")
	} else {
		s.flash(c, "info", "A catalogue sync is already queued, running or just finished; no second one was queued.")
	}
	return redirectAfterPost(c, urls.Path(urls.AdminMarket))
}

// syncAssetsAudited queues a catalogue sync and its audit entry in one transaction, for the page's
// button and the JSON API alike; queued is false when a sync already waiting absorbed the request.
func (s *Server) syncAssetsAudited(c *fiber.Ctx) (queued bool, err error) {
	err = s.audited(c, func(tx *gorm.DB) (audit.Entry, error) {
		var err error
		if queued, err = jobs.EnqueueSyncAssetsTx(c.UserContext(), tx, s.river); err != nil {
			return audit.Entry{}, err
		}
		return audit.Entry{Action: "market.sync_assets", TargetType: "asset_catalogue", TargetID: "assets",
			After: map[string]any{"queued": queued}}, nil
	})
	return queued, err
}

// audited runs change in one transaction with the audit entry it returns, stamped with who acted
// and from where: both commit or neither does. A change that fails writes no entry.
func (s *Server) audited(c *fiber.Ctx, change func(tx *gorm.DB) (audit.Entry, error)) error {
	actor := auditActor(c)
	return s.db.WithContext(c.UserContext()).Transaction(func(tx *gorm.DB) error {
		e, err := change(tx)
		if err != nil {
			return err
		}
		e.Actor = actor
		return audit.Record(tx, e)
	})
}
