package process

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// FeedHolder is who holds the elected market feed, as the election records it.
type FeedHolder struct {
	// Holder is the process's name (see Name); empty before the first election.
	Holder string `json:"holder"`
	// Epoch counts takeovers; every fill is fenced with it.
	Epoch int64 `json:"epoch"`
	// Since is when the holder took the role.
	Since time.Time `json:"since"`
	// ExpiresAt is when its lease ends unless renewed; Live says it has not ended yet.
	ExpiresAt time.Time `json:"expires_at"`
	Live      bool      `json:"live"`
}

// FeedSource reads who holds the feed. The feed election provides it; a deployment without an
// election (nil) shows none.
type FeedSource func(ctx context.Context) (FeedHolder, error)

// Info is one process as the status shows it.
type Info struct {
	Name        string           `json:"name"`
	Roles       []string         `json:"roles"`
	Version     string           `json:"version"`
	StartedAt   time.Time        `json:"started_at"`
	HeartbeatAt time.Time        `json:"heartbeat_at"`
	Clients     map[string]int64 `json:"clients"`
	// RelayLagMS is the last relayed batch's age on arrival, in milliseconds; nil when the
	// process receives no relay or has received nothing yet.
	RelayLagMS  *float64   `json:"relay_lag_ms,omitempty"`
	RelayLastAt *time.Time `json:"relay_last_at,omitempty"`
	// Alive is false when the heartbeat is older than three periods: the process died (or cannot
	// reach the database).
	Alive bool `json:"alive"`
	// HoldsFeed marks the process the election records as the feed's holder.
	HoldsFeed bool `json:"holds_feed"`
}

// Status is the deployment at a glance.
type Status struct {
	At        time.Time   `json:"at"`
	Feed      *FeedHolder `json:"feed"` // nil when unknown (see FeedError)
	FeedError string      `json:"feed_error,omitempty"`
	Processes []Info      `json:"processes"`
	// Clients sums the live connections of the processes alive.
	Clients int64 `json:"clients"`
}

// Read gathers the status: every process's row, and who holds the feed. every is the heartbeat
// period the processes use (DefaultEvery when zero), by which the silent ones are judged gone.
func Read(ctx context.Context, db *gorm.DB, feed FeedSource, every time.Duration) (Status, error) {
	if every <= 0 {
		every = DefaultEvery
	}
	var rows []struct {
		Name        string
		Roles       string
		Version     string
		StartedAt   time.Time
		HeartbeatAt time.Time
		Clients     string
		RelayLagMS  *float64 `gorm:"column:relay_lag_ms"`
		RelayLastAt *time.Time
		Age         float64
	}
	if err := db.WithContext(ctx).Raw(`SELECT name, array_to_json(roles)::text AS roles, version, started_at, heartbeat_at,
			clients::text AS clients, relay_lag_ms, relay_last_at, extract(epoch FROM now() - heartbeat_at) AS age
		FROM processes ORDER BY name`).Scan(&rows).Error; err != nil {
		return Status{}, fmt.Errorf("process: read status: %w", err)
	}
	st := Status{At: time.Now().UTC(), Processes: make([]Info, 0, len(rows))}
	if feed != nil {
		h, err := feed(ctx)
		if err != nil {
			st.FeedError = err.Error()
		} else {
			st.Feed = &h
		}
	}
	for _, r := range rows {
		in := Info{Name: r.Name, Version: r.Version, StartedAt: r.StartedAt.UTC(), HeartbeatAt: r.HeartbeatAt.UTC(),
			RelayLagMS: r.RelayLagMS, RelayLastAt: r.RelayLastAt,
			Alive: r.Age < 3*every.Seconds()}
		_ = json.Unmarshal([]byte(r.Roles), &in.Roles)
		_ = json.Unmarshal([]byte(r.Clients), &in.Clients)
		if st.Feed != nil && st.Feed.Live && holds(st.Feed.Holder, r.Name) {
			in.HoldsFeed = true
		}
		if in.Alive {
			for _, n := range in.Clients {
				st.Clients += n
			}
		}
		st.Processes = append(st.Processes, in)
	}
	return st, nil
}

// holds reports whether the lease's holder is the process named name: the same name, or that name
// with the random suffix the relay adds to its origin ("name/suffix") to tell apart processes that
// share a name.
func holds(holder, name string) bool {
	return holder == name || strings.HasPrefix(holder, name+"/")
}
