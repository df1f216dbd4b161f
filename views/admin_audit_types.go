package views

import (
	"net/url"
	"strconv"
	"time"

	"alpacawrapper/urls"
)

// AdminAuditRow is one entry of the audit log as the page shows it.
type AdminAuditRow struct {
	ID         int64
	At         time.Time // in the viewer's time zone
	Actor      string    // the actor's e-mail address at the time
	ActorID    int64
	Session    string
	IP         string
	Action     string
	TargetType string
	TargetID   string
	Before     string // compact JSON, "" for none
	After      string
}

// AdminAuditFilter is the log's filter as typed in the form, kept as text so the form shows it back.
type AdminAuditFilter struct {
	Actor      string
	Action     string
	TargetType string
	TargetID   string
	From, To   string // yyyy-mm-dd in the viewer's time zone; To is inclusive
}

// Query is the filter as URL parameters, empty ones left out.
func (f AdminAuditFilter) Query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"actor": f.Actor, "action": f.Action, "target_type": f.TargetType,
		"target_id": f.TargetID, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Active reports whether anything is filtered.
func (f AdminAuditFilter) Active() bool { return len(f.Query()) > 0 }

// AdminAuditData is one page of the audit log.
type AdminAuditData struct {
	Rows        []AdminAuditRow
	Filter      AdminAuditFilter
	Actions     []string // every action recorded so far, for the filter's list
	TargetTypes []string
	Before      int64  // the cursor this page started at (0: the newest)
	Next        int64  // the cursor of the next, older page; 0 when this is the last
	Problem     string // a filter that could not be read, explained
	TimeZone    string
}

// AdminAuditURL is the address of the log page for a filter, starting older than the entry before
// (0: the newest).
func AdminAuditURL(f AdminAuditFilter, before int64) string {
	v := f.Query()
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if len(v) == 0 {
		return urls.Path(urls.AdminAudit)
	}
	return urls.Path(urls.AdminAudit) + "?" + v.Encode()
}

// AdminAuditCSVURL is the CSV export of every entry the filter matches.
func AdminAuditCSVURL(f AdminAuditFilter) string {
	v := f.Query()
	if len(v) == 0 {
		return urls.Path(urls.AdminAuditCSV)
	}
	return urls.Path(urls.AdminAuditCSV) + "?" + v.Encode()
}
