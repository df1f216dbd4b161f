package process

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
)

// Defaults of HeartbeatOptions.
const (
	// DefaultEvery is how often a process renews its row.
	DefaultEvery = 5 * time.Second
	// DefaultForget is how long the row of a process that stopped beating is kept (shown as gone)
	// before a heartbeat of any process deletes it.
	DefaultForget = time.Hour
)

// RelayStats is what a web process knows of the quote relay: the last batch's age on arrival
// (from the feed's hub to this process's), and when it arrived.
type RelayStats struct {
	Lag  time.Duration
	Last time.Time
}

// HeartbeatOptions describe the process and where its figures come from. Zero values select the
// documented defaults.
type HeartbeatOptions struct {
	DB      *gorm.DB
	Name    string
	Roles   []string
	Version string
	Started time.Time
	// Clients counts the live connections this process holds, by kind; nil counts none.
	Clients func() map[string]int64
	// Relay reports the relay's health; nil (or false) when this process receives no relay.
	Relay func() (RelayStats, bool)
	// Every is the heartbeat's period. Default DefaultEvery.
	Every time.Duration
	// Forget is how long a silent process's row is kept. Default DefaultForget.
	Forget time.Duration
	Logger *slog.Logger
}

// Heartbeat keeps this process's row current.
type Heartbeat struct {
	o HeartbeatOptions
}

// NewHeartbeat builds a Heartbeat; Run beats.
func NewHeartbeat(o HeartbeatOptions) *Heartbeat {
	if o.Every <= 0 {
		o.Every = DefaultEvery
	}
	if o.Forget <= 0 {
		o.Forget = DefaultForget
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Started.IsZero() {
		o.Started = time.Now()
	}
	return &Heartbeat{o: o}
}

// Run writes the row at once and then every period until ctx ends, then deletes it: a process
// that stops cleanly leaves no row, and one that dies leaves a row whose heartbeat stops, which
// the status shows as gone.
func (h *Heartbeat) Run(ctx context.Context) {
	t := time.NewTicker(h.o.Every)
	defer t.Stop()
	for {
		if err := h.Beat(ctx); err != nil && ctx.Err() == nil {
			h.o.Logger.Warn("process: heartbeat", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			// The process is stopping: its context is over, the database is not yet closed.
			bye, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if err := h.o.DB.WithContext(bye).Exec(`DELETE FROM processes WHERE name = ?`, h.o.Name).Error; err != nil {
				h.o.Logger.Warn("process: removing this process's row", slog.Any("error", err))
			}
			cancel()
			return
		case <-t.C:
		}
	}
}

// Beat writes the row once, and deletes the rows of processes silent for longer than Forget.
func (h *Heartbeat) Beat(ctx context.Context) error {
	clients := map[string]int64{}
	if h.o.Clients != nil {
		clients = h.o.Clients()
	}
	cj, err := json.Marshal(clients)
	if err != nil {
		return fmt.Errorf("process: encode clients: %w", err)
	}
	var lag *float64
	var last *time.Time
	if h.o.Relay != nil {
		if r, ok := h.o.Relay(); ok {
			ms := float64(r.Lag.Microseconds()) / 1000
			lag = &ms
			if !r.Last.IsZero() {
				last = &r.Last
			}
		}
	}
	roles := "{" + joinRoles(h.o.Roles) + "}"
	db := h.o.DB.WithContext(ctx)
	err = db.Exec(`INSERT INTO processes (name, roles, version, started_at, heartbeat_at, clients, relay_lag_ms, relay_last_at)
		VALUES (?, ?::text[], ?, ?, now(), ?::jsonb, ?, ?)
		ON CONFLICT (name) DO UPDATE SET roles = excluded.roles, version = excluded.version,
			started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, clients = excluded.clients,
			relay_lag_ms = excluded.relay_lag_ms, relay_last_at = excluded.relay_last_at`,
		h.o.Name, roles, h.o.Version, h.o.Started, string(cj), lag, last).Error
	if err != nil {
		return fmt.Errorf("process: heartbeat: %w", err)
	}
	if err := db.Exec(`DELETE FROM processes WHERE heartbeat_at < now() - make_interval(secs => ?)`,
		h.o.Forget.Seconds()).Error; err != nil {
		return fmt.Errorf("process: forget silent processes: %w", err)
	}
	return nil
}

// joinRoles writes roles as the inside of a PostgreSQL array literal (role names are plain words).
func joinRoles(roles []string) string {
	out := ""
	for i, r := range roles {
		if i > 0 {
			out += ","
		}
		out += `"` + r + `"`
	}
	return out
}
