package app

import (
	"cmp"
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/database"
	"alpacawrapper/market"
	"alpacawrapper/process"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// adminSystemPage is GET /admin/system. htmx's poll (every 5 s) gets only the live part.
func (s *Server) adminSystemPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	d := views.AdminSystemData{At: time.Now()}
	st, err := process.Read(ctx, s.db, s.feedHolder, process.DefaultEvery)
	if err != nil {
		return err
	}
	d.At = st.At
	d.Status = statusView(st)
	d.Groups = s.systemGroups(d.At)
	d.Errors = s.serverErrors.recent()
	if wantsFragment(c) {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return render(c, views.AdminSystemLive(d))
	}
	s.systemMigrations(ctx, &d)
	d.Config = redactedConfig(s.cfg)
	return render(c, views.AdminSystemPage(s.page(c, "System"), d))
}

// adminStatusPage is GET /admin/status, the page issue 15 made, now part of the System page.
func (s *Server) adminStatusPage(c *fiber.Ctx) error {
	return c.Redirect(urls.Path(urls.AdminSystem), fiber.StatusSeeOther)
}

// systemMigrations reads both sets of migrations (the readiness checker knows them).
func (s *Server) systemMigrations(ctx context.Context, d *views.AdminSystemData) {
	if s.ready == nil {
		d.MigrationsError = "not known to this process"
		return
	}
	ms, err := s.ready.Status(ctx)
	if err != nil {
		d.MigrationsError = redactConnInfo(err.Error())
		return
	}
	add := func(set string, m []database.MigrationState) {
		for _, x := range m {
			d.Migrations = append(d.Migrations, views.AdminMigrationView{Set: set, Version: x.Version, Name: x.Name,
				Applied: x.Applied, AppliedAt: x.AppliedAt})
			if !x.Applied {
				d.Pending++
			}
		}
	}
	add("app", ms.App)
	add("river", ms.River)
}

// systemGroups are the live figures of this process: the feed, the hub, the matcher, the
// database pool and the live connections.
func (s *Server) systemGroups(now time.Time) []views.AdminStatGroup {
	var groups []views.AdminStatGroup
	if s.market != nil {
		groups = append(groups, s.feedGroup(now), hubGroup(s.market.Hub.Stats()))
	}
	if s.trading != nil {
		groups = append(groups, s.matcherGroup())
	}
	if s.pool != nil {
		groups = append(groups, s.poolGroup())
	}
	groups = append(groups, s.connectionsGroup())
	return groups
}

// feedGroup is the market feed as it reaches this process's hub: the provider's stream where
// this process leads the feed, the relay from the leader otherwise.
func (s *Server) feedGroup(now time.Time) views.AdminStatGroup {
	p := s.market.Provider
	stream := p.Stream()
	st := stream.Status()
	fv := feedStatusView(p.Name(), st, now)
	g := views.AdminStatGroup{ID: "system-feed", Title: "Market feed", Note: fv.Provider + ": " + fv.Detail}
	conn := views.AdminStat{Label: "Connected", Value: "yes", TestID: "feed-connected"}
	if !st.Connected {
		conn.Value, conn.Warn = "no", true
	}
	limit := "no limit"
	if l := stream.SymbolLimit(); l > 0 {
		limit = "of " + strconv.Itoa(l) + " allowed"
	}
	last := views.AdminStat{Label: "Last message", Value: "none yet", TestID: "feed-last"}
	if !st.LastMessageAt.IsZero() {
		age := now.Sub(st.LastMessageAt)
		last.Value = ageText(age)
		last.Warn = st.Symbols > 0 && age >= cmp.Or(st.SilenceTimeout, feedStaleAfter)
	}
	lastErr := views.AdminStat{Label: "Last error", Value: "none", TestID: "feed-error"}
	if st.LastError != "" {
		lastErr.Value, lastErr.Hint, lastErr.Warn = "see below", st.LastError, true
	}
	g.Stats = []views.AdminStat{
		{Label: "Provider", Value: fv.Provider, TestID: "feed-provider"},
		conn,
		{Label: "Symbols followed", Value: strconv.Itoa(st.Symbols), Hint: limit, TestID: "feed-symbols"},
		last,
		{Label: "Reconnects", Value: strconv.Itoa(st.Reconnects), Warn: st.Reconnects > 0, TestID: "feed-reconnects"},
		lastErr,
	}
	return g
}

