package app

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"alpacawrapper/audit"
)

// auditEntries is every entry of the test app's log, newest first.
func auditEntries(t *testing.T, a *testApp) []audit.Entry {
	t.Helper()
	got, _, err := audit.List(context.Background(), a.db.Gorm, audit.Filter{}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// wantNoNewEntries fails when the log grew past n entries: a refused action must write none.
func wantAuditCount(t *testing.T, a *testApp, n int, why string) {
	t.Helper()
	if got := auditEntries(t, a); len(got) != n {
		t.Errorf("%s: %d audit entries, want %d", why, len(got), n)
	}
}

func TestAdminActionsAreAudited(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	ada := a.createUser("ada@example.com", goodPassword)
	root, admin := makeAdmin(t, a, "root@example.com")

	if resp, _ := admin.post(userPath(ada, "disable"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	got := auditEntries(t, a)
	if len(got) != 1 {
		t.Fatalf("%d entries", len(got))
	}
	e := got[0]
	if e.Action != "user.disable" || e.TargetType != "user" || e.TargetID != strconv.FormatInt(ada.ID, 10) ||
		e.UserID != root.ID || e.Email != "root@example.com" || e.IP == "" || len(e.Session) != 24 {
		t.Errorf("entry %+v", e)
	}
	if auditJSON(e.Before) != `{"active":true}` || auditJSON(e.After) != `{"active":false}` {
		t.Errorf("before %s after %s", auditJSON(e.Before), auditJSON(e.After))
	}

	t.Run("a refused action writes nothing", func(t *testing.T) {
		// Already disabled: another operator got there first.
		resp, body := admin.post(userPath(ada, "disable"), nil)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already disabled") {
			t.Errorf("again: %d", resp.StatusCode)
		}
		// The only administrator.
		if resp, body := admin.post(userPath(root, "disable"), url.Values{"confirm_self": {"yes"}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "last active administrator") {
			t.Errorf("last admin: %d", resp.StatusCode)
		}
		if resp, _ := admin.post("/admin/users/999999/enable", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("missing: %d", resp.StatusCode)
		}
		if resp, _ := admin.post(userPath(ada, "enable"), url.Values{"_csrf": {"wrong"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("csrf: %d", resp.StatusCode)
		}
		wantAuditCount(t, a, 1, "after refused actions")
		if !mustUser(t, a, "root@example.com").Active || mustUser(t, a, "ada@example.com").Active {
			t.Error("a refused action changed something")
		}
	})

	if resp, _ := admin.post(userPath(ada, "enable"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	wantAuditCount(t, a, 2, "after enabling")

	t.Run("the page lists and filters", func(t *testing.T) {
		resp, body := admin.get("/admin/audit")
		if resp.StatusCode != 200 || strings.Count(body, `data-testid="admin-audit-entry"`) != 2 ||
			!strings.Contains(body, `data-action="user.disable"`) || !strings.Contains(body, `data-action="user.enable"`) {
			t.Fatalf("page: %d\n%s", resp.StatusCode, body)
		}
		_, body = admin.get("/admin/audit?action=user.enable")
		if strings.Count(body, `data-testid="admin-audit-entry"`) != 1 || strings.Contains(body, `data-action="user.disable"`) {
			t.Error("the action filter did not filter")
		}
		_, body = admin.get("/admin/audit?actor=nobody")
		if !strings.Contains(body, `data-testid="admin-audit-empty"`) {
			t.Error("an unknown actor matched")
		}
		_, body = admin.get("/admin/audit?from=2001-01-01&to=2001-01-02")
		if !strings.Contains(body, `data-testid="admin-audit-empty"`) {
			t.Error("a past date range matched")
		}
		resp, body = admin.get("/admin/audit?from=yesterday")
		if resp.StatusCode != 200 || !strings.Contains(body, `data-testid="admin-audit-problem"`) {
			t.Errorf("a bad date: %d", resp.StatusCode)
		}
	})

	t.Run("CSV export", func(t *testing.T) {
		resp, body := admin.get("/admin/audit.csv?target_type=user")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(records) != 3 || records[0][6] != "action" || records[1][6] != "user.enable" || records[2][6] != "user.disable" ||
			records[2][3] != "root@example.com" || records[2][9] != `{"active":true}` {
			t.Errorf("csv %v %v", records, err)
		}
	})
}

func TestCSVCellsCannotBeFormulas(t *testing.T) {
	for in, want := range map[string]string{"=cmd()": "'=cmd()", "+1": "'+1", "@x": "'@x", "-2": "'-2", "ok": "ok", "": ""} {
		if got := csvSafe(in); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
}
