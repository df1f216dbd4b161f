package app

import (
	"crypto/subtle"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/config"
	"alpacawrapper/process"
	"alpacawrapper/views"
)

// Operators' view of the deployment: which process holds the feed, since when, and every process
// with its heartbeat, live connections and relay lag (package process). GET /statusz is the JSON
// for monitors (a STATUS_TOKEN bearer, or an administrator's session); GET /admin/system (which
// /admin/status now leads to) shows the same to people.

// statusz is GET /statusz. Anyone else gets 404, as with the admin pages: the endpoint does not
// announce itself.
func (s *Server) statusz(c *fiber.Ctx) error {
	if !s.statusAllowed(c) {
		return fiber.ErrNotFound
	}
	st, err := process.Read(c.UserContext(), s.db, s.feedHolder, process.DefaultEvery)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(st)
}

// statusAllowed: a bearer token equal to STATUS_TOKEN (compared in constant time), or a signed-in
// administrator.
func (s *Server) statusAllowed(c *fiber.Ctx) bool {
	if s.cfg.StatusToken != "" {
		if token, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.StatusToken)) == 1 {
			return true
		}
	}
	u := currentUser(c)
	return u != nil && u.IsAdmin()
}

// statusView shapes the status for the page.
func statusView(st process.Status) views.AdminStatusData {
	d := views.AdminStatusData{At: st.At, FeedError: st.FeedError, Clients: st.Clients}
	if f := st.Feed; f != nil {
		d.Feed = &views.AdminFeedView{Holder: f.Holder, Epoch: f.Epoch, Since: f.Since, ExpiresAt: f.ExpiresAt, Live: f.Live}
	}
	for _, p := range st.Processes {
		v := views.AdminProcessView{Name: p.Name, Roles: strings.Join(p.Roles, ", "), Version: p.Version,
			StartedAt: p.StartedAt, HeartbeatAt: p.HeartbeatAt, Alive: p.Alive, HoldsFeed: p.HoldsFeed, Clients: "none"}
		var parts []string
		for _, kind := range slices.Sorted(maps.Keys(p.Clients)) {
			parts = append(parts, fmt.Sprintf("%s %d", kind, p.Clients[kind]))
		}
		if len(parts) > 0 {
			v.Clients = strings.Join(parts, " · ")
		}
		if p.RelayLagMS != nil {
			v.RelayLag = fmt.Sprintf("%.1f ms", *p.RelayLagMS)
		}
		d.Processes = append(d.Processes, v)
	}
	return d
}

// LiveClients counts the live connections this process holds, by kind: "live" (the browsers'
// WebSockets, /ws/trading, the bots' /stream and SSE trade events) and "data_stream" (the
// Alpaca-compatible market-data stream).
func (s *Server) LiveClients() map[string]int64 {
	out := map[string]int64{}
	if s.live != nil {
		out["live"] = s.live.manager.Stats().Open
	}
	if s.alpacaData != nil {
		out["data_stream"] = s.alpacaData.manager.Stats().Open
	}
	return out
}

// newHeartbeat is this process's heartbeat: its name, roles and version, and, with the web role,
// its live connections and the relay's lag.
func newHeartbeat(b *base, svc *Services, srv *Server, started time.Time) *process.Heartbeat {
	o := process.HeartbeatOptions{DB: b.db.Gorm, Name: b.name, Version: Version(), Started: started, Logger: b.log,
		Relay: relayStatsOf(svc)}
	for _, r := range b.cfg.Roles {
		o.Roles = append(o.Roles, string(r))
	}
	if srv != nil && b.cfg.HasRole(config.RoleWeb) {
		o.Clients = srv.LiveClients
	}
	return process.NewHeartbeat(o)
}

// relayStatsOf reads the quote relay's health for the heartbeat; nil while this process has no
// relay to report on.
func relayStatsOf(svc *Services) func() (process.RelayStats, bool) {
	if svc == nil || svc.Feed == nil {
		return nil
	}
	return svc.Feed.RelayStats
}

// feedHolderOf reads who holds the elected feed for the status; nil while there is no election.
func feedHolderOf(svc *Services) process.FeedSource {
	if svc == nil || svc.Feed == nil {
		return nil
	}
	return svc.Feed.Holder
}
