package process

import (
	"context"
	"errors"
	"testing"
	"time"

	"alpacawrapper/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestNameIsTheConfiguredOneOrHostAndPid(t *testing.T) {
	t.Parallel()
	if got := Name("web.2"); got != "web.2" {
		t.Errorf("Name(web.2) = %q", got)
	}
	if got := Name(""); got == "" || got[len(got)-1] < '0' || got[len(got)-1] > '9' {
		t.Errorf("Name() = %q, want host:pid", got)
	}
}

// TestStatusShowsEveryProcessAndTheFeedHolder: two processes beat; the status lists both with
// their roles, clients and relay lag, marks the feed's holder, sums the clients; a process whose
// heartbeat stopped is shown gone, and one that stops cleanly removes its row.
func TestStatusShowsEveryProcessAndTheFeedHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	started := time.Now().Add(-time.Minute).UTC().Truncate(time.Microsecond)
	web := NewHeartbeat(HeartbeatOptions{DB: db.Gorm, Name: "web.1", Roles: []string{"web"}, Version: "v1", Started: started,
		Clients: func() map[string]int64 { return map[string]int64{"live": 7, "data_stream": 2} },
		Relay:   func() (RelayStats, bool) { return RelayStats{Lag: 1500 * time.Microsecond, Last: started}, true }})
	feed := NewHeartbeat(HeartbeatOptions{DB: db.Gorm, Name: "feed.1", Roles: []string{"feed"}, Version: "v1", Started: started})
	for _, h := range []*Heartbeat{web, feed} {
		if err := h.Beat(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// A process that died an hour ago, and one that died a minute ago.
	if err := db.Gorm.Exec(`INSERT INTO processes (name, roles, started_at, heartbeat_at) VALUES
		('web.old', '{web}', now() - interval '3 hours', now() - interval '2 hours'),
		('web.dead', '{web}', now() - interval '1 hour', now() - interval '1 minute')`).Error; err != nil {
		t.Fatal(err)
	}
	if err := web.Beat(ctx); err != nil { // forgets web.old
		t.Fatal(err)
	}
	holder := func(context.Context) (FeedHolder, error) {
		return FeedHolder{Holder: "feed.1", Epoch: 3, Since: started, ExpiresAt: time.Now().Add(time.Second), Live: true}, nil
	}
	st, err := Read(ctx, db.Gorm, holder, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if st.Feed == nil || st.Feed.Holder != "feed.1" || st.Feed.Epoch != 3 {
		t.Errorf("feed = %+v", st.Feed)
	}
	byName := map[string]Info{}
	for _, p := range st.Processes {
		byName[p.Name] = p
	}
	if len(st.Processes) != 3 || byName["web.old"].Name != "" {
		t.Fatalf("processes = %+v, want web.1, feed.1 and web.dead", st.Processes)
	}
	w := byName["web.1"]
	if !w.Alive || w.HoldsFeed || w.Clients["live"] != 7 || w.Version != "v1" || !w.StartedAt.Equal(started) ||
		len(w.Roles) != 1 || w.Roles[0] != "web" || w.RelayLagMS == nil || *w.RelayLagMS != 1.5 {
		t.Errorf("web.1 = %+v", w)
	}
	if f := byName["feed.1"]; !f.Alive || !f.HoldsFeed || f.RelayLagMS != nil {
		t.Errorf("feed.1 = %+v", f)
	}
	if d := byName["web.dead"]; d.Alive {
		t.Errorf("a process silent for a minute is alive: %+v", d)
	}
	if st.Clients != 9 {
		t.Errorf("clients = %d, want 9", st.Clients)
	}

	// An election that cannot be read is said, not hidden.
	st, err = Read(ctx, db.Gorm, func(context.Context) (FeedHolder, error) { return FeedHolder{}, errors.New("no lease") }, 0)
	if err != nil || st.Feed != nil || st.FeedError != "no lease" {
		t.Errorf("feed error: %+v, %v", st, err)
	}

	// A clean stop removes the row.
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); feed.Run(runCtx) }()
	stop()
	<-done
	var n int64
	db.Gorm.Raw(`SELECT count(*) FROM processes WHERE name = 'feed.1'`).Scan(&n)
	if n != 0 {
		t.Error("a stopped process left its row")
	}
}
