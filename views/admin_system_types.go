package views

import "time"

// AdminStat is one figure of an admin page: a label, its value as shown, and a hint under it.
// Warn marks a figure an operator should look at (a feed that is down, dropped events).
type AdminStat struct {
	Label  string
	Value  string
	Hint   string
	Warn   bool
	TestID string // "" for none
	Href   string // where the figure is explained or acted on; "" for none
}

// AdminStatGroup is a titled card of figures.
type AdminStatGroup struct {
	ID    string // the card's id and data-testid
	Title string
	Note  string // one line under the title; "" for none
	Stats []AdminStat
}

// AdminServerError is one request that ended in a server error on this process.
type AdminServerError struct {
	At        time.Time
	RequestID string
	Method    string
	Path      string
	Status    int
	Message   string // the error's text, with connection details removed
}

// AdminConfigEntry is one setting of the effective configuration. A secret's Value is
// "[redacted]" (or "(not set)"), never the secret.
type AdminConfigEntry struct {
	Name     string
	Value    string
	Redacted bool
}

// AdminMigrationView is one applied or pending migration.
type AdminMigrationView struct {
	Set       string // "app" or "river"
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time // zero when unknown or pending
}

// AdminSystemData is GET /admin/system: the live figures (refreshed in place), the deployment's
// processes, migrations, recent server errors and the effective configuration.
type AdminSystemData struct {
	At         time.Time
	Groups     []AdminStatGroup // market feed, hub, matcher, database pool, connections
	Status     AdminStatusData  // the feed lease and every process
	Errors     []AdminServerError
	Migrations []AdminMigrationView
	// MigrationsError says why the migrations could not be read; "" when they were.
	MigrationsError string
	Pending         int // migrations not applied
	Config          []AdminConfigEntry
}
