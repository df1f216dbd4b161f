package app

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/audit"
	"alpacawrapper/auth"
	"alpacawrapper/views"
)

const (
	// adminAuditPerPage is how many entries one page of the log shows.
	adminAuditPerPage = 50
	// adminAuditCSVBatch is how many entries the export reads at a time: it streams any number of
	// them without holding more than one batch in memory.
	adminAuditCSVBatch = 500
	// maxAuditFilter bounds a typed filter's length; nothing recorded is longer.
	maxAuditFilter = 254
)

// auditTargetTypes are the kinds of record an action can target, for the page's filter.
var auditTargetTypes = []string{"user", "session", "api_key", "paper_account"}

// auditActor is who is acting in this request, for the audit log: the signed-in administrator,
// their session's public handle and their address.
func auditActor(c *fiber.Ctx) audit.Actor {
	a := audit.Actor{IP: clientIPOf(c)}
	if u := currentUser(c); u != nil {
		a.UserID, a.Email = u.ID, u.Email
	}
	if sess := currentSession(c); sess != nil && len(sess.IDHash) >= 12 {
		a.Session = auth.Handle(sess)
	}
	return a
}

// adminAuditPage is GET /admin/audit: the log, newest first, filtered, one page per cursor.
func (s *Server) adminAuditPage(c *fiber.Ctx) error {
	ctx, viewer := c.UserContext(), currentUser(c)
	loc := userLocation(viewer)
	typed, filter, problem := auditFilterOf(c, loc)
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	d := views.AdminAuditData{Filter: typed, TargetTypes: auditTargetTypes, Before: max(before, 0),
		Problem: problem, TimeZone: loc.String()}
	actions, err := audit.Actions(ctx, s.db)
	if err != nil {
		return err
	}
	d.Actions = actions
	if problem == "" {
		entries, next, err := audit.List(ctx, s.db, filter, d.Before, adminAuditPerPage)
		if err != nil {
			return err
		}
		d.Next = next
		for i := range entries {
			d.Rows = append(d.Rows, auditRow(&entries[i], loc))
		}
	}
	return render(c, views.AdminAuditPage(s.page(c, "Audit log"), d))
}

// adminAuditCSV is GET /admin/audit.csv: every entry the filter matches, newest first, streamed.
func (s *Server) adminAuditCSV(c *fiber.Ctx) error {
	ctx := c.UserContext()
	_, filter, problem := auditFilterOf(c, userLocation(currentUser(c)))
	if problem != "" {
		return fiber.NewError(fiber.StatusBadRequest, problem)
	}
	// The first batch is read before answering, so a database error is still an error page
	// rather than a truncated file.
	first, next, err := audit.List(ctx, s.db, filter, 0, adminAuditCSVBatch)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="audit-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		w := csv.NewWriter(bw)
		_ = w.Write([]string{"id", "at", "actor_user_id", "actor_email", "actor_session", "ip", "action", "target_type", "target_id", "before", "after"})
		batch := first
		for {
			for i := range batch {
				_ = w.Write(auditCSVRecord(&batch[i]))
			}
			w.Flush()
			if next == 0 || w.Error() != nil {
				return
			}
			if batch, next, err = audit.List(ctx, s.db, filter, next, adminAuditCSVBatch); err != nil {
				// The status is sent: the file ends with a line that says it is incomplete.
				_ = w.Write([]string{"error", "export incomplete: " + err.Error()})
				w.Flush()
				return
			}
		}
	})
	return nil
}

// auditFilterOf reads the page's filter: as typed (to show back), as a query, and a problem to
// explain when a date cannot be read. Dates are whole days in the viewer's time zone; "to" is the
// last day included.
func auditFilterOf(c *fiber.Ctx, loc *time.Location) (views.AdminAuditFilter, audit.Filter, string) {
	clean := func(k string) string {
		v := strings.TrimSpace(c.Query(k))
		if len(v) > maxAuditFilter {
			v = v[:maxAuditFilter]
		}
		return v
	}
	typed := views.AdminAuditFilter{Actor: clean("actor"), Action: clean("action"), TargetType: clean("target_type"),
		TargetID: clean("target_id"), From: clean("from"), To: clean("to")}
	f := audit.Filter{Actor: typed.Actor, Action: typed.Action, TargetType: typed.TargetType, TargetID: typed.TargetID}
	var problems []string
	if typed.From != "" {
		t, err := time.ParseInLocation(time.DateOnly, typed.From, loc)
		if err != nil {
			problems = append(problems, "“From” is not a date (yyyy-mm-dd).")
		}
		f.From = t
	}
	if typed.To != "" {
		t, err := time.ParseInLocation(time.DateOnly, typed.To, loc)
		if err != nil {
			problems = append(problems, "“To” is not a date (yyyy-mm-dd).")
		}
		f.To = t.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		problems = append(problems, "“From” is after “To”.")
	}
	return typed, f, strings.Join(problems, " ")
}

func auditRow(e *audit.Entry, loc *time.Location) views.AdminAuditRow {
	return views.AdminAuditRow{ID: e.ID, At: e.At.In(loc), Actor: e.Email, ActorID: e.UserID, Session: e.Session,
		IP: e.IP, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID,
		Before: auditJSON(e.Before), After: auditJSON(e.After)}
}

func auditCSVRecord(e *audit.Entry) []string {
	actor := ""
	if e.UserID != 0 {
		actor = strconv.FormatInt(e.UserID, 10)
	}
	return []string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), actor, csvSafe(e.Email), e.Session,
		e.IP, e.Action, e.TargetType, csvSafe(e.TargetID), csvSafe(auditJSON(e.Before)), csvSafe(auditJSON(e.After))}
}

// csvSafe keeps a spreadsheet from reading a value as a formula: a cell starting with = + - @ (or a
// tab or carriage return) is prefixed with a quote, as OWASP advises for CSV exports.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// auditJSON is a before/after value as compact JSON, "" for none.
func auditJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
