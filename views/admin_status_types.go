package views

import "time"

// AdminStatusData is the deployment's status for GET /admin/status: who holds the elected feed,
// and every process with its heartbeat, connections and relay lag.
type AdminStatusData struct {
	At        time.Time
	Feed      *AdminFeedView // nil when unknown (FeedError says why, or there is no election)
	FeedError string
	Processes []AdminProcessView
	Clients   int64 // live connections of the processes alive
}

// AdminFeedView is the feed lease.
type AdminFeedView struct {
	Holder    string
	Epoch     int64
	Since     time.Time
	ExpiresAt time.Time
	Live      bool
}

// AdminProcessView is one process's row.
type AdminProcessView struct {
	Name        string
	Roles       string // "web, worker"
	Version     string
	StartedAt   time.Time
	HeartbeatAt time.Time
	Clients     string // "live 7 · data_stream 2", or "none"
	RelayLag    string // "1.5 ms", or "" when the process receives no relay
	Alive       bool
	HoldsFeed   bool
}

// ago says how long before now t was, to the second.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}
