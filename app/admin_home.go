package app

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/models"
	"alpacawrapper/process"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// adminHomeDays is how many days the admin home's charts cover, today included.
const adminHomeDays = 30

// adminHome is GET /admin: the state of the system at a glance (admin_home.templ). Every query is
// a range over an indexed timestamp (models.DailyActivitySince, models.FailedJobsSince); the live
// figures are the processes' heartbeats and this process's feed.
func (s *Server) adminHome(c *fiber.Ctx) error {
	ctx := c.UserContext()
	loc := userLocation(currentUser(c))
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	since := today.AddDate(0, 0, -(adminHomeDays - 1))
	act, err := models.DailyActivitySince(ctx, s.db, since, loc)
	if err != nil {
		return err
	}
	d := views.AdminHomeData{Days: adminHomeDays, TimeZone: loc.String()}
	users, accounts := urls.Path(urls.AdminUsers), urls.Path(urls.AdminAccounts)
	d.Charts = []views.AdminHomeChart{
		dailyChart("admin-home-signups", "Sign-ups", "sign-ups", act.SignUps, since, users, "Newest users"),
		dailyChart("admin-home-active", "Active users", "people who signed in or placed an order", act.ActiveUsers, since, urls.Query(users, "sort", "last_login"), "Users by last login"),
		dailyChart("admin-home-orders", "Orders", "orders", act.Orders, since, accounts, "Paper accounts"),
		dailyChart("admin-home-fills", "Fills", "fills", act.Fills, since, accounts, "Paper accounts"),
	}
	live, err := s.adminHomeNow(ctx, time.Now())
	if err != nil {
		return err
	}
	d.Now = live
	return render(c, views.AdminHomePage(s.page(c, "Administration"), d))
}

// dailyChart lays counts out over every day from since to today (a day with nothing is a zero,
// not a gap) and draws them.
func dailyChart(id, title, noun string, counts []models.DayCount, since time.Time, href, link string) views.AdminHomeChart {
	byDay := make(map[string]int64, len(counts))
	for _, c := range counts {
		byDay[c.Day.Format(time.DateOnly)] += c.Count
	}
	labels := make([]string, 0, adminHomeDays)
	values := make([]int64, 0, adminHomeDays)
	titles := make([]string, 0, adminHomeDays)
	var total, peak int64
	peakDay := ""
	for i := range adminHomeDays {
		day := since.AddDate(0, 0, i)
		n := byDay[day.Format(time.DateOnly)]
		label := day.Format("Jan 2")
		labels, values = append(labels, label), append(values, n)
		titles = append(titles, label+": "+count(uint64(n))+" "+noun)
		total += n
		if n > peak {
			peak, peakDay = n, label
		}
	}
	summary := count(uint64(total)) + " " + noun + " in " + strconv.Itoa(adminHomeDays) + " days"
	if peak > 0 {
		summary += "; most on " + peakDay + " (" + count(uint64(peak)) + ")"
	}
	summary += "; today " + count(uint64(values[len(values)-1])) + "."
	return views.AdminHomeChart{ID: id, Title: title, Total: count(uint64(total)), Href: href, Link: link + " →",
		Chart: views.NewBarChart(title+" per day", labels, values, titles, summary)}
}

// adminHomeNow are the figures of right now: live connections across the deployment (the
// processes' heartbeats; this process's own when none is running), the feed, and River's failed
// jobs of the last day.
func (s *Server) adminHomeNow(ctx context.Context, now time.Time) ([]views.AdminStatGroup, error) {
	system := urls.Path(urls.AdminSystem)
	st, err := process.Read(ctx, s.db, s.feedHolder, process.DefaultEvery)
	if err != nil {
		return nil, err
	}
	clients := map[string]int64{}
	alive := 0
	for _, p := range st.Processes {
		if !p.Alive {
			continue
		}
		alive++
		for k, n := range p.Clients {
			clients[k] += n
		}
	}
	note := "Across " + strconv.Itoa(alive) + " running processes."
	if alive == 0 {
		clients, note = s.LiveClients(), "This process (no heartbeat yet)."
	}
	conns := views.AdminStatGroup{ID: "admin-home-connections", Title: "Live connections", Note: note, Stats: []views.AdminStat{
		{Label: "Sockets", Value: count(uint64(max(clients["live"], 0))), Hint: "WebSocket, SSE", Href: system, TestID: "admin-home-live"},
		{Label: "Data streams", Value: count(uint64(max(clients["data_stream"], 0))), Hint: "Alpaca's API", Href: system, TestID: "admin-home-data-streams"},
	}}

	feed := views.AdminStatGroup{ID: "admin-home-feed", Title: "Market feed", Note: "As this process receives it."}
	if _, f := s.headerBadges(); f != nil {
		v := views.AdminStat{Label: f.Provider, Value: "healthy", Hint: f.Detail, Href: system, TestID: "admin-home-feed-status"}
		if !f.Healthy {
			v.Value, v.Warn = "unhealthy", true
		}
		feed.Stats = append(feed.Stats, v)
	}
	holder := views.AdminStat{Label: "Feed lease", Value: "nobody", Warn: true, Href: system, TestID: "admin-home-feed-lease"}
	if st.Feed != nil && st.Feed.Live {
		holder.Value, holder.Warn, holder.Hint = "held", false, st.Feed.Holder
	} else if st.FeedError != "" {
		holder.Value, holder.Hint = "unknown", st.FeedError
	}
	feed.Stats = append(feed.Stats, holder)

	jobs, err := models.FailedJobsSince(ctx, s.db, now.Add(-24*time.Hour))
	if err != nil {
		return nil, err
	}
	jobsBase := urls.Path(urls.AdminJobs) + "/jobs"
	failed := views.AdminStatGroup{ID: "admin-home-jobs", Title: "Jobs", Note: "River's failures.", Stats: []views.AdminStat{
		{Label: "Failed, 24 h", Value: count(uint64(jobs.Discarded)), Hint: "discarded", Warn: jobs.Discarded > 0,
			Href: urls.Query(jobsBase, "state", "discarded"), TestID: "admin-home-failed-jobs"},
		{Label: "Retrying", Value: count(uint64(jobs.Retrying)), Hint: "will retry",
			Href: urls.Query(jobsBase, "state", "retryable"), TestID: "admin-home-retrying-jobs"},
	}}
	return []views.AdminStatGroup{conns, feed, failed}, nil
}