// hubGroup is the quote hub's counters since this process started.
func hubGroup(h market.HubStats) views.AdminStatGroup {
	return views.AdminStatGroup{ID: "system-hub", Title: "Quote hub", Note: "Counted since this process started.",
		Stats: []views.AdminStat{
			{Label: "Subscribers", Value: strconv.Itoa(h.Subscriptions), TestID: "hub-subscribers"},
			{Label: "Symbols routed", Value: strconv.Itoa(h.Symbols)},
			{Label: "Published", Value: count(h.Published)},
			{Label: "Coalesced", Value: count(h.Coalesced), Hint: "older quotes replaced", TestID: "hub-coalesced"},
			{Label: "Dropped", Value: count(h.Dropped), Hint: "trades and bars lost", Warn: h.Dropped > 0, TestID: "hub-dropped"},
			{Label: "Unrouted", Value: count(h.Unrouted), Hint: "for symbols nobody follows"},
		}}
}

// matcherGroup is the matcher's index of resting orders in this process. Only the process that
// leads the feed runs the matcher; elsewhere the index is empty by design.
func (s *Server) matcherGroup() views.AdminStatGroup {
	ix := s.trading.Index()
	g := views.AdminStatGroup{ID: "system-matcher", Title: "Matcher", Stats: []views.AdminStat{
		{Label: "Resting orders", Value: strconv.Itoa(ix.Len()), TestID: "matcher-resting"},
		{Label: "Symbols", Value: strconv.Itoa(len(ix.Symbols(nil))), TestID: "matcher-symbols"},
	}}
	runs := s.feedRole != nil && s.feedRole.Elector.Status().Holding
	if runs {
		g.Note = "This process leads the feed and runs the matcher."
	} else {
		g.Note = "The matcher runs in the process that leads the feed; see the feed lease below."
	}
	return g
}

// poolGroup is the database pool of this process.
func (s *Server) poolGroup() views.AdminStatGroup {
	st := s.pool.Stat()
	wait := "none"
	if n := st.EmptyAcquireCount(); n > 0 {
		wait = count(uint64(n)) + " waited"
	}
	avg := time.Duration(0)
	if n := st.AcquireCount(); n > 0 {
		avg = st.AcquireDuration() / time.Duration(n)
	}
	return views.AdminStatGroup{ID: "system-pool", Title: "Database pool", Note: "This process's connections to PostgreSQL.",
		Stats: []views.AdminStat{
			{Label: "In use", Value: strconv.Itoa(int(st.AcquiredConns())), Hint: "of " + strconv.Itoa(int(st.MaxConns())) + " allowed", TestID: "pool-in-use",
				Warn: st.AcquiredConns() >= st.MaxConns()},
			{Label: "Idle", Value: strconv.Itoa(int(st.IdleConns()))},
			{Label: "Open", Value: strconv.Itoa(int(st.TotalConns()))},
			{Label: "Acquired", Value: count(uint64(st.AcquireCount())), Hint: wait},
			{Label: "Average wait", Value: avg.Round(time.Microsecond).String()},
			{Label: "Cancelled waits", Value: count(uint64(st.CanceledAcquireCount())), Warn: st.CanceledAcquireCount() > 0},
		}}
}

// connectionsGroup is the live connections this process holds.
func (s *Server) connectionsGroup() views.AdminStatGroup {
	g := views.AdminStatGroup{ID: "system-connections", Title: "Live connections", Note: "WebSockets and streams open on this process."}
	if s.live != nil {
		st := s.live.manager.Stats()
		g.Stats = append(g.Stats,
			views.AdminStat{Label: "Browsers and bots", Value: strconv.FormatInt(st.Open, 10), Hint: "/ws/*, /stream, SSE", TestID: "conn-live"},
			views.AdminStat{Label: "Closed as slow", Value: count(st.SlowClosed), Warn: st.SlowClosed > 0})
	}
	if s.alpacaData != nil {
		st := s.alpacaData.manager.Stats()
		g.Stats = append(g.Stats, views.AdminStat{Label: "Market-data streams", Value: strconv.FormatInt(st.Open, 10), Hint: "Alpaca-compatible", TestID: "conn-data"})
	}
	return g
}

// count writes a counter with thousands separators.
func count(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i, ch := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, ch)
	}
	return string(out)
}
