package views

import (
	"strconv"
	"time"

	"alpacawrapper/urls"
)

// AdminMarketData is what GET /admin/market shows: the catalogue sync, the data refreshes and the
// global watchlists, with the forms that start a refresh and create a list (and their errors
// after a refused submission).
type AdminMarketData struct {
	Sync        AdminSyncStatus
	SyncRuns    []AdminSyncRun
	Refreshes   []AdminRefreshRow
	Watchlists  []AdminWatchlistRow
	RefreshForm Form // fields: symbols, watchlist, days
	CreateForm  Form // field: name
	// MaxRefreshAssets and MaxRefreshDays are the bounds of one refresh, told in the form's help.
	MaxRefreshAssets, MaxRefreshDays int
	TimeZone                         string
}

// AnyRefreshRunning reports whether the history should keep refreshing itself.
func (d AdminMarketData) AnyRefreshRunning() bool {
	for _, r := range d.Refreshes {
		if r.Running() {
			return true
		}
	}
	return false
}

// AdminSyncStatus is where the catalogue sync stands.
type AdminSyncStatus struct {
	// Pending: a sync job is queued or running now.
	Pending bool
	// Last is the latest run of the catalogue sync; nil before the first.
	Last *AdminSyncRun
	// LastSuccess is when the latest successful run finished; nil if none did.
	LastSuccess *time.Time
}

// AdminSyncRun is one run of the catalogue or calendar sync.
type AdminSyncRun struct {
	ID          int64
	Kind        string // "assets" or "calendar"
	StartedAt   time.Time
	FinishedAt  *time.Time
	Upserted    int
	Deactivated int
	Error       string
}

// State is "running", "failed" or "succeeded".
func (r AdminSyncRun) State() string {
	switch {
	case r.FinishedAt == nil:
		return "running"
	case r.Error != "":
		return "failed"
	}
	return "succeeded"
}

// AdminRefreshRow is one data refresh with its progress added up.
type AdminRefreshRow struct {
	ID          int64
	Scope       string
	Days        int
	Status      string // running, done, failed, cancelled
	By          string
	CreatedAt   time.Time
	FinishedAt  *time.Time
	Assets      int
	AssetsDone  int
	Failed      int
	Fetched     int64
	Built       int64
	Percent     int
	ChunksDone  int64
	ChunksTotal int64
}

// Running reports whether the refresh is still going.
func (r AdminRefreshRow) Running() bool { return r.Status == "running" }

// URL is the refresh's page.
func (r AdminRefreshRow) URL() string { return urls.Path(urls.AdminRefresh, r.ID) }

// AdminRefreshDetail is one refresh and each of its assets, for GET /admin/market/refreshes/:id.
type AdminRefreshDetail struct {
	AdminRefreshRow
	Items    []AdminRefreshItem
	TimeZone string
}

// AdminRefreshItem is one asset of a refresh.
type AdminRefreshItem struct {
	Symbol      string
	Status      string // pending, running, done, failed, cancelled
	ChunksDone  int
	ChunksTotal int
	Fetched     int64
	Built       int64
	Percent     int
	Error       string // the failure, or the last attempt's error while River retries
}

// AdminWatchlistRow is one global watchlist in the admin list.
type AdminWatchlistRow struct {
	ID          int64
	Name        string
	Assets      int
	Default     bool
	First, Last bool // no move up / down
}

// URL is the list's admin page.
func (w AdminWatchlistRow) URL() string { return urls.Path(urls.AdminWatchlist, w.ID) }

// AdminWatchlistDetail is one global list with its assets and the forms that change it.
type AdminWatchlistDetail struct {
	AdminWatchlistRow
	Items      []AdminWatchlistItem
	RenameForm Form // field: name
	AddForm    Form // field: symbol
}

// AdminWatchlistItem is an asset on a global list.
type AdminWatchlistItem struct {
	Symbol, Name, Class, Exchange string
	First, Last                   bool
}

// adminWatchlistAction is the path of an action on list id.
func adminWatchlistAction(n urls.Name, id int64) string { return urls.Path(n, id) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
