package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"alpacawrapper/jobs"
)

// scheduledJob inserts a job due in an hour, which nothing works in the meantime.
func scheduledJob(t *testing.T, a *testApp) int64 {
	t.Helper()
	res, err := a.svc.River.Insert(context.Background(), jobs.SyncCalendarArgs{},
		&river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return res.Job.ID
}

func jobState(t *testing.T, a *testApp, id int64) rivertype.JobState {
	t.Helper()
	j, err := a.svc.River.JobGet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j.State
}

// jobsAPIPost sends a JSON write to River's API under /admin/jobs as the browser b.
func jobsAPIPost(b *browser, path, origin, contentType, body string) *http.Response {
	req := httptest.NewRequest(http.MethodPost, "/admin/jobs/api"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, _ := b.send(req)
	return resp
}

func TestJobDashboardIsForAdministratorsOnly(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("member@example.com", goodPassword)
	member := a.browser()
	member.login("member@example.com", goodPassword)
	_, admin := makeAdmin(t, a, "root@example.com")
	id := scheduledJob(t, a)

	paths := []string{"/admin/jobs", "/admin/jobs/", "/admin/jobs/api/jobs?state=scheduled", "/admin/jobs/api/queues"}
	t.Run("guests are sent to log in", func(t *testing.T) {
		for _, p := range paths {
			resp, _ := a.browser().get(p)
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
				t.Errorf("%s: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	})
	t.Run("members get 404, and cannot cancel a job", func(t *testing.T) {
		for _, p := range paths {
			if resp, _ := member.get(p); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d", p, resp.StatusCode)
			}
		}
		resp := jobsAPIPost(member, "/jobs/cancel", "http://app.test", "application/json", `{"ids":["`+strconv.FormatInt(id, 10)+`"]}`)
		if resp.StatusCode != http.StatusNotFound || jobState(t, a, id) != rivertype.JobStateScheduled {
			t.Errorf("member's cancel: %d, job %s", resp.StatusCode, jobState(t, a, id))
		}
	})
	t.Run("administrators see River's page and API", func(t *testing.T) {
		resp, body := admin.get("/admin/jobs/")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="config__json"`) || !strings.Contains(body, `src="/admin/jobs/assets/`) {
			t.Fatalf("page: %d\n%s", resp.StatusCode, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); csp != jobsContentSecurityPolicy {
			t.Errorf("page CSP %q", csp)
		}
		resp, body = admin.get("/admin/jobs/api/jobs?state=scheduled")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"sync_calendar"`) {
			t.Errorf("jobs API: %d %s", resp.StatusCode, body)
		}
		// The rest of the app keeps its strict policy.
		if resp, _ := admin.get("/admin/users"); strings.Contains(resp.Header.Get("Content-Security-Policy"), "unsafe-inline") {
			t.Error("the relaxed policy leaked to other pages")
		}
	})
}

func TestJobDashboardWritesNeedThisSitesOriginAndJSON(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	_, admin := makeAdmin(t, a, "root@example.com")
	id := scheduledJob(t, a)
	body := `{"ids":["` + strconv.FormatInt(id, 10) + `"]}`

	for _, tc := range []struct{ name, origin, contentType string }{
		{"no Origin", "", "application/json"},
		{"another site", "https://evil.example", "application/json"},
		{"a form, not JSON", "http://app.test", "application/x-www-form-urlencoded"},
		{"plain text, as a cross-site form can send", "http://app.test", "text/plain"},
	} {
		if resp := jobsAPIPost(admin, "/jobs/cancel", tc.origin, tc.contentType, body); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", tc.name, resp.StatusCode)
		}
		if s := jobState(t, a, id); s != rivertype.JobStateScheduled {
			t.Fatalf("%s: job is %s", tc.name, s)
		}
	}
	if resp := jobsAPIPost(admin, "/jobs/cancel", "http://app.test", "application/json", body); resp.StatusCode != http.StatusOK {
		t.Fatalf("same-site JSON cancel: %d", resp.StatusCode)
	}
	if s := jobState(t, a, id); s != rivertype.JobStateCancelled {
		t.Errorf("after the cancel the job is %s", s)
	}
}
